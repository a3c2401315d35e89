'use strict';
/**
 * Guardrails bench (issue 21), in process, on the built dist/: the node's own work for Send in
 * Bulk at 100,000 messages, with n8n's floor and the wire left out (a stand-in execute context
 * answers each bulk request at once), so the guards' share is as large as it can be.
 *
 *   node --expose-gc test/bench/guards.js [distDir]     (npm run build first)
 *
 * 1. Do Not Send To: 100,000 listed numbers against 100,000 messages (read the list + match).
 * 2. Send in Bulk of 100,000 messages, every guard off vs every guard on, alternating, median
 *    of the passes. Prints JSON; run.js puts it into BENCHMARKS.md (BENCH_ONLY=guards).
 * A distDir of a build before the guards measures the per-message path before the change.
 */
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const SIZE = Number(process.env.BENCH_GUARDS_SIZE || 100_000);
const PASSES = Number(process.env.BENCH_GUARDS_PASSES || 5);

function load(dist) {
	const base = path.join(dist, 'nodes/SmsRoute');
	const sendBulk = require(path.join(base, 'actions/message/sendBulk.operation.js'));
	let guards;
	try {
		guards = require(path.join(base, 'helpers/guards.js'));
	} catch {
		guards = undefined; // a build from before the guards
	}
	return { sendBulk, guards };
}

/** Valid numbers: US +1 201 2xx xxxx, and a second set for the opt-out list. */
const number = (i) => `+1201${2000000 + i}`;
const items = Array.from({ length: SIZE }, (_, i) => ({
	json: { to: number(i), body: `bench message #${i}` },
}));

/** Just enough of IExecuteFunctions for the operation, answering bulk requests in process. */
function context(options, typeVersion) {
	const nodeContext = {};
	const node = { id: 'bench', name: 'SMS Route', typeVersion, parameters: {} };
	const parameters = {
		to: '={{ $json.to }}',
		body: '={{ $json.body }}',
		additionalFields: {},
		options,
	};
	return {
		getNode: () => node,
		getNodeParameter: (name, _i, fallback) => parameters[name] ?? fallback,
		getInputData: () => items,
		continueOnFail: () => true,
		getContext: () => nodeContext,
		getExecutionId: () => 'bench-execution',
		getWorkflow: () => ({ id: 'bench-workflow' }),
		getInstanceId: () => 'bench-instance',
		getExecutionCancelSignal: () => undefined,
		helpers: {
			async httpRequestWithAuthentication(_type, request) {
				const ids = request.body.messages.map((_m, i) => `msg_${i}`);
				return { statusCode: 200, headers: {}, body: { ids } };
			},
		},
	};
}

const client = (ctx) => ({
	context: ctx,
	baseUrl: 'http://bench.invalid/v1',
	environment: 'test',
	retry: { maxAttempts: 1, maxWaitMs: 1000, baseDelayMs: 1, maxDelayMs: 1 },
	timeoutMs: 30_000,
	redact: (value) => value,
});

async function sendBulkOnce(sendBulk, options, typeVersion) {
	const ctx = context(options, typeVersion);
	const started = performance.now();
	const [out] = await sendBulk.execute.call(ctx, items, client(ctx), {
		concurrency: 5,
		chunkSize: 1000,
		dryRun: false,
	});
	const ms = performance.now() - started;
	const sent = out.filter((item) => item.json.status === 'queued').length;
	const skipped = out.filter((item) => item.json.status === 'skipped').length;
	return { ms, sent, skipped, errors: out.length - sent - skipped };
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

async function main() {
	const dist = path.resolve(process.argv[2] || path.join(__dirname, '../../dist'));
	const { sendBulk, guards } = load(dist);
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

	if (guards) {
		// 1. Do Not Send To alone: reading the list, then matching every message against it.
		const lists = {
			e164: optOuts,
			national: optOuts.map((n) => `(201) ${n.slice(5, 8)}-${n.slice(8)}`),
		};
		result.doNotSendTo = {};
		for (const [form, list] of Object.entries(lists)) {
			const read = [];
			const match = [];
			for (let pass = 0; pass < PASSES; pass++) {
				let started = performance.now();
				const listed = guards.readDoNotSendTo(list, 'US');
				read.push(performance.now() - started);
				const check = guards.doNotSendToCheck(listed);
				started = performance.now();
				let held = 0;
				for (const item of items) if (check.check({ to: item.json.to }).action === 'hold') held++;
				match.push(performance.now() - started);
				if (held !== SIZE / 10) throw new Error(`expected ${SIZE / 10} matches, got ${held}`);
			}
			result.doNotSendTo[form] = {
				listed: list.length,
				messages: SIZE,
				readMs: median(read),
				matchMs: median(match),
				totalMs: median(read) + median(match),
			};
		}
	}

	// 2. Send in Bulk, guards off vs on: a warm-up, then the passes of each in turn, with a full
	// garbage collection before every pass (node --expose-gc) so one pass's garbage is not
	// collected on the next one's clock.
	const gc = typeof global.gc === 'function' ? global.gc : () => undefined;
	const passes = async (options, version) => {
		await sendBulkOnce(sendBulk, options, version);
		const runs = [];
		for (let pass = 0; pass < PASSES; pass++) {
			gc();
			runs.push(await sendBulkOnce(sendBulk, options, version));
		}
		return runs;
	};
	const off = (await passes({}, 1)).map((run) => run.ms);
	const onPasses = guards ? await passes(on, 1.1) : [];
	const onRuns = onPasses.map((run) => run.ms);
	const last = onPasses[onPasses.length - 1];
	result.sendBulk = {
		offMs: median(off),
		offPassesMs: off.map(Math.round),
		...(guards
			? {
					onMs: median(onRuns),
					onPassesMs: onRuns.map(Math.round),
					ratio: median(onRuns) / median(off),
					onOutcome: last,
				}
			: {}),
	};
	process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
