'use strict';
// Renders results (see run.js) as BENCHMARKS.md.
const fs = require('node:fs');
const path = require('node:path');
const { writeCharts } = require('./chart');

const s = (ms) =>
	ms == null ? '–' : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
const mib = (b) => (b == null ? '–' : `${(b / 2 ** 20).toFixed(0)} MiB`);
const x = (v) =>
	v == null || !Number.isFinite(v) ? '–' : v >= 10 ? `${v.toFixed(0)}×` : `${v.toFixed(2)}×`;
const ok = (pass) => (pass == null ? 'n/a' : pass ? '**met**' : '**MISSED**');

const LABEL = {
	smsroute: 'SMS Route · Send in Bulk (ours)',
	smsrouteGuarded:
		'SMS Route · Send in Bulk, every guard on (1.1, 3 allowed countries, a cap, opt-out list of as many numbers, 1 in 10 matching)',
	smsrouteCampaign:
		'SMS Route · Send in Bulk with Campaign ID (keys from the campaign and the message, issue 25)',
	httpRequest: '(a) HTTP Request node, one POST /v1/messages per item',
	rawUndici: '(b) raw undici, same bulk bodies',
	noOp: '(c) No Operation node (n8n floor)',
};

function bulkSection(results, chart) {
	const out = [];
	const { config } = results;
	const sizes = [...new Set(results.bulk.map((r) => r.size))];
	out.push('## 1. Bulk throughput', '');
	if (chart) out.push(`![Bulk send: wall time per variant](${chart})`, '');
	out.push(
		`Sandbox latency ${config.latencyMs} ms per request, concurrency ${config.concurrency} everywhere, bulk chunks of ${config.chunkSize}. ` +
			'Each n8n variant runs in a fresh n8n (same idle point), workflow `Webhook (POST {items}) → Split Out → node under test`, ' +
			'started by one HTTP call; wall time = that call (request body upload, split, node, response with the first item). ' +
			'A 10-item warm-up call runs first. RSS = VmRSS of the n8n process plus its children (task runner), sampled every 100 ms; ' +
			'rise = peak during the call − median idle baseline just before it. Requests = requests the sandbox received.',
		'',
	);
	for (const size of sizes) {
		const rows = results.bulk.filter((r) => r.size === size);
		const get = (v) => rows.find((r) => r.variant === v);
		out.push(`### ${size.toLocaleString('en-US')} items`, '');
		out.push(
			'| variant | wall time | items/s | requests | charged | idle RSS | peak RSS | RSS rise |',
		);
		out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
		for (const v of [
			'smsroute',
			'smsrouteGuarded',
			'smsrouteCampaign',
			'httpRequest',
			'rawUndici',
			'noOp',
		]) {
			const r = get(v);
			if (!r) continue;
			const proj = r.projected
				? ' (projected, not run)'
				: r.passesMs
					? ` (median of ${r.passesMs.length} passes after a warm-up: ${r.passesMs.join(', ')} ms)`
					: '';
			out.push(
				`| ${LABEL[v]}${proj} | ${s(r.wallMs)} | ${r.projected ? '–' : Math.round(size / (r.wallMs / 1000)).toLocaleString('en-US')} | ${r.requests ?? '–'} | ${r.charged ?? '–'} | ${mib(r.rssBaseline)} | ${mib(r.rssPeak)} | ${mib(r.rssRise)} |`,
			);
		}
		out.push('');
		const ours = get('smsroute');
		const a = get('httpRequest');
		const b = get('rawUndici');
		const c = get('noOp');
		out.push('| target | figure | result |', '|---|---|---|');
		const campaign = get('smsrouteCampaign');
		if (ours && campaign) {
			const ratio = campaign.wallMs / ours.wallMs;
			out.push(
				`| Campaign ID on within 5% of off, the 0.2.0 key formula (issue 25) | ${s(campaign.wallMs)} / ${s(ours.wallMs)} = ${x(ratio)} | ${ok(Math.abs(ratio - 1) <= 0.05)} |`,
			);
		}
		const guarded = get('smsrouteGuarded');
		if (ours && guarded) {
			const ratio = guarded.wallMs / ours.wallMs;
			out.push(
				`| every guard on ≤ 1.3× guards off (issue 21) | ${s(guarded.wallMs)} / ${s(ours.wallMs)} = ${x(ratio)} | ${ok(ratio <= 1.3)} |`,
			);
		}
		if (ours && a) {
			const speed = a.wallMs / ours.wallMs;
			out.push(
				`| ≥ 50× faster than (a)${a.projected ? ' (a projected)' : ''} | ${s(a.wallMs)} / ${s(ours.wallMs)} = ${x(speed)} | ${ok(speed >= 50)}${speed < 50 ? ` — ${x(50 / speed)} short` : ''} |`,
			);
		}
		if (ours && b && c) {
			const floor = b.wallMs + c.wallMs;
			const ratio = ours.wallMs / floor;
			out.push(
				`| within 1.5× of (b)+(c) | ${s(ours.wallMs)} / (${s(b.wallMs)} + ${s(c.wallMs)}) = ${x(ratio)} | ${ok(ratio <= 1.5)}${ratio > 1.5 ? ` — ${x(ratio / 1.5)} over (${s(ours.wallMs - 1.5 * floor)} too slow)` : ''} |`,
			);
		}
		if (ours && a && a.rssRise != null && ours.rssRise != null) {
			const ratio = ours.rssRise / a.rssRise;
			out.push(
				`| RSS rise ≤ ¼ of (a)'s | ${mib(ours.rssRise)} / ${mib(a.rssRise)} = ${ratio.toFixed(2)} | ${ok(ratio <= 0.25)} |`,
			);
		} else if (ours && a) {
			out.push(`| RSS rise ≤ ¼ of (a)'s | (a) not measured at this size | n/a |`);
		}
		out.push('');
	}
	return out;
}

