import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { idempotencySeed } from '../../helpers/idempotency';
import { failedItem } from '../../helpers/itemResults';
import { readOutgoingMessage, type OutgoingMessage } from '../../helpers/outgoingMessage';

export interface PreparedMessages {
	/** One slot per input item: a message to send, or the error item it already became. */
	slots: Array<OutgoingMessage | INodeExecutionData>;
	valid: OutgoingMessage[];
}

export function isOutgoing(slot: OutgoingMessage | INodeExecutionData): slot is OutgoingMessage {
	return !('json' in slot);
}

/**
 * Checks every item before the first request: without "Continue On Fail" a bad item stops the
 * run before anything is sent; with it, the bad item becomes an error item and the rest go out.
 */
export function prepareMessages(fn: IExecuteFunctions, itemCount: number): PreparedMessages {
	const seed = idempotencySeed(fn);
	const slots: PreparedMessages['slots'] = [];
	const valid: OutgoingMessage[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			const message = readOutgoingMessage(fn, itemIndex, seed);
			slots.push(message);
			valid.push(message);
		} catch (error) {
			slots.push(failedItem(fn, itemIndex, error));
		}
	}
	return { slots, valid };
}
