import type { IExecuteFunctions, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';

import { messageIdOf, OUTPUT } from './outputDecision';
import {
	pairOutputsWithSingleInput,
	setTimeoutOutputs,
	waitingEntryOf,
} from '../shared/n8nInternals';

/**
 * What a waiting execution remembers about its messages, and where.
 *
 * n8n saves a waiting node's stack entry (its `executeData`) with the execution, in the database,
 * and hands it back in two places: to the node's `webhook()` when a resume request arrives (on
 * any webhook process, so queue mode works), and to the engine when the wait limit is reached.
 * At the limit n8n does not run the node again: it passes the entry's data through as the node's
 * output, all outputs when `forwardAllOutputs` is set (n8n 2.x). So the entry holds exactly the
 * outputs a timeout should produce: what was decided when the wait began (send errors and
 * replayed messages whose wait already ended), and every message waited for on Timed Out.
 *
 * The entry's metadata also names the wait (`smsRouteWait`): a fresh id per wait, so several
 * waits of one execution (a fallback node, a loop) each resume once; the messages it waits for;
 * when it began sending (the oldest event that can concern it); and the environment it sent in
 * (the only key that may sign its events).
 *
 * How the entry is reached and written is n8n internals: shared/n8nInternals.ts.
 */

export interface WaitMark {
	/** Unique per wait (node run). */
	waitId: string;
	/** Ids of the messages whose ending events (`endsWaitOn`) end the wait. */
	waitFor: string[];
	/** When the node began sending: no event of these messages is older. */
	sentFromMs: number;
	/** The environment the messages were sent in. */
	livemode: boolean;
}

export interface WaitingMessages {
	/** The three outputs as they stand (Delivered, Not Delivered, Timed Out); `waitFor` items on Timed Out. */
	outputs: INodeExecutionData[][];
	/** Null for a wait saved before the mark existed (CHANGELOG): it waits for every Timed Out item. */
	mark: WaitMark | null;
	/** Ids of the messages the wait is for. */
	waitFor: string[];
}

const MARK_METADATA_KEY = 'smsRouteWait';

function isItemList(value: unknown): value is INodeExecutionData[] {
	return (
		Array.isArray(value) &&
		value.every((item) => typeof item === 'object' && item !== null && 'json' in item)
	);
}

function readMark(value: unknown): WaitMark | null {
	if (typeof value !== 'object' || value === null) return null;
	const mark = value as Partial<WaitMark>;
	if (
		typeof mark.waitId !== 'string' ||
		!Array.isArray(mark.waitFor) ||
		!mark.waitFor.every((id) => typeof id === 'string') ||
		typeof mark.sentFromMs !== 'number' ||
		typeof mark.livemode !== 'boolean'
	)
		return null;
	return mark as WaitMark;
}

/** Makes the timeout output of the waiting node `outputs` and marks the wait (see above). */
export function rememberWaiting(
	context: IExecuteFunctions,
	outputs: INodeExecutionData[][],
	mark: WaitMark,
): INodeExecutionData[][] {
	setTimeoutOutputs(context, outputs);
	const entry = context.getExecuteData();
	entry.metadata = { ...entry.metadata, [MARK_METADATA_KEY]: mark } as typeof entry.metadata;
	pairOutputsWithSingleInput(context, outputs.length);
	return outputs;
}

/** The wait a resume request is about, or null when the request reaches no waiting Send and Wait. */
export function readWaiting(context: IWebhookFunctions): WaitingMessages | null {
	const entry = waitingEntryOf(context);
	const main = entry?.data?.main;
	if (!Array.isArray(main) || !main.every((output) => output === null || isItemList(output)))
		return null;
	const outputs = [0, 1, 2].map((index) => [...((main[index] as INodeExecutionData[]) ?? [])]);
	if (!isItemList(main[OUTPUT.timedOut])) return null;
	const mark = readMark(
		(entry?.metadata as Record<string, unknown> | undefined)?.[MARK_METADATA_KEY],
	);
	const waitFor =
		mark?.waitFor ??
		outputs[OUTPUT.timedOut].map(messageIdOf).filter((id): id is string => id !== null);
	return { outputs, mark, waitFor };
}
