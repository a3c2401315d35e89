'use strict';
/**
 * Issue 31: the re-run paths of docs/recovering-a-campaign.md ("Every re-run path") that had no
 * test, in real n8n against the sandbox, each counted on the sandbox's ledger:
 * - a crash (SIGKILL) without Campaign ID: Retry of the Crashed execution, and running the
 *   workflow again;
 * - "Stop execution" without Campaign ID: Retry through the REST API (the editor offers Retry
 *   for crashed and failed executions only), and running the workflow again;
 * - the editor's re-runs: "Execute workflow" again and "Execute step" on the SMS Route node (the
 *   REST calls the editor makes), without and with Campaign ID;
 * - the SMS Route tool of n8n's MCP Server Trigger, called by a small MCP client (JSON-RPC 2.0 over
 *   streamable HTTP): the same call twice, and a call whose answer the client lost, then again.
 * Each case prints a `[campaign-e2e]` line with its ledger counts.
 *
 * Needs `npm run build` first. SMSROUTE_E2E_N8N_VERSIONS=2.41.0 narrows the versions.
 */
const crypto = require('node:crypto');
const { request } = require('undici');
const { startN8n, nodeOutput } = require('./n8n');
const { E2E_VERSIONS, useN8nWithSandbox } = require('./suite');
const { sleep } = require('./http');
const {
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
} = require('./campaign');

const VERSIONS = E2E_VERSIONS;
const SIZE = 200;

jest.setTimeout(5 * 60_000);

const node = (name, type, typeVersion, x, parameters, extra = {}) => ({
	id: crypto.randomUUID(),
	name,
	type,
	typeVersion,
	position: [x, 0],
	parameters,
	...extra,
});
const link = (to) => [[{ node: to, type: 'main', index: 0 }]];
const counted = (c) => ({ charged: c.charged, distinct: c.distinct, twice: c.twice });

/** Waits until smsroute charged at least `atLeast` of `list` (the campaign is part-way). */
async function chargedAtLeast(sandbox, list, atLeast, what) {
	const deadline = Date.now() + 60_000;
	while (ledgerFor(sandbox, list).charged < atLeast) {
		if (Date.now() > deadline) throw new Error(`${what}: too little charged to interrupt it`);
		await sleep(50);
	}
}

// ------------------------------------------------------------------ editor runs

/** Manual Trigger → "Recipients" (Code: `list`) → SMS Route (Send in Bulk, `options`). */
async function createManualWorkflow(n8n, credential, { name, list, options = {} }) {
	const workflow = await n8n.createWorkflow({
		name,
		nodes: [
			node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, 0, {}),
			node('Recipients', 'n8n-nodes-base.code', 2, 220, {
				jsCode: `return ${JSON.stringify(list)}.map((r) => ({ json: r }));`,
			}),
			node(
				'SMS Route',
				ACTION,
				1,
				440,
				{
					resource: 'message',
					operation: 'sendBulk',
					to: '={{ $json.to }}',
					body: '={{ $json.text }}',
					additionalFields: {},
					options: { maxAttempts: 2, maxRetryWaitSeconds: 1, chunkSize: 10, ...options },
				},
				{ credentials: { smsRouteApi: credential } },
			),
		],
		connections: {
			'Manual Trigger': { main: link('Recipients') },
			Recipients: { main: link('SMS Route') },
		},
	});
	// The editor saves a workflow with `pinData: {}`; the public API leaves it null, which n8n's
	// partial execution ("Execute step") cannot read.
	const saved = (await n8n.restOk('GET', `/workflows/${workflow.id}`)).data;
	await n8n.restOk('PATCH', `/workflows/${workflow.id}`, {
		versionId: saved.versionId,
		pinData: {},
	});
	return workflow;
}

/**
 * POST /rest/workflows/:id/run as the editor sends it (1.x also sends the workflow), → the new
 * execution once it has ended.
 */