const ARM_LABEL = {
	plain: "n8n's Webhook node, no verification",
	plainAuth: "n8n's Webhook node with Header Auth (a credential)",
	handBuilt: 'hand-built: Webhook → Code (HMAC) → IF → Respond',
	floor: 'do-nothing community trigger (floor)',
	trigger: 'SMS Route Trigger (ours)',
};
/** What each arm is, for the section's introduction. */
const ARM_TEXT = {
	plain: 'the plain Webhook node (responseMode onReceived, no verification)',
	plainAuth:
		"the same Webhook node with Header Auth, a credential as every verifying trigger has (n8n checks a workflow's credentials with a database query before it creates each execution: `WorkflowRunner.run` → `CredentialsPermissionChecker.check`)",
	handBuilt:
		'a hand-built verification (Webhook with raw body → Code node checking the HMAC with `crypto.timingSafeEqual` → IF → Respond to Webhook 200/401)',
	floor:
		"a do-nothing community trigger (`test/bench/fixtures/n8n-nodes-floor`: one item per request, no work, typeVersion 1; the floor for any trigger that is not n8n's own)",
	trigger: 'the SMS Route Trigger (typeVersion 1.1)',
};
const ENGINE_LABEL = {
	default: 'default (isolated-vm)',
	lazyAcquire: '`N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true`',
	legacy: '`N8N_EXPRESSION_ENGINE=legacy`',
	poolSize4: '`N8N_EXPRESSION_ENGINE_POOL_SIZE=4`',
};

/** The targets of the webhook section, per engine: [label, numerator arm, denominator arm, minimum]. */
const WEBHOOK_TARGETS = {
	default: [
		['trigger ≥ 0.95× do-nothing community trigger (issue 32)', 'trigger', 'floor', 0.95],
		['trigger ≥ 0.75× hand-built', 'trigger', 'handBuilt', 0.75],
	],
	lazyAcquire: [
		['trigger ≥ 1.0× plain Webhook node (issue 32)', 'trigger', 'plain', 1.0],
		['trigger ≥ 1.0× Webhook node with Header Auth', 'trigger', 'plainAuth', 1.0],
	],
	legacy: [['trigger ≥ 0.9× plain Webhook node', 'trigger', 'plain', 0.9]],
};
/** The trigger's p99 at the highest concurrency: SendCloud allows 3 s; lazy acquire: 1 s (issue 32). */
const P99_TARGET_MS = { default: 3000, lazyAcquire: 1000, legacy: 3000 };

