import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from '../shared/objects';
import type { NormalizedEvent } from '../shared/events/event';
import { normalizeSmsRoute } from '../shared/events/smsRoute/normalize';
import { createClient } from '../transport/client';
import type { RequestContext } from '../transport/deadline';
import { getMessage, isPlainMessageId } from '../transport/messages';
import type { SmsRouteClient } from '../transport/smsRouteRequest';
import { endsWaitOn } from '../shared/events/deliveryStatus';

/**
 * A waited-for message's state from smsroute's status endpoint (GET /messages/{id}), the guide's
 * own fallback when no event can be had: a message whose event went to another process, or one
 * replayed by a reused Idempotency Key. It goes through the same getMessage as Get Status (deadline,
 * retries, redaction, id check), so what it reports is as safe to output as Get Status's answer.
 */

/** Short: the resume webhook answers the relay while it looks (n8n waits for webhook()). */
const WEBHOOK_LOOKUP = { maxAttempts: 2, maxWaitMs: 2000, timeoutMs: 10_000 };

/** The client the resume webhook looks messages up with. */
export async function lookupClient(context: RequestContext): Promise<SmsRouteClient> {
	return await createClient(context, WEBHOOK_LOOKUP);
}

/**
 * The message as a normalized event when its status ends the wait (`endsWaitOn`), or null when it
 * is still on its way or cannot be read.
 */
export async function lookUpWaitEndingEvent(
	client: SmsRouteClient,
	messageId: string,
	livemode: boolean,
): Promise<NormalizedEvent | null> {
	if (!isPlainMessageId(messageId)) return null;
	let view: IDataObject;
	try {
		view = await getMessage(client, messageId);
	} catch (error) {
		// Unknown ends nothing: a wait keeps waiting (its limit still ends it).
		client.context.logger?.debug('SMS Route: status lookup failed while waiting for delivery', {
			error: client.redact(error instanceof Error ? error.message : typeof error),
		});
		return null;
	}
	if (!endsWaitOn(view.status)) return null;
	const normalized = normalizeSmsRoute(
		{
			message_id: messageId,
			status: view.status,
			timestamp: (view.updated_at ?? view.created_at ?? new Date().toISOString()) as string,
			to: view.to,
			reason: view.reason,
			metadata: isPlainObject(view.metadata) ? view.metadata : {},
		},
		{
			livemode: typeof view.livemode === 'boolean' ? view.livemode : livemode,
			receivedAt: new Date(),
		},
	);
	if (!normalized.ok) return null;
	const [{ event }] = normalized.events;
	// Say where it came from: the status endpoint, not a delivery webhook.
	return { ...event, raw: view, source: 'status endpoint' };
}
