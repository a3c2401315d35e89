'use strict';
/**
 * Guardrails bench (issue 21), in process, on the built dist/: the node's own work for Send in
 * Bulk at 100,000 messages, with n8n's floor and the wire left out (a stand-in execute context
 * answers each bulk request at once), so the guards' share is as large as it can be.
 *
 *   node --expose-gc test/bench/guards.js [distDir [beforeDistDir]]     (npm run build first)
 *
 * 1. Do Not Send To: 100,000 listed numbers against 100,000 messages (read the list + match).
 * 2. Send in Bulk of 100,000 messages over 15 countries and every US/Canadian area code:
 *    (a) everything off, (b) every guard on, (c) the Sending Window on (open in every zone),
 *    (d) the Sending Window with a per-item `{{ $json.timeZone }}` override, (e) guards + window,
 *    (f) Campaign ID set (issue 25).
 *    Passes alternate between the variants; medians. Prints JSON; run.js puts it into
 *    BENCHMARKS.md (BENCH_ONLY=guards).
 * A beforeDistDir (a build of the commit before the Sending Window) adds (a) on that build as one more
 * variant of the same alternation, so before and after share the machine's load. A distDir of an
 * older build alone runs what that build has ((a) for a build before both).
 */
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');

const SIZE = Number(process.env.BENCH_GUARDS_SIZE || 100_000);
const PASSES = Number(process.env.BENCH_GUARDS_PASSES || 5);
/** The stand-in answers each bulk request after this many ms (0: at once, the node's own path). */
const LATENCY_MS = Number(process.env.BENCH_GUARDS_LATENCY_MS || 0);
/** BENCH_GUARDS_SECTIONS=sendBulk: only the Send in Bulk variants (what previous.js runs). */
const SECTIONS = (process.env.BENCH_GUARDS_SECTIONS || 'doNotSendTo,sendBulk,countries').split(',');

function load(dist) {
	const base = path.join(dist, 'nodes/SmsRoute');
	const sendBulk = require(path.join(base, 'actions/message/sendBulk.operation.js'));
	const optional = (file) => {
		try {
			return require(path.join(base, file));
		} catch {
			return undefined; // a build from before the guards / the Sending Window
		}
	};
	return {
		sendBulk,
		// Do Not Send To (readDoNotSendTo, doNotSendToCheck): its own file since issue 27.
		guards: optional('sending/guards/doNotSendTo.js') ?? optional('helpers/guards.js'),
		// Called Quiet Hours, under Options, before issue 26; moved to sending/ by issue 27.
		sendingWindow:
			optional('sending/sendingWindow/sendingWindowGuard.js') ??
			optional('actions/message/sendingWindow.js') ??
			optional('actions/message/quietHours.js'),
		// Campaign ID's repeated rows: duplicates.js until issue 34.
		campaign:
			optional('actions/message/repeatedRows.js') ?? optional('actions/message/duplicates.js'),
	};
}

/** Valid numbers: US +1 201 2xx xxxx, and a second set for the opt-out list. */
const number = (i) => `+1201${2000000 + i}`;
const items = Array.from({ length: SIZE }, (_, i) => ({
	json: { to: number(i), body: `bench message #${i}` },
}));

/** Mobile prefixes of 15 countries (digits after + in all), one zone or several each. */
const ABROAD = [
	['+49151', 13, 'DE'],
	['+447', 12, 'GB'],
	['+336', 11, 'FR'],
	['+346', 11, 'ES'],
	['+614', 11, 'AU'],
	['+55119', 13, 'BR'],
	['+919', 12, 'IN'],
	['+7916', 11, 'RU'],
	['+5255', 12, 'MX'],
	['+62812', 13, 'ID'],
	['+7701', 11, 'KZ'],
	['+2782', 11, 'ZA'],
	['+659', 10, 'SG'],
	['+97150', 12, 'AE'],
	['+86138', 13, 'CN'],
];
const COUNTRIES = ['US', 'CA', ...ABROAD.map(([, , country]) => country)];
/** What a per-item `{{ $json.timeZone }}` gives (a CRM field), several spellings. */
const ZONES = [
	'America/New_York',
	'America/Chicago',
	'America/Denver',
	'America/Los_Angeles',
	'America/Phoenix',
	'America/Toronto',
	'Europe/Berlin',
	'Europe/London',
	'Asia/Kolkata',
	'Asia/Calcutta',
	'Australia/Sydney',
	'America/Sao_Paulo',
	'Asia/Tokyo',
	'Africa/Johannesburg',
	' Europe/Paris ',
	'Asia/Dubai',
];