function webhookSection(results, chart) {
	const w = results.webhooks;
	const out = ['## 2. Webhooks', ''];
	if (!w) return [...out, '(not run or failed — see notes)', ''];
	if (!w.config?.engines)
		return [
			...out,
			'(results from an older bench layout — re-run `BENCH_ONLY=webhooks BENCH_MERGE=1 npm run bench`)',
			'',
		];
	if (chart) out.push(`![Webhooks: events per second per arm and engine](${chart})`, '');
	const { summarize } = require('./webhooks');
	const rows = summarize(w);
	const { count, concurrencies, warmUp } = w.config;
	const arms = w.config.arms ?? ['plain', 'handBuilt', 'trigger'];
	out.push(
		`${count.toLocaleString('en-US')} smsroute \`message.delivered\` events per burst, each unique, signed with the sandbox test key ` +
			`(\`x-smsroute-signature: t=…,v1=…\`), POSTed over keep-alive connections at each concurrency into ${arms.length} active workflows in ` +
			`the same fresh n8n: ${arms.map((a) => ARM_TEXT[a] ?? a).join('; ')}. ` +
			`One n8n per engine setting; ${warmUp ?? 50}-request warm-up per arm; arms alternate. ` +
			'Latency = request sent → response read, at the client. Executions are counted from n8n after each engine.',
		'',
		'| engine | concurrency | arm | events/s | p50 | p99 | HTTP statuses |',
		'|---|---:|---|---:|---:|---:|---|',
	);
	for (const r of rows) {
		out.push(
			`| ${ENGINE_LABEL[r.engine] ?? r.engine} | ${r.concurrency} | ${ARM_LABEL[r.arm] ?? r.arm} | ${r.eventsPerSecond.toFixed(1)} | ${s(r.p50)} | ${s(r.p99)} | ${JSON.stringify(r.statuses)} |`,
		);
	}
	out.push('');
	const rate = (engine, concurrency, arm) =>
		rows.find((r) => r.engine === engine && r.concurrency === concurrency && r.arm === arm)
			?.eventsPerSecond;
	out.push('| engine | concurrency | target | figure | result |', '|---|---:|---|---|---|');
	for (const { name: engine } of w.config.engines) {
		for (const concurrency of concurrencies) {
			for (const [label, num, den, min] of WEBHOOK_TARGETS[engine] ?? []) {
				const a = rate(engine, concurrency, num);
				const b = rate(engine, concurrency, den);
				if (a == null || b == null) continue;
				const ratio = a / b;
				out.push(
					`| ${ENGINE_LABEL[engine] ?? engine} | ${concurrency} | ${label} | ${a.toFixed(1)} / ${b.toFixed(1)} = ${ratio.toFixed(2)}× | ${ok(ratio >= min)} |`,
				);
			}
		}
		const worst = rows.filter(
			(r) =>
				r.engine === engine && r.arm === 'trigger' && r.concurrency === Math.max(...concurrencies),
		);
		if (worst.length) {
			const p99 = Math.max(...worst.map((r) => r.p99));
			const limit = P99_TARGET_MS[engine] ?? 3000;
			out.push(
				`| ${ENGINE_LABEL[engine] ?? engine} | ${Math.max(...concurrencies)} | trigger p99 < ${s(limit)} | ${s(p99)} | ${ok(p99 < limit)} |`,
			);
		}
		const ex = w.executions?.[engine];
		if (ex) {
			const all = Object.entries(ex)
				.map(([arm, e]) => `${arm} ${e.count}/${e.expected} (${e.success} success)`)
				.join(', ');
			const good = Object.values(ex).every(
				(e) => e.count === e.expected && e.success === e.expected,
			);
			out.push(
				`| ${ENGINE_LABEL[engine] ?? engine} | all | every event → one successful execution | ${all} | ${ok(good)} |`,
			);
		}
	}
	out.push('');
	if (w.isolatesPerRequest && Object.keys(w.isolatesPerRequest).length) {
		out.push(
			"Expression isolates n8n acquires per request (n8n's `n8n_expression_pool_acquired_total` metric, 10 requests per arm):",
			'',
			'| engine | ' + ARMS_ORDER.map((a) => ARM_LABEL[a]).join(' | ') + ' |',
			'|---|' + ARMS_ORDER.map(() => '---:').join('|') + '|',
		);
		for (const [engine, per] of Object.entries(w.isolatesPerRequest)) {
			out.push(
				`| ${ENGINE_LABEL[engine] ?? engine} | ${ARMS_ORDER.map((a) => (per?.[a] === undefined ? '–' : Number.isFinite(Number(per[a])) ? Number(per[a]).toFixed(1) : 'none (no isolates)')).join(' | ')} |`,
			);
		}
		out.push('');
	}
	return out;
}
const ARMS_ORDER = ['plain', 'plainAuth', 'handBuilt', 'floor', 'trigger'];

function queueSection() {
	const file = path.join(__dirname, 'results-queue.json');
	if (!fs.existsSync(file)) return [];
	const q = JSON.parse(fs.readFileSync(file, 'utf8'));
	const out = ['## 4. Queue mode: 1 vs 2 webhook processes, 1 vs 2 workers', ''];
	out.push(
		`From \`node test/bench/queue.js\` (run ${q.date}, n8n ${q.n8n}, PostgreSQL + Redis on 127.0.0.1, ${q.machine?.cpus} CPUs, ` +
			`load ${q.machine?.loadavgAtStart?.[0]} at start). Settings: ${JSON.stringify(q.settings)}.`,
		'',
		'| what | 1 process | 2 processes | ratio |',
		'|---|---:|---:|---:|',
	);
	const row = (label, a, b) =>
		out.push(
			`| ${label} | ${a ?? '–'} | ${b ?? '–'} | ${a && b ? `${(b / a).toFixed(2)}×` : '–'} |`,
		);
	row(
		'signed webhook events answered/s (webhook processes)',
		q.webhooks?.one?.answeredPerSecond,
		q.webhooks?.two?.answeredPerSecond,
	);
	row(
		'executions finished/s for those events',
		q.webhooks?.one?.executedPerSecond,
		q.webhooks?.two?.executedPerSecond,
	);
	row(
		'Send in Bulk items/s (workers)',
		q.workers?.one?.itemsPerSecond,
		q.workers?.two?.itemsPerSecond,
	);
	out.push(
		'',
		'What this run can and cannot say. It shows that both nodes work in queue mode with work spread over processes: the ' +
			'webhook processes split the events between them, every one answered and run once, and bulk sends ran on both workers ' +
			'(every message charged once; see README, *Queue mode*). It cannot show scaling: on 2 cores shared by five n8n processes, ' +
			'PostgreSQL, Redis, the proxy and the load generator, a second process has no core of its own to add, so the figures ' +
			'are the same within noise. Each event costs n8n a read of the workflow row, a static-data write, a queued job and an ' +
			"execution on a worker; the trigger's own verify + normalize is microseconds per event (section 2), so the pace is n8n's. " +
			'Measure on a machine with a core per process before sizing a deployment from these numbers.',
		'',
		`Command: \`${q.command ?? 'node test/bench/queue.js'}\`.`,
		'',
	);
	return out;
}

