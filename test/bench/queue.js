'use strict';
/**
 * Queue-mode scaling figures: signed webhook events/s through 1 vs 2 webhook processes, and bulk
 * items/s through 1 vs 2 workers, on n8n 2.41.0 in queue mode (test/e2e/queue.js: PostgreSQL,
 * Redis, main + workers + webhook processes behind a round-robin proxy).
 *
 *   npm run build && node test/bench/queue.js     → test/bench/results-queue.json
 *
 * QBENCH_EVENTS (default 600) events per webhook run, QBENCH_BULK (default 4 × 2,500) items per
 * worker run, QBENCH_CONCURRENCY (default 16) requests in flight.
 * Order: 2 processes, then 1 (webhooks: the same warm processes, addressed through the proxy or
 * directly; workers: the second worker is stopped for the 1-worker run).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { startQueueCluster } = require('../e2e/queue');
const { createSandboxCredentials } = require('../e2e/sandboxCredentials');
const { http, sleep } = require('../e2e/http');
const { smsRouteSignatureHeader, buildSmsRouteBody } = require('../sandbox/webhooks');

const EVENTS = Number(process.env.QBENCH_EVENTS || 600);
const BULK_RUNS = 4;
const BULK_ITEMS = Number(process.env.QBENCH_BULK || 2500);
const CONCURRENCY = Number(process.env.QBENCH_CONCURRENCY || 16);
const OUT = path.join(__dirname, 'results-queue.json');

async function pool(items, limit, fn) {
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) await fn(items[next++]);
		}),
	);
}

async function countExecutions(n8n, workflowId) {
	return (await n8n.listExecutions(workflowId, { includeData: false })).filter(
		(e) => e.finished || e.status === 'error',
	).length;
}

async function waitForCount(n8n, workflowId, count, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while ((await countExecutions(n8n, workflowId)) < count) {
		if (Date.now() > deadline)
			throw new Error(
				`only ${await countExecutions(n8n, workflowId)} of ${count} executions finished`,
			);
		await sleep(250);
	}
}

/** Signed events into the trigger at `baseUrl`: answered/s, and finished executions/s. */
async function webhookRun(n8n, workflowId, baseUrl, hookPath, testKey, tag) {
	const before = await countExecutions(n8n, workflowId);
	const events = Array.from({ length: EVENTS }, (_, i) => {
		const body = buildSmsRouteBody({
			messageId: `msg_qbench_${tag}_${i}`,
			status: 'delivered',
			occurredAt: Date.now(),
			to: '+15005550001',
			livemode: false,
			metadata: {},
		});
		return {
			body,
			headers: {
				'content-type': 'application/json',
				'x-smsroute-signature': smsRouteSignatureHeader(testKey, body),
			},
		};
	});
	const started = performance.now();
	let failed = 0;
	await pool(events, CONCURRENCY, async ({ body, headers }) => {
		const res = await http('POST', `${baseUrl}/webhook/${hookPath}`, { body, headers });
		if (res.status !== 200) failed++;
	});
	const answeredS = (performance.now() - started) / 1000;
	await waitForCount(n8n, workflowId, before + EVENTS, 600_000);
	const finishedS = (performance.now() - started) / 1000;
	return {
		events: EVENTS,
		failed,
		answeredPerSecond: Number((EVENTS / answeredS).toFixed(1)),
		executedPerSecond: Number((EVENTS / finishedS).toFixed(1)),
	};
}

/** BULK_RUNS bulk sends of BULK_ITEMS at once (webhook answers when queued): items/s until all finish. */
async function bulkRun(n8n, workflowId, hookPath, tag) {
	const before = await countExecutions(n8n, workflowId);
	const started = performance.now();
	for (let r = 0; r < BULK_RUNS; r++) {
		const recipients = Array.from({ length: BULK_ITEMS }, (_, i) => ({
			to: `+1201${200 + r}${String(i).padStart(4, '0')}`, // valid numbers: the node checks them
			text: `qbench ${tag} ${r}/${i}`,
		}));
		const res = await n8n.callWebhook('POST', hookPath, { body: { recipients } });
		if (res.status !== 200)
			throw new Error(`bulk webhook answered ${res.status}: ${res.text.slice(0, 300)}`);
	}
	await waitForCount(n8n, workflowId, before + BULK_RUNS, 900_000);
	const seconds = (performance.now() - started) / 1000;
	return {
		runs: BULK_RUNS,
		itemsPerRun: BULK_ITEMS,
		seconds: Number(seconds.toFixed(1)),
		itemsPerSecond: Math.round((BULK_RUNS * BULK_ITEMS) / seconds),
	};
}

