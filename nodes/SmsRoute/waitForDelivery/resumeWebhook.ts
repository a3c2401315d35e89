import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { normalizeSmsRoute, type NormalizedEvent } from '../../SmsRouteTrigger/normalize';
import { parseRawBody } from '../../SmsRouteTrigger/parseBody';
import { verifySmsRouteRequest } from '../../SmsRouteTrigger/verificationKeys';
import {
	RAW_BODY_UNAVAILABLE,
	SIGNATURE_MISMATCH,
	isRawBody,
} from '../../SmsRouteTrigger/verify/hmacToolkit';
import { SMSROUTE_SIGNATURE_HEADER } from '../../SmsRouteTrigger/verify/smsRouteSignature';
import {
	DEFAULT_TOLERANCE_SECONDS,
	nodeKeyOf,
	readRawBody,
	refuseRequest,
} from '../../SmsRouteTrigger/webhookRequest';
import { allFinal, claimResume, hasResumed, recordFinal } from './deliveryRecord';
import { messageIdOf, outcomeOf, toOutputs } from './outcome';
import { readWaiting } from './waitingState';

/**
 * The resume request of a waiting Send and Wait for Delivery: a delivery event the SMS Route
 * Trigger relayed unchanged (same bytes, same x-smsroute-signature). It is verified exactly like
 * the trigger verifies it, with the trigger's code and this node's credential, before anything in
 * it is trusted; the execution resumes when every message it waits for is final.
 */

function refuse(
	context: IWebhookFunctions,
	status: 400 | 401,
	reason: string,
): IWebhookResponseData {
	return refuseRequest(context, 'SMS Route refused a resume request', status, reason);
}

/** Answered 200 and the execution keeps waiting (nothing is saved, so nothing changes). */
function keepWaiting(reason: string, extra: IDataObject = {}): IWebhookResponseData {
	return { webhookResponse: { resumed: false, reason, ...extra } };
}

async function verifiedEvent(
	context: IWebhookFunctions,
	receivedAt: Date,
): Promise<NormalizedEvent | IWebhookResponseData> {
	const rawBody = await readRawBody(context);
	if (!isRawBody(rawBody)) return refuse(context, 401, RAW_BODY_UNAVAILABLE);
	// Keys cached a while ago may predate a rotation: one retry with the credential as it is now.
	const verified = await verifySmsRouteRequest(context, `${nodeKeyOf(context)}:wait`, {
		rawBody,
		header: context.getHeaderData()[SMSROUTE_SIGNATURE_HEADER],
		toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
		nowMs: receivedAt.getTime(),
	});
	if (!verified) return refuse(context, 401, SIGNATURE_MISMATCH);
	if (!verified.ok) return refuse(context, 401, verified.reason);
	const parsed = parseRawBody(rawBody, context.getHeaderData()['content-type']);
	if (!parsed.ok) return refuse(context, 400, parsed.reason);
	const normalized = normalizeSmsRoute(parsed.body as IDataObject, {
		livemode: verified.livemode,
		receivedAt,
	});
	if (!normalized.ok) return refuse(context, 400, normalized.reason);
	return normalized.events[0].event;
}

export async function resumeOnDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const receivedAt = new Date();
	const event = await verifiedEvent(this, receivedAt);
	if (!('provider' in event)) return event;

	const waiting = readWaiting(this);
	if (!waiting) return keepWaiting('not waiting for delivery');
	const executionId = this.getExecutionId();
	const messageIds = waiting.pending.map(messageIdOf).filter((id): id is string => id !== null);
	// A genuine event of another message (another execution's, or replayed here) changes nothing.
	if (!event.messageId || !messageIds.includes(event.messageId))
		return keepWaiting('not a message of this execution');
	if (!outcomeOf(event.status)) return keepWaiting('status is not final', { status: event.status });
	if (hasResumed(executionId)) return keepWaiting('already resumed');

	const finals = recordFinal(executionId, event);
	if (!(await allFinal(this, messageIds, finals, event.livemode === true))) {
		return keepWaiting('other messages are not final yet', {
			final: finals.size,
			messages: messageIds.length,
		});
	}
	if (!claimResume(executionId)) return keepWaiting('already resumed');
	return {
		webhookResponse: { resumed: true },
		workflowData: toOutputs(waiting.pending, finals, waiting.errorItems),
	};
}
