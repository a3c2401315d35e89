import type { INodeExecutionData } from 'n8n-workflow';

import { messageSummary } from '../../sending/outputItems';
import type { OutgoingMessage } from '../../sending/outgoingMessage';

/**
 * Two identical rows of one campaign (Campaign ID) have one idempotency key: they are one
 * message. Only the first is sent; each later one comes out as a copy of the first's result
 * (same id, status) with `duplicateOf`, the first's item index. Not an error, not counted
 * against Max Messages per Execution, and no second request that could race the first. (A
 * provider's redelivered events are another matter: trigger/dedupe.ts.)
 */
export interface RepeatedRows {
	/** Item index of a repeated row → item index of the first message with its key. */
	firstOf: Map<number, number>;
	/** Item index of a repeated row → its own message (its toInput may differ from the first's). */
	messages: Map<number, OutgoingMessage>;
}

export function setAsideRepeatedRows(valid: OutgoingMessage[]): {
	unique: OutgoingMessage[];
	repeatedRows: RepeatedRows;
} {
	const repeatedRows: RepeatedRows = { firstOf: new Map(), messages: new Map() };
	// Without a Campaign ID no two keys are alike (the item index is in each): nothing to look for.
	if (!valid.some((message) => message.campaignId !== undefined))
		return { unique: valid, repeatedRows };
	const first = new Map<string, number>();
	const unique: OutgoingMessage[] = [];
	for (const message of valid) {
		const seen = message.campaignId === undefined ? undefined : first.get(message.idempotencyKey);
		if (seen === undefined) {
			if (message.campaignId !== undefined) first.set(message.idempotencyKey, message.itemIndex);
			unique.push(message);
			continue;
		}
		repeatedRows.firstOf.set(message.itemIndex, seen);
		repeatedRows.messages.set(message.itemIndex, message);
	}
	return { unique, repeatedRows };
}

/** A repeated row's item: the first's result as it came out, its own input, pairing and index. */
export function repeatedRowItem(
	repeated: OutgoingMessage,
	firstIndex: number,
	firstResult: INodeExecutionData,
): INodeExecutionData {
	const json = { ...firstResult.json };
	delete json.toInput;
	if ('itemIndex' in json) json.itemIndex = repeated.itemIndex;
	return {
		json: { ...json, ...messageSummary(repeated), duplicateOf: firstIndex },
		pairedItem: { item: repeated.itemIndex },
	};
}

/** Fills each repeated row's slot of `results` (one per input item) from its first message's result. */
export function fillRepeatedRows(
	results: INodeExecutionData[],
	repeatedRows: RepeatedRows,
): INodeExecutionData[] {
	if (repeatedRows.firstOf.size === 0) return results;
	return results.map((item, index) => {
		const firstIndex = repeatedRows.firstOf.get(index);
		if (firstIndex === undefined) return item;
		return repeatedRowItem(repeatedRows.messages.get(index)!, firstIndex, results[firstIndex]);
	});
}
