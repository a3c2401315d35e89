import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { RunOptions } from '../transport/client';
import type { SmsRouteClient } from '../transport/smsRouteRequest';

/** What every operation file exports as `execute`: all items in, one output item per input item. */
export type Operation = (
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	client: SmsRouteClient,
	run: RunOptions,
) => Promise<INodeExecutionData[]>;
