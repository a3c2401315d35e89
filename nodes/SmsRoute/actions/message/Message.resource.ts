import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../operation';
import * as get from './get.operation';
import * as send from './send.operation';
import * as sendAndWait from './sendAndWait.operation';
import * as sendBulk from './sendBulk.operation';

/** The message resource's operations, in the Operation list's order: a new one is one more entry. */
const operations: readonly OperationModule[] = [get, send, sendAndWait, sendBulk];

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: operations.map((operation) => operation.option),
		default: 'send',
	},
	...operations.flatMap((operation) => operation.description),
];

export function operationNamed(name: string): OperationModule | undefined {
	return operations.find((operation) => operation.option.value === name);
}
