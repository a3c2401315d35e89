'use strict';
// Webhooks: signed smsroute events into the active SMS Route Trigger vs n8n's plain Webhook node
// (responseMode onReceived, no verification) and a hand-built verification (Webhook → Code HMAC →
// IF → Respond), under each expression-engine setting; plus the in-process cost of verify + normalize.
//
// Alone:  npm run build && node test/bench/webhooks.js
//   BENCH_WEBHOOK_COUNT=20 (events per burst, default 1000)  BENCH_WEBHOOK_ENGINES=default,lazyAcquire,legacy,poolSize4
//   BENCH_WEBHOOK_CONCURRENCIES=10,20  BENCH_WEBHOOK_ROUNDS=1  BENCH_WEBHOOK_OUT=<file> (full JSON)
//   BENCH_WEBHOOK_ARMS=plain,handBuilt,floor,trigger  BENCH_N8N_NODE_OPTIONS=<NODE_OPTIONS for n8n>
const crypto = require('node:crypto');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { Agent, request } = require('undici');
const { startN8n } = require('../e2e/n8n');
const {
	triggerWorkflow,
	plainWebhookWorkflow,
	handBuiltWorkflow,
	floorWorkflow,
} = require('./workflows');
const { mapLimit } = require('./bulk');
const { smsRouteTestHeader } = require('../helpers/signing');

const DIST = path.resolve(__dirname, '..', '..', 'dist', 'nodes', 'SmsRoute', 'shared');

const BENCH_AUTH_HEADER = 'x-bench-auth';
const BENCH_AUTH_VALUE = 'bench-header-auth';

let seq = 0;
function smsRouteEvent(key, runTag) {
	const n = seq++;
	const body = JSON.stringify({
		type: 'message.delivered',
		message_id: `msg_bench_${runTag}_${String(n).padStart(8, '0')}`,
		status: 'delivered',
		timestamp: new Date().toISOString(),
		to: `+1555${2000000 + (n % 1000000)}`,
		livemode: false,
		reason: null,
		metadata: {},
	});
	const t = Math.floor(Date.now() / 1000);
	return {
		body,
		headers: {
			'content-type': 'application/json',
			'x-smsroute-signature': smsRouteTestHeader({ key, timestamp: t, body }),
			// The plainAuth arm's Header Auth; the other arms ignore it.
			[BENCH_AUTH_HEADER]: BENCH_AUTH_VALUE,
		},
	};
}

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN;
	const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
	return sorted[Math.max(0, i)];
}

async function fire(url, requests, concurrency) {
	const agent = new Agent({
		connections: concurrency,
		headersTimeout: 60_000,
		bodyTimeout: 60_000,
	});
	const latencies = [];
	const statuses = {};
	const started = performance.now();
	await mapLimit(requests, concurrency, async (make) => {
		// Signed when sent, not when queued: a queued event must not age past the 300 s tolerance.
		const req = make();
		const t0 = performance.now();
		const res = await request(url, {
			method: 'POST',
			body: req.body,
			headers: req.headers,
			dispatcher: agent,
		});
		await res.body.text();
		latencies.push(performance.now() - t0);
		statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
	});
	const wallMs = performance.now() - started;
	await agent.close();
	latencies.sort((a, b) => a - b);
	return {
		count: requests.length,
		concurrency,
		wallMs,
		perSecond: requests.length / (wallMs / 1000),
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		max: latencies[latencies.length - 1],
		statuses,
	};
}

/**
 * The engine settings the arms run under, one fresh n8n each. n8n 2.x takes an expression
 * isolate for every request to a trigger other than its Webhook node (default engine); under lazy
 * acquire only when an expression runs; the legacy engine has no isolates.
 */