async function runFromEditor(n8n, workflow, payload) {
	const before = new Set(
		(await n8n.listExecutions(workflow.id, { includeData: false })).map((e) => e.id),
	);
	const body = { ...payload };
	if (n8n.major === 1)
		body.workflowData = (await n8n.restOk('GET', `/workflows/${workflow.id}`)).data;
	await n8n.restOk('POST', `/workflows/${workflow.id}/run`, body);
	const all = await n8n.waitForExecutions(workflow.id, (l) => l.some((e) => !before.has(e.id)), {
		includeData: false,
		timeoutMs: 60_000,
	});
	const started = all.find((e) => !before.has(e.id));
	await waitForExecution(n8n, started.id, ENDED, { timeoutMs: 60_000 });
	return await n8n.getExecution(started.id);
}

/** "Execute workflow": the whole workflow from its manual trigger. */
const executeWorkflow = (n8n, workflow) =>
	runFromEditor(n8n, workflow, { triggerToStartFrom: { name: 'Manual Trigger' } });

/**
 * "Execute step" on SMS Route: a partial execution with the run data the editor holds of the
 * nodes before it (here: the last execution's), so only SMS Route runs again.
 */
function executeStep(n8n, workflow, previous) {
	const { runData } = previous.data.resultData;
	return runFromEditor(n8n, workflow, {
		runData: { 'Manual Trigger': runData['Manual Trigger'], Recipients: runData.Recipients },
		destinationNode: { nodeName: 'SMS Route', mode: 'inclusive' },
		dirtyNodeNames: [],
	});
}

// ------------------------------------------------------------------ MCP

/** MCP Server Trigger (version 2: streamable HTTP at /mcp/<path>) with SMS Route (Send) as its tool. */
async function createMcpWorkflow(n8n, credential, { name, options = {} }) {
	const webhookId = crypto.randomUUID();
	const mcpPath = `sms-${webhookId}`;
	const workflow = await n8n.createWorkflow({
		name,
		nodes: [
			node(
				'MCP Server Trigger',
				'@n8n/n8n-nodes-langchain.mcpTrigger',
				2,
				0,
				{ authentication: 'none', path: mcpPath },
				{ webhookId },
			),
			node(
				'SMS Route',
				'n8n-nodes-smsroute.smsRouteTool',
				1.1,
				220,
				{
					resource: 'message',
					operation: 'send',
					to: "={{ $fromAI('to', 'The recipient, in E.164', 'string') }}",
					body: "={{ $fromAI('body', 'The text of the SMS', 'string') }}",
					additionalFields: {},
					options: { maxAttempts: 2, maxRetryWaitSeconds: 1, ...options },
				},
				{ credentials: { smsRouteApi: credential } },
			),
		],
		connections: {
			'SMS Route': { ai_tool: [[{ node: 'MCP Server Trigger', type: 'ai_tool', index: 0 }]] },
		},
	});
	await n8n.activateWorkflow(workflow.id);
	return { workflow, url: `${n8n.url}/mcp/${mcpPath}` };
}

/** The JSON-RPC answers in a streamable-HTTP reply: one JSON body, or `data:` lines of an SSE stream. */
function rpcAnswers(text) {
	const trimmed = text.trim();
	if (trimmed.startsWith('{')) return [JSON.parse(trimmed)];
	return trimmed
		.split('\n')
		.filter((line) => line.startsWith('data:'))
		.map((line) => JSON.parse(line.slice(5)));
}

/**
 * A minimal MCP client (JSON-RPC 2.0 over streamable HTTP): initialize, then requests in that
 * session. `call(method, params, {signal})` → the answer's `result` (throws on a JSON-RPC error).
 */
async function mcpClient(url) {
	let sessionId;
	let nextId = 1;
	const post = async (message, { signal } = {}) => {
		const res = await request(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				accept: 'application/json, text/event-stream',
				'mcp-protocol-version': '2025-03-26',
				...(sessionId ? { 'mcp-session-id': sessionId } : {}),
			},
			body: JSON.stringify(message),
			signal,
		});
		const text = await res.body.text();
		if (res.statusCode >= 300)
			throw new Error(`MCP ${message.method} → ${res.statusCode}: ${text}`);
		return { headers: res.headers, text };
	};
	const call = async (method, params, opts) => {
		const id = nextId++;
		const { headers, text } = await post({ jsonrpc: '2.0', id, method, params }, opts);
		sessionId ??= headers['mcp-session-id'];
		const answer = rpcAnswers(text).find((a) => a.id === id);
		if (!answer) throw new Error(`MCP ${method}: no answer in ${text.slice(0, 500)}`);
		if (answer.error) throw new Error(`MCP ${method}: ${JSON.stringify(answer.error)}`);
		return answer.result;
	};
	const initialize = () =>
		call('initialize', {
			protocolVersion: '2025-03-26',
			capabilities: {},
			clientInfo: { name: 'smsroute-e2e', version: '1.0.0' },
		});
	// n8n can answer 404 for a little while after activation, until the webhook is registered.
	for (let attempt = 0; ; attempt++) {
		try {
			await initialize();
			break;
		} catch (error) {
			if (attempt > 40 || !/→ 404/.test(error.message)) throw error;
			await sleep(250);
		}
	}
	if (!sessionId) throw new Error('the MCP Server Trigger gave no mcp-session-id');
	await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
	const { tools } = await call('tools/list', {});
	return { call, tools };
}