/** One burst run (test/bench/burst.js): where and how it ran, its table, what was refused. */
function burstRun(b) {
	const { table } = require('./burst');
	const st = b.settings;
	const engine = st.lazyAcquire
		? '`N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true`'
		: 'default expression engine';
	const out = [`### ${engine}, ${st.events.toLocaleString('en-US')} requests per arm`, ''];
	if (st.events < 20_000)
		out.push(
			`**Reduced run** (not the 20,000 of issue 32), on a machine shared with other work: the rates are this ` +
				"load's; the counts (carried once, missing) are what must hold at any load.",
			'',
		);
	out.push(
		`\`${b.command}\`, run ${b.date}, n8n ${b.n8n}, main + ${st.workers} workers + ${st.webhooks} webhook processes, ` +
			`${b.machine?.cpus} CPUs, 1-minute load average ${b.loadavgAtStart?.[0]} at start and ${b.loadavgAtEnd?.[0]} at the end.`,
		'',
		table(b),
		'',
	);
	const t = b.arms.trigger;
	const p = b.arms.plain;
	out.push(
		`SMS Route Trigger / Webhook node: **${b.ratio}×** the rate.${b.drainSeconds !== undefined ? ` All executions finished ${b.drainSeconds < 1 ? 'within 1 s of' : `${b.drainSeconds} s after`} the last answer.` : ''}` +
			` Answers (retries included): trigger ${JSON.stringify(t.statuses)}, Webhook node ${JSON.stringify(p.statuses)}; ` +
			`retries: trigger ${t.retries}, Webhook node ${p.retries}. The trigger answered ${t.resendsAnsweredEmitted0} requests (resends) 200 ` +
			`with \`emitted: 0\` and ${t.holds ? 'ran every event it accepted once' : `**did not pass**: ${t.carriedOnce} events carried once, ${t.carriedTwiceOrMore} twice or more, ${t.missingAnswered2xx} answered 2xx and missing`} (${t.distinctEventIds} distinct \`eventId\`s); the Webhook node ` +
			`has no duplicate check, so its ${p.carriedTwiceOrMore} resent events ran two or more times (its check: one execution per 2xx request).`,
		'',
	);
	for (const [arm, a] of Object.entries(b.arms))
		for (const [status, r] of Object.entries(a.refusals ?? {}))
			out.push(
				`- ${arm} answered ${status} ${r.count} times, e.g. \`${r.sample.replace(/`/g, "'")}\``,
			);
	if (Object.values(b.arms).some((a) => Object.keys(a.refusals ?? {}).length)) out.push('');
	// What was found by reading the logs after the run, written into the results file by hand.
	for (const note of b.notes ?? []) out.push(`- ${note}`);
	if (b.notes?.length) out.push('');
	if (
		Object.values(b.arms).some((a) =>
			/Database is not ready/.test(a.refusals?.['503']?.sample ?? ''),
		)
	)
		out.push(
			"`Database is not ready!` is n8n's own answer, not the trigger's: a webhook process whose database ping (every 2 s, " +
				'`DB_PING_INTERVAL_SECONDS` / `DB_PING_TIMEOUT_MS`) timed out answers 503 to every request until a ping succeeds ' +
				'(its log: `Database ping failed (1/3): Database connection timed out`, then `Database connection recovered`). ' +
				`A 503 is what a provider retries; after the retries ${Object.entries(b.arms)
					.map(([arm, a]) => `${arm}: ${a.notCarried} not carried`)
					.join(', ')}.`,
			'',
		);
	return out;
}

