'use strict';
/**
 * Queue mode end to end: n8n 2.41.0 with EXECUTIONS_MODE=queue, one main process, two workers
 * and two webhook processes behind a round-robin proxy, on a private PostgreSQL and Redis (see
 * queue.js). Every check is made against the sandbox's ledger or n8n's database, not against what
 * the nodes say about themselves.
 *
 * SMSROUTE_QUEUE_BULK (default 10000) and SMSROUTE_QUEUE_EVENTS (default 1000) size the runs.
 * Needs `npm run build` first; installs n8n, PostgreSQL and Redis when missing.
 */
const crypto = require('node:crypto');
const { startQueueCluster } = require('./queue');
const { nodeOutput, http } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const crash = require('./crash');
const {
	buildSmsRouteBody,
	smsRouteSignatureHeader,
	buildSendCloudPayload,
	encodeSendCloud,
} = require('../sandbox/webhooks');

const ACTION = 'n8n-nodes-smsroute.smsRoute';
const TRIGGER = 'n8n-nodes-smsroute.smsRouteTrigger';
const SENDCLOUD_APP_KEY = 'sendcloud_sandbox_app_key';
const BULK = Number(process.env.SMSROUTE_QUEUE_BULK || 10_000);
const EVENTS = Number(process.env.SMSROUTE_QUEUE_EVENTS || 1000);

jest.setTimeout(10 * 60_000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn(item)` over `items` with at most `limit` at a time; results in input order. A failed
 * call becomes { error } in its place: every call has ended when this returns, so nothing from
 * one test is still sending during the next.
 */
async function pool(items, limit, fn) {
	const results = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) {
				const i = next++;
				try {
					results[i] = await fn(items[i], i);
				} catch (error) {
					results[i] = { error: error.message };
				}
			}
		}),
	);
	return results;
}

/**
 * Recipients with numbers unique to one scenario (`series` 0–99, up to 10,000 each), so ledgers
 * never mix; +1 201 2xx xxxx are valid by libphonenumber's full metadata, which the node checks.
 */
function recipients(series, count, text) {
	return Array.from({ length: count }, (_, i) => ({
		to: `+1201${200 + series}${String(i).padStart(4, '0')}`,
		text: `${text} #${i}`,
	}));
}

