'use strict';
/**
 * A campaign's burst, end to end (issue 32, section 4): signed smsroute delivery events at
 * concurrency 50 into n8n 2.x in queue mode (test/e2e/queue.js: PostgreSQL, Redis, main, workers
 * and 2 webhook processes behind a round-robin proxy). Two arms get the same events in alternating
 * slices: the SMS Route Trigger, and n8n's plain Webhook node (Respond: Immediately) as the
 * control. A share of the requests are resends of earlier events, the same body bytes signed
 * anew, as a provider resends. Per arm: events/s and p50/p99 at the client; then, from n8n's
 * executions once all have finished, every distinct event carried by exactly one execution and
 * none answered 2xx that is missing.
 *
 *   npm run build && node test/bench/burst.js          → test/bench/results-burst.json
 *   BENCH_ONLY=burst BENCH_MERGE=1 npm run bench       (the same, then BENCHMARKS.md)
 *
 * BURST_EVENTS (default 20,000) requests per arm, resends included; BURST_RESEND (default 0.05)
 * the share of resends; BURST_CONCURRENCY (default 50); BURST_SLICES (default 10 per arm);
 * BURST_WORKERS (default 2); BURST_RETRIES (default 3 passes for events not answered 2xx);
 * BURST_LAZY_ACQUIRE=1 (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true in every n8n process);
 * BURST_OUT (default test/bench/results-burst.json, or results-burst-lazy.json with lazy acquire).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { Agent, request } = require('undici');
const { startQueueCluster } = require('../e2e/queue');
const { createSandboxCredentials } = require('../e2e/sandboxCredentials');
const { sleep } = require('../e2e/http');
const { DEFAULT_TEST_KEY } = require('../sandbox/server');
const { smsRouteTestHeader } = require('../helpers/signing');
const { webhookNode, TRIGGER } = require('./workflows');

const ARMS = ['trigger', 'plain'];
const ROUND = (n, d = 1) => Number(n.toFixed(d));
const is2xx = (status) => typeof status === 'number' && status >= 200 && status < 300;

function settingsFromEnv(env = process.env) {
	return {
		events: Number(env.BURST_EVENTS || 20_000),
		resendShare: Number(env.BURST_RESEND ?? 0.05),
		concurrency: Number(env.BURST_CONCURRENCY || 50),
		slices: Number(env.BURST_SLICES || 10),
		retries: Number(env.BURST_RETRIES ?? 3),
		webhooks: 2,
		workers: Number(env.BURST_WORKERS || 2),
		// n8n 2.x holds an expression isolate through a community trigger's webhook phase unless lazy
		// acquire is on (issue 32; docs/performance.md): BURST_LAZY_ACQUIRE=1 measures with it.
		lazyAcquire: env.BURST_LAZY_ACQUIRE === '1',
		out:
			env.BURST_OUT ||
			path.join(
				__dirname,
				env.BURST_LAZY_ACQUIRE === '1' ? 'results-burst-lazy.json' : 'results-burst.json',
			),
	};
}

/** A small seeded generator: the same sequence of resends on every run. */
function seeded(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * The requests each arm sends, in order: indices of distinct events. A resend repeats an event
 * first sent at least 2 × concurrency requests earlier, so its first request has been answered,
 * as when a provider resends after a timeout or an error.
 */
function sequence({ events, resendShare, concurrency }) {
	const random = seeded(32);
	const order = [];
	let distinct = 0;
	for (let i = 0; i < events; i++) {
		const gap = 2 * concurrency;
		if (i >= gap * 2 && random() < resendShare) order.push(order[Math.floor(random() * (i - gap))]);
		else order.push(distinct++);
	}
	return { order, distinct };
}

/**
 * One event's body, made at its first send and kept: a resend is the same bytes, signed anew
 * (signed when sent: a queued request must not age past the 300 s tolerance).
 */
function eventStore(run) {
	const bodies = new Map();
	const prefix = `msg_burst_${run}_`;
	const messageId = (k) => `${prefix}${String(k).padStart(8, '0')}`;
	return {
		prefix,
		messageId,
		request(k) {
			if (!bodies.has(k))
				bodies.set(
					k,
					JSON.stringify({
						type: 'message.delivered',
						message_id: messageId(k),
						status: 'delivered',
						timestamp: new Date().toISOString(),
						to: `+1555${2000000 + (k % 1000000)}`,
						livemode: false,
						reason: null,
						metadata: {},
					}),
				);
			const body = bodies.get(k);
			const signature = smsRouteTestHeader({ key: DEFAULT_TEST_KEY, body });
			return {
				body,
				headers: { 'content-type': 'application/json', 'x-smsroute-signature': signature },
			};
		},
	};
}

/** The first answer body seen for each status other than 2xx (what refused, and why). */
function noteRefusal(arm, status, text) {
	arm.refusals[status] ??= { count: 0, sample: String(text).slice(0, 300) };
	arm.refusals[status].count++;
}

/**
 * Sends one slice at `concurrency`; every request's answer lands in `arm.answers` (`retry`: a
 * provider's retry after a refusal, kept out of the rate and the latencies).
 */
async function sendSlice(url, ks, store, arm, concurrency, retry = false) {
	const agent = new Agent({
		connections: concurrency,
		headersTimeout: 60_000,
		bodyTimeout: 60_000,
	});
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: Math.min(concurrency, ks.length) }, async () => {
			while (next < ks.length) {
				const k = ks[next++];
				const req = store.request(k);
				const t0 = performance.now();
				let status = 'none';
				let emitted = null;
				try {
					const res = await request(url, { method: 'POST', dispatcher: agent, ...req });
					const text = await res.body.text();
					status = res.statusCode;
					emitted = /"emitted":\s*(\d+)/.exec(text)?.[1] ?? null;
					if (status >= 300) noteRefusal(arm, status, text);
				} catch (error) {
					// No answer: the provider would retry; counted as not 2xx.
					noteRefusal(arm, 'none', error.code ?? error.message);
				}
				if (!retry) arm.latencies.push(performance.now() - t0);
				arm.answers.push({ k, status, retry, emitted: emitted === null ? null : Number(emitted) });
			}
		}),
	);
	await agent.close();
	const ms = performance.now() - started;
	if (!retry) arm.wallMs += ms;
	return ms;
}