/** Section 7, from test/bench/results-burst.json and results-burst-lazy.json (BENCH_ONLY=burst). */
function burstSection() {
	const runs = ['results-burst.json', 'results-burst-lazy.json']
		.map((name) => path.join(__dirname, name))
		.filter((file) => fs.existsSync(file))
		.map((file) => JSON.parse(fs.readFileSync(file, 'utf8')));
	if (runs.length === 0) return [];
	return [
		'## 8. Campaign burst (queue mode)',
		'',
		"A campaign's delivery receipts, end to end (issue 32): signed smsroute events at concurrency 50 into n8n in queue mode " +
			'(PostgreSQL, Redis, main, workers, 2 webhook processes behind a round-robin proxy, all on 127.0.0.1). Two arms get the ' +
			"same events in alternating slices: the SMS Route Trigger, and n8n's plain Webhook node (Respond: Immediately) as the " +
			'control. About 5% of the requests resend an earlier event (same body, signed anew); events not answered 2xx are sent ' +
			"again after the slices, as a provider retries (outside the rate and the latencies). Then, from n8n's executions: every " +
			'event carried by exactly one execution, and none answered 2xx missing. p50 and p99 are at the client, so at a fixed ' +
			'concurrency they are about concurrency ÷ rate: a slower arm waits longer per request.',
		'',
		...runs.flatMap(burstRun),
		...(runs.length > 1
			? [
					'Between these runs the setting that differs is `N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE` (the load differs too). On the default engine n8n 2.x holds an ' +
						"expression isolate (1 per process by default) through a community trigger's whole webhook phase (section 2, " +
						"issue 32), so each webhook process serves the trigger's requests one at a time and, at concurrency 50, a request " +
						'waits for the ones before it. With lazy acquire the trigger takes no isolate. SendCloud allows 3 s per callback: ' +
						'a p99 above that means retries, which the duplicate record answers with `emitted: 0` once an execution carries the event.',
					'',
				]
			: []),
		'Full run, 20,000 requests per arm (at the default engine rate above, an hour or more on 2 cores; on a quiet machine): ' +
			'`npm run build && node test/bench/burst.js`, and with `BURST_LAZY_ACQUIRE=1` for the lazy-acquire figures ' +
			'(`results-burst-lazy.json`); or `BENCH_ONLY=burst BENCH_MERGE=1 npm run bench`.',
		'',
	];
}

function microSection(results) {
	const m = results.micro;
	const out = ['### Verify + normalize in process', ''];
	if (!m) return [...out, '(not run or failed — see notes)', ''];
	out.push(
		`${m.n.toLocaleString('en-US')} signed events through the built \`dist/nodes/SmsRoute/shared/events/smsRoute/constructEvent.js\` \`constructSmsRouteEvent\` ` +
			'(verify with the test and live keys, parse, normalize: the chain the trigger runs) ' +
			`in one loop after a 1,000-event warm-up, Node ${m.node}:`,
		'',
		`- parse + verify + normalize: **${m.usPerEvent.toFixed(1)} µs/event**`,
		`- of which HMAC verification alone: ${m.verifyUsPerEvent.toFixed(1)} µs/event`,
		'',
	);
	return out;
}

function soakSection(results) {
	const k = results.soak;
	const out = ['## 3. Soak under faults', ''];
	if (!k) return [...out, '(not run or failed — see notes)', ''];
	const f = k.faults;
	out.push(
		`${k.size.toLocaleString('en-US')} messages (unique bodies) through Send in Bulk in real n8n, chunks of ${k.chunkSize}, concurrency ${k.concurrency}, ` +
			`node options ${JSON.stringify(k.nodeOptions)}. The sandbox injects per request: ${f.error503 * 100}% 503, ${f.rateLimit * 100}% 429 (Retry-After ${f.retryAfterSeconds} s), ` +
			`${f.dropAfterCharge * 100}% connection drops after the charge, ${f.stall * 100}% stalls of ${f.stallMs / 1000} s (past the node's ${k.nodeOptions.timeoutSeconds} s timeout; charged, answered late). ` +
			'Output = the webhook response (all items); pairing also read from the recorded execution (`pairedItem`).',
		'',
		'| figure | value |',
		'|---|---|',
		`| wall time | ${s(k.wallMs)} |`,
		`| requests to the sandbox | ${k.requests} (${JSON.stringify(k.sandboxRequests)}) |`,
		`| faults injected | ${JSON.stringify(k.injected)} |`,
		`| sandbox responses | ${JSON.stringify(k.sandboxResponses)} |`,
		`| charged (ledger entries) | ${k.charged} |`,
		`| **lost** (input body not in the ledger) | **${k.lost}** |`,
		`| **charged twice** (input body in the ledger more than once) | **${k.chargedTwice}** |`,
		`| ledger entries for bodies not in the input | ${k.foreign} |`,
		`| output items | ${k.outputs} |`,
		`| output items not paired with their input (position/\`to\`) | ${k.unpaired} |`,
		`| output items whose id ≠ the ledger's id for that message | ${k.wrongId} |`,
		`| output error items | ${k.errorItems} |`,
		`| recorded \`pairedItem\` ≠ input index | ${k.pairedChecked ? k.pairedMismatch : 'not checked'} |`,
		'',
		`Soak: ${k.holds ? '**holds**' : '**FAILS**'}${k.problems.length ? ` — ${k.problems.join('; ')}` : ''}.`,
		'',
	);
	return out;
}

