import type { IDataObject } from 'n8n-workflow';

import { chunkIdempotencyKey } from '../../helpers/idempotency';
import { dryRunItem, failedItem, messageSummary, toNodeError } from '../../helpers/itemResults';
import type { OutgoingMessage } from '../../helpers/outgoingMessage';
import { chunk, mapWithConcurrency } from '../../transport/concurrency';
import { SmsRouteRequestError, smsRouteRequest, type SmsRouteClient } from '../../transport/smsRouteRequest';
import type { Operation } from '../operation';
import { isOutgoing, prepareMessages } from './prepareMessages';

interface BulkResponse {
	ids: string[];
	count: number;
}

/** itemIndex → the message id smsroute gave it, or the error that kept it from being sent. */
type ChunkOutcome = Map<number, { id: string } | { error: unknown }>;

function bulkPayload(message: OutgoingMessage): IDataObject {
	const payload: IDataObject = { to: message.to, body: message.body, idempotency_key: message.idempotencyKey };
	if (message.from) payload.from = message.from;
	if (message.metadata) payload.metadata = message.metadata;
	return payload;
}

/** smsroute names the culprit of a 400 as `messages[17].to: …`. */
function rejectedIndex(error: SmsRouteRequestError, size: number): number | undefined {
	const match = /messages\[(\d+)\]/.exec(error.apiError ?? '');
	const index = match ? Number(match[1]) : NaN;
	return Number.isInteger(index) && index >= 0 && index < size ? index : undefined;
}

/**
 * Sends one chunk. A 400 rejects a whole bulk request for one bad message, so the culprit is
 * set aside (by the index smsroute names, else by bisection) and the rest is sent again.
 * Every resend reuses the per-message idempotency keys, so nothing is charged twice.
 */
async function sendChunk(client: SmsRouteClient, messages: OutgoingMessage[], outcome: ChunkOutcome): Promise<void> {
	if (messages.length === 0) return;
	try {
		const response = await smsRouteRequest<BulkResponse>(client, {
			method: 'POST',
			path: '/messages/bulk',
			body: { messages: messages.map(bulkPayload) },
			idempotencyKey: chunkIdempotencyKey(messages.map((m) => m.idempotencyKey)),
		});
		const ids = Array.isArray(response?.ids) ? response.ids : [];
		if (ids.length !== messages.length) {
			throw new SmsRouteRequestError(
				`smsroute returned ${ids.length} ids for ${messages.length} messages`,
				undefined,
				undefined,
				1,
			);
		}
		messages.forEach((message, i) => outcome.set(message.itemIndex, { id: ids[i] }));
	} catch (error) {
		if (!(error instanceof SmsRouteRequestError) || error.statusCode !== 400) {
			for (const message of messages) outcome.set(message.itemIndex, { error });
			return;
		}
		if (messages.length === 1) {
			outcome.set(messages[0].itemIndex, { error });
			return;
		}
		const culprit = rejectedIndex(error, messages.length);
		if (culprit !== undefined) {
			outcome.set(messages[culprit].itemIndex, { error });
			await sendChunk(client, messages.filter((_, i) => i !== culprit), outcome);
			return;
		}
		const middle = Math.ceil(messages.length / 2);
		await sendChunk(client, messages.slice(0, middle), outcome);
		await sendChunk(client, messages.slice(middle), outcome);
	}
}

/**
 * Every item becomes one message, sent through POST /messages/bulk in chunks of at most 1,000
 * with several chunks in flight. Output stays in input order, each item paired with its input.
 */
export const execute: Operation = async function (items, client, run) {
	const { slots, valid } = prepareMessages(this, items);
	if (run.dryRun) return slots.map((slot) => (isOutgoing(slot) ? dryRunItem(slot) : slot));

	const outcome: ChunkOutcome = new Map();
	const continueOnFail = this.continueOnFail();
	await mapWithConcurrency(chunk(valid, run.chunkSize), run.concurrency, async (messages) => {
		await sendChunk(client, messages, outcome);
		// Without "Continue On Fail" the first failure stops further chunks from starting.
		if (continueOnFail) return;
		for (const message of messages) {
			const result = outcome.get(message.itemIndex);
			if (result && 'error' in result) throw toNodeError(this, result.error, message.itemIndex);
		}
	});

	return slots.map((slot) => {
		if (!isOutgoing(slot)) return slot;
		const result = outcome.get(slot.itemIndex);
		if (!result || 'error' in result) {
			return failedItem(this, slot.itemIndex, result?.error ?? new Error('Message was not sent'), messageSummary(slot));
		}
		return {
			json: { id: result.id, ...messageSummary(slot), status: 'queued', creditsUsed: null },
			pairedItem: { item: slot.itemIndex },
		};
	});
};
