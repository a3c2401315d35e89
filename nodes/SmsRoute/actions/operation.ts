import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import type { SmsRouteClient } from '../transport/smsRouteRequest';
import type { OperationDefaults, RunOptions } from './options';

/** All items in, the node's outputs out: one output, except Send and Wait's three. */
export type Operation = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	client: SmsRouteClient,
	run: RunOptions,
) => Promise<INodeExecutionData[][]>;

/** What every *.operation.ts exports, as n8n's Airtable v2 node does. */
export interface OperationModule {
	/** Its entry in the Operation list. */
	option: INodePropertyOptions & { value: string };
	/** Its own fields, shown only for it. */
	description: INodeProperties[];
	defaults: OperationDefaults;
	execute: Operation;
}