const VARIANT_NAMES = {
	off: '(a) everything off (version 1, no option set)',
	guards:
		'(b) every guard on (1.1 type block, allowed countries, a cap, as many opt-outs as messages, 1 in 10 matching)',
	sendingWindow: '(c) Sending Window on, the zones of each number',
	sendingWindowOverride:
		'(d) Sending Window with Sending Window Time Zone `{{ $json.timeZone }}` (16 names, per item)',
	guardsSendingWindow: '(e) every guard and the Sending Window',
	campaign: '(f) Campaign ID set (keys from the campaign and the message, issue 25)',
	beforeGuards: '(b) every guard on, on the build of the earlier commit, in the same alternation',
};

/** Results recorded before issue 26 name the Sending Window variants Quiet Hours. */
const RENAMED_VARIANTS = {
	quietHours: 'sendingWindow',
	quietHoursOverride: 'sendingWindowOverride',
	guardsQuietHours: 'guardsSendingWindow',
};

/** Send in Bulk's variants (test/bench/guards.js), each against (a) of the same run. */
function variantsTable(b, size) {
	const outcome = (o) =>
		[
			`${o.sent.toLocaleString('en-US')} sent`,
			o.skipped && `${o.skipped.toLocaleString('en-US')} skipped`,
			o.deferred && `${o.deferred.toLocaleString('en-US')} deferred`,
			o.errors && `${o.errors.toLocaleString('en-US')} refused/errors`,
		]
			.filter(Boolean)
			.join(', ');
	const { before, ...recorded } = b.variants;
	const v = Object.fromEntries(
		Object.entries(recorded).map(([name, r]) => [RENAMED_VARIANTS[name] ?? name, r]),
	);
	// On a busy machine the fastest pass is the one least disturbed: shown beside the median.
	const fastest = (r) => s(Math.min(...r.passesMs));
	const rows = [
		'',
		`Send in Bulk of ${b.messages.toLocaleString('en-US')} messages over ${b.countries} countries (two in three North American, over every US/Canadian area code; 1.5% on +44 7 numbers of Guernsey, Jersey and the Isle of Man, which the allowed countries refuse), Sending Window ${b.window} (open in every zone when run). The variants take turns pass by pass; ratio = median / (a)'s median of the same run.${b.loadAverage ? ` Load average (1 min) on the ${b.loadAverage.cpus}-CPU machine: ${b.loadAverage.start.toFixed(1)} at the start of the passes, ${b.loadAverage.end.toFixed(1)} at the end (a pass far above its neighbours is other work on the machine, not the variant).` : ''}`,
		'',
		"| Send in Bulk, node work only | median | × (a) | fastest pass | × (a)'s fastest | passes | outcome |",
		'|---|---:|---:|---:|---:|---|---|',
		...(before
			? [
					`| (a) on a build of an earlier commit (BENCH_GUARDS_BEFORE=${b.beforeDist}${b.beforeCommit ? `, commit ${b.beforeCommit}` : ''}), in the same alternation | ${s(before.ms)} | ${before.ratio.toFixed(2)}× | ${fastest(before)} | ${(Math.min(...before.passesMs) / Math.min(...v.off.passesMs)).toFixed(2)}× | ${before.passesMs.join(', ')} ms | ${outcome(before.outcome)} |`,
				]
			: []),
		...Object.entries(v).map(
			([name, r]) =>
				`| ${VARIANT_NAMES[name] ?? name} | ${s(r.ms)} | ${r.ratio.toFixed(2)}× | ${fastest(r)} | ${(Math.min(...r.passesMs) / Math.min(...v.off.passesMs)).toFixed(2)}× | ${r.passesMs.join(', ')} ms | ${outcome(r.outcome)} |`,
		),
	];
	const targets = [];
	if (v.campaign)
		targets.push(
			`| Campaign ID on within 5% of off (node work, issue 25) | ${s(v.campaign.ms)} / ${s(v.off.ms)} = ${x(v.campaign.ratio)} | ${ok(Math.abs(v.campaign.ratio - 1) <= 0.05)} |`,
		);
	if (before)
		targets.push(
			`| off within 5% of the earlier build's off (0.2.0-style keys, issue 25) | ${s(v.off.ms)} / ${s(before.ms)} = ${x(v.off.ms / before.ms)} | ${ok(Math.abs(v.off.ms / before.ms - 1) <= 0.05)} |`,
		);
	if (v.sendingWindow)
		targets.push(
			`| Sending Window on ≤ 1.3× off (node work) | ${s(v.sendingWindow.ms)} / ${s(v.off.ms)} = ${x(v.sendingWindow.ratio)} | ${ok(v.sendingWindow.ratio <= 1.3)} |`,
		);
	if (v.sendingWindowOverride)
		targets.push(
			`| Sending Window with a per-item time zone ≤ 1.3× off (node work) | ${s(v.sendingWindowOverride.ms)} / ${s(v.off.ms)} = ${x(v.sendingWindowOverride.ratio)} | ${ok(v.sendingWindowOverride.ratio <= 1.3)} |`,
		);
	if (v.guardsSendingWindow && v.guards) {
		const added = v.guardsSendingWindow.ms / v.guards.ms;
		targets.push(
			`| Sending Window on top of every guard ≤ 1.3× guards alone (node work) | ${s(v.guardsSendingWindow.ms)} / ${s(v.guards.ms)} = ${x(added)} | ${ok(added <= 1.3)} |`,
		);
	}
	if (targets.length)
		rows.push(
			'',
			...(v.sendingWindow
				? [
						`The Sending Window adds ${s(v.sendingWindow.ms - v.off.ms)} per ${size.toLocaleString('en-US')} messages (${(((v.sendingWindow.ms - v.off.ms) * 1000) / size).toFixed(2)} µs each).`,
						'',
					]
				: []),
			'| target | figure | result |',
			'|---|---|---|',
			...targets,
		);
	return rows;
}

