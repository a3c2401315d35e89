'use strict';
/**
 * What the "exactly once across Retry, crashes and re-runs" tests (issue 25) share: the campaign
 * workflow (Webhook → one item per recipient → SMS Route), recipients that no other test uses,
 * n8n's Retry as the Executions list calls it, and the ledger check that counts what smsroute
 * charged per recipient.
 */
const crypto = require('node:crypto');
const { sleep } = require('./http');

const ACTION = 'n8n-nodes-smsroute.smsRoute';

/**
 * `count` recipients of one `series` (20–99): +1 201 <series><5 digits>, valid US numbers by
 * libphonenumber's full metadata (the node checks them), unique to the series.
 */
function recipients(series, count, text = 'campaign') {
	if (!(series >= 20 && series <= 99) || count > 100_000)
		throw new RangeError('series 20–99, at most 100,000 recipients');
	return Array.from({ length: count }, (_, i) => ({
		to: `+1201${series}${String(i).padStart(5, '0')}`,
		text: `${text} #${i}`,
	}));
}

const node = (name, type, x, parameters, extra = {}) => ({
	id: crypto.randomUUID(),
	name,
	type,
	typeVersion: 1,
	position: [x, 0],
	parameters,
	...extra,
});
const link = (to) => [{ node: to, type: 'main', index: 0 }];

/**
 * Creates and activates Webhook (POST `{recipients:[{to,text}]}`, answered at once) → "One item
 * per recipient" → "SMS Route" (`operation`, `options`, `additionalFields`). Few attempts and
 * short waits, so a run against a recipient that is down fails within a second or two.
 * → { workflow, path, smsNode }
 */
async function createCampaignWorkflow(
	n8n,
	credentialRef,
	{ name, operation = 'sendBulk', options = {}, additionalFields = {} },
) {
	const webhookId = crypto.randomUUID();
	const path = `campaign-${webhookId}`;
	const smsNode = node(
		'SMS Route',
		ACTION,
		440,
		{
			resource: 'message',
			operation,
			to: '={{ $json.to }}',
			body: '={{ $json.text }}',
			additionalFields,
			options: { maxAttempts: 2, maxRetryWaitSeconds: 1, ...options },
		},
		{ credentials: { smsRouteApi: credentialRef } },
	);
	const workflow = await n8n.createWorkflow({
		name,
		nodes: [
			node(
				'Webhook',
				'n8n-nodes-base.webhook',
				0,
				{ httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
				{ typeVersion: 2, webhookId },
			),
			node(
				'One item per recipient',
				'n8n-nodes-base.code',
				220,
				{ jsCode: 'return $input.first().json.body.recipients.map((r) => ({ json: r }));' },
				{ typeVersion: 2 },
			),
			smsNode,
		],
		connections: {
			Webhook: { main: [link('One item per recipient')] },
			'One item per recipient': { main: [link('SMS Route')] },
		},
	});
	await n8n.activateWorkflow(workflow.id);
	return { workflow, path, smsNode };
}

const ENDED = ['success', 'error', 'crashed', 'canceled'];

/** Polls one execution until its status is one of `wanted`. */
async function waitForExecution(n8n, id, wanted = ENDED, { timeoutMs = 120_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const execution = await n8n.getExecution(id, { includeData: false });
		if (wanted.includes(execution.status)) return execution;
		if (Date.now() > deadline)
			throw new Error(`execution ${id} is "${execution.status}", not ${wanted.join('/')}`);
		await sleep(300);
	}
}

/**
 * The workflow's running execution (n8n's public API lists running executions only when asked
 * for them, in 1.x and 2.x alike), polled until there is one.
 */
async function runningExecution(n8n, workflowId, { timeoutMs = 60_000 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const [running] = await n8n.listExecutions(workflowId, {
			includeData: false,
			status: 'running',
		});
		if (running) return running;
		if (Date.now() > deadline) throw new Error(`no running execution of workflow ${workflowId}`);
		await sleep(200);
	}
}

/** Starts the campaign through its webhook and returns its execution once it has ended. */
async function runCampaign(n8n, { workflow, path }, list, { timeoutMs = 120_000 } = {}) {
	const before = new Set(
		(await n8n.listExecutions(workflow.id, { includeData: false })).map((e) => e.id),
	);
	const res = await n8n.callWebhook('POST', path, { body: { recipients: list } });
	if (res.status !== 200) throw new Error(`campaign webhook answered ${res.status}: ${res.text}`);
	const [started] = await n8n.waitForExecutions(
		workflow.id,
		(l) => l.some((e) => !before.has(e.id)),
		{ timeoutMs, includeData: false },
	);
	return await waitForExecution(n8n, started.id, ENDED, { timeoutMs });
}

/**
 * Presses "Retry" on an execution the way the Executions list does: POST
 * /rest/executions/:id/retry with `loadWorkflow` false ("Retry with original workflow") or true
 * ("Retry with currently saved workflow"). n8n answers once the retry has run (2.41 with the
 * new execution, 1.123 with whether it finished); the new execution is found by its `retryOf`
 * either way and returned once it has ended (or waits, with `wanted`).
 */
async function retryExecution(n8n, id, { loadWorkflow, wanted = ENDED, timeoutMs = 120_000 }) {
	const res = await n8n.rest('POST', `/executions/${id}/retry`, { loadWorkflow });
	if (res.status !== 200)
		throw new Error(`POST /rest/executions/${id}/retry answered ${res.status}: ${res.text}`);
	const original = await n8n.getExecution(id, { includeData: false });
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const all = await n8n.listExecutions(original.workflowId, { includeData: false });
		const retry = all.find((e) => String(e.retryOf) === String(id));
		if (retry && wanted.includes(retry.status)) return retry;
		if (Date.now() > deadline)
			throw new Error(
				`no retry of execution ${id} reached ${wanted.join('/')} within ${timeoutMs} ms (${retry ? `${retry.id}: ${retry.status}` : 'none listed'})`,
			);
		await sleep(300);
	}
}

/**
 * What smsroute charged for these recipients: {charged, distinct, twice, idOf} (idOf: recipient →
 * the id of its first charge). `twice` counts recipients charged more than once.
 */
function ledgerFor(sandbox, list) {
	const wanted = new Set(list.map((r) => r.to));
	const perRecipient = new Map();
	const idOf = new Map();
	let charged = 0;
	for (const entry of sandbox.ledger()) {
		if (!wanted.has(entry.to)) continue;
		charged++;
		perRecipient.set(entry.to, (perRecipient.get(entry.to) ?? 0) + 1);
		if (!idOf.has(entry.to)) idOf.set(entry.to, entry.id);
	}
	let twice = 0;
	for (const n of perRecipient.values()) if (n > 1) twice++;
	return { charged, distinct: perRecipient.size, twice, idOf };
}

/** One `[campaign-e2e]` line per step, so a run shows its ledger counts (the issue's before/after). */
function report(label, counts) {
	process.stderr.write(
		`[campaign-e2e] ${label}: charged ${counts.charged}, distinct ${counts.distinct}, charged twice or more ${counts.twice}\n`,
	);
}

module.exports = {
	ACTION,
	recipients,
	createCampaignWorkflow,
	runCampaign,
	retryExecution,
	waitForExecution,
	runningExecution,
	ledgerFor,
	report,
	ENDED,
};
