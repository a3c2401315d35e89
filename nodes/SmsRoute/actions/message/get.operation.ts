import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { failedItem } from '../../helpers/itemResults';
import { mapWithConcurrency } from '../../transport/concurrency';
import { smsRouteRequest } from '../../transport/smsRouteRequest';
import type { Operation } from '../operation';

/** GET /messages/{id}: the message with its current status, one request per item. */
export const execute: Operation = async function (items, client, run) {
	return await mapWithConcurrency(items, run.concurrency, async (_item, itemIndex) => {
		try {
			const messageId = String(this.getNodeParameter('messageId', itemIndex, '') ?? '').trim();
			if (!messageId) {
				throw new NodeOperationError(this.getNode(), `Item ${itemIndex}: 'Message ID' is empty`, { itemIndex });
			}
			const message = await smsRouteRequest<IDataObject>(client, {
				method: 'GET',
				path: `/messages/${encodeURIComponent(messageId)}`,
			});
			return { json: message, pairedItem: { item: itemIndex } };
		} catch (error) {
			return failedItem(this, itemIndex, error);
		}
	});
};
