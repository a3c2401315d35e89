import type { IExecuteFunctions } from 'n8n-workflow';

import { onExecutionEnd, runIndexOf, subExecutionOriginOf } from '../shared/n8nInternals';
import { digest } from './digest';
import { firstCampaignId, notice } from './executionNotice';

/**
 * How many sub-executions of each call (see callOf) succeeded in this process, per node run.
 * Bounded; the oldest entries go first. `watched` holds the sub-executions whose end is awaited.
 */
const succeededCalls = new Map<string, number>();
const watched = new Set<string>();
const MAX_REMEMBERED = 10_000;

interface Call {
	/** What the keys derive from: the caller, its first run and the call's input. */
	seed: string;
	/** The call and the node run: what the success count is kept under. */
	registry: string;
}

/**
 * The call that started this sub-execution, or undefined (not a sub-execution), or 'unstable'
 * (n8n does not identify the caller across a Retry: a caller that is itself a sub-execution, or
 * an n8n without an execution context). A Retry of the caller, in either mode and retry of a
 * retry, continues its saved run data: the same first run and the same items for the call (the
 * nodes before it are not run again); Retry On Fail on the Execute Workflow node is the same
 * execution.
 */
function callOf(context: IExecuteFunctions): Call | 'unstable' | undefined {
	const origin = subExecutionOriginOf(context);
	if (!origin) return undefined;
	if (origin.parentStartedAt === undefined || origin.input === undefined) return 'unstable';
	const node = context.getNode();
	const seed = digest([
		origin.parentWorkflowId,
		String(origin.parentStartedAt),
		JSON.stringify(origin.input),
	]);
	const registry = digest([seed, node.id ?? node.name, String(runIndexOf(context))]);
	return { seed, registry };
}

function remember(registry: string): void {
	const count = (succeededCalls.get(registry) ?? 0) + 1;
	succeededCalls.delete(registry);
	succeededCalls.set(registry, count);
	if (succeededCalls.size > MAX_REMEMBERED) {
		const oldest = succeededCalls.keys().next().value;
		if (oldest !== undefined) succeededCalls.delete(oldest);
	}
}

/** Counts this sub-execution once it succeeds; false where n8n cannot tell the node. */
function countOnSuccess(context: IExecuteFunctions, registry: string): boolean {
	const id = `${String(context.getExecutionId?.() ?? '')}\u0000${registry}`;
	if (watched.has(id)) return true;
	const told = onExecutionEnd(context, (succeeded) => {
		watched.delete(id);
		if (succeeded) remember(registry);
	});
	if (told) watched.add(id);
	return told;
}

const UNSTABLE =
	'SMS Route in a sub-workflow: n8n does not tell the node which run of the calling workflow this is (a sub-workflow called by a sub-workflow), so a Retry of the calling workflow would send again what this run sent. Set the Campaign ID option (for example to an order or batch id passed in the input) to make a Retry or a re-run replay instead.';
const REPEATED =
	'SMS Route in a sub-workflow: this sub-workflow was already called with the same input by this run of the calling workflow. These messages were sent as a new call; but should n8n restart (or another queue-mode worker run the Retry) before a Retry of the calling workflow that starts again at this call, that Retry cannot tell it from the earlier call and replays the earlier messages instead. Pass something that tells the calls apart (such as the step name) in the input, or set Campaign ID per call.';

/**
 * The seed of the automatic keys in a sub-execution, in place of the execution id; undefined
 * outside one, or where n8n gives the call no stable identity (then a notice names Campaign ID,
 * unless it is set). A call with the same input as an earlier call whose sub-execution succeeded
 * is a new call: the number of such successes is in the seed, so a loop or a second Execute
 * Workflow node never replays the first call's messages; Retry On Fail of the Execute Workflow
 * node, and a Retry of the caller, follow a sub-execution that failed, so they replay.
 */
export function subWorkflowSeed(context: IExecuteFunctions): string | undefined {
	const call = callOf(context);
	if (call === undefined) return undefined;
	if (call === 'unstable' || !countOnSuccess(context, call.registry)) {
		if (firstCampaignId(context) === '') notice(context, UNSTABLE);
		return undefined;
	}
	const earlier = succeededCalls.get(call.registry) ?? 0;
	if (earlier > 0) notice(context, REPEATED);
	return `subworkflow:${call.seed}:${earlier}`;
}