// ------------------------------------------------------------------ the tests

describe.each(VERSIONS)('n8n %s: re-run paths', (version) => {
	let sandbox;
	let n8n;
	let credential;

	useN8nWithSandbox(
		version,
		(started) => ({ sandbox, n8n, credential } = started),
		() => n8n, // the crash cases restart n8n
	);

	describe('a crash (SIGKILL) without Campaign ID', () => {
		const campaigns = {
			retry: { series: 40 },
			rerun: { series: 41 },
		};

		beforeAll(async () => {
			for (const [name, c] of Object.entries(campaigns)) {
				c.list = recipients(c.series, SIZE, `rerun crash ${name}`);
				c.flow = await createCampaignWorkflow(n8n, credential, {
					name: `e2e rerun crash: ${name}`,
					options: { chunkSize: 10, concurrency: 2 },
				});
			}
			sandbox.configure({ latencyMs: 300 });
			try {
				for (const c of Object.values(campaigns)) {
					const res = await n8n.callWebhook('POST', c.flow.path, { body: { recipients: c.list } });
					expect(res.status).toBe(200);
				}
				// The running executions first, so that the kill follows the threshold at once.
				for (const c of Object.values(campaigns))
					c.crashedId = (await runningExecution(n8n, c.flow.workflow.id)).id;
				for (const [name, c] of Object.entries(campaigns))
					await chargedAtLeast(sandbox, c.list, SIZE / 5, `crash ${name}`);
				await n8n.kill();
				await sleep(1000); // requests on their way at the kill are still charged
			} finally {
				sandbox.configure({ latencyMs: 0 });
				const { userFolder } = n8n;
				n8n = await startN8n({ version, userFolder, fresh: false });
			}
			for (const [name, c] of Object.entries(campaigns)) {
				c.killed = ledgerFor(sandbox, c.list).charged;
				report(`${version} rerun crash, ${name}: charged by the kill`, ledgerFor(sandbox, c.list));
				expect(c.killed).toBeLessThan(SIZE);
				c.crashed = await waitForExecution(n8n, c.crashedId, ENDED, { timeoutMs: 60_000 });
			}
		}, 5 * 60_000);

		test('Retry of the Crashed execution sends again what went out before the crash (new keys)', async () => {
			const { list, crashed, killed } = campaigns.retry;
			expect(crashed.status).toBe('crashed');
			const retried = await retryExecution(n8n, crashed.id, { loadWorkflow: false });
			expect(retried.status).toBe('success');
			const counts = ledgerFor(sandbox, list);
			report(`${version} crash without Campaign ID: after Retry of the crashed execution`, counts);
			expect(counted(counts)).toEqual({ charged: SIZE + killed, distinct: SIZE, twice: killed });
		});

		test('running the workflow again sends again what went out before the crash (new keys)', async () => {
			const { list, flow, crashed, killed } = campaigns.rerun;
			expect(crashed.status).toBe('crashed');
			const again = await runCampaign(n8n, flow, list);
			expect(again.status).toBe('success');
			const counts = ledgerFor(sandbox, list);
			report(`${version} crash without Campaign ID: after running again`, counts);
			expect(counted(counts)).toEqual({ charged: SIZE + killed, distinct: SIZE, twice: killed });
		});
	});

	describe('"Stop execution" part-way without Campaign ID', () => {
		let list;
		let flow;
		let stopped;
		let stoppedCount;

		beforeAll(async () => {
			list = recipients(42, SIZE, 'rerun stopped');
			flow = await createCampaignWorkflow(n8n, credential, {
				name: 'e2e rerun stopped',
				options: { chunkSize: 10, concurrency: 2 },
			});
			sandbox.configure({ latencyMs: 300 });
			try {
				const res = await n8n.callWebhook('POST', flow.path, { body: { recipients: list } });
				expect(res.status).toBe(200);
				const running = await runningExecution(n8n, flow.workflow.id);
				await chargedAtLeast(sandbox, list, SIZE / 4, 'stop');
				expect((await n8n.rest('POST', `/executions/${running.id}/stop`, {})).status).toBe(200);
				stopped = await waitForExecution(n8n, running.id, ENDED, { timeoutMs: 60_000 });
			} finally {
				sandbox.configure({ latencyMs: 0 });
			}
			await sleep(1000);
			stoppedCount = ledgerFor(sandbox, list).charged;
			report(`${version} rerun stopped: charged by the stop`, ledgerFor(sandbox, list));
		}, 3 * 60_000);

		test('Retry of the canceled execution (REST API; the editor offers none) and running again', async () => {
			expect(stopped.status).toBe('canceled');
			expect(stoppedCount).toBeGreaterThan(0);
			expect(stoppedCount).toBeLessThan(SIZE);
			const retried = await retryExecution(n8n, stopped.id, { loadWorkflow: false });
			const retriedData = await n8n.getExecution(retried.id);
			const retriedOutput = nodeOutput(retriedData, 'SMS Route');
			const afterRetry = ledgerFor(sandbox, list);
			report(`${version} stopped without Campaign ID: after Retry (${retried.status})`, afterRetry);
			const sentAgain = n8n.major >= 2;
			if (sentAgain) {
				// 2.41: the Retry runs SMS Route again with new keys (the stop saved no state of the
				// node): every recipient is sent, those of before the stop twice; the Retry then ends
				// Error with the stop's "cancelled manually" still in its data.
				expect(retriedOutput).toHaveLength(SIZE);
				expect(counted(afterRetry)).toEqual({
					charged: SIZE + stoppedCount,
					distinct: SIZE,
					twice: stoppedCount,
				});
			} else {
				// 1.123: the Retry ends Success without running SMS Route: nothing more is sent.
				expect(retried.status).toBe('success');
				expect(retriedOutput).toBeUndefined();
				expect(counted(afterRetry)).toEqual({
					charged: stoppedCount,
					distinct: stoppedCount,
					twice: 0,
				});
			}
			const again = await runCampaign(n8n, flow, list);
			expect(again.status).toBe('success');
			const counts = ledgerFor(sandbox, list);
			report(`${version} stopped without Campaign ID: after running again`, counts);
			expect(counted(counts)).toEqual({
				charged: (sentAgain ? 2 * SIZE : SIZE) + stoppedCount,
				distinct: SIZE,
				twice: sentAgain ? SIZE : stoppedCount,
			});
		});
	});

	describe('editor re-runs (Execute workflow, Execute step)', () => {
		test('without Campaign ID: Execute workflow again and Execute step on SMS Route each send again', async () => {
			const list = recipients(43, 30, 'editor rerun');
			const workflow = await createManualWorkflow(n8n, credential, {
				name: 'e2e editor rerun',
				list,
			});
			const first = await executeWorkflow(n8n, workflow);
			expect(first.status).toBe('success');
			expect(counted(ledgerFor(sandbox, list))).toEqual({ charged: 30, distinct: 30, twice: 0 });
			const second = await executeWorkflow(n8n, workflow);
			expect(second.status).toBe('success');
			report(`${version} editor: Execute workflow twice`, ledgerFor(sandbox, list));
			expect(counted(ledgerFor(sandbox, list))).toEqual({ charged: 60, distinct: 30, twice: 30 });
			const step = await executeStep(n8n, workflow, second);
			expect(step.status).toBe('success');
			report(`${version} editor: then Execute step`, ledgerFor(sandbox, list));
			expect(counted(ledgerFor(sandbox, list)).charged).toBe(90);
		});

		test('with Campaign ID: Execute workflow again and Execute step replay (each charged once)', async () => {
			const list = recipients(44, 30, 'editor rerun campaign');
			const workflow = await createManualWorkflow(n8n, credential, {
				name: 'e2e editor rerun with Campaign ID',
				list,
				options: { campaignId: `editor-${version}` },
			});
			const first = await executeWorkflow(n8n, workflow);
			const second = await executeWorkflow(n8n, workflow);
			const step = await executeStep(n8n, workflow, second);
			expect([first.status, second.status, step.status]).toEqual(['success', 'success', 'success']);
			const counts = ledgerFor(sandbox, list);
			report(`${version} editor with Campaign ID: two runs and a step`, counts);
			expect(counted(counts)).toEqual({ charged: 30, distinct: 30, twice: 0 });
		});
	});

	describe('MCP Server Trigger: the SMS Route tool called by an MCP client', () => {
		/** `first` the same call twice; `lost` a call whose answer the client lost, then again. → ledger counts */
		async function callTwice(flow, series) {
			const client = await mcpClient(flow.url);
			expect(client.tools.map((t) => t.name)).toEqual(['SMS_Route']);
			const [same, lost] = [
				recipients(series, 1, 'mcp same'),
				recipients(series + 1, 1, 'mcp lost'),
			];
			const args = (r) => ({ name: 'SMS_Route', arguments: { to: r[0].to, body: r[0].text } });
			const answers = [await client.call('tools/call', args(same))];
			answers.push(await client.call('tools/call', args(same)));
			// The lost answer: the client gives up while the send is on its way to smsroute.
			sandbox.configure({ latencyMs: 1500 });
			try {
				const abort = new AbortController();
				const pending = client
					.call('tools/call', args(lost), { signal: abort.signal })
					.catch((error) => error);
				await sleep(400);
				abort.abort();
				expect((await pending)?.name).toBe('AbortError');
				await chargedAtLeast(sandbox, lost, 1, 'the lost call');
			} finally {
				sandbox.configure({ latencyMs: 0 });
			}
			answers.push(await client.call('tools/call', args(lost)));
			for (const answer of answers) expect(answer.isError).toBeFalsy();
			return { same: ledgerFor(sandbox, same), lost: ledgerFor(sandbox, lost) };
		}

		/** The notices on the SMS Route runs of the workflow's executions (n8n keeps the tool's run with the call's execution). */
		async function notices(workflowId) {
			const executions = await n8n.listExecutions(workflowId);
			return executions.flatMap((e) =>
				(e.data?.resultData?.runData?.['SMS Route'] ?? []).flatMap((run) =>
					(run.hints ?? []).map((h) => h.message),
				),
			);
		}

		test('without Campaign ID: the same call twice sends twice, a call again after a lost answer sends again (n8n gives a tool call no execution); a notice names Campaign ID', async () => {
			const flow = await createMcpWorkflow(n8n, credential, { name: 'e2e rerun MCP' });
			const { same, lost } = await callTwice(flow, 45);
			report(`${version} MCP without Campaign ID: the same call twice`, same);
			report(`${version} MCP without Campaign ID: a lost answer, then again`, lost);
			expect([counted(same), counted(lost)]).toEqual([
				{ charged: 2, distinct: 1, twice: 1 },
				{ charged: 2, distinct: 1, twice: 1 },
			]);
			const found = await notices(flow.workflow.id);
			process.stderr.write(`[campaign-e2e] ${version} MCP notices: ${found.length}\n`);
			expect(found.length).toBeGreaterThan(0);
			for (const message of found) expect(message).toMatch(/Campaign ID/);
		});

		test('with Campaign ID: the same call twice, and a call again after a lost answer, each charged once', async () => {
			const flow = await createMcpWorkflow(n8n, credential, {
				name: 'e2e rerun MCP with Campaign ID',
				options: { campaignId: `mcp-${version}` },
			});
			const { same, lost } = await callTwice(flow, 47);
			report(`${version} MCP with Campaign ID: the same call twice`, same);
			report(`${version} MCP with Campaign ID: a lost answer, then again`, lost);
			expect([counted(same), counted(lost)]).toEqual([
				{ charged: 1, distinct: 1, twice: 0 },
				{ charged: 1, distinct: 1, twice: 0 },
			]);
			expect(await notices(flow.workflow.id)).toEqual([]);
		});
	});
});
