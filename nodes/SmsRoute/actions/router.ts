import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createClient } from '../transport/client';
import { operationNamed } from './message/Message.resource';
import { readClientSettings, readRunOptions } from './options';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const name = String(this.getNodeParameter('operation', 0));
	const operation = operationNamed(name);
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${name}" is not supported`);
	}
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const client = await createClient(this, readClientSettings(options));
	const run = readRunOptions(options, operation.defaults);
	return await operation.execute.call(this, items, client, run);
}