const ENGINES = {
	default: {},
	lazyAcquire: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
	legacy: { N8N_EXPRESSION_ENGINE: 'legacy' },
	// Four isolates instead of one: four webhook phases of community triggers at once.
	poolSize4: { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' },
};
/**
 * plain: n8n's Webhook node; plainAuth: the same with Header Auth, a credential as every verifying
 * trigger has (n8n checks it before creating each execution); handBuilt: Webhook → Code (HMAC) →
 * IF → Respond; floor: a do-nothing community trigger (fixtures/n8n-nodes-floor: one item per
 * request, no work), the floor for any trigger that is not n8n's own; trigger: the SMS Route
 * Trigger. BENCH_WEBHOOK_ARMS picks some (in this order); plainAuth is not in the default set.
 */
const ALL_ARMS = ['plain', 'plainAuth', 'handBuilt', 'floor', 'trigger'];
const DEFAULT_ARMS = ['plain', 'handBuilt', 'floor', 'trigger'];
const FLOOR_PACKAGE = path.join(__dirname, 'fixtures', 'n8n-nodes-floor');
const ARMS = process.env.BENCH_WEBHOOK_ARMS
	? ALL_ARMS.filter((arm) => process.env.BENCH_WEBHOOK_ARMS.split(',').includes(arm))
	: DEFAULT_ARMS;
const perArm = (value) => Object.fromEntries(ARMS.map((arm) => [arm, value()]));
const WARM_UP = 50;

const listFromEnv = (name) =>
	process.env[name]
		? process.env[name]
				.split(',')
				.map((v) => v.trim())
				.filter(Boolean)
		: null;

async function waitForExecutions(n8n, workflowId, expected) {
	let executions = [];
	const deadline = Date.now() + 300_000;
	while (Date.now() < deadline) {
		executions = await n8n.listExecutions(workflowId, { includeData: false });
		if (
			executions.length >= expected &&
			executions.every((e) => e.status !== 'running' && e.status !== 'new')
		)
			break;
		await new Promise((res) => setTimeout(res, 1000));
	}
	return {
		count: executions.length,
		success: executions.filter((e) => e.status === 'success').length,
		expected,
	};
}

/** n8n's own count of expression isolates taken (needs N8N_METRICS=true). */
async function isolatesAcquired(n8nUrl) {
	const res = await request(`${n8nUrl}/metrics`);
	const text = await res.body.text();
	const line = text.split('\n').find((l) => l.startsWith('n8n_expression_pool_acquired_total'));
	return line ? Number(line.split(' ').pop()) : NaN;
}

/**
 * Isolate acquisitions per request of one arm, response and execution included: a few events
 * one at a time, then a pause for their executions. NaN under the legacy engine (no isolates,
 * no counter).
 */
async function isolatesPerRequest(n8nUrl, url, key, tag, n = 10) {
	const settle = () => new Promise((res) => setTimeout(res, 2000));
	await settle();
	const before = await isolatesAcquired(n8nUrl);
	await fire(
		url,
		Array.from({ length: n }, () => () => smsRouteEvent(key, tag)),
		1,
	);
	await settle();
	return ((await isolatesAcquired(n8nUrl)) - before) / n;
}

/** One n8n with the three arms, under one engine setting. */
async function runEngine({
	engine,
	env,
	keys,
	baseUrl,
	count,
	concurrencies,
	rounds,
	log,
	onBurst,
}) {
	// Metrics on in every engine's n8n (same for all arms): the isolate counter explains the figures.
	const n8n = await startN8n({
		log,
		env: {
			...env,
			NODE_FUNCTION_ALLOW_BUILTIN: 'crypto',
			N8N_METRICS: 'true',
			// e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": where n8n spends a request, per arm.
			...(process.env.BENCH_N8N_NODE_OPTIONS
				? { NODE_OPTIONS: process.env.BENCH_N8N_NODE_OPTIONS }
				: {}),
		},
		extraPackages: ARMS.includes('floor') ? [FLOOR_PACKAGE] : [],
	});
	try {
		const credential = await n8n.createCredential({
			name: 'smsroute sandbox',
			type: 'smsRouteApi',
			data: { environment: 'test', testApiKey: keys.test, liveApiKey: keys.live, baseUrl },
		});
		const trig = triggerWorkflow({ credential });
		const floor = floorWorkflow();
		const headerAuth = ARMS.includes('plainAuth')
			? await n8n.createCredential({
					name: 'bench header auth',
					type: 'httpHeaderAuth',
					data: { name: BENCH_AUTH_HEADER, value: BENCH_AUTH_VALUE },
				})
			: undefined;
		const plainPath = `bench-plain-${crypto.randomUUID()}`;
		const plainAuthPath = `bench-plain-auth-${crypto.randomUUID()}`;
		const handPath = `bench-hand-${crypto.randomUUID()}`;
		const workflows = {
			plain: { workflow: plainWebhookWorkflow(plainPath), path: plainPath },
			plainAuth: {
				workflow: plainWebhookWorkflow(plainAuthPath, headerAuth),
				path: plainAuthPath,
			},
			handBuilt: {
				workflow: handBuiltWorkflow({ path: handPath, key: keys.test }),
				path: handPath,
			},
			floor: { workflow: floor.workflow, path: floor.webhookPath },
			trigger: { workflow: trig.workflow, path: trig.webhookPath },
		};
		for (const arm of ARMS) {
			const created = await n8n.createWorkflow(workflows[arm].workflow);
			await n8n.activateWorkflow(created.id);
			workflows[arm].id = created.id;
			workflows[arm].url = `${n8n.url}/webhook/${workflows[arm].path}`;
		}
		// Each arm must answer as designed before anything is timed: signed → 200 (and the two
		// verifying arms refuse a wrong signature with 401).
		const probes = perArm(() => 0);
		for (const arm of ARMS) {
			const good = smsRouteEvent(keys.test, `probe-${engine}`);
			const res = await n8n.callWebhook('POST', workflows[arm].path, {
				body: good.body,
				headers: good.headers,
			});
			if (res.status !== 200)
				throw new Error(`${engine}/${arm}: signed probe → ${res.status} ${res.text ?? ''}`);
			probes[arm] += 1;
			if (arm === 'plainAuth') {
				// Header Auth is on: without the header n8n refuses (and starts nothing).
				const { [BENCH_AUTH_HEADER]: _auth, ...unauthorised } = good.headers;
				const refused = await n8n.callWebhook('POST', workflows[arm].path, {
					body: good.body,
					headers: unauthorised,
				});
				if (refused.status !== 403)
					throw new Error(`${engine}/plainAuth: request without Header Auth → ${refused.status}`);
			}
			if (arm === 'plain' || arm === 'plainAuth' || arm === 'floor') continue;
			const bad = smsRouteEvent('not-the-key', `probe-${engine}`);
			const refused = await n8n.callWebhook('POST', workflows[arm].path, {
				body: bad.body,
				headers: bad.headers,
			});
			if (refused.status !== 401)
				throw new Error(`${engine}/${arm}: wrongly signed probe → ${refused.status}`);
			// The hand-built arm runs an execution for every request; the trigger starts none for a refusal.
			if (arm === 'handBuilt') probes[arm] += 1;
		}
		const make = (n, tag) => Array.from({ length: n }, () => () => smsRouteEvent(keys.test, tag));
		for (const arm of ARMS)
			await fire(workflows[arm].url, make(WARM_UP, `warm-${engine}`), concurrencies[0]);
		const isolates = {};
		for (const arm of ARMS) {
			isolates[arm] = await isolatesPerRequest(
				n8n.url,
				workflows[arm].url,
				keys.test,
				`iso-${engine}`,
			);
			probes[arm] += 10;
		}
		log(`  ${engine} isolate acquisitions per request: ${JSON.stringify(isolates)}`);

		const sent = perArm(() => 0);
		for (const concurrency of concurrencies) {
			for (let r = 0; r < rounds; r++) {
				// Arms alternate: the order rotates every round, so no arm always runs first or last.
				const order = ARMS.map((_, i) => ARMS[(i + r) % ARMS.length]);
				for (const arm of order) {
					const burst = await fire(
						workflows[arm].url,
						make(count, `${engine}-${arm}-${concurrency}-${r}`),
						concurrency,
					);
					sent[arm] += count;
					const row = { engine, arm, round: r + 1, ...burst };
					log(
						`  ${engine} ${arm} c=${concurrency} round ${r + 1}: ${burst.perSecond.toFixed(1)}/s, p50 ${burst.p50.toFixed(0)} ms, p99 ${burst.p99.toFixed(0)} ms, ${JSON.stringify(burst.statuses)}`,
					);
					onBurst(row);
				}
			}
		}
		// Every request to the plain and hand-built arms runs an execution; every accepted
		// (unique) event to the trigger starts one.
		const executions = {};
		for (const arm of ARMS) {
			executions[arm] = await waitForExecutions(
				n8n,
				workflows[arm].id,
				probes[arm] + WARM_UP + sent[arm],
			);
		}
		return { executions, isolates, n8nVersion: n8n.version };
	} finally {
		await n8n.stop();
	}
}

/**
 * Signed smsroute events into three arms — n8n's plain Webhook node (no verification), a
 * hand-built Webhook → Code (HMAC) → IF → Respond verification, and the SMS Route Trigger
 * (typeVersion 1.1) — under each engine setting (one fresh n8n per setting), at each
 * concurrency, arms alternating. `concurrency` (one value, from older callers) is superseded by
 * `concurrencies`; BENCH_WEBHOOK_ENGINES / BENCH_WEBHOOK_CONCURRENCIES / BENCH_WEBHOOK_COUNT
 * override the defaults.
 *
 * Result: `results.<arm>` = every burst (each names its engine, arm and concurrency), the
 * trigger's execution totals as before, and per engine the executions counted per arm.
 */
async function runWebhookBench({
	keys,
	baseUrl,
	count = Number(process.env.BENCH_WEBHOOK_COUNT || 1000),
	concurrencies = (listFromEnv('BENCH_WEBHOOK_CONCURRENCIES') ?? ['10', '20']).map(Number),
	engines = listFromEnv('BENCH_WEBHOOK_ENGINES') ?? ['default', 'lazyAcquire', 'legacy'],
	rounds = 1,
	log = () => {},
	onProgress = () => {},
}) {
	if (process.env.BENCH_WEBHOOK_COUNT) count = Number(process.env.BENCH_WEBHOOK_COUNT);
	const out = {
		config: {
			count,
			concurrencies,
			rounds,
			warmUp: WARM_UP,
			engines: engines.map((name) => ({ name, env: ENGINES[name] })),
			arms: ARMS,
		},
		results: perArm(() => []),
		executions: {},
		isolatesPerRequest: {},
		triggerExecutions: 0,
		triggerExecutionsSuccess: 0,
		expectedExecutions: 0,
	};
	for (const engine of engines) {
		if (!ENGINES[engine])
			throw new Error(
				`unknown engine setting ${engine} (known: ${Object.keys(ENGINES).join(', ')})`,
			);
		log(`webhooks under engine "${engine}" ${JSON.stringify(ENGINES[engine])}`);
		const { executions, isolates } = await runEngine({
			engine,
			env: ENGINES[engine],
			keys,
			baseUrl,
			count,
			concurrencies,
			rounds,
			log,
			onBurst: (row) => {
				out.results[row.arm].push(row);
				onProgress(out);
			},
		});
		out.executions[engine] = executions;
		out.isolatesPerRequest[engine] = isolates;
		// Without the trigger arm (BENCH_WEBHOOK_ARMS=plain,floor) there is nothing to count.
		if (executions.trigger) {
			out.triggerExecutions += executions.trigger.count;
			out.triggerExecutionsSuccess += executions.trigger.success;
			out.expectedExecutions += executions.trigger.expected;
		}
		onProgress(out);
	}
	return out;
}

/** events/s over all bursts of one engine and arm, with the worst p99. */
function summarize(webhooks) {
	const rows = [];
	for (const { name: engine } of webhooks.config.engines) {
		for (const concurrency of webhooks.config.concurrencies) {
			for (const arm of ARMS) {
				const bursts = (webhooks.results[arm] ?? []).filter(
					(b) => b.engine === engine && b.concurrency === concurrency,
				);
				if (bursts.length === 0) continue;
				const events = bursts.reduce((a, b) => a + b.count, 0);
				const wall = bursts.reduce((a, b) => a + b.wallMs, 0);
				rows.push({
					engine,
					concurrency,
					arm,
					eventsPerSecond: Number((events / (wall / 1000)).toFixed(1)),
					p50: Number(Math.max(...bursts.map((b) => b.p50)).toFixed(1)),
					p99: Number(Math.max(...bursts.map((b) => b.p99)).toFixed(1)),
					statuses: bursts.reduce((acc, b) => {
						for (const [k, v] of Object.entries(b.statuses)) acc[k] = (acc[k] ?? 0) + v;
						return acc;
					}, {}),
				});
			}
		}
	}
	return rows;
}

/** In-process: parse + verify + normalize, as the trigger does per POST. */
function runMicroBench({ keys, n = 10_000 }) {
	const { verifySmsRouteSignature } = require(
		path.join(DIST, 'events', 'smsRoute', 'signature.js'),
	);
	const { constructSmsRouteEvent } = require(
		path.join(DIST, 'events', 'smsRoute', 'constructEvent.js'),
	);
	const events = Array.from({ length: n }, () => {
		const e = smsRouteEvent(keys.test, 'micro');
		return { raw: Buffer.from(e.body), header: e.headers['x-smsroute-signature'] };
	});
	const keyList = [
		{ key: keys.test, livemode: false },
		{ key: keys.live, livemode: true },
	];
	// The trigger's chain (verify, parse, normalize), as it runs per POST.
	const one = (e) => {
		const out = constructSmsRouteEvent({
			rawBody: e.raw,
			header: e.header,
			contentType: 'application/json',
			keys: keyList,
			toleranceSeconds: 300,
			now: new Date(),
		});
		if (!out.ok) throw new Error(`constructSmsRouteEvent refused: ${out.reason}`);
		return out;
	};
	for (let i = 0; i < Math.min(1000, n); i++) one(events[i]); // warm-up
	const t0 = performance.now();
	for (const e of events) one(e);
	const totalMs = performance.now() - t0;
	// Verification alone, for the split.
	const t1 = performance.now();
	for (const e of events) {
		verifySmsRouteSignature({
			rawBody: e.raw,
			header: e.header,
			keys: keyList,
			toleranceSeconds: 300,
			nowMs: Date.now(),
		});
	}
	const verifyMs = performance.now() - t1;
	return {
		n,
		usPerEvent: (totalMs * 1000) / n,
		verifyUsPerEvent: (verifyMs * 1000) / n,
		node: process.version,
	};
}

async function main() {
	const fs = require('node:fs');
	const { DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('../sandbox/server');
	// n8n loads the built package: the repo's dist/, or SMSROUTE_E2E_PACKAGE_DIR's (test/e2e).
	const packageDir = process.env.SMSROUTE_E2E_PACKAGE_DIR ?? path.resolve(__dirname, '..', '..');
	if (
		!fs.existsSync(path.join(packageDir, 'dist', 'nodes', 'SmsRoute', 'SmsRouteTrigger.node.js'))
	) {
		throw new Error(
			`${packageDir}/dist is missing: run \`npm run build\` first (n8n loads the built package)`,
		);
	}
	const log = (line) => process.stderr.write(`[bench] ${line}\n`);
	const webhooks = await runWebhookBench({
		keys: { test: DEFAULT_TEST_KEY, live: DEFAULT_LIVE_KEY },
		// The trigger never calls the API; the credential only needs a well-formed URL.
		baseUrl: 'http://127.0.0.1:9/v1',
		rounds: Number(process.env.BENCH_WEBHOOK_ROUNDS || 1),
		log,
	});
	if (process.env.BENCH_WEBHOOK_OUT)
		fs.writeFileSync(process.env.BENCH_WEBHOOK_OUT, `${JSON.stringify(webhooks, null, 2)}\n`);
	console.table(summarize(webhooks));
	console.log(
		JSON.stringify({
			isolatesPerRequest: webhooks.isolatesPerRequest,
			executions: webhooks.executions,
		}),
	);
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`${error.stack ?? error}\n`);
		process.exitCode = 1;
	});
}

module.exports = { runWebhookBench, runMicroBench, smsRouteEvent, summarize, ENGINES };
