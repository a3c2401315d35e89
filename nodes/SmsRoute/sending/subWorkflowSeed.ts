import { createHash } from 'node:crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

import { runIndexOf, subExecutionOriginOf } from '../shared/n8nInternals';

/**
 * Completed runs per call, within one execution of the caller: the key is the caller's execution
 * id, the call (see callSeed) and the node run. Bounded; the oldest entries go first.
 */
const completedRuns = new Map<string, number>();
const MAX_REMEMBERED = 10_000;

interface Call {
	/** What the keys derive from: the caller's first run and the call's input. */
	seed: string;
	/** Which completed-run count the call belongs to, in this process. */
	registry: string;
}

function digest(parts: readonly string[]): string {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(part).update('\u0000');
	return hash.digest('hex').slice(0, 32);
}

/**
 * The call that started this sub-execution, or undefined (not a sub-execution), or 'unstable'
 * (a sub-execution whose caller n8n does not identify across a Retry: n8n 1.x, or a caller that
 * is itself a sub-execution). A Retry of the caller, in either mode and retry of a retry,
 * continues its saved run data: the same first run and the same items for the call (the nodes
 * before it are not run again); Retry On Fail on the Execute Workflow node is the same execution.
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
	const registry = digest([
		origin.parentExecutionId,
		seed,
		node.id ?? node.name,
		String(runIndexOf(context)),
	]);
	return { seed, registry };
}

function remember(registry: string, count: number): void {
	completedRuns.delete(registry);
	completedRuns.set(registry, count);
	if (completedRuns.size > MAX_REMEMBERED) {
		const oldest = completedRuns.keys().next().value;
		if (oldest !== undefined) completedRuns.delete(oldest);
	}
}

/** The first item's Campaign ID, or '' (unreadable counts as unset: the notice then shows). */
function firstCampaignId(context: IExecuteFunctions): string {
	try {
		return String(context.getNodeParameter('options.campaignId', 0, '') ?? '');
	} catch {
		return '';
	}
}

function warnUnstable(context: IExecuteFunctions): void {
	// Hand-made contexts in tests and other hosts may lack it; the run must not fail for a notice.
	if (typeof context.addExecutionHints !== 'function') return;
	if (firstCampaignId(context) !== '') return;
	context.addExecutionHints({
		message:
			'SMS Route in a sub-workflow: n8n does not tell the node which run of the calling workflow this is (a sub-workflow called by a sub-workflow), so a Retry of the calling workflow would send again what this run sent. Set the Campaign ID option (for example to an order or batch id passed in the input) to make a Retry or a re-run replay instead.',
		type: 'warning',
		location: 'outputPane',
	});
}

function warnRepeat(context: IExecuteFunctions): void {
	if (typeof context.addExecutionHints !== 'function') return;
	context.addExecutionHints({
		message:
			'SMS Route in a sub-workflow: the calling execution already called this sub-workflow with the same input. These messages were sent as a new call; but a Retry of the calling workflow that starts again at this call cannot tell it from the earlier one. Pass something that tells the calls apart (such as the step name) in the input, or set Campaign ID per call.',
		type: 'warning',
		location: 'outputPane',
	});
}

/**
 * The seed of the automatic keys in a sub-execution, in place of the execution id; undefined
 * outside one, or where n8n gives the call no stable identity (then a notice names Campaign ID).
 * A call repeated with the same input in one execution of the caller, after the earlier call's
 * run completed, counts as a new call (an ordinal in the seed), so a loop or a second Execute
 * Workflow node never replays the first call's messages; Retry On Fail of the Execute Workflow
 * node follows a run that did not complete, so it keeps the ordinal and replays.
 */
export function subWorkflowSeed(context: IExecuteFunctions): string | undefined {
	const call = callOf(context);
	if (call === undefined) return undefined;
	if (call === 'unstable') {
		warnUnstable(context);
		return undefined;
	}
	const ordinal = completedRuns.get(call.registry) ?? 0;
	if (ordinal > 0) warnRepeat(context);
	return `subworkflow:${call.seed}:${ordinal}`;
}

/** Records that this node run finished (called once it returned its output): see subWorkflowSeed. */
export function markSubWorkflowRunComplete(context: IExecuteFunctions): void {
	const call = callOf(context);
	if (call === undefined || call === 'unstable') return;
	remember(call.registry, (completedRuns.get(call.registry) ?? 0) + 1);
}