function guardsSection(results) {
	const g = results.guards;
	if (!g?.after) return [];
	const a = g.after;
	const out = ['## 5. Guardrails and the Sending Window (in process)', ''];
	out.push(
		`\`node --expose-gc test/bench/guards.js\` on dist/: the node's own work at ${a.size.toLocaleString('en-US')} messages, n8n's floor and the wire left out (a stand-in execute context answers each bulk request at once), so the guards' and the Sending Window's share is as large as it can get. Median of ${a.passes} passes after a warm-up, a full GC before each pass.`,
		'',
		'| Do Not Send To | listed | messages | read the list | match every message | total | target |',
		'|---|---:|---:|---:|---:|---:|---|',
	);
	const FORMS = {
		e164: 'E.164',
		national: 'national US numbers, (201) 200-0000',
		written: 'written, +1 201–200–0000 (mobile)',
	};
	for (const [form, d] of Object.entries(a.doNotSendTo ?? {})) {
		const row = (label, r) =>
			`| list as ${label} | ${r.listed.toLocaleString('en-US')} | ${r.messages.toLocaleString('en-US')} | ${s(r.readMs)} | ${s(r.matchMs)} | ${s(r.totalMs)} | well under 1 s: ${ok(r.totalMs < 500)} |`;
		out.push(row(FORMS[form] ?? form, d));
		// A build of an earlier commit, alternating with this one (BENCH_GUARDS_BEFORE).
		if (d.before)
			out.push(
				row(
					`${FORMS[form] ?? form}, earlier commit${d.before.held === d.held ? '' : ` (held ${d.before.held.toLocaleString('en-US')} of ${d.held.toLocaleString('en-US')})`}`,
					d.before,
				),
			);
	}
	const b = a.sendBulk;
	if (b.variants) out.push(...variantsTable(b, a.size));
	else
		out.push(
			'',
			'| Send in Bulk, node work only | median | passes |',
			'|---|---:|---|',
			`| guards off (version 1, no option set) | ${s(b.offMs)} | ${b.offPassesMs.join(', ')} ms |`,
			`| every guard on | ${s(b.onMs)} | ${b.onPassesMs.join(', ')} ms |`,
		);
	if (b.onMs !== undefined) {
		const full = results.bulk?.find((r) => r.variant === 'smsroute' && r.size === a.size)?.wallMs;
		const ratio = full && (full + b.onMs - b.offMs) / full;
		out.push(
			'',
			`Guards on / off, node work only: ${b.ratio.toFixed(2)}× (${s(b.onMs - b.offMs)} per ${a.size.toLocaleString('en-US')} messages). ` +
				`Issue 21's target (≤ 1.3×) is on the whole Send in Bulk in n8n; with section 1's ${a.size.toLocaleString('en-US')}-item run as the guards-off time that is ` +
				(full
					? `(${s(full)} + ${s(b.onMs - b.offMs)}) / ${s(full)} = ${ratio.toFixed(2)}×: ${ok(ratio <= 1.3)}.`
					: 'not measured here.'),
		);
	}
	out.push('');
	return out;
}

const ms1 = (ms) => `${ms < 10 ? ms.toFixed(2) : Math.round(ms).toLocaleString('en-US')} ms`;
const load = (l) => (l ? `load average ${l.start.toFixed(1)} → ${l.end.toFixed(1)}` : '');

