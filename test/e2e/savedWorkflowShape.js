'use strict';
/**
 * What a saved workflow's run must keep, as data: the normalized outputs of its SMS Route nodes
 * (recorded once from the released build as a golden) and the check that a later build still
 * gives them. Used by savedWorkflows.test.js.
 *
 * normalize(): every leaf becomes its type ("<string>", "<number>", "<null>", …) except the
 * fields whose value is a decision a workflow branches on (DECISIONS): those keep their value.
 * Ids, timestamps, keys, URLs and execution ids are ordinary leaves, so they drop out; a field's
 * presence and type stay.
 *
 * compareShape(): the golden must be contained in the run: the same runs, outputs and item
 * counts, every key still there with the same type or decision value. Keys the golden lacks are
 * allowed (a release adds fields, never renames or drops one) and listed as `added`; so is a
 * value where the golden had null in a field that is no decision (e.g. Send in Bulk's
 * creditsUsed, unknown in 0.2.0).
 */

/** Fields whose values are decisions (branching, filtering, what was sent where), kept verbatim. */
const DECISIONS = new Set([
	// SMS Route: what happened to each message
	'status',
	'outcome',
	'final',
	'dryRun',
	'skipped',
	'skipReason',
	'deferred',
	'environment',
	'livemode',
	'to',
	'encoding',
	'segments',
	'credits',
	// SMS Route Trigger: what kind of event it was
	'provider',
	'event',
	'type',
	'eventType',
	// the trigger's answer to the webhook
	'received',
	'emitted',
	'statusCode',
]);

function typeTag(value) {
	if (value === null) return '<null>';
	if (Array.isArray(value)) return '<array>';
	return `<${typeof value}>`;
}

function normalize(value, key) {
	if (Array.isArray(value)) return value.map((v) => normalize(v, key));
	if (value !== null && typeof value === 'object') {
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((k) => [k, normalize(value[k], k)]),
		);
	}
	return DECISIONS.has(key) ? value : typeTag(value);
}

/** One node's runs: per run, per output, the normalized `json` of each item (and whether it failed). */
function normalizeRuns(runs) {
	return (runs ?? []).map((run) => {
		const out = {
			outputs: (run.data?.main ?? []).map((items) => (items ?? []).map((i) => normalize(i.json))),
		};
		if (run.error) out.error = true;
		return out;
	});
}

/** An execution (public API, includeData) → { status, nodes: { name: runs } } for the given nodes. */
function normalizeExecution(execution, nodeNames) {
	const runData = execution?.data?.resultData?.runData ?? {};
	return {
		status: execution?.status,
		nodes: Object.fromEntries(nodeNames.map((name) => [name, normalizeRuns(runData[name])])),
	};
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Differences between the golden and a run. → { problems: string[], added: string[] }
 * problems: a key, run, output or item gone or changed; added: keys only the run has.
 */
function compareShape(expected, actual, path = '$') {
	const problems = [];
	const added = [];
	const walk = (e, a, p) => {
		if (e === '<null>') return undefined;
		if (Array.isArray(e)) {
			if (!Array.isArray(a)) return problems.push(`${p}: expected an array, got ${typeTag(a)}`);
			if (a.length !== e.length)
				problems.push(`${p}: expected ${e.length} entries, got ${a.length}`);
			for (let i = 0; i < Math.min(e.length, a.length); i++) walk(e[i], a[i], `${p}[${i}]`);
			return undefined;
		}
		if (isObject(e)) {
			if (!isObject(a)) return problems.push(`${p}: expected an object, got ${typeTag(a)}`);
			for (const k of Object.keys(e)) {
				if (!(k in a)) problems.push(`${p}.${k}: missing (was ${JSON.stringify(e[k])})`);
				else walk(e[k], a[k], `${p}.${k}`);
			}
			for (const k of Object.keys(a)) if (!(k in e)) added.push(`${p}.${k}`);
			return undefined;
		}
		if (e !== a) problems.push(`${p}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
		return undefined;
	};
	walk(expected, actual, path);
	return { problems, added };
}

module.exports = { DECISIONS, normalize, normalizeRuns, normalizeExecution, compareShape };
