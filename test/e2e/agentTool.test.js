'use strict';
/**
 * Issue 31: the SMS Route node as the tool of n8n's AI Agent, in real n8n, against the sandbox.
 * The agent's chat model is the OpenAI Chat Model node whose credential points at a scripted
 * model (test/helpers/scriptedChatModel.js): it asks for the tool calls each test scripts, so what
 * the agent does is known and the sandbox's ledger says what was charged. Each agent version a
 * saved workflow may hold: 3.1 (n8n 2.41's default) and 3 (1.123's), whose tool calls go through an
 * engine request (n8n runs the tool as a node of its own, per call), 2.2 and 1.7 (Tools Agent:
 * the agent calls the tool as a sub-node). Each case prints a `[agent-e2e]` line with the ledger count.
 *
 * Needs `npm run build` first. SMSROUTE_E2E_N8N_VERSIONS=2.41.0 narrows the versions.
 */
const crypto = require('node:crypto');
const { ensureN8nInstalled, startN8n, resolveVersion, N8N_VERSIONS } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { waitForExecution, retryExecution } = require('./campaign');
const { startScriptedChatModel } = require('../helpers/scriptedChatModel');

const VERSIONS = process.env.SMSROUTE_E2E_N8N_VERSIONS
	? process.env.SMSROUTE_E2E_N8N_VERSIONS.split(',')
			.filter(Boolean)
			.map((v) => resolveVersion(v))
	: N8N_VERSIONS;

/** The AI Agent versions each n8n offers that a saved workflow may hold (newest first). */
const AGENT_VERSIONS = { 1: [3, 2.2, 1.7], 2: [3.1, 3, 2.2, 1.7] };
const ALL_AGENT_VERSIONS = [3.1, 3, 2.2, 1.7];

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
const aiLink = (type) => ({ [type]: [[{ node: 'AI Agent', type, index: 0 }]] });

/**
 * Webhook (POST `{prompt}`, answered at once) → AI Agent `agentVersion` with the OpenAI Chat Model
 * and the SMS Route tool (Send; To and Body from the model), with `guardrails`, `options` and
 * node settings (`node`: retryOnFail, onError …).
 */
