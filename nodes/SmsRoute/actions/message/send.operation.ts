import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { mapWithConcurrency } from '../../sending/chunking';
import { headerIdempotencyKey } from '../../sending/idempotency';
import { dryRunItem, errorItemOrThrow, messageSummary, sentItem } from '../../sending/outputItems';
import type { OutgoingMessage } from '../../sending/outgoingMessage';
import { redactJson } from '../../transport/redact';
import {
	smsRouteRequest,
	type SmsRouteClient,
	type SmsRouteRequest,
} from '../../transport/smsRouteRequest';
import type { Operation, OperationModule } from '../operation';
import { concurrencyOption, type OperationDefaults } from '../options';
import { fillDuplicates } from './duplicates';
import { dryRunOption, forOperation, messageFields, sendingOptions } from './fields';
import { guardrailsCollection } from './guardOptions';
import { isOutgoing, prepareMessages } from './prepareMessages';
import { checkSentMessage } from './responseChecks';
import { sendingWindowOptions } from '../../sending/sendingWindow/sendingWindowGuard';

export const option: OperationModule['option'] = {
	name: 'Send',
	value: 'send',
	action: 'Send an SMS',
	description: 'One request per item, several in flight at once',
};

export const defaults: OperationDefaults = { concurrency: 10 };

export const description = forOperation(option.value, [
	...messageFields,
	guardrailsCollection(sendingWindowOptions),
	sendingOptions([concurrencyOption(defaults, 'Requests in flight at once'), dryRunOption]),
]);

export interface SentMessage extends IDataObject {
	id: string;
	status: string;
	credits_used?: number;
	created_at?: string;
}

/**
 * POST /messages for one message, the answer redacted. The key travels in a header here, so it
 * is made header-safe (see headerIdempotencyKey).
 */
export async function postMessage(
	client: SmsRouteClient,
	message: OutgoingMessage,
	onAnswer?: SmsRouteRequest['onAnswer'],
): Promise<SentMessage> {
	const body: IDataObject = { to: message.to, body: message.body };
	if (message.from) body.from = message.from;
	if (message.metadata) body.metadata = message.metadata;
	const answer = await smsRouteRequest<SentMessage>(client, {
		method: 'POST',
		path: '/messages',
		body,
		idempotencyKey: headerIdempotencyKey(message.idempotencyKey),
		checkBody: checkSentMessage,
		onAnswer,
	});
	return redactJson(answer, client.redact);
}

/** The output item of a sent message; it shows the key as the user gave it. */
export function sentMessageItem(message: OutgoingMessage, sent: SentMessage): INodeExecutionData {
	return sentItem(message, {
		id: sent.id,
		status: sent.status,
		creditsUsed: sent.credits_used ?? null,
		createdAt: sent.created_at ?? null,
	});
}

/** One message through POST /messages, as its output item. */
export async function sendOne(
	client: SmsRouteClient,
	message: OutgoingMessage,
): Promise<INodeExecutionData> {
	return sentMessageItem(message, await postMessage(client, message));
}

/** One POST /messages per item, several in flight at once, output in input order. */
export const execute: Operation = async function (items, client, run) {
	const { slots, duplicates } = prepareMessages(this, items, { dryRun: run.dryRun });
	const results = await mapWithConcurrency(slots, run.concurrency, async (slot) => {
		if (!isOutgoing(slot)) return slot;
		if (run.dryRun) return dryRunItem(slot);
		try {
			return await sendOne(client, slot);
		} catch (error) {
			return errorItemOrThrow(this, slot.itemIndex, error, messageSummary(slot));
		}
	});
	return [fillDuplicates(results, duplicates)];
};
