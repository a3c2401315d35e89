'use strict';
/**
 * Issue 31: the node inside a sub-workflow. A parent workflow (Webhook → one item per recipient
 * → Execute Workflow) calls a sub-workflow (When Executed by Another Workflow → SMS Route, Send
 * in Bulk, chunks of 10). smsroute (the sandbox) is down for one recipient of the third chunk
 * until healed, so the parent fails with 20 sent. The ledger then counts what each recipient was
 * charged after n8n's Retry of the parent (both modes, and a retry of a retry) and with Retry
 * On Fail on the Execute Workflow node. Hostile: the same sub-workflow called again with the same
 * input in one execution (two Execute Workflow nodes; one call per item) and once per batch of a
 * Loop Over Items: every call sends. A sub-workflow called by a sub-workflow, where n8n gives
 * the call no stable identity: a notice naming Campaign ID, and Campaign ID replays. Each step
 * prints a `[campaign-e2e]` line.
 *
 * Needs `npm run build` first. SMSROUTE_E2E_N8N_VERSIONS=2.41.0 narrows the versions.
 */
const crypto = require('node:crypto');
const { E2E_VERSIONS, useN8nWithSandbox } = require('./suite');
const {
	ACTION,
	recipients,
	runCampaign,
	retryExecution,
	ledgerFor,
	report,
} = require('./campaign');
const { sleep } = require('./http');

const VERSIONS = E2E_VERSIONS;

jest.setTimeout(5 * 60_000);

const node = (name, type, x, parameters, extra = {}) => ({
	id: crypto.randomUUID(),
	name,
	type,
	typeVersion: 1,
	position: [x, 0],
	parameters,
	...extra,
});
const link = (...to) => to.map((name) => ({ node: name, type: 'main', index: 0 }));

const START = 'When Executed by Another Workflow';

/**
 * When Executed by Another Workflow (items passed through) → `next` (default: SMS Route, Send in
 * Bulk, chunks of 10, with `options`), activated where n8n needs it.
 */
async function createSubWorkflow(n8n, credential, name, { options = {}, next } = {}) {
	const sms = node(
		'SMS Route',
		ACTION,
		220,
		{
			resource: 'message',
			operation: 'sendBulk',
			to: '={{ $json.to }}',
			body: '={{ $json.text }}',
			additionalFields: {},
			options: { maxAttempts: 2, maxRetryWaitSeconds: 1, chunkSize: 10, ...options },
		},
		{ credentials: { smsRouteApi: credential } },
	);
	const then = next ?? sms;
	const workflow = await n8n.createWorkflow({
		name,
		nodes: [
			node(
				START,
				'n8n-nodes-base.executeWorkflowTrigger',
				0,
				{ inputSource: 'passthrough' },
				{ typeVersion: 1.1 },
			),
			then,
		],
		connections: { [START]: { main: [link(then.name)] } },
	});
	// n8n 2.x runs the published version of a sub-workflow for production executions; n8n 1.x
	// runs the saved one and has nothing to activate in a workflow without a trigger.
	try {
		await n8n.activateWorkflow(workflow.id);
	} catch (error) {
		if (!n8n.version.startsWith('1.')) throw error;
	}
	return workflow;
}

const executeWorkflow = (name, x, subId, { mode = 'once', extra = {} } = {}) =>
	node(
		name,
		'n8n-nodes-base.executeWorkflow',
		x,
		{
			source: 'database',
			workflowId: { __rl: true, mode: 'id', value: subId },
			mode,
			options: {},
		},
		{ typeVersion: 1.1, ...extra },
	);

/**
 * Webhook (POST `{recipients}`) → One item per recipient → `middle` nodes → Execute Workflow
 * node(s) calling `subId`. → { workflow, path }
 */
async function createParent(n8n, { name, nodes, connections }) {
	const webhookId = crypto.randomUUID();
	const path = `sub-${webhookId}`;
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
			...nodes,
		],
		connections: { Webhook: { main: [link('One item per recipient')] }, ...connections },
	});
	await n8n.activateWorkflow(workflow.id);
	return { workflow, path };
}

/** Parent → one Execute Workflow node (with `extra`: Retry On Fail) → the sub-workflow. */
async function createCallingWorkflow(n8n, credential, label, extra = {}) {
	const sub = await createSubWorkflow(n8n, credential, `e2e sub (${label}): send`);
	return await createParent(n8n, {
		name: `e2e sub (${label}): parent`,
		nodes: [executeWorkflow('Execute Workflow', 440, sub.id, { extra })],
		connections: { 'One item per recipient': { main: [link('Execute Workflow')] } },
	});
}

