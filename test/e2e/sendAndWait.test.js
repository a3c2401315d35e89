'use strict';
/**
 * Send and Wait for Delivery in real n8n, against the sandbox: the execution pauses after the
 * send, the SMS Route Trigger relays each delivery event (carrying the signed resume URL in the
 * message metadata) to the waiting execution, and it resumes on Delivered, Not Delivered or
 * Timed Out. SMSROUTE_E2E_N8N_VERSIONS narrows the versions (default 2.41.0 and 1.123.81; on 1.x
 * the operation refuses, see below).
 *
 * Prints the resume latency (delivery webhook → next node running) as a `[send-and-wait]` line.
 */
const { ensureN8nInstalled, startN8n, resolveVersion } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { smsRouteSignatureHeader } = require('../sandbox/webhooks');
const {
	createTriggerWorkflow,
	createWaitWorkflow: createWorkflowFor,
} = require('./sendAndWaitWorkflows');
const { createWaitHarness, itemsOn, runsOf, sleep } = require('./waitHarness');

const DELIVERED = '+15005550001';
const FAILED = '+15005550002';
const UNDELIVERED = '+15005550003';

const VERSIONS = (process.env.SMSROUTE_E2E_N8N_VERSIONS ?? '2.41.0,1.123.81')
	.split(',')
	.filter(Boolean)
	.map((v) => resolveVersion(v));
// Three outputs after a resume need n8n 2.x; on 1.x the operation refuses before sending.
const MODERN = VERSIONS.filter((v) => !v.startsWith('1.'));
const LEGACY = VERSIONS.filter((v) => v.startsWith('1.'));

jest.setTimeout(5 * 60_000);

