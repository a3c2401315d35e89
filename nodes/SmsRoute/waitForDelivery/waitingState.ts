import type {
	IExecuteData,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';

import { OUTPUT } from './outcome';

/**
 * What a waiting execution remembers about its messages, and where.
 *
 * n8n saves a waiting node's stack entry (its `executeData`) with the execution, in the database,
 * and hands it back in two places: to the node's `webhook()` when a resume request arrives (on
 * any webhook process, so queue mode works), and to the engine when the wait limit is reached.
 * At the limit n8n does not run the node again: it passes the entry's data through as the node's
 * output, all outputs when `forwardAllOutputs` is set (n8n 2.x). So the entry holds exactly the
 * outputs a timeout should produce: nothing delivered, the send errors (Continue On Fail) on Not
 * Delivered, every sent message on Timed Out with what was known when the wait began.
 *
 * This relies on n8n-core's contexts sharing that object (getExecuteData() when executing, the
 * public `executeData` field of the webhook context), seen in n8n 2.41.0 and 1.123.81.
 */

export interface WaitingMessages {
	/** One item per sent message, in input order, each marked timed out until an event says otherwise. */
	pending: INodeExecutionData[];
	/** Items that could not be sent (Continue On Fail): they leave on Not Delivered. */
	errorItems: INodeExecutionData[];
}

function isItemList(value: unknown): value is INodeExecutionData[] {
	return (
		Array.isArray(value) &&
		value.every((item) => typeof item === 'object' && item !== null && 'json' in item)
	);
}

/** Makes the timeout output of the waiting node what `waiting` says (see above). */
export function rememberWaiting(
	context: IExecuteFunctions,
	waiting: WaitingMessages,
): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = [[], waiting.errorItems, waiting.pending];
	const entry = context.getExecuteData();
	entry.data = { main: outputs };
	entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
	// On resume n8n re-pairs each output item as "item k of input j", j being its output. For one
	// input item that is exact on every output once each j has the node's input as its source;
	// with several it would name other inputs' items, so n8n's own lineage is left as it is.
	const source = entry.source?.main;
	if (context.getInputData().length === 1 && source?.length === 1 && source[0]) {
		entry.source = { ...entry.source, main: outputs.map(() => source[0]) };
	}
	return outputs;
}

/** The messages a resume request is about, or null when the request reaches no waiting Send and Wait. */
export function readWaiting(context: IWebhookFunctions): WaitingMessages | null {
	const entry = (context as unknown as { executeData?: IExecuteData }).executeData;
	const main = entry?.data?.main;
	if (!Array.isArray(main)) return null;
	const pending = main[OUTPUT.timedOut];
	const errorItems = main[OUTPUT.notDelivered] ?? [];
	if (!isItemList(pending) || !isItemList(errorItems)) return null;
	return { pending, errorItems };
}
