import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { headerIdempotencyKey } from '../../helpers/idempotency';
import { dryRunItem, failedItem, messageSummary } from '../../helpers/itemResults';
import type { OutgoingMessage } from '../../helpers/outgoingMessage';
import { mapWithConcurrency } from '../../transport/concurrency';
import { redactJson } from '../../transport/redact';
import { smsRouteRequest, type SmsRouteClient } from '../../transport/smsRouteRequest';
import type { Operation } from '../operation';
import { isOutgoing, prepareMessages } from './prepareMessages';
import { checkSentMessage } from './responseChecks';

interface SentMessage extends IDataObject {
	id: string;
	status: string;
	credits_used?: number;
	created_at?: string;
}

/**
 * One message through POST /messages. The key travels in a header here, so it is made
 * header-safe (see headerIdempotencyKey); the output shows the key as the user gave it.
 */
export async function sendOne(client: SmsRouteClient, message: OutgoingMessage): Promise<INodeExecutionData> {
	const body: IDataObject = { to: message.to, body: message.body };
	if (message.from) body.from = message.from;
	if (message.metadata) body.metadata = message.metadata;
	const answer = await smsRouteRequest<SentMessage>(client, {
		method: 'POST',
		path: '/messages',
		body,
		idempotencyKey: headerIdempotencyKey(message.idempotencyKey),
		checkBody: checkSentMessage,
	});
	const sent = redactJson(answer, client.redact);
	return {
		json: {
			id: sent.id,
			...messageSummary(message),
			status: sent.status,
			creditsUsed: sent.credits_used ?? null,
			createdAt: sent.created_at ?? null,
			...(message.from ? { from: message.from } : {}),
			...(message.metadata ? { metadata: message.metadata } : {}),
		},
		pairedItem: { item: message.itemIndex },
	};
}

/** One POST /messages per item, several in flight at once, output in input order. */
export const execute: Operation = async function (items, client, run) {
	const { slots } = prepareMessages(this, items);
	return await mapWithConcurrency(slots, run.concurrency, async (slot) => {
		if (!isOutgoing(slot)) return slot;
		if (run.dryRun) return dryRunItem(slot);
		try {
			return await sendOne(client, slot);
		} catch (error) {
			return failedItem(this, slot.itemIndex, error, messageSummary(slot));
		}
	});
};
