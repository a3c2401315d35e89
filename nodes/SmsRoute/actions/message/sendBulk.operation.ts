import { chunk, mapWithConcurrency } from '../../sending/chunking';
import { dryRunItem, messageSummary, sentItem } from '../../sending/outputItems';
import { errorItemOrThrow, toNodeError } from '../itemErrors';
import type { Operation, OperationModule } from '../operation';
import { chunkSizeOption, concurrencyOption, type OperationDefaults } from '../options';
import { sendChunk, type ChunkResults } from './sendChunk';
import { fillRepeatedRows } from './repeatedRows';
import { dryRunOption, forOperation, messageFields, sendingOptions } from './fields';
import { guardrailsCollection } from './guardFields';
import { isOutgoing, prepareMessages } from './prepareMessages';

export const option: OperationModule['option'] = {
	name: 'Send in Bulk',
	value: 'sendBulk',
	action: 'Send SMS in bulk',
	description: 'All items through the bulk endpoint, in chunks of up to 1,000',
};

/** Fewer lanes than Send: each one carries a chunk of up to 1,000 messages. */
export const defaults: OperationDefaults = { concurrency: 5 };

export const description = forOperation(option.value, [
	...messageFields,
	guardrailsCollection({ sendingWindow: true }),
	sendingOptions([
		chunkSizeOption,
		concurrencyOption(defaults, 'Bulk chunks in flight at once'),
		dryRunOption,
	]),
]);

/**
 * Every item becomes one message, sent through POST /messages/bulk in chunks of at most 1,000
 * with several chunks in flight. Output stays in input order, each item paired with its input.
 */
export const execute: Operation = async function (items, client, run) {
	const { slots, valid, repeatedRows } = prepareMessages(this, items, { dryRun: run.dryRun });
	if (run.dryRun)
		return [
			fillRepeatedRows(
				slots.map((slot) => (isOutgoing(slot) ? dryRunItem(slot) : slot)),
				repeatedRows,
			),
		];

	const sent: ChunkResults = new Map();
	const continueOnFail = this.continueOnFail();
	await mapWithConcurrency(chunk(valid, run.chunkSize), run.concurrency, async (messages) => {
		await sendChunk(client, messages, sent);
		// Without "Continue On Fail" the first failure stops further chunks from starting.
		if (continueOnFail) return;
		for (const message of messages) {
			const result = sent.get(message.itemIndex);
			if (result && 'error' in result) throw toNodeError(this, result.error, message.itemIndex);
		}
	});

	const results = slots.map((slot) => {
		if (!isOutgoing(slot)) return slot;
		const result = sent.get(slot.itemIndex);
		if (!result || 'error' in result) {
			const error = result?.error ?? new Error('Message was not sent');
			return errorItemOrThrow(this, slot.itemIndex, error, messageSummary(slot));
		}
		// The bulk answer holds only ids: every message starts queued, its credits come later.
		return sentItem(slot, { id: result.id, status: 'queued', creditsUsed: null, createdAt: null });
	});
	return [fillRepeatedRows(results, repeatedRows)];
};