/** Executions per workflow and status, from PostgreSQL (cheap enough to poll during a run). */
function executionCounts(pg, workflowIds) {
	const counts = Object.fromEntries(workflowIds.map((id) => [id, { total: 0, open: 0 }]));
	const rows = pg.query(
		`select "workflowId", status, count(*) from execution_entity where "workflowId" in (${workflowIds.map((id) => `'${id}'`).join(',')}) group by 1, 2`,
	);
	for (const [id, status, n] of rows) {
		counts[id].total += Number(n);
		if (['new', 'running', 'waiting', 'queued', 'unknown'].includes(status))
			counts[id].open += Number(n);
	}
	return counts;
}

/**
 * Waits until every workflow has at least `expected` executions and none unfinished → the counts
 * and `reached` (false: fewer, unchanged for 30 s or past the timeout; the check names what is missing).
 */
async function waitForDrain(pg, expected, timeoutMs = 30 * 60_000) {
	const ids = Object.keys(expected);
	const deadline = Date.now() + timeoutMs;
	let last = null;
	let stableSince = Date.now();
	for (;;) {
		const counts = executionCounts(pg, ids);
		const key = JSON.stringify(counts);
		if (key !== last) [last, stableSince] = [key, Date.now()];
		const closed = ids.every((id) => counts[id].open === 0);
		if (closed && ids.every((id) => counts[id].total >= expected[id]))
			return { counts, reached: true };
		if ((closed && Date.now() - stableSince > 30_000) || Date.now() > deadline)
			return { counts, reached: false };
		await sleep(1000);
	}
}