// describe.each refuses an empty table: a narrowed version list runs only its own block.
(MODERN.length > 0 ? describe.each(MODERN) : () => () => undefined)(
	'Send and Wait for Delivery in n8n %s',
	(version) => {
		let sandbox;
		let keys;
		let n8n;
		let credential;
		let triggerWorkflow;
		let triggerUrl;
		const latencies = [];
		let waitHarness;
		const harness = () => (waitHarness ??= createWaitHarness(n8n));

		beforeAll(async () => {
			await ensureN8nInstalled(version);
		}, 30 * 60_000);

		beforeAll(async () => {
			const { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('../sandbox/server');
			keys = { test: DEFAULT_TEST_KEY, live: DEFAULT_LIVE_KEY };
			sandbox = createSandbox({ port: 0, stepMs: 300 });
			const { baseUrl } = await sandbox.start();
			n8n = await startN8n({ version });
			({ smsRouteApi: credential } = await createSandboxCredentials(n8n, { baseUrl, keys }));
			const trigger = await createTriggerWorkflow(
				n8n,
				{ id: credential.id, name: credential.name },
				'e2e send and wait: trigger',
			);
			triggerWorkflow = trigger.workflow;
			triggerUrl = `${n8n.url}/webhook/${trigger.webhookPath}`;
			sandbox.configure({ webhook: { url: triggerUrl } });
		}, 5 * 60_000);

		afterAll(async () => {
			if (latencies.length > 0) {
				const sorted = [...latencies].sort((a, b) => a - b);
				process.stderr.write(
					`[send-and-wait] n8n ${version}: resume latency (final delivery webhook fired → next node started) over ${sorted.length} runs: ` +
						`min ${sorted[0]} ms, median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms\n`,
				);
			}
			if (n8n) await n8n.stop();
			if (sandbox) await sandbox.stop();
		}, 60_000);

		const createWaitWorkflow = async (name, options = {}) =>
			await createWorkflowFor(n8n, { id: credential.id, name: credential.name }, { name, options });

		/** Starts the workflow for these recipients and returns the id of the execution it made. */
		const start = async (flow, to) => await harness().start(flow, { to });
		const waitForStatus = async (...args) => await harness().waitForStatus(...args);

		/** The sent items while the execution waits (its Timed Out output until a resume). */
		async function waitingItems(executionId) {
			const execution = await waitForStatus(executionId, ['waiting']);
			return itemsOn(execution, 'Send and Wait', 2);
		}

		/** Final delivery webhook (as the sandbox logged it) → start of the node after the resume. */
		function recordLatency(execution, nextNode, messageIds) {
			const finals = sandbox
				.webhookLog()
				.filter(
					(w) =>
						messageIds.includes(w.messageId) &&
						['delivered', 'failed', 'undelivered'].includes(w.status),
				);
			const firedAt = Math.max(...finals.map((w) => Date.parse(JSON.parse(w.body).timestamp)));
			const startedAt = runsOf(execution, nextNode)[0].startTime;
			latencies.push(startedAt - firedAt);
		}

		test('a delivered message resumes the execution on Delivered, with the final event and its pairing', async () => {
			const flow = await createWaitWorkflow('e2e wait: delivered');
			const executionId = await start(flow, [DELIVERED]);
			const execution = await waitForStatus(executionId, ['success', 'error'], 60_000);
			expect(execution.status).toBe('success');
			const [item] = itemsOn(execution, 'Send and Wait', 0);
			expect(item.json).toMatchObject({ to: DELIVERED, status: 'delivered', outcome: 'delivered' });
			expect(item.json.delivery).toMatchObject({
				provider: 'smsroute',
				status: 'delivered',
				final: true,
				messageId: item.json.id,
			});
			expect(item.json.metadata).toMatchObject({ orderId: 'A-0' });
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(itemsOn(execution, 'Send and Wait', 1)).toEqual([]);
			expect(itemsOn(execution, 'Send and Wait', 2)).toEqual([]);
			expect(runsOf(execution, 'Delivered')).toHaveLength(1);
			expect(itemsOn(execution, 'Delivered', 0)[0].json.pairedInput).toBe(DELIVERED);
			expect(runsOf(execution, 'Not Delivered')).toHaveLength(0);
			// The trigger still emitted the events as usual.
			const triggerRuns = await n8n.listExecutions(triggerWorkflow.id, { includeData: true });
			const emitted = triggerRuns.flatMap((e) =>
				itemsOn(e, 'SMS Route Trigger', 0).map((i) => i.json),
			);
			expect(emitted).toEqual(
				expect.arrayContaining([
					expect.objectContaining({ messageId: item.json.id, status: 'delivered' }),
				]),
			);
		});

		test('a failing number resumes on Not Delivered with the reason', async () => {
			const flow = await createWaitWorkflow('e2e wait: failed');
			const executionId = await start(flow, [FAILED]);
			const execution = await waitForStatus(executionId, ['success', 'error'], 60_000);
			expect(execution.status).toBe('success');
			const [item] = itemsOn(execution, 'Send and Wait', 1);
			expect(item.json).toMatchObject({ to: FAILED, status: 'failed', outcome: 'notDelivered' });
			expect(item.json.reason).toMatch(/invalid destination/);
			expect(item.json.delivery).toMatchObject({ status: 'failed', final: true });
			expect(itemsOn(execution, 'Send and Wait', 0)).toEqual([]);
			expect(runsOf(execution, 'Not Delivered')).toHaveLength(1);
			// Paired-item expressions find the message's input on this branch too.
			expect(itemsOn(execution, 'Not Delivered', 0)[0].json.pairedInput).toBe(FAILED);
			expect(runsOf(execution, 'Delivered')).toHaveLength(0);
		});

		test('resume latency: ten single-message waits, each resumed by its delivery webhook', async () => {
			// Final 2 s after the send, so the execution is surely waiting: this measures the resume
			// itself (trigger → relay → waiting webhook → next node), not the wait for n8n to save.
			sandbox.configure({ stepMs: 1000 });
			try {
				const flow = await createWaitWorkflow('e2e wait: latency');
				for (let run = 0; run < 10; run++) {
					const executionId = await start(flow, [DELIVERED]);
					const execution = await waitForStatus(executionId, ['success', 'error'], 60_000);
					const [item] = itemsOn(execution, 'Send and Wait', 0);
					expect(item.json.outcome).toBe('delivered');
					recordLatency(execution, 'Delivered', [item.json.id]);
				}
			} finally {
				sandbox.configure({ stepMs: 300 });
			}
		});

		test('a final event that arrives while the sending execution still runs is relayed again until it waits', async () => {
			// The sandbox creates the message (its events fire 20 and 40 ms later) but holds the answer
			// 1.5 s: the final event reaches n8n while the execution is still running (n8n answers 409).
			sandbox.configure({ stepMs: 20, faults: { stallMs: 1500 } });
			sandbox.queueFaults(['stall']);
			try {
				const flow = await createWaitWorkflow('e2e wait: early event');
				const executionId = await start(flow, [DELIVERED]);
				const execution = await waitForStatus(executionId, ['success', 'error'], 60_000);
				expect(itemsOn(execution, 'Send and Wait', 0)).toHaveLength(1);
				expect(runsOf(execution, 'Delivered')).toHaveLength(1);
				const id = itemsOn(execution, 'Send and Wait', 0)[0].json.id;
				const [final] = sandbox
					.webhookLog()
					.filter((w) => w.status === 'delivered' && w.messageId === id);
				const charged = sandbox.ledger().find((m) => m.id === id);
				// The trigger had the event (and started the relay) before the node even had its answer.
				expect(Date.parse(final.sentAt)).toBeLessThan(Date.parse(charged.chargedAt) + 1500);
			} finally {
				sandbox.configure({ stepMs: 300, faults: { stallMs: 30000 } });
			}
		});

		describe('with delivery events sent one by one', () => {
			// No automatic webhooks, and the status endpoint says "queued" for an hour: only the
			// events a test emits can end a wait.
			beforeAll(() => sandbox.configure({ webhook: { url: null }, stepMs: 3_600_000 }));
			afterAll(() => sandbox.configure({ webhook: { url: triggerUrl }, stepMs: 300 }));

			test('several messages resume once, when the last one is final; intermediate statuses keep it waiting', async () => {
				const flow = await createWaitWorkflow('e2e wait: several');
				const executionId = await start(flow, [DELIVERED, FAILED, UNDELIVERED]);
				const pending = await waitingItems(executionId);
				expect(pending.map((i) => i.json.to)).toEqual([DELIVERED, FAILED, UNDELIVERED]);
				const [a, b, c] = pending.map((i) => i.json.id);

				const emit = async (messageId, status) => {
					const answer = await sandbox.emitWebhook({ messageId, status, url: triggerUrl });
					expect(answer.statusCode).toBe(200);
					await sleep(1500); // the relay runs after the trigger answered
				};
				await emit(a, 'sent');
				await emit(a, 'delivered');
				await emit(b, 'failed');
				await emit(c, 'sent');
				let execution = await n8n.getExecution(executionId);
				expect(execution.status).toBe('waiting');
				expect(runsOf(execution, 'Delivered')).toHaveLength(0);

				await emit(c, 'undelivered');
				execution = await waitForStatus(executionId, ['success', 'error']);
				expect(execution.status).toBe('success');
				// Each item carries its own input's data (n8n re-pairs a resumed node's items by position).
				const summary = (i) => [i.json.id, i.json.status, i.json.metadata.orderId];
				expect(itemsOn(execution, 'Send and Wait', 0).map(summary)).toEqual([
					[a, 'delivered', 'A-0'],
				]);
				expect(itemsOn(execution, 'Send and Wait', 1).map(summary)).toEqual([
					[b, 'failed', 'A-1'],
					[c, 'undelivered', 'A-2'],
				]);
				// Several inputs: paired-item expressions find the right input or none, never another's.
				expect(itemsOn(execution, 'Delivered', 0).map((i) => i.json.pairedInput)).toEqual([
					DELIVERED,
				]);
				expect(itemsOn(execution, 'Not Delivered', 0).map((i) => i.json.pairedInput)).toEqual([
					null,
					null,
				]);
				// Resumed once: each branch ran once.
				expect(runsOf(execution, 'Delivered')).toHaveLength(1);
				expect(runsOf(execution, 'Not Delivered')).toHaveLength(1);

				// A late duplicate of a final event changes nothing.
				await emit(c, 'undelivered');
				execution = await n8n.getExecution(executionId);
				expect(runsOf(execution, 'Not Delivered')).toHaveLength(1);
			});

			test('the trigger relays to nothing but this n8n: a resume URL of another port, or with userinfo, is never called', async () => {
				const http = require('node:http');
				let hits = 0;
				const server = http.createServer((req, res) => {
					hits++;
					res.end('ok');
				});
				await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
				const { port } = server.address();
				try {
					const signature = 'c'.repeat(64);
					const hostile = [
						`http://127.0.0.1:${port}/webhook-waiting/1/node?signature=${signature}`,
						`${n8n.url}@127.0.0.1:${port}/webhook-waiting/1/node?signature=${signature}`,
						`http://localhost:${port}/webhook-waiting/1/node?signature=${signature}`,
					];
					for (const n8nResumeUrl of hostile) {
						const answer = await sandbox.emitWebhook({
							status: 'delivered',
							url: triggerUrl,
							metadata: { n8nResumeUrl },
						});
						expect(answer.statusCode).toBe(200);
					}
					await sleep(2000);
					expect(hits).toBe(0);
					// The trigger still emitted those events as usual.
					const runs = await n8n.listExecutions(triggerWorkflow.id, { includeData: true });
					const emitted = runs.flatMap((e) =>
						itemsOn(e, 'SMS Route Trigger', 0).map((i) => i.json.metadata?.n8nResumeUrl),
					);
					expect(emitted).toEqual(expect.arrayContaining(hostile));
				} finally {
					await new Promise((resolve) => server.close(resolve));
				}
			});

			test('a forged, unsigned or stale relay to the resume URL gets 401 and the execution keeps waiting', async () => {
				const flow = await createWaitWorkflow('e2e wait: forged');
				const executionId = await start(flow, [DELIVERED]);
				const [pending] = await waitingItems(executionId);
				const resumeUrl = pending.json.metadata.n8nResumeUrl;
				expect(resumeUrl).toMatch(
					new RegExp(
						`^${n8n.url}/webhook-waiting/${executionId}/${flow.smsNodeId}\\?signature=[0-9a-f]{64}$`,
					),
				);
				const body = JSON.stringify({
					type: 'message.delivered',
					message_id: pending.json.id,
					status: 'delivered',
					timestamp: new Date().toISOString(),
					to: DELIVERED,
					metadata: pending.json.metadata,
				});
				const now = Math.floor(Date.now() / 1000);
				const sign = (key, t) => smsRouteSignatureHeader(key, body, t * 1000);
				const post = async (headers) =>
					await fetch(resumeUrl, {
						method: 'POST',
						headers: { 'content-type': 'application/json', ...headers },
						body,
					});

				const forged = await post({
					'x-smsroute-signature': sign('sk_test_not_the_key_000000000000', now),
				});
				const unsigned = await post({});
				const stale = await post({ 'x-smsroute-signature': sign(keys.test, now - 3600) });
				expect([forged.status, unsigned.status, stale.status]).toEqual([401, 401, 401]);
				// n8n's own check: a resume URL with a wrong signature never reaches the node.
				const badUrl = await fetch(resumeUrl.replace(/signature=[0-9a-f]{4}/, 'signature=0000'), {
					method: 'POST',
					headers: {
						'content-type': 'application/json',
						'x-smsroute-signature': sign(keys.test, now),
					},
					body,
				});
				expect(badUrl.status).toBe(401);

				await sleep(500);
				let execution = await n8n.getExecution(executionId);
				expect(execution.status).toBe('waiting');
				expect(runsOf(execution, 'Delivered')).toHaveLength(0);

				// The genuine event, signed with the credential's key, resumes it.
				const genuine = await post({
					'x-smsroute-signature': sign(keys.test, Math.floor(Date.now() / 1000)),
				});
				expect(genuine.status).toBe(200);
				execution = await waitForStatus(executionId, ['success', 'error']);
				expect(itemsOn(execution, 'Send and Wait', 0)).toHaveLength(1);
			});
		});

		test('with the trigger workflow inactive nothing relays: the execution ends on Timed Out at the limit, then Get Status', async () => {
			await n8n.deactivateWorkflow(triggerWorkflow.id);
			try {
				const flow = await createWaitWorkflow('e2e wait: timed out', {
					limitWaitTime: 3,
					limitWaitTimeUnit: 'seconds',
				});
				const executionId = await start(flow, [DELIVERED]);
				await waitingItems(executionId);
				// n8n looks for due waiting executions once a minute.
				const execution = await waitForStatus(executionId, ['success', 'error'], 120_000);
				expect(execution.status).toBe('success');
				const [item] = itemsOn(execution, 'Send and Wait', 2);
				expect(item.json).toMatchObject({
					to: DELIVERED,
					outcome: 'timedOut',
					status: 'queued',
					delivery: null,
				});
				expect(item.json.metadata).toMatchObject({ orderId: 'A-0' });
				expect(itemsOn(execution, 'Send and Wait', 0)).toEqual([]);
				expect(runsOf(execution, 'Delivered')).toHaveLength(0);
				expect(itemsOn(execution, 'Timed Out', 0)[0].json.pairedInput).toBe(DELIVERED);
				expect(itemsOn(execution, 'Get Status', 0)[0].json).toMatchObject({
					id: item.json.id,
					status: 'delivered',
				});
			} finally {
				await n8n.activateWorkflow(triggerWorkflow.id);
			}
		});
	},
);

(LEGACY.length > 0 ? describe.each(LEGACY) : () => () => undefined)(
	'Send and Wait for Delivery in n8n %s (1.x)',
	(version) => {
		let sandbox;
		let n8n;

		beforeAll(async () => {
			await ensureN8nInstalled(version);
			const { createSandbox, DEFAULT_TEST_KEY } = require('../sandbox/server');
			sandbox = createSandbox({ port: 0 });
			const { baseUrl } = await sandbox.start();
			n8n = await startN8n({ version });
			({ smsRouteApi: n8n.credentialRef } = await createSandboxCredentials(n8n, {
				baseUrl,
				keys: { test: DEFAULT_TEST_KEY, live: '' },
			}));
		}, 30 * 60_000);

		afterAll(async () => {
			if (n8n) await n8n.stop();
			if (sandbox) await sandbox.stop();
		}, 60_000);

		test('refuses with a clear error and sends nothing (n8n 1.x forwards only the first output of a resumed node)', async () => {
			const { workflow, path } = await createWorkflowFor(n8n, n8n.credentialRef, {
				name: 'e2e wait on 1.x',
				branches: false,
			});
			expect((await n8n.callWebhook('POST', path, { body: { to: [DELIVERED] } })).status).toBe(200);
			const [execution] = await n8n.waitForExecutions(
				workflow.id,
				(all) => all.some((e) => e.status === 'error'),
				{ timeoutMs: 60_000 },
			);
			const full = await n8n.getExecution(execution.id);
			expect(full.data.resultData.error.message).toBe(
				'Send and Wait for Delivery needs n8n 2.0 or newer',
			);
			expect(sandbox.ledger()).toHaveLength(0);
		});
	},
);
