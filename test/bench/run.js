'use strict';
/**
 * npm run bench  (= npm run build && node test/bench/run.js)
 *
 * One run, loopback only, sandbox adding 20 ms per request:
 *   1. bulk throughput: SMS Route Bulk Send in real n8n vs (a) HTTP Request node, (b) raw undici,
 *      (c) No Operation node — wall time, requests, n8n RSS rise
 *   2. webhooks: signed events into SMS Route Trigger vs plain Webhook node vs a hand-built
 *      verification, under the default, lazy-acquire and legacy expression engines; verify+normalize µs
 *   3. soak: 10,000 messages under injected faults, checked against the sandbox ledger
 * and writes BENCHMARKS.md (plus test/bench/results.json with the raw figures).
 *
 * Environment:
 *   BENCH_SIZES=10000,100000    bulk sizes (default both)
 *   BENCH_ONLY=bulk,webhooks,soak,micro,guards,previous,linear,countries   sections to run (default all of these)
 *                               previous: Send in Bulk on 0.2.0's build against dist/ (test/bench/previous.js,
 *                               BENCH_PREVIOUS=<commit>); linear: readers of user text at 20,000-200,000
 *                               characters; countries: Do Not Send To per Default Country (issue 33)
 *   BENCH_ONLY=burst            a campaign's burst into queue mode (test/bench/burst.js, BURST_* settings;
 *                               not in the default set: 20,000 events per arm take an hour or more
 *                               on 2 cores); writes test/bench/results-burst.json, which
 *                               BENCHMARKS.md's burst section reads. Add BENCH_MERGE=1 to keep the rest.
 *   BENCH_GUARDS_BEFORE=dir     guards: also measure Send in Bulk with this dist/ (a build from before the Sending Window or
 *                               the guards) for the before/after figure of the per-message path
 *   BENCH_HTTP_REQUEST_MAX_MS=600000   skip the HTTP Request node at a size whose projected
 *                               wall time (linear from the smaller size) exceeds this
 *   BENCH_VARIANTS=rawUndici,noOp,smsroute,smsrouteGuarded,httpRequest   bulk variants to run
 *                               (also smsrouteCampaign: Campaign ID set; each variant listed twice
 *                               runs twice, in the listed order, so variants can alternate)
 *   BENCH_MERGE=1               keep what this run skips from the previous results.json
 *   BENCH_CONCURRENCY=5  BENCH_CHUNK=1000  BENCH_LATENCY_MS=20
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('../sandbox/server');
const { N8N_VERSION, NODE24, ROOT } = require('../e2e/n8n');
const { runInN8n, runRawUndici } = require('./bulk');
const { runWebhookBench, runMicroBench } = require('./webhooks');
const { runSoak } = require('./soak');
const { runBurst, table: burstTable } = require('./burst');

/**
 * test/bench/guards.js in a child process (its own heap, --expose-gc); a build from before runs
 * as one more variant in the same process, its passes alternating with the others.
 */
function runGuardsBench({ before }) {
	const args = [
		'--expose-gc',
		path.join(__dirname, 'guards.js'),
		...(before ? [path.join(ROOT, 'dist'), path.resolve(before)] : []),
	];
	const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
	if (child.status !== 0) throw new Error(`guards.js: ${child.stderr.slice(0, 500)}`);
	return { after: JSON.parse(child.stdout) };
}
const { runPreviousBench } = require('./previous');

/** A bench script of this folder in a child process (its own heap, --expose-gc): its JSON. */
function runScript(script, env = {}) {
	const child = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, script)], {
		cwd: ROOT,
		encoding: 'utf8',
		env: { ...process.env, ...env },
	});
	if (child.status !== 0) throw new Error(`${script}: ${child.stderr.slice(0, 500)}`);
	return JSON.parse(child.stdout);
}
const { renderReport } = require('./report');