/**
 * The events each execution carries: the trigger's items, or the Webhook node's request body. An
 * execution that never ran (crashed before a worker took it) still holds them in its queued stack.
 */
function carriedBy(execution, arm) {
	const data = execution?.data ?? {};
	const node = arm === 'trigger' ? 'SMS Route Trigger' : 'Webhook';
	const queued = (data.executionData?.nodeExecutionStack ?? []).find((e) => e.node?.name === node);
	const items =
		data.resultData?.runData?.[node]?.[0]?.data?.main?.[0] ?? queued?.data?.main?.[0] ?? [];
	return items.map((item) =>
		arm === 'trigger'
			? { messageId: item.json.messageId, eventId: item.json.eventId }
			: { messageId: item.json.body?.message_id, eventId: null },
	);
}

/**
 * The check for one arm: what the client was told against what n8n ran. An event counts as
 * answered 2xx when any of its requests was; it is missing when no execution carries it.
 */
function check(arm, answers, executions, store) {
	const carried = new Map();
	const eventIds = new Map();
	let foreign = 0;
	for (const execution of executions)
		for (const { messageId, eventId } of carriedBy(execution, arm)) {
			if (typeof messageId !== 'string' || !messageId.startsWith(store.prefix)) {
				foreign++;
				continue;
			}
			carried.set(messageId, (carried.get(messageId) ?? 0) + 1);
			if (eventId) eventIds.set(eventId, messageId);
		}
	const sent = new Set(answers.map((a) => store.messageId(a.k)));
	const acked = new Set(answers.filter((a) => is2xx(a.status)).map((a) => store.messageId(a.k)));
	const statuses = {};
	for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
	const per = [...sent].map((id) => carried.get(id) ?? 0);
	const result = {
		requests: answers.filter((a) => !a.retry).length,
		distinctEvents: sent.size,
		resends: answers.filter((a) => !a.retry).length - sent.size,
		retries: answers.filter((a) => a.retry).length,
		statuses,
		eventsAnswered2xx: acked.size,
		executions: executions.length,
		executionsNotSuccess: executions.filter((e) => e.status !== 'success').length,
		executionStatuses: executions.reduce(
			(acc, e) => ({ ...acc, [e.status]: (acc[e.status] ?? 0) + 1 }),
			{},
		),
		carriedOnce: per.filter((n) => n === 1).length,
		carriedTwiceOrMore: per.filter((n) => n > 1).length,
		notCarried: per.filter((n) => n === 0).length,
		missingAnswered2xx: [...acked].filter((id) => !carried.has(id)).length,
		foreignItems: foreign,
	};
	if (arm === 'trigger') {
		result.resendsAnsweredEmitted0 = answers.filter((a) => a.emitted === 0).length;
		result.distinctEventIds = eventIds.size;
	}
	// The trigger's promise: one execution per event. The Webhook node has no duplicate check, so
	// for it the promise is one execution per 2xx request (a resend is a second execution).
	const twoXxRequests = answers.filter((a) => is2xx(a.status)).length;
	result.holds =
		result.missingAnswered2xx === 0 &&
		result.foreignItems === 0 &&
		result.executionsNotSuccess === 0 &&
		(arm === 'trigger'
			? result.carriedTwiceOrMore === 0 && result.distinctEventIds === carried.size
			: result.executions === twoXxRequests);
	return result;
}

const percentile = (sorted, p) =>
	sorted.length
		? sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))]
		: NaN;