describe.each(VERSIONS)('n8n %s: the node in a sub-workflow sends nothing twice', (version) => {
	let sandbox;
	let n8n;
	let credential;

	useN8nWithSandbox(version, (started) => {
		({ sandbox, n8n, credential } = started);
		n8n.version = version;
	});

	afterEach(() => sandbox.heal());

	function expectEachChargedOnce(list, execution) {
		const counts = ledgerFor(sandbox, list);
		expect({ charged: counts.charged, distinct: counts.distinct, twice: counts.twice }).toEqual({
			charged: list.length,
			distinct: list.length,
			twice: 0,
		});
		expect(execution.status).toBe('success');
	}

	/** A run of the parent that fails in the sub-workflow at `list[20]` (chunk 3): 20 sent. */
	async function failingRun(flow, list, label) {
		sandbox.down({ to: [list[20].to] });
		const failed = await runCampaign(n8n, flow, list);
		expect(failed.status).toBe('error');
		const counts = ledgerFor(sandbox, list);
		report(`${version} sub-workflow ${label}: failed run`, counts);
		expect(counts.charged).toBe(20);
		return failed;
	}

	test.each([
		['original workflow', false, 40],
		['currently saved workflow', true, 41],
	])(
		'Retry of the parent with %s: 30 recipients, chunk 3 down → each charged once',
		async (mode, loadWorkflow, series) => {
			const list = recipients(series, 30, `sub ${mode}`);
			const flow = await createCallingWorkflow(n8n, credential, `Retry ${mode}`);
			const failed = await failingRun(flow, list, `Retry ${mode}`);
			sandbox.heal();
			const retried = await retryExecution(n8n, failed.id, { loadWorkflow });
			report(`${version} sub-workflow Retry ${mode}: after Retry`, ledgerFor(sandbox, list));
			expectEachChargedOnce(list, retried);
		},
	);

	test('a retry of a retry of the parent (first Retry still down, original workflow; then the saved one) → each charged once', async () => {
		const list = recipients(42, 30, 'sub chain');
		const flow = await createCallingWorkflow(n8n, credential, 'retry of retry');
		const failed = await failingRun(flow, list, 'retry of retry');
		const second = await retryExecution(n8n, failed.id, { loadWorkflow: false });
		expect(second.status).toBe('error');
		const afterFirst = ledgerFor(sandbox, list);
		report(`${version} sub-workflow chain: first Retry, still down`, afterFirst);
		expect({ charged: afterFirst.charged, twice: afterFirst.twice }).toEqual({
			charged: 20,
			twice: 0,
		});
		sandbox.heal();
		const third = await retryExecution(n8n, second.id, { loadWorkflow: true });
		report(`${version} sub-workflow chain: Retry of the Retry`, ledgerFor(sandbox, list));
		expectEachChargedOnce(list, third);
	});

	test('Retry On Fail on the Execute Workflow node, healed between tries → each charged once', async () => {
		const list = recipients(43, 30, 'sub retry on fail');
		const flow = await createCallingWorkflow(n8n, credential, 'Retry On Fail', {
			retryOnFail: true,
			maxTries: 2,
			waitBetweenTries: 5000,
		});
		sandbox.down({ to: [list[20].to] });
		const downBefore = sandbox.stats().faults.down ?? 0;
		const run = runCampaign(n8n, flow, list);
		// Heal once the first try has given up on chunk 3 (its 2 attempts refused), within the
		// 5 s n8n waits before the second try.
		const healBy = Date.now() + 60_000;
		while ((sandbox.stats().faults.down ?? 0) < downBefore + 2 && Date.now() < healBy)
			await sleep(25);
		report(`${version} sub-workflow Retry On Fail: first try`, ledgerFor(sandbox, list));
		expect(ledgerFor(sandbox, list).charged).toBe(20);
		sandbox.heal();
		const done = await run;
		report(`${version} sub-workflow Retry On Fail: after the second try`, ledgerFor(sandbox, list));
		expectEachChargedOnce(list, done);
	});

	test('hostile: two Execute Workflow nodes call the sub-workflow with the same input → both calls send', async () => {
		const list = recipients(44, 12, 'sub twice');
		const sub = await createSubWorkflow(n8n, credential, 'e2e sub (twice): send');
		const flow = await createParent(n8n, {
			name: 'e2e sub (twice): parent',
			nodes: [
				executeWorkflow('First call', 440, sub.id),
				executeWorkflow('Second call', 660, sub.id),
			],
			// Both from the same node: the second call gets the very items the first got.
			connections: { 'One item per recipient': { main: [link('First call', 'Second call')] } },
		});
		const done = await runCampaign(n8n, flow, list);
		const counts = ledgerFor(sandbox, list);
		report(`${version} sub-workflow called twice with the same input`, counts);
		expect(done.status).toBe('success');
		expect({ charged: counts.charged, distinct: counts.distinct }).toEqual({
			charged: 24,
			distinct: 12,
		});
	});

	test('hostile: the same items sent twice on purpose (First call → Wait → Second call), the second call fails, heal, Retry → each recipient charged exactly twice', async () => {
		const list = recipients(50, 30, 'sub repeat');
		const sub = await createSubWorkflow(n8n, credential, 'e2e sub (repeat): send');
		const flow = await createParent(n8n, {
			name: 'e2e sub (repeat): parent',
			nodes: [
				executeWorkflow('First call', 440, sub.id),
				node(
					'Wait',
					'n8n-nodes-base.wait',
					660,
					{ resume: 'timeInterval', amount: 3, unit: 'seconds' },
					{ typeVersion: 1.1 },
				),
				executeWorkflow('Second call', 880, sub.id),
			],
			connections: {
				'One item per recipient': { main: [link('First call', 'Wait')] },
				Wait: { main: [link('Second call')] },
			},
		});
		// The Wait passes the recipients on unchanged: the second call gets the very same items.
		const running = runCampaign(n8n, flow, list);
		const firstBy = Date.now() + 60_000;
		while (ledgerFor(sandbox, list).charged < 30 && Date.now() < firstBy) await sleep(25);
		sandbox.down({ to: [list[20].to] });
		const failed = await running;
		expect(failed.status).toBe('error');
		const before = ledgerFor(sandbox, list);
		report(`${version} sub-workflow repeat: the second call failed`, before);
		expect(before.charged).toBe(50);
		sandbox.heal();
		const retried = await retryExecution(n8n, failed.id, { loadWorkflow: false });
		const counts = ledgerFor(sandbox, list);
		report(`${version} sub-workflow repeat: after Retry`, counts);
		expect(retried.status).toBe('success');
		const perRecipient = new Map();
		for (const entry of sandbox.ledger())
			perRecipient.set(entry.to, (perRecipient.get(entry.to) ?? 0) + 1);
		expect(list.filter((r) => perRecipient.get(r.to) !== 2).map((r) => r.to)).toEqual([]);
	});

	test('hostile: one call per item ("Run once for each item") with identical items → each call sends', async () => {
		const [one] = recipients(45, 1, 'sub per item');
		const sub = await createSubWorkflow(n8n, credential, 'e2e sub (per item): send');
		const flow = await createParent(n8n, {
			name: 'e2e sub (per item): parent',
			nodes: [executeWorkflow('Execute Workflow', 440, sub.id, { mode: 'each' })],
			connections: { 'One item per recipient': { main: [link('Execute Workflow')] } },
		});
		const done = await runCampaign(n8n, flow, [one, one, one]);
		const counts = ledgerFor(sandbox, [one]);
		report(`${version} sub-workflow once per identical item`, counts);
		expect(done.status).toBe('success');
		expect(counts.charged).toBe(3);
	});

	test('hostile: Loop Over Items calls the sub-workflow per batch of 10 → every batch sends', async () => {
		const list = recipients(46, 30, 'sub loop');
		const sub = await createSubWorkflow(n8n, credential, 'e2e sub (loop): send');
		const flow = await createParent(n8n, {
			name: 'e2e sub (loop): parent',
			nodes: [
				node(
					'Loop',
					'n8n-nodes-base.splitInBatches',
					440,
					{ batchSize: 10, options: {} },
					{ typeVersion: 3 },
				),
				executeWorkflow('Execute Workflow', 660, sub.id),
			],
			connections: {
				'One item per recipient': { main: [link('Loop')] },
				Loop: { main: [[], link('Execute Workflow')] },
				'Execute Workflow': { main: [link('Loop')] },
			},
		});
		const done = await runCampaign(n8n, flow, list);
		const counts = ledgerFor(sandbox, list);
		report(`${version} sub-workflow per Loop Over Items batch`, counts);
		expect(done.status).toBe('success');
		expect({ charged: counts.charged, distinct: counts.distinct, twice: counts.twice }).toEqual({
			charged: 30,
			distinct: 30,
			twice: 0,
		});
	});

	describe('a sub-workflow called by a sub-workflow (n8n gives the call no stable identity)', () => {
		/** Parent → Execute Workflow → middle sub-workflow → Execute Workflow → the sending one. */
		async function nested(label, options) {
			const inner = await createSubWorkflow(n8n, credential, `e2e nested (${label}): send`, {
				options,
			});
			const middle = await createSubWorkflow(n8n, credential, `e2e nested (${label}): middle`, {
				next: executeWorkflow('Call the sender', 220, inner.id),
			});
			const flow = await createParent(n8n, {
				name: `e2e nested (${label}): parent`,
				nodes: [executeWorkflow('Execute Workflow', 440, middle.id)],
				connections: { 'One item per recipient': { main: [link('Execute Workflow')] } },
			});
			return { flow, inner };
		}

		test('without Campaign ID: the sending run carries a notice naming Campaign ID, and a Retry sends again what went out', async () => {
			const list = recipients(47, 30, 'nested');
			const { flow, inner } = await nested('no campaign', {});
			const failed = await failingRun(flow, list, 'nested, no Campaign ID');
			sandbox.heal();
			const retried = await retryExecution(n8n, failed.id, { loadWorkflow: false });
			const counts = ledgerFor(sandbox, list);
			report(`${version} nested sub-workflow, no Campaign ID: after Retry`, counts);
			expect(retried.status).toBe('success');
			// What the docs say of this path: the keys come from the sub-execution.
			expect({ charged: counts.charged, twice: counts.twice }).toEqual({ charged: 50, twice: 20 });
			const runs = await n8n.listExecutions(inner.id);
			const hints = runs.flatMap((e) =>
				(e.data?.resultData?.runData?.['SMS Route'] ?? []).flatMap((r) => r.hints ?? []),
			);
			expect(hints.map((h) => h.message)).toContainEqual(
				expect.stringMatching(/sub-workflow called by a sub-workflow.*Set the Campaign ID option/),
			);
		});

		test('with Campaign ID: fail, heal, Retry of the parent → each charged once', async () => {
			const list = recipients(48, 30, 'nested campaign');
			const { flow } = await nested('campaign', { campaignId: 'e2e-nested-campaign' });
			const failed = await failingRun(flow, list, 'nested, Campaign ID');
			sandbox.heal();
			const retried = await retryExecution(n8n, failed.id, { loadWorkflow: false });
			report(`${version} nested sub-workflow, Campaign ID: after Retry`, ledgerFor(sandbox, list));
			expectEachChargedOnce(list, retried);
		});
	});

	test('hostile: an error workflow (n8n starts it like a sub-execution of the failed one) notifies once per failure, the same text twice included', async () => {
		const [admin] = recipients(49, 1, 'error workflow');
		const errorFlow = await n8n.createWorkflow({
			name: 'e2e error workflow: notify',
			nodes: [
				node('Error Trigger', 'n8n-nodes-base.errorTrigger', 0, {}),
				node(
					'SMS Route',
					ACTION,
					220,
					{
						resource: 'message',
						operation: 'send',
						to: admin.to,
						body: 'a workflow failed',
						additionalFields: {},
						options: { maxAttempts: 2, maxRetryWaitSeconds: 1 },
					},
					{ credentials: { smsRouteApi: credential } },
				),
			],
			connections: { 'Error Trigger': { main: [link('SMS Route')] } },
		});
		// n8n 2.x runs the published version of an error workflow.
		if (!version.startsWith('1.')) await n8n.activateWorkflow(errorFlow.id);
		const webhookId = crypto.randomUUID();
		const failing = await n8n.createWorkflow({
			name: 'e2e error workflow: failing',
			settings: { errorWorkflow: String(errorFlow.id) },
			nodes: [
				node(
					'Webhook',
					'n8n-nodes-base.webhook',
					0,
					{
						httpMethod: 'POST',
						path: `fail-${webhookId}`,
						responseMode: 'onReceived',
						options: {},
					},
					{ typeVersion: 2, webhookId },
				),
				node(
					'Fail',
					'n8n-nodes-base.code',
					220,
					{ jsCode: "throw new Error('planned failure');" },
					{ typeVersion: 2 },
				),
			],
			connections: { Webhook: { main: [link('Fail')] } },
		});
		await n8n.activateWorkflow(failing.id);
		for (const round of [1, 2]) {
			await n8n.callWebhook('POST', `fail-${webhookId}`, { body: {} });
			const deadline = Date.now() + 60_000;
			while (
				(await n8n.listExecutions(errorFlow.id, { includeData: false })).filter((e) =>
					['success', 'error'].includes(e.status),
				).length < round &&
				Date.now() < deadline
			)
				await sleep(300);
		}
		const counts = ledgerFor(sandbox, [admin]);
		report(`${version} error workflow, two failures`, counts);
		expect(counts.charged).toBe(2);
	});
});
