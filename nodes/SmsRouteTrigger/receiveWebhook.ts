import type { KeyObject } from 'node:crypto';
import type {
	IDataObject,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import type { SeenRecord } from './dedupe';
import type { KeyedEvent } from './normalize';
import { normalizeSmsroute } from './normalize';
import { normalizeSendcloud } from './normalizeSendcloud';
import { parseRawBody } from './parseBody';
import {
	extractSendcloudFields,
	looksLikeSendcloud,
	verifySendcloudSignature,
} from './verify/sendcloudSignature';
import type { SmsrouteKey } from './verify/smsrouteSignature';
import { verifySmsrouteSignature } from './verify/smsrouteSignature';
import { sendcloudAppKey, smsrouteKeys, type Keys } from './verificationKeys';

/**
 * One POST, from raw bytes to normalized events: pick the provider, find its credential,
 * verify the signature before trusting anything in the body, then parse and normalize.
 * Every refusal is a Rejection (400, 401 or 503 with a short reason), never a throw.
 */

export const DEFAULT_TOLERANCE_SECONDS = 300;

export type Provider = 'auto' | 'smsroute' | 'sendcloud';

/** The slice of express's request/response the trigger uses. */
export interface RawRequest {
	rawBody?: unknown;
	/** n8n's reader (cli middlewares rawBodyReader): fills rawBody from the stream once. */
	readRawBody?: () => Promise<void>;
}

/**
 * n8n reads the body before webhook() for version 1 always, for 1.1 only when the content type
 * is JSON, form, text or XML; without one (or with another) the trigger reads it itself, so
 * both versions see the same bytes.
 */
export async function readRawBody(request: RawRequest): Promise<void> {
	if (Buffer.isBuffer(request.rawBody) || typeof request.readRawBody !== 'function') return;
	try {
		await request.readRawBody();
	} catch {
		// An unreadable stream (multipart already consumed, aborted request) is answered
		// as a missing raw body.
		return;
	}
}
interface JsonResponse {
	status(code: number): JsonResponse;
	json(body: unknown): unknown;
}

export class Rejection {
	constructor(
		readonly status: 400 | 401 | 503,
		readonly reason: string,
	) {}
}

/**
 * Answers the request directly and tells n8n not to answer or run anything: n8n only skips
 * the execution when no workflowData is returned, and only keeps our status code when the
 * node has written the response itself (noWebhookResponse).
 */
export function reject(context: IWebhookFunctions, rejection: Rejection): IWebhookResponseData {
	// Only the short reason is logged or sent: never a key, a header or the body.
	context.logger?.debug(`SMS Route Trigger refused a request (${rejection.status})`, {
		reason: rejection.reason,
	});
	respond(context, rejection.status, { error: rejection.reason });
	return { noWebhookResponse: true };
}

/** Writes the HTTP answer directly (the caller then returns noWebhookResponse). */
export function respond(context: IWebhookFunctions, status: number, body: object): void {
	const res = context.getResponseObject() as unknown as JsonResponse;
	res.status(status).json(body);
}

export function logUnexpected(context: IWebhookFunctions, error: unknown): void {
	context.logger?.warn('SMS Route Trigger could not process a request', {
		error: error instanceof Error ? error.name : typeof error,
	});
}

/** Only a wrong signature can be cured by newer keys (rotation); a stale timestamp cannot. */
const KEY_MISMATCH = 'signature mismatch';

/**
 * Runs `check` with the cached keys and, when those were not just loaded and could not
 * verify (no key, or a mismatch), once more with keys reloaded from the credential.
 * Null means the credential holds no key.
 */
async function checkWithKeys<K, R extends { ok: boolean; reason?: string }>(
	load: (reload: boolean) => Promise<Keys<K>>,
	check: (keys: K) => R | null,
): Promise<R | null> {
	const cached = await load(false);
	const result = check(cached.keys);
	if (cached.fresh || (result && (result.ok || result.reason !== KEY_MISMATCH))) return result;
	return check((await load(true)).keys);
}

async function handleSmsroute(
	context: IWebhookFunctions,
	nodeKey: string,
	rawBody: Buffer,
	contentType: string | undefined,
	header: string | string[] | undefined,
	toleranceSeconds: number,
	receivedAt: Date,
): Promise<KeyedEvent[] | Rejection> {
	// Verify the exact bytes before parsing anything an attacker could have sent.
	const verified = await checkWithKeys(
		async (reload) => await smsrouteKeys(context, nodeKey, reload),
		(keys: SmsrouteKey[]) =>
			keys.length === 0
				? null
				: verifySmsrouteSignature({ rawBody, header, keys, toleranceSeconds, nowMs: receivedAt.getTime() }),
	);
	if (!verified) {
		return new Rejection(
			401,
			'smsroute webhook received but no SMS Route API credential with a Test or Live API Key is set on the trigger',
		);
	}
	if (!verified.ok) return new Rejection(401, verified.reason);

	const parsed = parseRawBody(rawBody, contentType);
	if (!parsed.ok) return new Rejection(400, parsed.reason);
	const normalized = normalizeSmsroute(parsed.body as IDataObject, {
		livemode: verified.livemode,
		receivedAt,
	});
	if (!normalized.ok) return new Rejection(400, normalized.reason);
	return normalized.events;
}

async function handleSendcloud(
	context: IWebhookFunctions,
	nodeKey: string,
	body: IDataObject,
	rawBody: Buffer,
	toleranceSeconds: number,
	receivedAt: Date,
	seen: SeenRecord,
): Promise<KeyedEvent[] | Rejection> {
	const fields = extractSendcloudFields(body);
	if (!fields.ok) return new Rejection(401, fields.reason);
	const nowMs = receivedAt.getTime();
	const verified = await checkWithKeys(
		async (reload) => await sendcloudAppKey(context, nodeKey, reload),
		(appKey: KeyObject | null) =>
			appKey === null
				? null
				: verifySendcloudSignature({
						appKey,
						fields: fields.fields,
						timestampMs: fields.timestampMs,
						toleranceSeconds,
						nowMs,
					}),
	);
	if (!verified) {
		return new Rejection(
			401,
			'SendCloud callback received but no SendCloud SMSHook API credential with an App Key is set on the trigger',
		);
	}
	if (!verified.ok) return new Rejection(401, verified.reason);
	// The body is not signed: a genuine token seen again with another body is a replay. With
	// the same body it is SendCloud redelivering, and the event record keeps it from emitting
	// twice. The token is spent here, before the body is judged, so a refused body cannot be
	// swapped for a forged one under the same token.
	const { token } = fields.fields;
	const tokenUse = seen.useToken(token, rawBody, fields.timestampMs, nowMs, toleranceSeconds);
	if (tokenUse === 'replay') return new Rejection(401, 'token already used');
	if (tokenUse === 'full') {
		// Forgetting a token early would reopen it to replay; SendCloud retries in 3 minutes.
		return new Rejection(503, 'too many SendCloud callbacks within the tolerance window; retry later');
	}

	const normalized = normalizeSendcloud(body, { timestampMs: fields.timestampMs, receivedAt, token });
	if (!normalized.ok) return new Rejection(400, normalized.reason);
	return normalized.events;
}

/** Verifies, parses and normalizes one POST; a Rejection says how to answer instead. */
export async function receive(
	context: IWebhookFunctions,
	request: {
		provider: Provider;
		/** Workflow and node: scopes the key cache and the duplicate record. */
		nodeKey: string;
		rawBody: unknown;
		contentType: string | undefined;
		signatureHeader: string | string[] | undefined;
		toleranceSeconds: number;
		receivedAt: Date;
		seen: SeenRecord;
	},
): Promise<KeyedEvent[] | Rejection> {
	const { provider, nodeKey, rawBody, contentType, signatureHeader, toleranceSeconds, receivedAt, seen } =
		request;
	if (!Buffer.isBuffer(rawBody)) {
		// Never fall back to re-serialised JSON: it is not what was signed.
		return new Rejection(401, 'raw request body unavailable; cannot verify signature');
	}
	const useSmsroute =
		provider === 'smsroute' || (provider === 'auto' && signatureHeader !== undefined);
	if (useSmsroute) {
		return await handleSmsroute(
			context,
			nodeKey,
			rawBody,
			contentType,
			signatureHeader,
			toleranceSeconds,
			receivedAt,
		);
	}
	const parsed = parseRawBody(rawBody, contentType);
	if (!parsed.ok) return new Rejection(400, parsed.reason);
	if (provider === 'auto' && !looksLikeSendcloud(parsed.body)) {
		return new Rejection(
			401,
			'unrecognized sender: no x-smsroute-signature header and no SendCloud token/timestamp/signature',
		);
	}
	return await handleSendcloud(
		context,
		nodeKey,
		parsed.body as IDataObject,
		rawBody,
		toleranceSeconds,
		receivedAt,
		seen,
	);
}