async function main() {
	const { createSandbox, DEFAULT_TEST_KEY } = require('../sandbox/server');
	const sandbox = createSandbox({ port: 0 });
	const { baseUrl } = await sandbox.start();
	const cluster = await startQueueCluster({ workers: 2, webhooks: 2 });
	const n8n = cluster.main;
	try {
		const ref = await createSandboxCredentials(n8n, { baseUrl });
		const webhookId = crypto.randomUUID();
		const trigger = await n8n.createWorkflow({
			name: 'qbench trigger',
			nodes: [
				{
					id: crypto.randomUUID(),
					name: 'SMS Route Trigger',
					type: 'n8n-nodes-smsroute.smsRouteTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					parameters: { provider: 'smsroute', events: [] },
					credentials: ref,
				},
			],
			connections: {},
		});
		await n8n.activateWorkflow(trigger.id);
		const hookPath = `${webhookId}/webhook`;
		for (const w of cluster.webhooks) {
			while ((await http('GET', `${w.url}/webhook/${hookPath}`)).status !== 200) await sleep(250);
		}
		const bulkPath = `qbench-bulk-${crypto.randomUUID()}`;
		const bulk = await n8n.createWorkflow({
			name: 'qbench bulk',
			nodes: [
				{
					id: crypto.randomUUID(),
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: crypto.randomUUID(),
					parameters: {
						httpMethod: 'POST',
						path: bulkPath,
						responseMode: 'onReceived',
						options: {},
					},
				},
				{
					id: crypto.randomUUID(),
					name: 'Items',
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
					type: 'n8n-nodes-smsroute.smsRoute',
					typeVersion: 1,
					position: [440, 0],
					parameters: {
						resource: 'message',
						operation: 'sendBulk',
						to: '={{ $json.to }}',
						body: '={{ $json.text }}',
						additionalFields: {},
						options: {},
					},
					credentials: ref,
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
				Items: { main: [[{ node: 'SMS Route', type: 'main', index: 0 }]] },
			},
		});
		await n8n.activateWorkflow(bulk.id);

		// Warm-up: a few events and one small bulk, not counted.
		await pool(Array.from({ length: 20 }), 4, async () => {
			const body = buildSmsRouteBody({
				messageId: `msg_qbench_warm_${crypto.randomUUID()}`,
				status: 'delivered',
				occurredAt: Date.now(),
				to: '+15005550001',
				livemode: false,
				metadata: {},
			});
			await http('POST', `${cluster.proxy.url}/webhook/${hookPath}`, {
				body,
				headers: {
					'content-type': 'application/json',
					'x-smsroute-signature': smsRouteSignatureHeader(DEFAULT_TEST_KEY, body),
				},
			});
		});

		const results = {
			date: new Date().toISOString(),
			n8n: cluster.rt.version,
			machine: {
				cpus: os.cpus().length,
				model: os.cpus()[0]?.model,
				memoryGb: Math.round(os.totalmem() / 2 ** 30),
				loadavgAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
			},
			settings: { concurrency: CONCURRENCY, workerConcurrency: 10 },
			webhooks: {},
			workers: {},
		};
		process.stderr.write('[qbench] webhooks: 2 processes through the proxy\n');
		results.webhooks.two = webhookRun(
			n8n,
			trigger.id,
			cluster.proxy.url,
			hookPath,
			DEFAULT_TEST_KEY,
			'two',
		);
		results.webhooks.two = await results.webhooks.two;
		process.stderr.write('[qbench] webhooks: 1 process\n');
		results.webhooks.one = await webhookRun(
			n8n,
			trigger.id,
			cluster.webhooks[0].url,
			hookPath,
			DEFAULT_TEST_KEY,
			'one',
		);

		process.stderr.write('[qbench] bulk: 2 workers\n');
		results.workers.two = await bulkRun(n8n, bulk.id, bulkPath, 'two');
		await cluster.workers[1].stop();
		process.stderr.write('[qbench] bulk: 1 worker\n');
		results.workers.one = await bulkRun(n8n, bulk.id, bulkPath, 'one');
		results.machine.loadavgAtEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
		fs.writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
		process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
	} catch (error) {
		process.stderr.write(`${error.stack}\n${cluster.logTails(30)}\n`);
		process.exitCode = 1;
	} finally {
		await cluster.stop();
		await sandbox.stop();
	}
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack}\n`);
		process.exit(1);
	});
}

module.exports = { main };
