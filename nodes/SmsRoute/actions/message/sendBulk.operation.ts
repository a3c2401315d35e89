import { dryRunItem, failedItem, messageSummary, toNodeError } from '../../helpers/itemResults';
import { chunk, mapWithConcurrency } from '../../transport/concurrency';
import type { Operation } from '../operation';
import { sendChunk, type ChunkOutcome } from './bulkChunk';
import { isOutgoing, prepareMessages } from './prepareMessages';

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