const env = process.env;
const SIZES = (env.BENCH_SIZES || '10000,100000')
	.split(',')
	.map((s) => Number(s.trim()))
	.filter((n) => n > 0);
const ONLY = new Set(
	(env.BENCH_ONLY || 'bulk,webhooks,micro,soak,guards,previous,linear,countries')
		.split(',')
		.map((s) => s.trim()),
);
const VARIANTS = (env.BENCH_VARIANTS || 'rawUndici,noOp,smsroute,smsrouteGuarded,httpRequest')
	.split(',')
	.map((v) => v.trim());
const CONCURRENCY = Number(env.BENCH_CONCURRENCY || 5);
const CHUNK = Number(env.BENCH_CHUNK || 1000);
const LATENCY_MS = Number(env.BENCH_LATENCY_MS || 20);
const HTTP_REQUEST_MAX_MS = Number(env.BENCH_HTTP_REQUEST_MAX_MS || 600_000);
const SOAK = {
	size: Number(env.BENCH_SOAK_SIZE || 10_000),
	faults: {
		error503: 0.1,
		rateLimit: 0.05,
		retryAfterSeconds: 1,
		dropAfterCharge: 0.05,
		stall: 0.02,
		stallMs: 5000,
	},
	nodeOptions: { timeoutSeconds: 2, maxAttempts: 10, maxRetryWaitSeconds: 30 },
	concurrency: CONCURRENCY,
	chunkSize: 100,
};

const log = (line) => process.stderr.write(`[bench] ${line}\n`);
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;

function machine() {
	const n24 = spawnSync(NODE24, ['--version'], { encoding: 'utf8' }).stdout.trim();
	const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() || String(os.cpus().length);
	const undiciVersion = require('undici/package.json').version;
	return {
		nproc,
		cpu: os.cpus()[0]?.model ?? 'unknown',
		memTotalGiB: (os.totalmem() / 2 ** 30).toFixed(1),
		memFreeGiB: (os.freemem() / 2 ** 30).toFixed(1),
		kernel: `${os.type()} ${os.release()}`,
		benchNode: process.version,
		n8nNode: n24,
		n8nVersion: N8N_VERSION,
		undici: undiciVersion,
		date: new Date().toISOString(),
		distBuiltAt: (() => {
			try {
				return fs
					.statSync(path.join(ROOT, 'dist', 'nodes', 'SmsRoute', 'SmsRoute.node.js'))
					.mtime.toISOString();
			} catch {
				return 'not built';
			}
		})(),
		gitHead: spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
			cwd: ROOT,
			encoding: 'utf8',
		}).stdout.trim(),
		gitDirty:
			spawnSync('git', ['status', '--porcelain', '--', 'nodes', 'credentials'], {
				cwd: ROOT,
				encoding: 'utf8',
			}).stdout.trim() !== '',
	};
}