/** The two workflows, active, and known to both webhook processes (a signed probe answers 200). */
async function setUp(cluster, warm) {
	const n8n = cluster.main;
	const { smsRouteApi } = await createSandboxCredentials(n8n, { baseUrl: 'http://127.0.0.1:9/v1' });
	const webhookId = crypto.randomUUID();
	const plainPath = `burst-plain-${crypto.randomUUID().slice(0, 8)}`;
	const trigger = await n8n.createWorkflow({
		name: 'burst: SMS Route Trigger',
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'SMS Route Trigger',
				type: TRIGGER,
				typeVersion: 1.1,
				position: [0, 0],
				webhookId,
				parameters: { provider: 'smsroute', events: [] },
				credentials: { smsRouteApi },
			},
		],
		connections: {},
	});
	const plain = await n8n.createWorkflow({
		name: 'burst: Webhook node',
		nodes: [webhookNode(plainPath, { responseMode: 'onReceived' })],
		connections: {},
	});
	const paths = { trigger: `${webhookId}/webhook`, plain: plainPath };
	const ids = { trigger: trigger.id, plain: plain.id };
	for (const arm of ARMS) await n8n.activateWorkflow(ids[arm]);
	let k = 0;
	for (const arm of ARMS)
		for (const w of cluster.webhooks) {
			const deadline = Date.now() + 60_000;
			for (;;) {
				const res = await request(`${w.url}/webhook/${paths[arm]}`, {
					method: 'POST',
					...warm.request(k++),
				});
				await res.body.text();
				if (res.statusCode === 200) break;
				if (Date.now() > deadline)
					throw new Error(`${arm} not served by ${w.label}: last answer ${res.statusCode}`);
				await sleep(250);
			}
		}
	const urls = Object.fromEntries(
		ARMS.map((arm) => [arm, `${cluster.proxy.url}/webhook/${paths[arm]}`]),
	);
	return { ids, urls };
}

/** Alternating slices: the order of the arms flips every slice, so neither always goes first. */
async function sendAll({ settings, urls, store, log }) {
	const { order, distinct } = sequence(settings);
	const arms = Object.fromEntries(
		ARMS.map((arm) => [arm, { answers: [], latencies: [], wallMs: 0, refusals: {} }]),
	);
	const perSlice = Math.ceil(order.length / settings.slices);
	for (let s = 0; s < settings.slices; s++) {
		const ks = order.slice(s * perSlice, (s + 1) * perSlice);
		for (const arm of s % 2 === 0 ? ARMS : [...ARMS].reverse()) {
			const ms = await sendSlice(urls[arm], ks, store, arms[arm], settings.concurrency);
			log(
				`slice ${s + 1}/${settings.slices} ${arm}: ${ks.length} requests, ${((ks.length / ms) * 1000).toFixed(1)}/s, load ${os.loadavg()[0].toFixed(1)}`,
			);
		}
	}
	// The provider retries what was not answered 2xx (smsroute and SendCloud both do), a few passes.
	for (let pass = 1; pass <= settings.retries; pass++)
		for (const arm of ARMS) {
			const ok = new Set(arms[arm].answers.filter((a) => is2xx(a.status)).map((a) => a.k));
			const ks = [...new Set(arms[arm].answers.map((a) => a.k))].filter((k) => !ok.has(k));
			if (ks.length === 0) continue;
			await sleep(2000);
			await sendSlice(urls[arm], ks, store, arms[arm], settings.concurrency, true);
			log(`retry pass ${pass} ${arm}: ${ks.length} events not answered 2xx sent again`);
		}
	return { arms, distinct };
}

