import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { failedItem } from '../../helpers/itemResults';
import { mapWithConcurrency } from '../../transport/concurrency';
import { redactJson } from '../../transport/redact';
import { smsRouteRequest } from '../../transport/smsRouteRequest';
import type { Operation } from '../operation';
import { checkMessage } from './responseChecks';

// smsroute ids look like msg_1a2b3c4d5e6f7g8h. Anything else ("." or ".." above all) would make
// GET /messages/{id} ask for another resource and report its answer as the message.
const PLAIN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** GET /messages/{id}: the message with its current status, one request per item. */
export const execute: Operation = async function (items, client, run) {
	return await mapWithConcurrency(items, run.concurrency, async (_item, itemIndex) => {
		try {
			const messageId = String(this.getNodeParameter('messageId', itemIndex, '') ?? '').trim();
			if (!messageId) {
				throw new NodeOperationError(this.getNode(), `Item ${itemIndex}: 'Message ID' is empty`, { itemIndex });
			}
			if (!PLAIN_ID.test(messageId)) {
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
			return failedItem(this, itemIndex, error);
		}
	});
};
