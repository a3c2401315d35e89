import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { NormalizedEvent } from '../shared/events/event';
import { smsRouteEventsOf } from '../shared/events/eventsFromWebhook';
import { RAW_BODY_UNAVAILABLE, SIGNATURE_MISMATCH, isRawBody } from '../shared/events/hmacToolkit';
import { SMSROUTE_SIGNATURE_HEADER } from '../shared/events/smsRoute/signature';
import { readRawBody } from '../shared/n8nInternals';
import { DEFAULT_TOLERANCE_SECONDS, nodeScopeOf, refuseRequest } from '../shared/webhookRequest';
import {
	allMessagesEnded,
	claimResume,
	hasResumed,
	recordWaitEndingEvent,
	waitKeyOf,
} from './deliveryRecord';
import { outputsOnResume } from './outputDecision';
import { endsWaitOn } from '../shared/events/deliveryStatus';
import { readWaiting, type WaitingMessages } from './waitingState';
import type { Result } from '../shared/result';
import { refusal, type Refusal } from '../shared/webhookAnswers';

/**
 * The resume request of a waiting Send and Wait for Delivery: a delivery event the SMS Route
 * Trigger relayed unchanged (same bytes, same x-smsroute-signature). It is verified exactly like
 * the trigger verifies it, with the trigger's code and this node's credential, before anything in
 * it is trusted; the execution resumes when every message it waits for has a status that ends the
 * wait (`endsWaitOn`).
 */

const REFUSED = 'SMS Route refused a resume request';

/** Answered 200 and the execution keeps waiting (nothing is saved, so nothing changes). */
function keepWaiting(reason: string, extra: IDataObject = {}): IWebhookResponseData {
	return { webhookResponse: { resumed: false, reason, ...extra } };
}

/**
 * The signed timestamp may be as old as the wait (its messages' events cannot be older, however
 * long the trigger took to relay them) and no newer than the usual tolerance ahead: every event
 * the trigger accepted and relayed is accepted here, whatever its own Timestamp Tolerance. A wait
 * saved without a mark (an earlier version, CHANGELOG) keeps the default tolerance.
 */
function toleranceFor(waiting: WaitingMessages | null, nowMs: number): number {
	const sentFromMs = waiting?.mark?.sentFromMs;
	if (sentFromMs === undefined) return DEFAULT_TOLERANCE_SECONDS;
	return Math.max(0, Math.ceil((nowMs - sentFromMs) / 1000)) + DEFAULT_TOLERANCE_SECONDS;
}

async function verifiedEvent(
	context: IWebhookFunctions,
	waiting: WaitingMessages | null,
	receivedAt: Date,
): Promise<Result<{ event: NormalizedEvent }, Refusal>> {
	const rawBody = await readRawBody(context);
	if (!isRawBody(rawBody)) return refusal('badSignature', RAW_BODY_UNAVAILABLE);
	const headers = context.getHeaderData();
	const received = await smsRouteEventsOf(context, `${nodeScopeOf(context)}:wait`, {
		rawBody,
		header: headers[SMSROUTE_SIGNATURE_HEADER],
		contentType: headers['content-type'],
		toleranceSeconds: toleranceFor(waiting, receivedAt.getTime()),
		futureToleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
		now: receivedAt,
		// Only the key of the environment the messages were sent in may decide their outcome.
		livemode: waiting?.mark?.livemode,
	});
	// No key of the wait's environment: answered as a forgery, naming no credential to a sender.
	if (!received) return refusal('badSignature', SIGNATURE_MISMATCH);
	return received.ok ? { ok: true, event: received.events[0].event } : received;
}

export async function resumeOnDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const receivedAt = new Date();
	const waiting = readWaiting(this);
	const verified = await verifiedEvent(this, waiting, receivedAt);
	if (!verified.ok) return refuseRequest(this, REFUSED, verified);
	const { event } = verified;

	if (!waiting) return keepWaiting('not waiting for delivery');
	const { waitFor } = waiting;
	// A genuine event of another message (another wait's, or replayed here) changes nothing.
	if (!event.messageId || !waitFor.includes(event.messageId))
		return keepWaiting('not a message of this wait');
	// The answers' texts and fields (`final`) are as released: only the relay's log reads them.
	if (!endsWaitOn(event.status))
		return keepWaiting('status is not final', { status: event.status });
	const node = this.getNode();
	const waitKey = waitKeyOf(this.getExecutionId(), node.id ?? node.name, waiting);
	if (hasResumed(waitKey)) return keepWaiting('already resumed');

	const ended = recordWaitEndingEvent(waitKey, event);
	const livemode = waiting.mark?.livemode ?? event.livemode === true;
	if (!(await allMessagesEnded(this, waitFor, ended, livemode))) {
		return keepWaiting('other messages are not final yet', {
			final: ended.size,
			messages: waitFor.length,
		});
	}
	if (!claimResume(waitKey)) return keepWaiting('already resumed');
	return {
		webhookResponse: { resumed: true },
		workflowData: outputsOnResume(waiting.outputs, ended, waitFor),
	};
}
