'use strict';
/**
 * End to end: the built package inside real n8n (SQLite, 127.0.0.1), installed as a community
 * package, talking to the local smsroute sandbox. The same scenarios run against each version:
 * n8n 2.41.0 on Node 24 and n8n 1.123.81 (the latest 1.x here) on the machine's Node 20, one
 * n8n start per version. SMSROUTE_E2E_N8N_VERSIONS=2.41.0 (or =1) narrows the list.
 *
 * Needs `npm run build` first (the README's test command does it). The first run on a
 * machine installs each n8n into ~/.cache/n8n-nodes-smsroute (several minutes each).
 */
const crypto = require('node:crypto');
const { ensureN8nInstalled, startN8n, nodeOutput, resolveVersion, N8N_VERSIONS } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { smsRouteTestHeader } = require('../helpers/signing');
const { NORMALIZED_EVENT_FIELDS } = require('../helpers/eventFields');

const ACTION = 'n8n-nodes-smsroute.smsRoute';
const TRIGGER = 'n8n-nodes-smsroute.smsRouteTrigger';
const SENDCLOUD_APP_KEY = 'sendcloud_sandbox_app_key';
const BULK_COUNT = 2500;

const VERSIONS = process.env.SMSROUTE_E2E_N8N_VERSIONS
	? process.env.SMSROUTE_E2E_N8N_VERSIONS.split(',')
			.filter(Boolean)
			.map((v) => resolveVersion(v))
	: N8N_VERSIONS;

jest.setTimeout(5 * 60_000);

