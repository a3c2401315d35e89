import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** Request plumbing both webhooks of the package share: the trigger's and Send and Wait's resume. */

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The slice of express's request the webhooks use. */
export interface RawRequest {
	rawBody?: unknown;
	/** n8n's reader (cli middlewares rawBodyReader): fills rawBody from the stream once. */
	readRawBody?: () => Promise<void>;
}

/**
 * The exact bytes of the request, or undefined. n8n reads the body before webhook() for version
 * 1 always, for 1.1 only when the content type is JSON, form, text or XML; otherwise it is read
 * here, so both versions see the same bytes.
 */
export async function readRawBody(context: IWebhookFunctions): Promise<unknown> {
	const request = context.getRequestObject() as unknown as RawRequest;
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function') {
		try {
			await request.readRawBody();
		} catch {
			// An unreadable stream (multipart already consumed, aborted request) is answered as a
			// missing raw body.
		}
	}
	return request.rawBody;
}

interface JsonResponse {
	status(code: number): JsonResponse;
	json(body: unknown): unknown;
}

/** Writes the HTTP answer directly (the caller then returns noWebhookResponse). */
export function respond(context: IWebhookFunctions, status: number, body: object): void {
	const res = context.getResponseObject() as unknown as JsonResponse;
	res.status(status).json(body);
}

/**
 * Answers a refused request itself and starts nothing: n8n only skips the execution when no
 * workflowData is returned, and only keeps our status code when the node wrote the response
 * (noWebhookResponse). Only the short reason is logged or sent: never a key, a header or the body.
 */
export function refuseRequest(
	context: IWebhookFunctions,
	logMessage: string,
	status: number,
	reason: string,
): IWebhookResponseData {
	context.logger?.debug(`${logMessage} (${status})`, { reason });
	respond(context, status, { error: reason });
	return { noWebhookResponse: true };
}

/** Workflow and node: scopes key caches and duplicate records. */
export function nodeKeyOf(context: IWebhookFunctions): string {
	const node = context.getNode();
	return `${context.getWorkflow().id}:${node.id ?? node.name}`;
}
