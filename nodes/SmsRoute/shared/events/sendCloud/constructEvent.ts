import type { KeyObject } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { normalizeSendCloud } from './normalize';
import type { KeyedEvent } from '../event';
import { parseRawBody } from '../parseBody';
import type { Result } from '../../result';
import { extractSendCloudFields, verifySendCloudSignature } from './signature';
import { refusal, type Refusal } from '../../webhookAnswers';

/**
 * A SendCloud SMSHook callback, from raw bytes to normalized events, as stripe-node's
 * `Webhooks.constructEvent`: parse (the signed fields are in the body), verify the token and
 * timestamp with the app key, spend the token, normalize. Pure but for `spendToken`.
 */

export interface SendCloudWebhookRequest {
	rawBody: Buffer;
	contentType: string | undefined;
	/** The body already parsed from `rawBody` (provider detection needed it), or undefined. */
	parsedBody?: IDataObject;
	/** Null when the credential holds no app key: the answer is then null too. */
	appKey: string | KeyObject | null;
	toleranceSeconds: number;
	now: Date;
	/**
	 * Records a verified token as used. The body is not signed, so a token seen again with another
	 * body is a replay; returns the refusal then. Called before the body is judged, so a refused
	 * body cannot be swapped for a forged one under the same token.
	 */
	spendToken: (token: string, timestampMs: number) => Refusal | null;
}

export type SendCloudEvents = Result<{ events: KeyedEvent[] }, Refusal>;

/** Null when there is no app key to verify with (after the signed fields were found). */
export function constructSendCloudEvent(request: SendCloudWebhookRequest): SendCloudEvents | null {
	const { appKey, toleranceSeconds, now } = request;
	let body = request.parsedBody;
	if (!body) {
		const parsed = parseRawBody(request.rawBody, request.contentType);
		if (!parsed.ok) return refusal('malformed', parsed.reason);
		body = parsed.body as IDataObject;
	}
	const signed = extractSendCloudFields(body);
	if (!signed.ok) return refusal('badSignature', signed.reason);
	if (appKey === null) return null;
	const { fields, timestampMs } = signed;
	const nowMs = now.getTime();
	const verified = verifySendCloudSignature({
		appKey,
		fields,
		timestampMs,
		toleranceSeconds,
		nowMs,
	});
	if (!verified.ok) return refusal('badSignature', verified.reason);
	const refused = request.spendToken(fields.token, timestampMs);
	if (refused) return { ok: false, ...refused };
	const normalized = normalizeSendCloud(body, {
		timestampMs,
		receivedAt: now,
		token: fields.token,
	});
	return normalized.ok ? normalized : refusal('malformed', normalized.reason);
}