/**
 * SIZE distinct valid numbers: two in three North American over every area code libphonenumber
 * knows (the candidates it refuses are left out), one in three abroad.
 */
function spreadItems(classifyE164) {
	const areaCodes = [];
	for (let npa = 201; npa < 990; npa++) if (classifyE164(`+1${npa}2345678`)) areaCodes.push(npa);
	const list = [];
	for (let i = 0; list.length < SIZE; i++) {
		let to;
		if (i % 3 === 2) {
			const [prefix, digits] = ABROAD[i % ABROAD.length];
			const subscriber = String(2345678 + i * 7).padStart(digits, '0');
			to = prefix + subscriber.slice(-(digits - (prefix.length - 1)));
		} else {
			to = `+1${areaCodes[i % areaCodes.length]}${2000000 + (i % 8000000)}`;
		}
		if (!classifyE164(to)) continue;
		const n = list.length;
		list.push({
			json: { to, body: `bench message #${n}`, timeZone: ZONES[n % ZONES.length] },
		});
	}
	return list;
}

/** The guardrails under their names in Options, for a build from before issue 26. */
function renamedForOptions(settings) {
	const names = { sendingWindow: 'quietHours', sendingWindowTimeZone: 'quietHoursTimeZone' };
	return Object.fromEntries(
		Object.entries(settings).map(([key, value]) => [names[key] ?? key, value]),
	);
}

/** Just enough of IExecuteFunctions for the operation, answering bulk requests in process. */
function context(input, { options = {}, guardrails = {} }, typeVersion) {
	const nodeContext = {};
	const node = { id: 'bench', name: 'SMS Route', typeVersion, parameters: {} };
	const parameters = {
		operation: 'sendBulk',
		to: '={{ $json.to }}',
		body: '={{ $json.body }}',
		additionalFields: {},
		options,
		guardrails,
	};
	return {
		getNode: () => node,
		// n8n reads nested names ("guardrails.sendingWindow") with lodash get. Expressions are not
		// evaluated: the node reads plain `{{ $json.x }}` references from the items itself.
		getNodeParameter: (name, _i, fallback) =>
			name.split('.').reduce((value, key) => value?.[key], parameters) ?? fallback,
		getInputData: () => input,
		continueOnFail: () => true,
		getContext: () => nodeContext,
		// Where n8n-core's execute context keeps it (the node refuses to guess it).
		runIndex: 0,
		getExecutionId: () => 'bench-execution',
		getWorkflow: () => ({ id: 'bench-workflow' }),
		getInstanceId: () => 'bench-instance',
		getExecutionCancelSignal: () => undefined,
		helpers: {
			async httpRequestWithAuthentication(_type, request) {
				if (LATENCY_MS > 0) await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
				const ids = request.body.messages.map((_m, i) => `msg_${i}`);
				return { statusCode: 200, headers: {}, body: { ids } };
			},
		},
	};
}

const client = (ctx) => ({
	context: ctx,
	fn: ctx, // its name in 0.2.0's client
	baseUrl: 'http://bench.invalid/v1',
	environment: 'test',
	retry: { maxAttempts: 1, maxWaitMs: 1000, baseDelayMs: 1, maxDelayMs: 1 },
	timeoutMs: 30_000,
	redact: (value) => value,
});

