import type { IDataObject } from 'n8n-workflow';

import type { KeyedEvent } from '../event';
import { normalizeSmsRoute } from './normalize';
import { parseRawBody } from '../parseBody';
import type { Result } from '../../result';
import { verifySmsRouteSignature, type SmsRouteSigningKey } from './signature';
import { refusal, type Refusal } from '../../webhookAnswers';

/**
 * An smsroute webhook request, from raw bytes to normalized events, as stripe-node's
 * `Webhooks.constructEvent(payload, header, secret, tolerance)`: verify the signature over the
 * exact bytes, then parse and normalize. Pure: the keys are given (../eventsFromWebhook.ts loads
 * them from the node's credential). Both the trigger and Send and Wait's resume webhook use it.
 */

export interface SmsRouteWebhookRequest {
	rawBody: Buffer | undefined;
	/** The x-smsroute-signature header as received. */
	header: string | string[] | undefined;
	contentType: string | undefined;
	/** The keys that may have signed it; the one that did tells `livemode`. */
	keys: SmsRouteSigningKey[];
	toleranceSeconds: number;
	/** How far ahead of now a signed timestamp may be; `toleranceSeconds` when not given. */
	futureToleranceSeconds?: number;
	now: Date;
}

export type SmsRouteEvents = Result<
	{ events: KeyedEvent[]; livemode: boolean; timestamp: number },
	Refusal
>;

export function constructSmsRouteEvent(request: SmsRouteWebhookRequest): SmsRouteEvents {
	const { rawBody, header, keys, toleranceSeconds, now } = request;
	const nowMs = now.getTime();
	// Verify the exact bytes before parsing anything an attacker could have sent.
	const verified = verifySmsRouteSignature({ rawBody, header, keys, toleranceSeconds, nowMs });
	if (!verified.ok) return refusal('badSignature', verified.reason);
	const future = request.futureToleranceSeconds ?? toleranceSeconds;
	if (verified.timestamp * 1000 > nowMs + future * 1000)
		return refusal('badSignature', 'timestamp in the future');
	// Verified, so the bytes are there.
	const parsed = parseRawBody(rawBody as Buffer, request.contentType);
	if (!parsed.ok) return refusal('malformed', parsed.reason);
	const normalized = normalizeSmsRoute(parsed.body as IDataObject, {
		livemode: verified.livemode,
		receivedAt: now,
	});
	if (!normalized.ok) return refusal('malformed', normalized.reason);
	return {
		ok: true,
		events: normalized.events,
		livemode: verified.livemode,
		timestamp: verified.timestamp,
	};
}
