'use strict';
/**
 * Send and Wait for Delivery in queue mode (n8n 2.41.0: main, a worker, two webhook processes
 * behind a round-robin proxy, PostgreSQL, Redis; see queue.js). The sending node runs on the
 * worker, the delivery events reach the trigger on either webhook process, the relays reach the
 * waiting execution on either one too, and the resumed execution runs on the worker again.
 * Needs `npm run build` first.
 */
const { startQueueCluster } = require('./queue');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { createTriggerWorkflow, createWaitWorkflow } = require('./sendAndWaitWorkflows');
const NUMBERS = ['+15005550001', '+15005550002', '+15005550003'];

jest.setTimeout(10 * 60_000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Send and Wait for Delivery in queue mode (n8n 2.41.0)', () => {
	let cluster;
	let n8n;
	let sandbox;

	beforeAll(async () => {
		const { createSandbox, DEFAULT_TEST_KEY } = require('../sandbox/server');
		// Final statuses 2 s after the send: the three events of one execution arrive within
		// milliseconds of each other, on different webhook processes.
		sandbox = createSandbox({ port: 0, stepMs: 1000 });
		const { baseUrl } = await sandbox.start();
		cluster = await startQueueCluster({ workers: 1, webhooks: 2 });
		n8n = cluster.main;
		({ smsRouteApi: n8n.credentialRef } = await createSandboxCredentials(n8n, {
			baseUrl,
			keys: { test: DEFAULT_TEST_KEY, live: '' },
		}));
		const { webhookPath } = await createTriggerWorkflow(
			n8n,
			n8n.credentialRef,
			'queue wait: trigger',
		);
		sandbox.configure({ webhook: { url: `${cluster.proxy.url}/webhook/${webhookPath}` } });
	}, 10 * 60_000);

	afterAll(async () => {
		if (cluster) await cluster.stop();
		if (sandbox) await sandbox.stop();
	}, 120_000);

	test('three messages per execution, events spread over both webhook processes: each execution resumes once, on the right outputs', async () => {
		const { workflow, path } = await createWaitWorkflow(n8n, n8n.credentialRef, {
			name: 'queue wait: several',
		});

		const RUNS = 4;
		for (let run = 0; run < RUNS; run++) {
			expect((await n8n.callWebhook('POST', path, { body: { to: NUMBERS } })).status).toBe(200);
			await sleep(200);
		}
		const finished = await n8n.waitForExecutions(
			workflow.id,
			(all) =>
				all.length === RUNS && all.every((e) => e.status === 'success' || e.status === 'error'),
			{ timeoutMs: 120_000, intervalMs: 1000 },
		);
		for (const summary of finished) {
			const execution = await n8n.getExecution(summary.id);
			expect(execution.status).toBe('success');
			const runData = execution.data.resultData.runData;
			const out = (i) =>
				(runData['Send and Wait'].at(-1).data.main[i] ?? []).map((item) => [
					item.json.to,
					item.json.status,
				]);
			expect(out(0)).toEqual([[NUMBERS[0], 'delivered']]);
			expect(out(1)).toEqual([
				[NUMBERS[1], 'failed'],
				[NUMBERS[2], 'undelivered'],
			]);
			expect(out(2)).toEqual([]);
			expect(runData.Delivered).toHaveLength(1);
			expect(runData['Not Delivered']).toHaveLength(1);
			expect(runData['Timed Out']).toBeUndefined();
		}
		// Every message was sent once, and each final event went through the trigger.
		expect(sandbox.ledger()).toHaveLength(RUNS * NUMBERS.length);
		const finals = sandbox
			.webhookLog()
			.filter((w) => ['delivered', 'failed', 'undelivered'].includes(w.status));
		expect(finals).toHaveLength(RUNS * NUMBERS.length);
		expect(finals.every((w) => w.statusCode === 200)).toBe(true);
	});
});