async function sendBulkOnce(sendBulk, input, parameters, typeVersion) {
	const ctx = context(input, parameters, typeVersion);
	const started = performance.now();
	const returned = await sendBulk.execute.call(ctx, input, client(ctx), {
		concurrency: 5,
		chunkSize: 1000,
		dryRun: false,
	});
	// 0.2.0's operation gave the items; the router put them in an output (later builds: a list).
	const out = Array.isArray(returned[0]) ? returned[0] : returned;
	const ms = performance.now() - started;
	const count = (status) => out.filter((item) => item.json.status === status).length;
	const sent = count('queued');
	const skipped = count('skipped');
	const deferred = count('deferred');
	return { ms, sent, skipped, deferred, errors: out.length - sent - skipped - deferred };
}

/** The commit a build was made from, when its folder is in a git checkout. */
function commitOf(dist) {
	const git = spawnSync('git', ['-C', path.dirname(dist), 'log', '-1', '--format=%h'], {
		encoding: 'utf8',
	});
	return git.status === 0 ? git.stdout.trim() : undefined;
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/**
 * 3. Do Not Send To with a Default Country per item (issue 33): 100,000 listed numbers (E.164)
 * against 1,000 messages over 60 countries (`{{ $json.country }}`), and the same with one fixed
 * country. The list is read once per run; national entries once per distinct country.
 */
async function countriesSection(sendBulk) {
	const base = path.join(__dirname, '../../dist/nodes/SmsRoute/sending/numbers');
	const { COUNTRY_PLANS } = require(path.join(base, 'countryTable.js'));
	const { classifyE164 } = require(path.join(base, 'phoneNumber.js'));
	const examples = require('libphonenumber-js/examples.mobile.json');
	const countries = Object.keys(examples)
		.filter((country) => COUNTRY_PLANS[country])
		.map((country) => [country, `+${COUNTRY_PLANS[country].code}${examples[country]}`])
		.filter(([, e164]) => classifyE164(e164))
		.slice(0, 60);
	const messages = Array.from({ length: 1000 }, (_, i) => {
		const [country, to] = countries[i % countries.length];
		return { json: { to, body: `bench message #${i}`, country } };
	});
	const list = Array.from({ length: SIZE }, (_, i) => `+1201${5000000 + i}`);
	list[0] = messages[0].json.to;
	const variants = {
		fixed: { guardrails: { doNotSendTo: list }, options: { defaultCountry: 'US' } },
		perItem: {
			guardrails: { doNotSendTo: list },
			options: { defaultCountry: '={{ $json.country }}' },
		},
	};
	const runs = { fixed: [], perItem: [] };
	const loadAtStart = os.loadavg()[0];
	for (let pass = 0; pass <= PASSES; pass++)
		for (const [name, variant] of Object.entries(variants)) {
			if (typeof global.gc === 'function') global.gc();
			const run = await sendBulkOnce(sendBulk, messages, variant, 1.1);
			if (pass > 0) runs[name].push(run); // the first pass warms up
		}
	const ms = (name) => median(runs[name].map((run) => run.ms));
	const outcome = (name) => {
		const { ms: _ms, ...counts } = runs[name][runs[name].length - 1];
		return counts;
	};
	return {
		listed: list.length,
		messages: messages.length,
		countries: countries.length,
		loadAverage: { start: loadAtStart, end: os.loadavg()[0] },
		fixedMs: ms('fixed'),
		perItemMs: ms('perItem'),
		ratio: ms('perItem') / ms('fixed'),
		passesMs: Object.fromEntries(
			Object.entries(runs).map(([name, list]) => [name, list.map((run) => Math.round(run.ms))]),
		),
		outcome: { fixed: outcome('fixed'), perItem: outcome('perItem') },
	};
}

async function main() {
	const dist = path.resolve(process.argv[2] || path.join(__dirname, '../../dist'));
	const { sendBulk, guards, sendingWindow, campaign } = load(dist);
	// The same numbers for every build: chosen with this checkout's libphonenumber metadata.
	const { classifyE164 } = require(
		path.join(__dirname, '../../dist/nodes/SmsRoute/sending/numbers/phoneNumber.js'),
	);
	const result = {
		size: SIZE,
		passes: PASSES,
		dist: path.relative(process.cwd(), dist) || '.',
		node: process.version,
		gc: typeof global.gc === 'function',
	};

	// Every guard on: allowed countries, premium/shared-cost block (1.1 default), a cap above the
	// run, and an opt-out list of SIZE numbers of which every tenth matches a message.
	const optOuts = Array.from({ length: SIZE }, (_, i) =>
		i % 10 === 0 ? number(i) : `+1201${5000000 + i}`,
	);
	const on = {
		allowedCountries: ['US', 'CA', 'GB'],
		blockNumberTypes: ['premiumRate', 'sharedCost'],
		maxMessagesPerExecution: SIZE * 10,
		doNotSendTo: optOuts,
	};

	const beforeDist = process.argv[3] && path.resolve(process.argv[3]);
	const beforeGuards = beforeDist ? load(beforeDist).guards : undefined;
	if (guards && SECTIONS.includes('doNotSendTo')) {
		// 1. Do Not Send To alone: reading the list, then matching every message against it. With
		// a build from before that has the guards, its passes alternate with this build's.
		const lists = {
			e164: optOuts,
			national: optOuts.map((n) => `(201) ${n.slice(5, 8)}-${n.slice(8)}`),
			// As spreadsheets write them (issue 26): en dashes and a note. Not matched before.
			written: optOuts.map(
				(n) => `+1 ${n.slice(2, 5)}\u2013${n.slice(5, 8)}\u2013${n.slice(8)} (mobile)`,
			),
		};
		const builds = { after: guards, ...(beforeGuards ? { before: beforeGuards } : {}) };
		result.doNotSendTo = {};
		for (const [form, list] of Object.entries(lists)) {
			const times = Object.fromEntries(
				Object.keys(builds).map((b) => [b, { read: [], match: [] }]),
			);
			const held = {};
			for (let pass = 0; pass < PASSES; pass++) {
				for (const [build, module] of Object.entries(builds)) {
					let started = performance.now();
					const listed = module.readDoNotSendTo(list, 'US');
					times[build].read.push(performance.now() - started);
					const check = module.doNotSendToCheck(listed);
					started = performance.now();
					let count = 0;
					for (const item of items)
						if (check && check.check({ to: item.json.to }).action === 'hold') count++;
					times[build].match.push(performance.now() - started);
					held[build] = count;
				}
			}
			if (held.after !== SIZE / 10)
				throw new Error(`expected ${SIZE / 10} matches, got ${held.after}`);
			const summary = (build) => ({
				listed: list.length,
				messages: SIZE,
				held: held[build],
				readMs: median(times[build].read),
				matchMs: median(times[build].match),
				totalMs: median(times[build].read) + median(times[build].match),
			});
			result.doNotSendTo[form] = summary('after');
			if (beforeGuards) result.doNotSendTo[form].before = summary('before');
		}
	}

	if (SECTIONS.includes('countries') && guards) result.countries = await countriesSection(sendBulk);
	if (SECTIONS.includes('sendBulk')) {
		// 2. Send in Bulk, the variants in turn pass by pass (so a slow spell of a busy machine falls
		// on all of them), after a warm-up of each, with a full garbage collection before every pass
		// (node --expose-gc) so one pass's garbage is not collected on the next one's clock.
		const spread = spreadItems(classifyE164);
		const spreadOptOuts = spread.map((item, i) =>
			i % 10 === 0 ? item.json.to : `+1201${5000000 + i}`,
		);
		const guardsOn = { ...on, allowedCountries: COUNTRIES, doNotSendTo: spreadOptOuts };
		// Open in every zone but for one minute before midnight: every verdict is "send now" unless
		// some zone is in that minute when the bench runs (the outcome then shows the deferred ones).
		const WINDOW = '00:00-23:59';
		// Where a build reads them: the Guardrails collection from issue 26, Options before it.
		const guarded = (settings, build = sendingWindow) =>
			build?.SENDING_WINDOW_OPTIONS
				? { guardrails: settings }
				: { options: renamedForOptions(settings) };
		const window = guarded({ sendingWindow: WINDOW });
		const before = beforeDist ? load(beforeDist) : undefined;
		const variants = {
			...(before ? { before: { version: 1, sendBulk: before.sendBulk } } : {}),
			// Every guard on in the build from before, where it has them: the per-message path's cost.
			...(before?.guards
				? {
						beforeGuards: {
							...guarded(guardsOn, before.sendingWindow),
							version: 1.1,
							sendBulk: before.sendBulk,
						},
					}
				: {}),
			off: { version: 1 },
			...(guards ? { guards: { ...guarded(guardsOn), version: 1.1 } } : {}),
			...(sendingWindow
				? {
						sendingWindow: { ...window, version: 1 },
						sendingWindowOverride: {
							...guarded({ sendingWindow: WINDOW, sendingWindowTimeZone: '={{ $json.timeZone }}' }),
							version: 1,
						},
					}
				: {}),
			...(guards && sendingWindow
				? {
						guardsSendingWindow: {
							...guarded({ ...guardsOn, sendingWindow: WINDOW }),
							version: 1.1,
						},
					}
				: {}),
			// Issue 25: keys from the campaign and the message instead of the execution.
			...(campaign ? { campaign: { options: { campaignId: 'bench-2026-12' }, version: 1 } } : {}),
		};
		// BENCH_GUARDS_VARIANTS=off,sendingWindow: only those (to profile one with node --cpu-prof).
		const only = process.env.BENCH_GUARDS_VARIANTS?.split(',');
		if (only)
			for (const name of Object.keys(variants)) if (!only.includes(name)) delete variants[name];
		const gc = typeof global.gc === 'function' ? global.gc : () => undefined;
		const runs = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
		const loadAtStart = os.loadavg()[0];
		const once = (variant) =>
			sendBulkOnce(variant.sendBulk ?? sendBulk, spread, variant, variant.version);
		for (const variant of Object.values(variants)) await once(variant);
		for (let pass = 0; pass < PASSES; pass++) {
			for (const [name, variant] of Object.entries(variants)) {
				gc();
				runs[name].push(await once(variant));
			}
		}
		const offMs = runs.off ? median(runs.off.map((run) => run.ms)) : NaN;
		const summary = Object.fromEntries(
			Object.entries(runs).map(([name, list]) => {
				const ms = median(list.map((run) => run.ms));
				const { ms: _last, ...outcome } = list[list.length - 1];
				return [
					name,
					{ ms, passesMs: list.map((run) => Math.round(run.ms)), ratio: ms / offMs, outcome },
				];
			}),
		);
		result.sendBulk = {
			...(beforeDist ? { beforeDist, beforeCommit: commitOf(beforeDist) } : {}),
			// Other work on the machine shows in the passes: the 1-minute load average around them.
			loadAverage: { start: loadAtStart, end: os.loadavg()[0], cpus: os.cpus().length },
			messages: spread.length,
			countries: COUNTRIES.length,
			window: WINDOW,
			variants: summary,
			// The names of the guards-only report (section 5 before the Sending Window).
			offMs,
			offPassesMs: summary.off?.passesMs,
			...(summary.guards
				? {
						onMs: summary.guards.ms,
						onPassesMs: summary.guards.passesMs,
						ratio: summary.guards.ratio,
						onOutcome: summary.guards.outcome,
					}
				: {}),
		};
	}
	process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
