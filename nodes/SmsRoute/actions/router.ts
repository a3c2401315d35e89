import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createClient } from '../transport/client';
import * as get from './message/get.operation';
import type { Operation } from './operation';
import * as send from './message/send.operation';
import * as sendAndWait from './message/sendAndWait.operation';
import * as sendBulk from './message/sendBulk.operation';

const operations: Record<'send' | 'sendBulk' | 'get', { execute: Operation }> = { send, sendBulk, get };

// Send fans out one request per item, so it gets more lanes than Bulk Send's chunks.
const DEFAULT_CONCURRENCY = { send: 10, sendBulk: 5, get: 10, sendAndWait: 10 } as const;

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const operation = this.getNodeParameter('operation', 0) as keyof typeof operations;
	if ((operation as string) === 'sendAndWait') {
		// Three outputs (Delivered, Not Delivered, Timed Out) instead of one.
		const { client, run } = await createClient(this, DEFAULT_CONCURRENCY.sendAndWait);
		return await sendAndWait.execute.call(this, items, client, run);
	}
	const handler = operations[operation];
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${String(operation)}" is not supported`);
	}
	const { client, run } = await createClient(this, DEFAULT_CONCURRENCY[operation]);
	return [await handler.execute.call(this, items, client, run)];
}