async function main() {
	const started = Date.now();
	const keys = { test: DEFAULT_TEST_KEY, live: DEFAULT_LIVE_KEY };
	const sandbox = createSandbox({ port: 0, latencyMs: LATENCY_MS });
	const { baseUrl } = await sandbox.start();
	const results = {
		machine: machine(),
		config: {
			sizes: SIZES,
			concurrency: CONCURRENCY,
			chunkSize: CHUNK,
			latencyMs: LATENCY_MS,
			soak: SOAK,
			only: [...ONLY],
		},
		bulk: [],
		notes: [],
		command: `${Object.entries(env)
			.filter(([k]) => k.startsWith('BENCH_'))
			.map(([k, v]) => `${k}=${v} `)
			.join(
				'',
			)}${env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'node test/bench/run.js'}`,
	};
	// BENCH_MERGE=1: keep what this run skips (BENCH_ONLY, BENCH_SIZES, BENCH_VARIANTS) from the
	// previous results.json; every kept figure names the run that produced it.
	if (env.BENCH_MERGE === '1') {
		try {
			const previous = JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'));
			const origin = {
				date: previous.machine?.date,
				command: previous.command,
				distBuiltAt: previous.machine?.distBuiltAt,
			};
			const describe = (o) =>
				`the run of ${o.date} (\`${o.command}\`, dist built ${o.distBuiltAt})`;
			for (const section of [
				'micro',
				'webhooks',
				'soak',
				'guards',
				'previous',
				'linear',
				'countries',
			]) {
				if (!ONLY.has(section) && previous[section]) {
					results[section] = { ...previous[section], _from: previous[section]._from ?? origin };
					results.notes.push(
						`section "${section}" carried over from ${describe(results[section]._from)}`,
					);
				}
			}
			const kept = (previous.bulk ?? [])
				.filter(
					(r) => !ONLY.has('bulk') || !SIZES.includes(r.size) || !VARIANTS.includes(r.variant),
				)
				.map((r) => ({ ...r, _from: r._from ?? origin }));
			results.bulk = kept;
			const byOrigin = new Map();
			for (const r of kept) {
				const k = JSON.stringify(r._from);
				byOrigin.set(k, [...(byOrigin.get(k) ?? []), `${r.variant} ${r.size}`]);
			}
			for (const [k, rows] of byOrigin)
				results.notes.push(
					`bulk rows ${rows.join(', ')} carried over from ${describe(JSON.parse(k))}`,
				);
		} catch (error) {
			results.notes.push(
				`BENCH_MERGE: could not read the previous results.json (${error.message})`,
			);
		}
	}
	const common = {
		sandbox,
		baseUrl,
		apiKey: keys.test,
		keys,
		concurrency: CONCURRENCY,
		chunkSize: CHUNK,
		log,
	};
	const save = () => {
		results.totalMs = Date.now() - started;
		fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(results, null, 2) + '\n');
		fs.writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), renderReport(results));
	};
	const attempt = async (label, fn) => {
		try {
			return await fn();
		} catch (error) {
			log(`${label} FAILED: ${error.stack || error.message}`);
			results.notes.push(`${label} failed: ${String(error.message).split('\n')[0].slice(0, 300)}`);
			return null;
		} finally {
			save();
		}
	};

	try {
		if (ONLY.has('bulk')) {
			let httpRequestMsPerItem = null;
			for (const size of SIZES) {
				if (VARIANTS.includes('rawUndici')) {
					log(`bulk ${size}: raw undici`);
					const raw = await attempt(`raw undici ${size}`, () => runRawUndici({ ...common, size }));
					if (raw) (results.bulk.push(raw), log(`  ${fmt(raw.wallMs)}, ${raw.requests} requests`));
				}
				if (httpRequestMsPerItem === null) {
					const earlier = results.bulk.find(
						(r) => r.variant === 'httpRequest' && !r.projected && r.size < size,
					);
					if (earlier) httpRequestMsPerItem = earlier.wallMs / earlier.size;
				}
				const KNOWN = ['noOp', 'smsroute', 'smsrouteGuarded', 'smsrouteCampaign', 'httpRequest'];
				// Listed twice or more (smsroute,smsrouteCampaign,smsroute,…): run in that order.
				const repeated = VARIANTS.length !== new Set(VARIANTS).size;
				const order = repeated
					? VARIANTS.filter((v) => KNOWN.includes(v))
					: KNOWN.filter((v) => VARIANTS.includes(v));
				for (const variant of order) {
					if (variant === 'httpRequest' && httpRequestMsPerItem !== null) {
						const projected = httpRequestMsPerItem * size;
						if (projected > HTTP_REQUEST_MAX_MS) {
							const note = `HTTP Request node not run at ${size} items: projected ${fmt(projected)} (linear from the smaller size) exceeds ${fmt(HTTP_REQUEST_MAX_MS)}; its ratios at ${size} use the smaller size's figures scaled linearly (marked "projected").`;
							results.notes.push(note);
							results.bulk.push({
								variant,
								size,
								projected: true,
								wallMs: projected,
								requests: size,
								rssRise: null,
							});
							log(note);
							continue;
						}
					}
					log(`bulk ${size}: ${variant} in n8n`);
					const r = await attempt(`${variant} ${size}`, () =>
						runInN8n({ ...common, variant, size }),
					);
					if (!r) continue;
					delete r.firstOutput;
					results.bulk.push(r);
					log(
						`  ${fmt(r.wallMs)}, ${r.requests} requests, charged ${r.charged}, RSS +${(r.rssRise / 2 ** 20).toFixed(0)} MiB`,
					);
					if (variant === 'httpRequest') httpRequestMsPerItem = r.wallMs / size;
				}
			}
		}
		if (ONLY.has('micro')) {
			log('verify + normalize in process');
			results.micro = await attempt('micro', () => runMicroBench({ keys, n: 10_000 }));
		}
		if (ONLY.has('guards')) {
			log(
				'guards: Do Not Send To 100,000 × 100,000; Send in Bulk off / guards / Sending Window (in process)',
			);
			results.guards = await attempt('guards', () =>
				runGuardsBench({ before: env.BENCH_GUARDS_BEFORE }),
			);
		}
		if (ONLY.has('previous')) {
			log('previous: Send in Bulk of 100,000 messages, 0.2.0 alternating with dist/ (in process)');
			results.previous = await attempt('previous', () => runPreviousBench());
		}
		if (ONLY.has('linear')) {
			log('linear: readers of user text at 20,000-200,000 characters');
			results.linear = await attempt('linear', () => runScript('linearTime.js'));
		}
		if (ONLY.has('countries')) {
			log('countries: Do Not Send To 100,000 with a Default Country per item over 60 countries');
			results.countries = await attempt(
				'countries',
				() => runScript('guards.js', { BENCH_GUARDS_SECTIONS: 'countries' }).countries,
			);
		}
		if (ONLY.has('soak')) {
			log(`soak: ${SOAK.size} messages with faults`);
			results.soak = await attempt('soak', () => runSoak({ ...common, ...SOAK }));
			if (results.soak)
				log(
					`  soak ${results.soak.holds ? 'HOLDS' : 'FAILS'}: ${JSON.stringify({ lost: results.soak.lost, chargedTwice: results.soak.chargedTwice, unpaired: results.soak.unpaired, wrongId: results.soak.wrongId })}`,
				);
		}
		if (ONLY.has('burst')) {
			log(
				'burst: signed events into queue mode (BURST_* settings), SMS Route Trigger vs Webhook node',
			);
			await attempt('burst', async () => {
				const burst = await runBurst({ log: (line) => log(`  ${line}`), command: results.command });
				log(`\n${burstTable(burst)}`);
				if (!Object.values(burst.arms).every((a) => a.holds)) process.exitCode = 1;
			});
		}
		if (ONLY.has('webhooks')) {
			log(
				'webhooks: signed events into plain Webhook / hand-built verification / SMS Route Trigger, per engine and concurrency',
			);
			results.webhooks =
				(await attempt('webhooks', () =>
					runWebhookBench({
						keys,
						baseUrl,
						// 300 per arm and burst, as in issue 11's measurements; BENCH_WEBHOOK_COUNT overrides.
						count: Number(env.BENCH_WEBHOOK_COUNT || 300),
						rounds: Number(env.BENCH_WEBHOOK_ROUNDS || 1),
						log,
						onProgress: (partial) => {
							results.webhooks = partial;
							save();
						},
					}),
				)) ?? results.webhooks;
		}
	} finally {
		await sandbox.stop();
		save();
	}
	log(`done in ${fmt(Date.now() - started)}; wrote BENCHMARKS.md and test/bench/results.json`);
	if (results.soak && !results.soak.holds) process.exitCode = 1;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
