import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { automaticKeys } from '../../helpers/idempotency';
import { errorItemOrThrow } from '../../helpers/itemResults';
import {
	InvalidMessageError,
	readOutgoingMessage,
	type MessageParameters,
	type OutgoingMessage,
} from '../../helpers/outgoingMessage';
import { createParameterReader } from '../../helpers/parameterReader';
import { quietHoursGuard } from './quietHours';

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
export function prepareMessages(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
): PreparedMessages {
	const automaticKey = automaticKeys(context);
	const parameters: MessageParameters = {
		to: createParameterReader(context, items, 'to', ''),
		body: createParameterReader(context, items, 'body', ''),
		additionalFields: createParameterReader(context, items, 'additionalFields', {}),
		options: createParameterReader(context, items, 'options', {}),
	};
	const slots: PreparedMessages['slots'] = [];
	const valid: OutgoingMessage[] = [];
	const deferred = quietHoursGuard(context, parameters.options);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const message = readOutgoingMessage(context, itemIndex, automaticKey, parameters);
			const held = deferred(message);
			slots.push(held ?? message);
			if (!held) valid.push(message);
		} catch (error) {
			slots.push(
				errorItemOrThrow(
					context,
					itemIndex,
					error,
					error instanceof InvalidMessageError ? error.details : {},
				),
			);
		}
	}
	return { slots, valid };
}