describe.each(VERSIONS)('n8n %s', (version) => {
	let sandbox;
	let sandboxUrls;
	let n8n;
	let smsCredential;
	let sendCloudCredential;
	let keys;

	beforeAll(async () => {
		await ensureN8nInstalled(version);
	}, 30 * 60_000);

	beforeAll(async () => {
		const { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('../sandbox/server');
		keys = { test: DEFAULT_TEST_KEY, live: DEFAULT_LIVE_KEY };
		// No webhook url: the sandbox sends delivery events only when a test emits one.
		// No GET /v1/balance (the smsroute guide has none): nothing here may rely on it.
		sandbox = createSandbox({
			port: 0,
			balanceRoute: false,
			webhook: { sendCloudAppKey: SENDCLOUD_APP_KEY },
		});
		sandboxUrls = await sandbox.start();
		n8n = await startN8n({ version });

		({ smsRouteApi: smsCredential, sendCloudSmsHookApi: sendCloudCredential } =
			await createSandboxCredentials(n8n, {
				baseUrl: sandboxUrls.baseUrl,
				keys,
				sendCloudAppKey: SENDCLOUD_APP_KEY,
			}));
	}, 5 * 60_000);

	afterAll(async () => {
		if (n8n) await n8n.stop();
		if (sandbox) await sandbox.stop();
	}, 60_000);

	const credentialRef = (c) => ({ id: c.id, name: c.name });

	describe('n8n loads the package', () => {
		test('both node types and both credential types are known to n8n', async () => {
			const nodeTypes = await n8n.nodeTypes();
			const byName = new Map(nodeTypes.map((t) => [t.name, t]));
			// 1.1 (0.3.0) blocks premium rate and shared cost numbers by default; 1 keeps saved workflows as they were.
			expect(byName.get(ACTION)).toMatchObject({
				displayName: 'SMS Route',
				version: [1, 1.1],
				defaultVersion: 1.1,
			});
			// Version 1 stays loadable for saved workflows; new ones get 1.1.
			expect(byName.get(TRIGGER)).toMatchObject({
				displayName: 'SMS Route Trigger',
				version: [1, 1.1],
				defaultVersion: 1.1,
			});
			const credentialTypes = (await n8n.credentialTypes()).map((t) => t.name);
			expect(credentialTypes).toEqual(
				expect.arrayContaining(['smsRouteApi', 'sendCloudSmsHookApi']),
			);
		});

		// The answers n8n gives the editor for each case; docs/credentials.md quotes them.
		const testWith = async (name, data) => {
			const credential = await n8n.createCredential({
				name,
				type: 'smsRouteApi',
				data: { environment: 'test', liveApiKey: '', baseUrl: sandboxUrls.baseUrl, ...data },
			});
			return await n8n.testCredential(credential.id);
		};
		const lookups = () => sandbox.stats().requests['GET /v1/messages/:id'] ?? 0;

		test('the credential test passes for the sandbox test key, from a status lookup', async () => {
			const before = lookups();
			const result = await n8n.testCredential(smsCredential.id);
			expect(result).toEqual({
				status: 'OK',
				message: 'smsroute accepted the Test API Key (404 for a message that does not exist)',
			});
			expect(lookups()).toBe(before + 1);
			// This sandbox serves no GET /v1/balance (balanceRoute: false), as the guide has none.
			expect(sandbox.stats().requests['GET /v1/*']).toBeUndefined();
		});

		test('the credential test fails with a clear message for a wrong key', async () => {
			const result = await testWith('smsroute wrong key', {
				testApiKey: 'sk_test_wrong_key_000000000000000',
			});
			expect(result).toEqual({
				status: 'Error',
				message:
					"smsroute rejected the Test API Key (401). Check that the key in the Test API Key field is complete and belongs to the credential's Environment.",
			});
		});

		test('the credential test names the field of a live key pasted as the test key', async () => {
			const before = lookups();
			const result = await testWith('smsroute live key in the test field', {
				testApiKey: keys.live,
			});
			expect(result).toEqual({
				status: 'Error',
				message: 'The Test API Key must start with "sk_test_"',
			});
			expect(lookups()).toBe(before);
		});

		test('the credential test tells an unreachable server from a rejected key', async () => {
			const result = await testWith('smsroute unreachable', {
				testApiKey: keys.test,
				baseUrl: 'http://127.0.0.1:9/v1',
			});
			expect(result).toEqual({
				status: 'Error',
				message:
					'Could not reach smsroute at http://127.0.0.1:9/v1 (ECONNREFUSED). Check the Base URL, and that n8n can reach it (proxy, firewall).',
			});
		});
	});

	describe('Send in Bulk inside n8n', () => {
		test(`${BULK_COUNT} items → ${BULK_COUNT} charged messages, once each, output in input order`, async () => {
			const webhookId = crypto.randomUUID();
			const path = `e2e-bulk-${webhookId}`;
			const workflow = await n8n.createWorkflow({
				name: 'e2e bulk send',
				nodes: [
					{
						id: crypto.randomUUID(),
						name: 'Webhook',
						type: 'n8n-nodes-base.webhook',
						typeVersion: 2,
						position: [0, 0],
						webhookId,
						parameters: {
							httpMethod: 'POST',
							path,
							responseMode: 'lastNode',
							responseData: 'allEntries',
							options: {},
						},
					},
					{
						id: crypto.randomUUID(),
						name: 'One item per recipient',
						type: 'n8n-nodes-base.code',
						typeVersion: 2,
						position: [220, 0],
						parameters: {
							jsCode: 'return $input.first().json.body.recipients.map((r) => ({ json: r }));',
						},
					},
					{
						id: crypto.randomUUID(),
						name: 'SMS Route',
						type: ACTION,
						typeVersion: 1,
						position: [440, 0],
						parameters: {
							resource: 'message',
							operation: 'sendBulk',
							to: '={{ $json.to }}',
							body: '={{ $json.text }}',
							additionalFields: {},
							options: { chunkSize: 1000 },
						},
						credentials: { smsRouteApi: credentialRef(smsCredential) },
					},
				],
				connections: {
					Webhook: { main: [[{ node: 'One item per recipient', type: 'main', index: 0 }]] },
					'One item per recipient': { main: [[{ node: 'SMS Route', type: 'main', index: 0 }]] },
				},
			});
			await n8n.activateWorkflow(workflow.id);

			const recipients = Array.from({ length: BULK_COUNT }, (_, i) => ({
				to: `+1201${String(2000000 + i)}`,
				text: `e2e bulk message #${i}`,
			}));
			const before = sandbox.ledger().length;
			const res = await n8n.callWebhook('POST', path, { body: { recipients } });
			expect(res.status).toBe(200);
			const output = res.body;
			expect(Array.isArray(output)).toBe(true);
			expect(output).toHaveLength(BULK_COUNT);

			// Output items: input order, each with its message id.
			output.forEach((item, i) => {
				expect(item.to).toBe(recipients[i].to);
				expect(typeof item.id).toBe('string');
				expect(item.id.length).toBeGreaterThan(0);
			});
			expect(new Set(output.map((item) => item.id)).size).toBe(BULK_COUNT);

			// Ledger: every message charged exactly once, with the id n8n output for it.
			const charged = sandbox.ledger().slice(before);
			expect(charged).toHaveLength(BULK_COUNT);
			const chargedById = new Map(charged.map((m) => [m.id, m]));
			expect(chargedById.size).toBe(BULK_COUNT);
			const chargedTo = charged.map((m) => m.to).sort();
			expect(chargedTo).toEqual(recipients.map((r) => r.to).sort());
			output.forEach((item, i) => {
				const entry = chargedById.get(item.id);
				expect(entry).toBeDefined();
				expect(entry.to).toBe(recipients[i].to);
				expect(entry.body).toBe(recipients[i].text);
				expect(entry.environment).toBe('test');
			});

			// n8n recorded one successful execution with the same output.
			const [execution] = await n8n.waitForExecutions(
				workflow.id,
				(list) => list.length === 1 && list[0].finished,
				{
					timeoutMs: 60_000,
				},
			);
			expect(execution.status).toBe('success');
			const recorded = nodeOutput(execution, 'SMS Route');
			expect(recorded.map((j) => j.id)).toEqual(output.map((j) => j.id));

			await n8n.deactivateWorkflow(workflow.id);
		});
	});

	// typeVersion 1 is what workflows saved with 0.1.0 hold; 1.1 is what the editor adds now.
	describe.each([1, 1.1])('SMS Route Trigger (typeVersion %s) inside n8n', (triggerVersion) => {
		const webhookId = crypto.randomUUID();
		const webhookPath = `${webhookId}/webhook`;
		let workflow;
		let hookUrl;

		beforeAll(async () => {
			workflow = await n8n.createWorkflow({
				name: 'e2e delivery events',
				nodes: [
					{
						id: crypto.randomUUID(),
						name: 'SMS Route Trigger',
						type: TRIGGER,
						typeVersion: triggerVersion,
						position: [0, 0],
						webhookId,
						parameters: { provider: 'auto', events: [] },
						credentials: {
							smsRouteApi: credentialRef(smsCredential),
							sendCloudSmsHookApi: credentialRef(sendCloudCredential),
						},
					},
				],
				connections: {},
			});
			await n8n.activateWorkflow(workflow.id);
			hookUrl = `${n8n.url}/webhook/${webhookPath}`;
			// Right after activation n8n can answer 404 once: wait until the URL is registered.
			const probe = await n8n.callWebhook('GET', webhookPath);
			expect(probe.status).toBe(200);
		});

		test('GET on the webhook URL answers 200 (URL check before activation)', async () => {
			const res = await n8n.callWebhook('GET', webhookPath);
			expect(res.status).toBe(200);
		});

		test('signed events (smsroute test key, smsroute live key, SendCloud) → one execution each, normalized', async () => {
			const sent = [
				{
					mode: 'smsroute',
					environment: 'test',
					status: 'delivered',
					messageId: 'msg_e2e_test_00000001',
					to: '+15005550001',
				},
				{
					mode: 'smsroute',
					environment: 'live',
					status: 'failed',
					messageId: 'msg_e2e_live_00000002',
					to: '+15005550002',
				},
				{
					mode: 'sendcloud',
					environment: 'test',
					status: 'delivered',
					messageId: 'msg_e2e_sc_000000003',
					to: '+15005550001',
				},
			];
			for (const event of sent) {
				const answer = await sandbox.emitWebhook({ ...event, url: hookUrl });
				expect({ event, statusCode: answer.statusCode }).toEqual({ event, statusCode: 200 });
			}

			const executions = await n8n.waitForExecutions(
				workflow.id,
				(list) =>
					list.length >= sent.length && list.every((e) => e.finished || e.status === 'error'),
				{ timeoutMs: 60_000 },
			);
			expect(executions).toHaveLength(sent.length);
			const events = executions
				.sort((a, b) => Number(a.id) - Number(b.id))
				.map((execution) => {
					expect(execution.status).toBe('success');
					const items = nodeOutput(execution, 'SMS Route Trigger');
					expect(items).toHaveLength(1);
					return items[0];
				});

			const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
			const [test, live, sendCloud] = events;
			expect(test).toMatchObject({
				provider: 'smsroute',
				event: 'message.delivered',
				status: 'delivered',
				final: true,
				messageId: sent[0].messageId,
				to: sent[0].to,
				livemode: false,
			});
			expect(live).toMatchObject({
				provider: 'smsroute',
				event: 'message.failed',
				status: 'failed',
				final: true,
				messageId: sent[1].messageId,
				to: sent[1].to,
				livemode: true,
			});
			expect(typeof live.reason).toBe('string');
			expect(sendCloud).toMatchObject({
				provider: 'sendcloud',
				event: 'message.delivered',
				status: 'delivered',
				final: true,
				to: sent[2].to,
				livemode: null,
			});
			expect(String(sendCloud.messageId)).toContain(sent[2].messageId);
			for (const event of events) {
				expect(Object.keys(event)).toEqual(expect.arrayContaining([...NORMALIZED_EVENT_FIELDS]));
				expect(event.occurredAt).toMatch(iso);
				expect(event.receivedAt).toMatch(iso);
				expect(typeof event.raw).toBe('object');
				expect(event.raw).not.toBeNull();
			}
			expect(test.raw).toMatchObject({ message_id: sent[0].messageId, status: 'delivered' });
			expect(sendCloud.raw).toMatchObject({ eventType: 20 });
		});

		test('the same signed event delivered twice → one execution', async () => {
			const before = (await n8n.listExecutions(workflow.id, { includeData: false })).length;
			const body = JSON.stringify({
				type: 'message.delivered',
				message_id: `msg_e2e_dup_${crypto.randomUUID().slice(0, 8)}`,
				status: 'delivered',
				timestamp: new Date().toISOString(),
				to: '+15005550001',
				livemode: false,
				reason: null,
				metadata: {},
			});
			const t = Math.floor(Date.now() / 1000);
			const headers = {
				'content-type': 'application/json',
				'x-smsroute-signature': smsRouteTestHeader({ key: keys.test, timestamp: t, body }),
			};
			const first = await n8n.callWebhook('POST', webhookPath, { body, headers });
			expect({ status: first.status, body: first.body }).toEqual({
				status: 200,
				body: { received: 1, emitted: 1 },
			});
			await n8n.waitForExecutions(
				workflow.id,
				(list) =>
					list.length >= before + 1 && list.every((e) => e.finished || e.status === 'error'),
			);
			const again = await n8n.callWebhook('POST', webhookPath, { body, headers });
			expect({ status: again.status, body: again.body }).toEqual({
				status: 200,
				body: { received: 1, emitted: 0 },
			});
			await new Promise((resolve) => setTimeout(resolve, 2000));
			expect((await n8n.listExecutions(workflow.id, { includeData: false })).length).toBe(
				before + 1,
			);
		});

		test('a tampered request → 401 and no execution', async () => {
			const before = (await n8n.listExecutions(workflow.id, { includeData: false })).length;
			for (const mode of ['smsroute', 'sendcloud']) {
				const answer = await sandbox.emitWebhook({
					mode,
					environment: 'test',
					status: 'delivered',
					url: hookUrl,
					tamper: true,
				});
				expect({ mode, statusCode: answer.statusCode }).toEqual({ mode, statusCode: 401 });
			}
			// An unsigned request is rejected as well.
			const unsigned = await n8n.callWebhook('POST', webhookPath, {
				body: { type: 'message.delivered', message_id: 'msg_unsigned', status: 'delivered' },
			});
			expect(unsigned.status).toBe(401);

			await new Promise((resolve) => setTimeout(resolve, 3000));
			const after = (await n8n.listExecutions(workflow.id, { includeData: false })).length;
			expect(after).toBe(before);
		});
	});
});