/** Runs the burst; returns the results (also written to settings.out). */
async function runBurst({
	command,
	log = (l) => process.stderr.write(`[burst] ${l}\n`),
	env = process.env,
} = {}) {
	const settings = settingsFromEnv(env);
	const run = crypto.randomUUID().slice(0, 6);
	const store = eventStore(run);
	const warm = eventStore(`${run}w`);
	const cluster = await startQueueCluster({
		workers: settings.workers,
		webhooks: settings.webhooks,
		env: settings.lazyAcquire ? { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' } : {},
		log,
	});
	const n8n = cluster.main;
	const results = {
		date: new Date().toISOString(),
		n8n: cluster.rt.version,
		settings: { ...settings, out: undefined },
		machine: {
			cpus: os.cpus().length,
			model: os.cpus()[0]?.model,
			memoryGb: Math.round(os.totalmem() / 2 ** 30),
		},
		loadavgAtStart: os.loadavg().map((l) => ROUND(l, 2)),
		command:
			command ??
			`${Object.entries(env)
				.filter(([k]) => k.startsWith('BURST_') && k !== 'BURST_OUT')
				.map(([k, v]) => `${k}=${v} `)
				.join('')}node test/bench/burst.js`,
		arms: {},
	};
	try {
		const { ids, urls } = await setUp(cluster, warm);
		const { arms } = await sendAll({ settings, urls, store, log });
		const sentAt = performance.now();
		const expected = {};
		for (const arm of ARMS)
			// An execution per 2xx request, but the trigger's `emitted: 0` answers start none; plus the
			// set-up probes (one per webhook process).
			expected[ids[arm]] =
				cluster.webhooks.length +
				arms[arm].answers.filter((a) => is2xx(a.status) && (arm === 'plain' || a.emitted !== 0))
					.length;
		const { counts, reached } = await waitForDrain(cluster.pg, expected);
		// Only when every expected execution finished is the time a drain time.
		if (reached) results.drainSeconds = ROUND((performance.now() - sentAt) / 1000);
		log(`executions: ${JSON.stringify(counts)}, expected ${JSON.stringify(expected)}`);
		for (const arm of ARMS) {
			const st = arms[arm];
			st.latencies.sort((a, b) => a - b);
			const executions = (await n8n.listExecutions(ids[arm], { includeData: true })).filter(
				(e) => !carriedBy(e, arm).some((c) => String(c.messageId).startsWith(warm.prefix)),
			);
			results.arms[arm] = {
				eventsPerSecond: ROUND(st.answers.filter((a) => !a.retry).length / (st.wallMs / 1000)),
				p50Ms: Math.round(percentile(st.latencies, 50)),
				p99Ms: Math.round(percentile(st.latencies, 99)),
				maxMs: Math.round(st.latencies[st.latencies.length - 1]),
				...check(arm, st.answers, executions, store),
				refusals: st.refusals,
			};
		}
		results.ratio = ROUND(
			results.arms.trigger.eventsPerSecond / results.arms.plain.eventsPerSecond,
			2,
		);
		results.proxy = cluster.proxy.counts();
		results.loadavgAtEnd = os.loadavg().map((l) => ROUND(l, 2));
		fs.writeFileSync(settings.out, `${JSON.stringify(results, null, 2)}\n`);
		return results;
	} catch (error) {
		error.message = `${error.message}\n${cluster.logTails(30)}`;
		throw error;
	} finally {
		await cluster.stop();
	}
}

/** The table printed at the end (and the shape BENCHMARKS.md uses). */
function table(results) {
	const rows = [
		'| arm | requests (resends) | events/s | p50 | p99 | executions | carried once | carried twice+ | 2xx missing | holds |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
	];
	for (const arm of ARMS) {
		const a = results.arms[arm];
		if (!a) continue;
		rows.push(
			`| ${arm === 'trigger' ? 'SMS Route Trigger' : 'plain Webhook node'} | ${a.requests} (${a.resends}) | ${a.eventsPerSecond} | ${a.p50Ms} ms | ${a.p99Ms} ms | ${a.executions} | ${a.carriedOnce} of ${a.distinctEvents} | ${a.carriedTwiceOrMore} | ${a.missingAnswered2xx} | ${a.holds ? 'yes' : '**no**'} |`,
		);
	}
	return rows.join('\n');
}

if (require.main === module) {
	runBurst()
		.then((results) => {
			process.stdout.write(`${table(results)}\n\n${JSON.stringify(results, null, 2)}\n`);
			if (!Object.values(results.arms).every((a) => a.holds)) process.exitCode = 1;
		})
		.catch((error) => {
			process.stderr.write(`${error.stack}\n`);
			process.exit(1);
		});
}

module.exports = { runBurst, table, sequence, check, carriedBy };
