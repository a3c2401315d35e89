import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../../sending/chunking';
import { errorItemOrThrow } from '../itemErrors';
import { getMessage, isPlainMessageId } from '../../transport/messages';
import type { Operation, OperationModule } from '../operation';
import { concurrencyOption, requestOptions, type OperationDefaults } from '../options';
import { forOperation, optionsCollection } from './fields';

export const option: OperationModule['option'] = {
	name: 'Get Status',
	value: 'get',
	action: 'Get a message and its delivery status',
	description: 'Look up one message by its ID and see its current delivery status',
};

export const defaults: OperationDefaults = { concurrency: 10 };

export const description = forOperation(option.value, [
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'msg_1a2b3c4d5e6f7g8h',
		description: 'The ID returned when the message was sent',
	},
	optionsCollection([concurrencyOption(defaults, 'Requests in flight at once'), ...requestOptions]),
]);

/** GET /messages/{id}: the message with its current status, one request per item. */
export const execute: Operation = async function (items, client, run) {
	const results = await mapWithConcurrency(items, run.concurrency, async (_item, itemIndex) => {
		try {
			const messageId = String(this.getNodeParameter('messageId', itemIndex, '') ?? '').trim();
			if (!messageId) {
				throw new NodeOperationError(this.getNode(), `Item ${itemIndex}: 'Message ID' is empty`, {
					itemIndex,
				});
			}
			if (!isPlainMessageId(messageId)) {
				throw new NodeOperationError(
					this.getNode(),
					`Item ${itemIndex}: 'Message ID' must be a plain smsroute message ID like msg_1a2b3c4d5e6f7g8h (letters, digits, "_" and "-"), got "${messageId.slice(0, 60)}"`,
					{ itemIndex },
				);
			}
			const message = await getMessage(client, messageId);
			return { json: message, pairedItem: { item: itemIndex } };
		} catch (error) {
			return errorItemOrThrow(this, itemIndex, error);
		}
	});
	return [results];
};