describe('n8n 2.41.0 in queue mode (main + 2 workers + 2 webhook processes, PostgreSQL, Redis)', () => {
	let cluster;
	let n8n;
	let sandbox;
	let sandboxUrls;
	let keys;
	let smsCredential;
	let sendCloudCredential;

	/** Appends every process's log tail to a failure, so CI shows what n8n did. */
	const withLogs = (fn) => async () => {
		try {
			await fn();
		} catch (error) {
			error.message = `${error.message}\n${cluster ? cluster.logTails(40) : '(cluster not started)'}`;
			throw error;
		}
	};
	const credentialRef = (c) => ({ id: c.id, name: c.name });
	const node = (name, type, position, parameters, extra = {}) => ({
		id: crypto.randomUUID(),
		name,
		type,
		typeVersion: extra.typeVersion ?? 1,
		position: [position, 0],
		parameters,
		...extra,
	});

	/** Webhook → one item per recipient → SMS Route Send in Bulk. */
	async function bulkWorkflow(
		name,
		{ responseMode = 'lastNode', idempotencyKey, options = { chunkSize: 500 } } = {},
	) {
		const webhookId = crypto.randomUUID();
		const path = `queue-bulk-${webhookId}`;
		const additionalFields = idempotencyKey ? { idempotencyKey } : {};
		const workflow = await n8n.createWorkflow({
			name,
			nodes: [
				node(
					'Webhook',
					'n8n-nodes-base.webhook',
					0,
					{ httpMethod: 'POST', path, responseMode, responseData: 'allEntries', options: {} },
					{ typeVersion: 2, webhookId },
				),
				node(
					'One item per recipient',
					'n8n-nodes-base.code',
					220,
					{ jsCode: 'return $input.first().json.body.recipients.map((r) => ({ json: r }));' },
					{ typeVersion: 2 },
				),
				node(
					'SMS Route',
					ACTION,
					440,
					{
						resource: 'message',
						operation: 'sendBulk',
						to: '={{ $json.to }}',
						body: '={{ $json.text }}',
						additionalFields,
						options,
					},
					{ credentials: { smsRouteApi: credentialRef(smsCredential) } },
				),
			],
			connections: {
				Webhook: { main: [[{ node: 'One item per recipient', type: 'main', index: 0 }]] },
				'One item per recipient': { main: [[{ node: 'SMS Route', type: 'main', index: 0 }]] },
			},
		});
		await n8n.activateWorkflow(workflow.id);
		return { workflow, path };
	}

	/** Charged ledger entries for these recipients; fails if any recipient was charged twice. */
	function chargedFor(list) {
		const wanted = new Set(list.map((r) => r.to));
		const charged = sandbox.ledger().filter((m) => wanted.has(m.to));
		const perRecipient = new Map();
		for (const m of charged) perRecipient.set(m.to, (perRecipient.get(m.to) ?? 0) + 1);
		const twice = [...perRecipient].filter(([, n]) => n > 1);
		expect({ chargedTwice: twice.slice(0, 5), count: twice.length }).toEqual({
			chargedTwice: [],
			count: 0,
		});
		return charged;
	}

	/** The workers' logs say which one ran an execution ("Worker started execution <id>"). */
	function workerOf(executionId) {
		return cluster.workers.find((w) =>
			w.logTail(100_000).includes(`Worker started execution ${executionId} `),
		);
	}

	beforeAll(async () => {
		const { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('../sandbox/server');
		keys = { test: DEFAULT_TEST_KEY, live: DEFAULT_LIVE_KEY };
		// 2 cores shared by 5 n8n processes, PostgreSQL and this test: allow a slow answer.
		sandbox = createSandbox({
			port: 0,
			webhook: { sendCloudAppKey: SENDCLOUD_APP_KEY, timeoutMs: 60_000 },
		});
		sandboxUrls = await sandbox.start();
		cluster = await startQueueCluster({ workers: 2, webhooks: 2 });
		n8n = cluster.main;
		({ smsRouteApi: smsCredential, sendCloudSmsHookApi: sendCloudCredential } =
			await createSandboxCredentials(n8n, {
				baseUrl: sandboxUrls.baseUrl,
				keys,
				sendCloudAppKey: SENDCLOUD_APP_KEY,
			}));
	}, 15 * 60_000);

	afterAll(async () => {
		if (cluster) await cluster.stop();
		if (sandbox) await sandbox.stop();
	}, 120_000);

	test(
		`Send in Bulk, ${BULK} items on a worker, with 5xx, 429 and drops after charge → each charged once, output in input order`,
		withLogs(async () => {
			const { workflow, path } = await bulkWorkflow('queue bulk');
			const list = recipients(1, BULK, 'queue bulk');
			sandbox.configure({
				faults: { error503: 0.05, rateLimit: 0.05, dropAfterCharge: 0.05, retryAfterSeconds: 1 },
			});
			// And certainly one of each, on the first requests.
			sandbox.queueFaults(['503', '429', 'drop', '500', 'drop']);
			const before = sandbox.stats();
			let res;
			try {
				res = await n8n.callWebhook('POST', path, { body: { recipients: list } });
			} finally {
				sandbox.configure({ faults: { error503: 0, rateLimit: 0, dropAfterCharge: 0 } });
			}
			expect(res.status).toBe(200);
			const after = sandbox.stats();
			const delta = (key) => (after.responses[key] ?? 0) - (before.responses[key] ?? 0);
			expect({
				503: delta('503') > 0,
				429: delta('429') > 0,
				dropped: delta('dropped') > 0,
			}).toEqual({ 503: true, 429: true, dropped: true });

			// The ledger: every recipient charged exactly once, with the body it was given.
			const charged = chargedFor(list);
			expect(charged).toHaveLength(BULK);
			const byId = new Map(charged.map((m) => [m.id, m]));

			// Output: input order, each item the message the ledger charged for that recipient.
			expect(res.body).toHaveLength(BULK);
			res.body.forEach((item, i) => {
				const entry = byId.get(item.id);
				if (!entry || entry.to !== list[i].to || entry.body !== list[i].text) {
					throw new Error(
						`output item ${i} (${JSON.stringify(item).slice(0, 200)}) is not the message charged for ${list[i].to}`,
					);
				}
			});

			// n8n's database: one execution, successful, run by a worker, same output.
			const [execution] = await n8n.waitForExecutions(
				workflow.id,
				(l) => l.length === 1 && l[0].finished,
				{ timeoutMs: 120_000 },
			);
			expect(execution.status).toBe('success');
			expect(nodeOutput(execution, 'SMS Route').map((j) => j.id)).toEqual(
				res.body.map((j) => j.id),
			);
			expect(workerOf(execution.id)).toBeDefined();
			await n8n.deactivateWorkflow(workflow.id);
		}),
	);

	describe('SMS Route Trigger on two webhook processes', () => {
		const webhookId = crypto.randomUUID();
		const hookPath = `${webhookId}/webhook`;
		let workflow;

		beforeAll(async () => {
			workflow = await n8n.createWorkflow({
				name: 'queue delivery events',
				nodes: [
					node(
						'SMS Route Trigger',
						TRIGGER,
						0,
						{ provider: 'auto', events: [] },
						{
							webhookId,
							credentials: {
								smsRouteApi: credentialRef(smsCredential),
								sendCloudSmsHookApi: credentialRef(sendCloudCredential),
							},
						},
					),
				],
				connections: {},
			});
			await n8n.activateWorkflow(workflow.id);
			// Each webhook process learns the new webhook from the database: wait until both answer.
			for (const w of cluster.webhooks) {
				const deadline = Date.now() + 30_000;
				while ((await http('GET', `${w.url}/webhook/${hookPath}`)).status !== 200) {
					if (Date.now() > deadline)
						throw new Error(`${w.label} never registered /webhook/${hookPath}`);
					await sleep(250);
				}
			}
		});

		const executionsNow = async () => await n8n.listExecutions(workflow.id, { includeData: false });

		test(
			`${EVENTS} signed events (smsroute and SendCloud) through the balancer → every one answered, one execution each, none emitted twice`,
			withLogs(async () => {
				const before = (await executionsNow()).length;
				cluster.proxy.reset();
				const events = Array.from({ length: EVENTS }, (_, i) => ({
					mode: i % 2 === 0 ? 'smsroute' : 'sendcloud',
					environment: 'test',
					status: i % 3 === 0 ? 'failed' : 'delivered',
					messageId: `msg_queue_${String(i).padStart(6, '0')}_${crypto.randomUUID().slice(0, 8)}`,
					to: `+1301${String(1_000_000 + i).padStart(7, '0')}`,
				}));
				const answers = await pool(
					events,
					4,
					async (event) =>
						await sandbox.emitWebhook({
							...event,
							url: `${cluster.proxy.url}/webhook/${hookPath}`,
						}),
				);
				const notOk = answers
					.map((a, i) => ({ i, statusCode: a.statusCode, body: a.body, error: a.error }))
					.filter((a) => a.statusCode !== 200);
				expect(notOk.slice(0, 5)).toEqual([]);
				// Both webhook processes took a share.
				for (const c of cluster.proxy.counts()) expect(c.requests).toBeGreaterThan(EVENTS / 4);

				const executions = await n8n.waitForExecutions(
					workflow.id,
					(l) =>
						l.length >= before + EVENTS &&
						l.every((e) => e.finished || e.status === 'error' || e.status === 'crashed'),
					{ timeoutMs: 8 * 60_000, intervalMs: 2000, includeData: false },
				);
				await sleep(2000); // nothing more arrives late
				const all = await n8n.listExecutions(workflow.id, { includeData: true });
				const mine = all.filter((e) => {
					const out = nodeOutput(e, 'SMS Route Trigger') ?? [];
					return out.some((item) => String(item.messageId ?? '').includes('msg_queue_'));
				});
				expect(executions.length).toBe(before + EVENTS);
				// Under load n8n's own queue recovery can mark a just-created execution "crashed" before
				// its job is picked up (its data then holds no output). That is n8n's, after the trigger
				// answered 200 and emitted: count it as the event's one execution and say so.
				const fresh = executions.slice(0, executions.length - before);
				const crashed = fresh.filter((e) => e.status === 'crashed');
				if (crashed.length) {
					process.stderr.write(
						`[queue-e2e] n8n marked ${crashed.length} execution(s) crashed: ${crashed.map((e) => e.id).join(', ')}\n`,
					);
				}
				expect(crashed.length).toBeLessThanOrEqual(Math.ceil(EVENTS / 100));
				expect(mine.map((e) => e.status).filter((s) => s !== 'success')).toEqual([]);
				const emittedCount = mine.flatMap((e) => nodeOutput(e, 'SMS Route Trigger')).length;
				expect(emittedCount + crashed.length).toBe(EVENTS);
				const emitted = mine.flatMap((e) => nodeOutput(e, 'SMS Route Trigger'));
				const ids = emitted.map(
					(item) => events.find((ev) => String(item.messageId).includes(ev.messageId))?.messageId,
				);
				expect(ids.filter((id) => id === undefined)).toEqual([]);
				// None emitted twice.
				expect(new Set(ids).size).toBe(emitted.length);
				expect(new Set(emitted.map((item) => item.eventId)).size).toBe(emitted.length);
			}),
		);

		test(
			'the same signed event delivered once to each webhook process, the second after the first finished → emitted once',
			withLogs(async () => {
				const [first, second] = cluster.webhooks;
				const occurredAt = Date.now();
				const smsroute = buildSmsRouteBody({
					messageId: `msg_queue_dup_${crypto.randomUUID().slice(0, 8)}`,
					status: 'delivered',
					occurredAt,
					to: '+15005550001',
					livemode: false,
					metadata: {},
				});
				const sendCloud = encodeSendCloud(
					buildSendCloudPayload(
						{
							messageId: `msg_queue_dup_${crypto.randomUUID().slice(0, 8)}`,
							status: 'delivered',
							to: '+15005550001',
						},
						SENDCLOUD_APP_KEY,
					),
					'json',
				);
				const requests = [
					{
						provider: 'smsroute',
						body: smsroute,
						headers: {
							'content-type': 'application/json',
							'x-smsroute-signature': smsRouteSignatureHeader(keys.test, smsroute),
						},
					},
					{
						provider: 'sendcloud',
						body: sendCloud.body,
						headers: { 'content-type': sendCloud.contentType },
					},
				];
				for (const { provider, body, headers } of requests) {
					const before = (await executionsNow()).length;
					const staticData = () =>
						cluster.pg.query(
							`select "staticData" from workflow_entity where id = '${workflow.id}'`,
						)[0][0];
					// The event posted to one webhook process: what it answered, labelled for the message.
					const postTo = async (proc) => {
						const r = await http('POST', `${proc.url}/webhook/${hookPath}`, {
							body,
							headers,
							fresh: true,
						});
						return { provider, process: proc.label, status: r.status, body: r.body };
					};
					const savedBefore = staticData();
					expect(await postTo(first)).toEqual({
						provider,
						process: first.label,
						status: 200,
						body: { received: 1, emitted: 1 },
					});
					// What the cross-process record rests on: by the time the provider has its 200, the
					// webhook process has saved the trigger's static data to the shared database.
					expect(staticData()).not.toBe(savedBefore);
					await n8n.waitForExecutions(
						workflow.id,
						(l) =>
							l.length >= before + 1 &&
							l.every((e) => e.finished || e.status === 'error' || e.status === 'crashed'),
						{ includeData: false },
					);
					expect(await postTo(second)).toEqual({
						provider,
						process: second.label,
						status: 200,
						body: { received: 1, emitted: 0 },
					});
					await sleep(1500);
					expect({ provider, executions: (await executionsNow()).length }).toEqual({
						provider,
						executions: before + 1,
					});
				}
			}),
		);
	});

	test(
		`a worker killed (SIGKILL) in the middle of a ${BULK}-item bulk → nothing charged twice; sending the campaign again with its Campaign ID finishes it`,
		withLogs(async () => {
			// Campaign ID (issue 25, docs/recovering-a-campaign.md): the keys come from the campaign
			// and the message, not the execution, so a new execution of the same campaign replays
			// what the killed worker sent and charges only what was never charged.
			const { workflow, path } = await bulkWorkflow('queue bulk, worker killed', {
				responseMode: 'onReceived',
				// Many small chunks, two at a time, each answered after 300 ms: the send takes
				// seconds, so the kill lands part-way.
				options: { chunkSize: 100, concurrency: 2, campaignId: 'queue-kill-2026-12' },
			});
			const list = recipients(2, BULK, 'queue kill');
			sandbox.configure({ latencyMs: 300 });
			try {
				const res = await n8n.callWebhook('POST', path, { body: { recipients: list } });
				expect(res.status).toBe(200);
				// Which worker runs it, and wait until it is part-way through.
				const deadline = Date.now() + 120_000;
				let executionId;
				let victim;
				while (!victim) {
					if (Date.now() > deadline)
						throw new Error('the bulk execution never started on a worker');
					const [e] = await n8n.listExecutions(workflow.id, { includeData: false });
					executionId = e?.id;
					victim = executionId ? workerOf(executionId) : undefined;
					await sleep(200);
				}
				while (chargedFor(list).length < BULK / 4) {
					if (Date.now() > deadline)
						throw new Error('the bulk execution charged too little before the kill');
					await sleep(100);
				}
				await victim.kill();
				const chargedAtKill = chargedFor(list).length;
				expect(chargedAtKill).toBeLessThan(BULK);

				// n8n 2.41 never runs a stalled job again (Bull maxStalledCount 0): the job fails and
				// the execution ends "error" (or "crashed", if the main's queue recovery finds it first).
				const [dead] = await n8n.waitForExecutions(
					workflow.id,
					(l) => l.length === 1 && ['crashed', 'error'].includes(l[0].status),
					{
						timeoutMs: 150_000,
						intervalMs: 1000,
						includeData: false,
					},
				);
				expect(dead.id).toBe(executionId);
				const detail = await n8n.getExecution(dead.id, { includeData: true });
				process.stderr.write(
					`[queue-e2e] killed worker's execution ${dead.id}: ${dead.status}: ${detail.data?.resultData?.error?.message ?? '(no error message)'}\n`,
				);
				await sleep(2000);
				const afterCrash = chargedFor(list).length; // also asserts: no recipient charged twice
				expect(afterCrash).toBeGreaterThanOrEqual(chargedAtKill);

				// Finish the campaign: send it again (a new execution on the surviving worker).
				sandbox.configure({ latencyMs: 0 });
				const again = await n8n.callWebhook('POST', path, { body: { recipients: list } });
				expect(again.status).toBe(200);
				const executions = await n8n.waitForExecutions(
					workflow.id,
					(l) =>
						l.length === 2 &&
						l.every((e) => e.finished || (e.status !== 'running' && e.status !== 'new')),
					{
						timeoutMs: 240_000,
						intervalMs: 1000,
						includeData: false,
					},
				);
				expect(executions.map((e) => (e.id === dead.id ? 'killed' : e.status)).sort()).toEqual([
					'killed',
					'success',
				]);
				const charged = chargedFor(list);
				expect(charged).toHaveLength(BULK);
				expect(new Set(charged.map((m) => m.to)).size).toBe(BULK);
			} finally {
				sandbox.configure({ latencyMs: 0 });
				await n8n.deactivateWorkflow(workflow.id);
			}
		}),
	);

	// Last: it leaves one webhook process dead.
	test(
		`a webhook process killed (SIGKILL) after ${crash.KILL_AFTER} trigger acknowledgements → none of them lost; what got no answer, resent to the other, is emitted`,
		withLogs(async () => {
			const started = Date.now();
			const webhookId = crypto.randomUUID();
			const hookPath = `${webhookId}/webhook`;
			const workflow = await n8n.createWorkflow({
				name: 'queue crash: SMS Route Trigger',
				nodes: [
					node(
						'SMS Route Trigger',
						TRIGGER,
						0,
						{ provider: 'smsroute', events: [] },
						{
							webhookId,
							typeVersion: 1.1,
							credentials: { smsRouteApi: credentialRef(smsCredential) },
						},
					),
				],
				connections: {},
			});
			await n8n.activateWorkflow(workflow.id);
			const [victim, survivor] = cluster.webhooks;
			for (const w of [victim, survivor]) {
				const deadline = Date.now() + 30_000;
				while ((await http('GET', `${w.url}/webhook/${hookPath}`)).status !== 200) {
					if (Date.now() > deadline) throw new Error(`${w.label} never registered ${hookPath}`);
					await sleep(250);
				}
			}
			const run = crypto.randomUUID().slice(0, 8);
			const events = Array.from({ length: crash.KILL_AFTER * 3 }, (_, i) =>
				crash.signedEvent(`msg_qcrash_${run}_${i}`),
			);
			let acks = 0;
			let killed = null;
			const outcome = await crash.sendUntilStopped(
				`${victim.url}/webhook/${hookPath}`,
				events,
				() => killed !== null,
				() => {
					if (++acks >= crash.KILL_AFTER) killed ??= victim.kill();
				},
			);
			await killed;
			const unanswered = events.filter((e) => outcome.get(e.messageId) === 'none');
			const resent = await pool(unanswered, 4, async (e) => {
				const res = await http('POST', `${survivor.url}/webhook/${hookPath}`, {
					body: e.body,
					headers: crash.headersFor(e.body),
					fresh: true,
				});
				return { status: res.status, body: res.body };
			});
			const ids = [...outcome.keys()];
			const acked = ids.filter((id) => outcome.get(id) === 'ok');
			// The victim can have written an execution and died before queueing it: that one stays
			// 'new' (n8n re-runs such executions at startup in regular mode only).
			const leftOver = await crash.waitForExecutionsToSettle(n8n, workflow.id);
			let per;
			for (let tries = 0; tries < 20; tries++) {
				per = crash.executionsPerEvent(
					await n8n.listExecutions(workflow.id, { includeData: true }),
					ids,
				);
				if (unanswered.every((e) => per.get(e.messageId) > 0)) break;
				await sleep(1000);
			}
			const lost = acked.filter((id) => per.get(id) === 0);
			const twice = ids.filter((id) => per.get(id) > 1);
			const ackedTwice = twice.filter((id) => outcome.get(id) === 'ok');
			process.stderr.write(
				`[queue-e2e] webhook process killed after ${crash.KILL_AFTER} acks: answered 200 ${acked.length}, found ${acked.length - lost.length}, lost ${lost.length}; no answer ${unanswered.length} (resent: ${JSON.stringify(resent.map((r) => r.body?.emitted ?? r.status ?? r.error))}); in two executions ${twice.length} (answered 200: ${ackedTwice.length}); never ended: ${leftOver.length}; ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
			);
			expect({ lost }).toEqual({ lost: [] });
			expect(resent.every((r) => r.status === 200)).toBe(true);
			expect(unanswered.filter((e) => per.get(e.messageId) === 0)).toEqual([]);
			expect({ ackedTwice }).toEqual({ ackedTwice: [] });
			expect(twice.length).toBeLessThanOrEqual(crash.CONCURRENCY);
		}),
	);
});
