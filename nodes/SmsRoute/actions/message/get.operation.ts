import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../../sending/chunking';
import { errorItemOrThrow } from '../../sending/outputItems';
import { redactJson } from '../../transport/redact';
import { smsRouteRequest } from '../../transport/smsRouteRequest';
import type { Operation, OperationModule } from '../operation';
import { concurrencyOption, requestOptions, type OperationDefaults } from '../options';
import { forOperation, optionsCollection } from './fields';
import { checkMessage, isPlainMessageId } from './responseChecks';

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
			const message = await smsRouteRequest<IDataObject>(client, {
				method: 'GET',
				path: `/messages/${messageId}`,
				checkBody: checkMessage(messageId),
			});
			return { json: redactJson(message, client.redact), pairedItem: { item: itemIndex } };
		} catch (error) {
			return errorItemOrThrow(this, itemIndex, error);
		}
	});
	return [results];
};