async function createAgentWorkflow(
	n8n,
	creds,
	{ name, agentVersion, guardrails = {}, options = {}, node: extra = {} },
) {
	const webhookId = crypto.randomUUID();
	const path = `agent-${webhookId}`;
	const agentParameters = {
		...(agentVersion < 2 ? { agent: 'toolsAgent' } : {}),
		promptType: 'define',
		text: '={{ $json.body.prompt }}',
		options: {},
	};
	const workflow = await n8n.createWorkflow({
		name,
		nodes: [
			node(
				'Webhook',
				'n8n-nodes-base.webhook',
				2,
				0,
				{ httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
				{ webhookId },
			),
			node('AI Agent', '@n8n/n8n-nodes-langchain.agent', agentVersion, 220, agentParameters),
			node(
				'OpenAI Chat Model',
				'@n8n/n8n-nodes-langchain.lmChatOpenAi',
				1.2,
				220,
				{ model: { __rl: true, mode: 'id', value: 'scripted' }, options: { maxRetries: 0 } },
				{ credentials: { openAiApi: creds.openAiApi } },
			),
			node(
				'SMS Route',
				'n8n-nodes-smsroute.smsRouteTool',
				1.1,
				440,
				{
					resource: 'message',
					operation: 'send',
					to: "={{ $fromAI('to', 'The recipient, in E.164', 'string') }}",
					body: "={{ $fromAI('body', 'The text of the SMS', 'string') }}",
					additionalFields: {},
					options: { maxAttempts: 2, maxRetryWaitSeconds: 1, ...options },
					guardrails,
				},
				{ credentials: { smsRouteApi: creds.smsRouteApi }, ...extra },
			),
		],
		connections: {
			Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': aiLink('ai_languageModel'),
			'SMS Route': aiLink('ai_tool'),
		},
	});
	await n8n.activateWorkflow(workflow.id);
	return { workflow, path };
}

describe.each(VERSIONS)('n8n %s: the SMS Route tool of an AI Agent', (version) => {
	let sandbox;
	let model;
	let n8n;
	const creds = {};

	beforeAll(async () => {
		await ensureN8nInstalled(version);
	}, 30 * 60_000);

	beforeAll(async () => {
		const { createSandbox } = require('../sandbox/server');
		sandbox = createSandbox({ port: 0 });
		const { baseUrl } = await sandbox.start();
		model = await startScriptedChatModel();
		n8n = await startN8n({ version });
		({ smsRouteApi: creds.smsRouteApi } = await createSandboxCredentials(n8n, { baseUrl }));
		const openAi = await n8n.createCredential({
			name: 'scripted model',
			type: 'openAiApi',
			data: { apiKey: 'sk-scripted', url: model.baseUrl, header: false },
		});
		creds.openAiApi = { id: openAi.id, name: openAi.name };
	}, 5 * 60_000);

	afterAll(async () => {
		if (n8n) await n8n.stop();
		if (model) await model.stop();
		if (sandbox) await sandbox.stop();
	}, 60_000);

	/** Runs the agent with the scripted `turns`; → { execution: {status, error?}, results: what the tool answered } */
	async function runAgent(flow, turns) {
		const before = new Set(
			(await n8n.listExecutions(flow.workflow.id, { includeData: false })).map((e) => e.id),
		);
		const asked = model.requests.length;
		const res = await n8n.callWebhook('POST', flow.path, { body: { prompt: model.prompt(turns) } });
		expect(res.status).toBe(200);
		const [started] = await n8n.waitForExecutions(
			flow.workflow.id,
			(l) => l.some((e) => !before.has(e.id)),
			{
				includeData: false,
			},
		);
		const ended = await waitForExecution(n8n, started.id);
		const error = (await n8n.getExecution(ended.id)).data?.resultData?.error;
		// The status, and n8n's error when there is one (so a failure says why).
		const execution = {
			id: ended.id,
			status: ended.status,
			...(error ? { error: error.message } : {}),
		};
		const last = model.requests.slice(asked).at(-1);
		// What the tool answered the model, call by call (the conversation of the model's last request).
		const results = (last?.messages ?? [])
			.filter((m) => m.role === 'tool')
			.map((m) => String(m.content));
		return { execution, results };
	}

	/** How many send requests smsroute received (a replay is one too). */
	const sends = () => sandbox.stats().requests['POST /v1/messages'] ?? 0;
	const chargedTo = (to) => sandbox.ledger().filter((m) => m.to === to);
	const report = (label, count) =>
		process.stderr.write(`[agent-e2e] ${version} ${label}: charged ${count}\n`);

	/** n8n 1.x fails the execution when a tool called through an engine request fails. */
	const stopsOnToolError = (agentVersion) => version.startsWith('1.') && agentVersion >= 3;

	describe.each(AGENT_VERSIONS[version.split('.')[0]])('AI Agent %s', (agentVersion) => {
		let series = 0;
		/** A recipient no other case of this file uses. */
		const recipient = () =>
			`+1201${String(70 + ALL_AGENT_VERSIONS.indexOf(agentVersion))}${String(series++).padStart(5, '0')}`;

		test('the model asks for the same send twice in one execution → charged once, the second call replays it', async () => {
			const to = recipient();
			const flow = await createAgentWorkflow(n8n, creds, {
				name: `agent ${agentVersion} twice`,
				agentVersion,
			});
			const call = { to, body: 'Your table is ready' };
			const { execution, results } = await runAgent(flow, [[call], [call]]);
			report(`agent ${agentVersion}, the same send twice`, chargedTo(to).length);
			expect(execution).toEqual({ id: expect.anything(), status: 'success' });
			expect(results).toHaveLength(2);
			expect(chargedTo(to)).toHaveLength(1);
			// Both calls answered with the one message smsroute charged.
			const [charged] = chargedTo(to);
			for (const result of results) expect(result).toContain(charged.id);
		});

		test('Max Messages per Execution 1: the identical second call is not refused (it sends nothing new)', async () => {
			const to = recipient();
			const flow = await createAgentWorkflow(n8n, creds, {
				name: `agent ${agentVersion} cap`,
				agentVersion,
				guardrails: { maxMessagesPerExecution: 1 },
			});
			const call = { to, body: 'Your code is 4711' };
			const { execution, results } = await runAgent(flow, [[call], [call]]);
			report(`agent ${agentVersion}, the same send twice, Max Messages 1`, chargedTo(to).length);
			expect(execution).toEqual({ id: expect.anything(), status: 'success' });
			expect(chargedTo(to)).toHaveLength(1);
			expect(results).toHaveLength(2);
			for (const result of results) expect(result).not.toMatch(/Max Messages per Execution/);
		});

		test('two different messages to the same number → both sent', async () => {
			const to = recipient();
			const flow = await createAgentWorkflow(n8n, creds, {
				name: `agent ${agentVersion} two`,
				agentVersion,
			});
			const { execution } = await runAgent(flow, [
				[{ to, body: 'First' }],
				[{ to, body: 'Second' }],
			]);
			report(`agent ${agentVersion}, two different messages`, chargedTo(to).length);
			expect(execution).toEqual({ id: expect.anything(), status: 'success' });
			expect(
				chargedTo(to)
					.map((m) => m.body)
					.sort(),
			).toEqual(['First', 'Second']);
		});

		test('a lost answer (charged, then the connection dropped on every attempt), the model calls again → charged once', async () => {
			const to = recipient();
			const flow = await createAgentWorkflow(n8n, creds, {
				name: `agent ${agentVersion} lost`,
				agentVersion,
				// n8n 1.123 fails the whole execution when a tool that Agent 3 asked for fails, unless
				// the tool's On Error continues (2.41 continues by default): only then can the model
				// see the error and call again. Without it, see 'Retry of the failed execution' below.
				node: stopsOnToolError(agentVersion) ? { onError: 'continueRegularOutput' } : {},
			});
			const call = { to, body: 'Your parcel is on its way' };
			// Both attempts of the node's first call: charged (the first), then the answer lost.
			sandbox.queueFaults(['drop', 'drop']);
			const { execution, results } = await runAgent(flow, [[call], [call]]);
			report(`agent ${agentVersion}, a lost answer, the model calls again`, chargedTo(to).length);
			expect(execution).toEqual({ id: expect.anything(), status: 'success' });
			expect(results).toHaveLength(2);
			expect(results[0]).not.toContain(chargedTo(to)[0]?.id ?? '(none)');
			expect(chargedTo(to)).toHaveLength(1);
			expect(results[1]).toContain(chargedTo(to)[0].id);
		});

		if (stopsOnToolError(agentVersion))
			test("a lost answer fails the execution (the tool's On Error left at Stop); Retry of the failed execution → charged once", async () => {
				const to = recipient();
				const flow = await createAgentWorkflow(n8n, creds, {
					name: `agent ${agentVersion} lost, Retry`,
					agentVersion,
				});
				sandbox.queueFaults(['drop', 'drop']);
				const failed = await runAgent(flow, [[{ to, body: 'Your room is 12' }]]);
				expect(failed.execution).toEqual({
					id: expect.anything(),
					status: 'error',
					error: expect.stringMatching(/connection/),
				});
				expect(chargedTo(to)).toHaveLength(1);
				for (const loadWorkflow of [false, true]) {
					const before = sends();
					const retried = await retryExecution(n8n, failed.execution.id, { loadWorkflow });
					// The Retry ran the tool again, and smsroute replayed its message.
					expect(sends()).toBeGreaterThan(before);
					report(
						`agent ${agentVersion}, a lost answer failed the execution, Retry (${loadWorkflow ? 'saved' : 'original'} workflow)`,
						chargedTo(to).length,
					);
					expect(retried.status).toBe('success');
					expect(chargedTo(to)).toHaveLength(1);
				}
			});

		test('the model fails after the tool sent (the execution fails); Retry of the failed execution, either mode → charged once', async () => {
			const to = recipient();
			const flow = await createAgentWorkflow(n8n, creds, {
				name: `agent ${agentVersion} model down, Retry`,
				agentVersion,
			});
			const call = { to, body: 'Your order shipped' };
			// The first answer asks for the send; the model is down when the agent comes back.
			model.failNext(1, { after: 1 });
			const { execution: failed } = await runAgent(flow, [[call]]);
			expect(failed).toEqual({ id: expect.anything(), status: 'error', error: expect.any(String) });
			expect(chargedTo(to)).toHaveLength(1);
			for (const loadWorkflow of [false, true]) {
				const before = sends();
				const retried = await retryExecution(n8n, failed.id, { loadWorkflow });
				report(
					`agent ${agentVersion}, the model failed after the send, Retry (${loadWorkflow ? 'saved' : 'original'} workflow)`,
					chargedTo(to).length,
				);
				if (agentVersion >= 3)
					// n8n resumes Agent 3 with the tool's saved answer: the tool does not run again.
					expect(sends()).toBe(before);
				// The older agents start over: the model asks again, the tool runs again, and smsroute
				// replays the message.
				else expect(sends()).toBeGreaterThan(before);
				expect(retried.status).toBe('success');
				expect(chargedTo(to)).toHaveLength(1);
			}
		});

		test('the same send asked in a second execution (the next chat message): sent again, unless Campaign ID is set → then once', async () => {
			const to = recipient();
			const plain = await createAgentWorkflow(n8n, creds, {
				name: `agent ${agentVersion} two executions`,
				agentVersion,
			});
			const call = { to, body: 'Your appointment is at 9' };
			for (let run = 0; run < 2; run++)
				expect((await runAgent(plain, [[call]])).execution.status).toBe('success');
			report(`agent ${agentVersion}, the same send in two executions`, chargedTo(to).length);
			// A new execution is a new message (docs/recovering-a-campaign.md).
			expect(chargedTo(to)).toHaveLength(2);

			const other = recipient();
			const campaign = await createAgentWorkflow(n8n, creds, {
				name: `agent ${agentVersion} two executions, Campaign ID`,
				agentVersion,
				options: { campaignId: 'appointments-2026-12' },
			});
			const same = { to: other, body: 'Your appointment is at 9' };
			for (let run = 0; run < 2; run++) {
				const { execution, results } = await runAgent(campaign, [[same]]);
				expect(execution.status).toBe('success');
				expect(results[0]).toContain(chargedTo(other)[0].id);
			}
			report(
				`agent ${agentVersion}, the same send in two executions, Campaign ID`,
				chargedTo(other).length,
			);
			expect(chargedTo(other)).toHaveLength(1);
		});

		test('Retry On Fail on the tool: the first try charged and lost its answer, the retry replays it', async () => {
			const to = recipient();
			const flow = await createAgentWorkflow(n8n, creds, {
				name: `agent ${agentVersion} retry on fail`,
				agentVersion,
				node: { retryOnFail: true, maxTries: 2, waitBetweenTries: 100 },
			});
			sandbox.queueFaults(['drop', 'drop']);
			const { execution, results } = await runAgent(flow, [[{ to, body: 'See you at 8' }]]);
			report(`agent ${agentVersion}, Retry On Fail on the tool`, chargedTo(to).length);
			expect(execution).toEqual({ id: expect.anything(), status: 'success' });
			expect(chargedTo(to)).toHaveLength(1);
			expect(results).toHaveLength(1);
			expect(results[0]).toContain(chargedTo(to)[0].id);
		});
	});
});
