import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { writeJsonResponse } from './n8nInternals';
import { answerFor, type Refusal } from './webhookAnswers';

/** Request plumbing both webhooks of the package share: the trigger's and Send and Wait's resume. */

export const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Answers a refused request itself, as shared/webhookAnswers.ts says, and starts nothing: n8n
 * only skips the execution when no workflowData is returned, and only keeps our status code when
 * the node wrote the response (noWebhookResponse). Only the short reason is logged or sent: never
 * a key, a header or the body.
 */
export function refuseRequest(
	context: IWebhookFunctions,
	logMessage: string,
	refused: Refusal,
): IWebhookResponseData {
	const { status, body, headers } = answerFor(refused);
	context.logger?.debug(`${logMessage} (${status})`, { kind: refused.kind, reason: body.error });
	writeJsonResponse(context, status, body, headers);
	return { noWebhookResponse: true };
}

/** Workflow and node: the scope of the key caches and duplicate records of one trigger or wait. */
export function nodeScopeOf(context: IWebhookFunctions): string {
	const node = context.getNode();
	return `${context.getWorkflow().id}:${node.id ?? node.name}`;
}
