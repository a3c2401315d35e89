import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { failedItem } from '../../helpers/itemResults';
import { mapWithConcurrency } from '../../transport/concurrency';
import { smsRouteRequest, type SmsRouteClient } from '../../transport/smsRouteRequest';
import type { RunOptions } from '../../transport/client';

/** GET /messages/{id}: the message with its current status, one request per item. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	client: SmsRouteClient,
	run: RunOptions,
): Promise<INodeExecutionData[]> {
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
}