/** Issue 33: the previous release, the readers of user text, Do Not Send To per country. */
function perMessageSection(results) {
	const { previous: p, linear: l, countries: c } = results;
	if (!p && !l && !c) return [];
	const out = ['## 7. The per-message path (issue 33)', ''];
	if (p) {
		const row = (name, r, goal) =>
			`| ${name} | ${s(r.previousMs)} | ${s(r.currentMs)} | ${x(r.ratio)} | ≤ ${goal}× ${ok(r.ratio <= goal)} | ${r.previousPassesMs.join(', ')} / ${r.currentPassesMs.join(', ')} ms | ${load(r.loadAverage)} |`;
		out.push(
			`\`node test/bench/previous.js\`: Send in Bulk of the same ${p.nodePath.messages.toLocaleString('en-US')} messages on 0.2.0's build (commit ${p.commit}, built from git) and on dist/, alternating pass by pass, ${p.passes} passes after a warm-up, medians; no guard, no Campaign ID, chunks of 1,000, concurrency 5, in process (a stand-in answers each bulk request).`,
			'',
			'| Send in Bulk | 0.2.0 | this build | ratio | goal | passes (0.2.0 / this) | machine |',
			'|---|---:|---:|---:|---|---|---|',
			row("the node's own path (answered at once)", p.nodePath, 1.05),
			row('with 20 ms latency per request', p.sendBulk, 1.2),
			'',
		);
	}
	if (l) {
		out.push(
			`\`node test/bench/linearTime.js\`: median of ${l.rounds} (${load(l.loadAverage)}). One Do Not Send To entry with an unclosed "(" and no separator; before the fix (9849172): 223 ms, 781 ms, 5.9 s, 27.2 s (issue 33's machine; 341 ms, 1.3 s, 10.2 s, 41.8 s here under load).`,
			'',
			`| characters | ${l.lengths.map((n) => n.toLocaleString('en-US')).join(' | ')} |`,
			`|---|${l.lengths.map(() => '---:').join('|')}|`,
			`| unclosed "(" | ${l.lengths.map((n) => ms1(l.unclosed[n])).join(' | ')} |`,
			'',
			'| reader | its slowest shape at 200,000 characters | time | goal < 50 ms |',
			'|---|---|---:|---|',
			...Object.entries(l.worst).map(
				([reader, w]) => `| ${reader} | ${w.shape} | ${ms1(w.ms)} | ${ok(w.ms < 50)} |`,
			),
			'',
		);
	}
	if (c) {
		out.push(
			`Do Not Send To of ${c.listed.toLocaleString('en-US')} numbers, Send in Bulk of ${c.messages.toLocaleString('en-US')} messages over ${c.countries} countries with Default Country \`{{ $json.country }}\`, against one fixed Default Country (\`guards.js\`, BENCH_GUARDS_SECTIONS=countries; ${load(c.loadAverage)}). Before (9849172): 13.7 s against 257 ms (issue 33).`,
			'',
			'| fixed country | 60 countries | ratio | goal |',
			'|---:|---:|---:|---|',
			`| ${s(c.fixedMs)} | ${s(c.perItemMs)} | ${x(c.ratio)} | ≤ 1.5× ${ok(c.ratio <= 1.5)} |`,
			'',
		);
	}
	return out;
}

function renderReport(results) {
	const m = results.machine;
	const charts = writeCharts(results); // docs/benchmarks/*.svg, linked from the sections
	const out = [
		'# Benchmarks',
		'',
		'Generated by `test/bench/run.js` — do not edit the figures by hand; re-run instead. ' +
			'Everything runs on 127.0.0.1 against the local sandbox (`test/sandbox/server.js`, in the bench process), with n8n started by `test/e2e/n8n.js`.',
		'',
		'## How to reproduce',
		'',
		'```sh',
		'npm run bench                      # = npm run build && node test/bench/run.js  (all sections, 10,000 and 100,000 items)',
		'BENCH_SIZES=10000 npm run bench    # shorter: bulk at 10,000 only',
		'BENCH_ONLY=soak npm run bench      # one section: bulk | micro | webhooks | soak | guards | previous | linear | countries',
		'BENCH_ONLY=burst BENCH_MERGE=1 npm run bench   # the campaign burst into queue mode (not in the default set: long)',
		'```',
		'',
		`This report was produced by: \`${results.command}\` (total ${s(results.totalMs)}). Raw figures: \`test/bench/results.json\`.`,
		'',
		'## Machine',
		'',
		`- ${m.nproc} CPUs (${m.cpu}), ${m.memTotalGiB} GiB RAM (${m.memFreeGiB} GiB free at start), ${m.kernel}`,
		`- n8n ${m.n8nVersion} on Node ${m.n8nNode} (SQLite, \`N8N_RUNNERS_MODE=internal\`); bench process and sandbox on Node ${m.benchNode}, undici ${m.undici}`,
		`- package at git ${m.gitHead}${m.gitDirty ? ' with uncommitted changes under nodes/ or credentials/' : ''}, dist/ built ${m.distBuiltAt}; run ${m.date}`,
		'',
		...bulkSection(results, charts.bulk),
		...webhookSection(results, charts.webhooks),
		...microSection(results),
		...soakSection(results),
		...queueSection(),
		...guardsSection(results),
		...perMessageSection(results),
		...burstSection(),
	];
	if (results.notes.length)
		out.push('## Notes from this run', '', ...results.notes.map((n) => `- ${n}`), '');
	const analysis = path.join(__dirname, 'ANALYSIS.md');
	if (fs.existsSync(analysis)) out.push(fs.readFileSync(analysis, 'utf8').trim(), '');
	return out.join('\n');
}

module.exports = { renderReport, burstSection };
