'use strict';
/**
 * Against the previous release (issue 33): Send in Bulk of the same 100,000 messages on 0.2.0's
 * build and on dist/, alternating pass by pass (test/bench/guards.js, variants `before` and
 * `off`: no guard, no Campaign ID, chunks of 1,000, concurrency 5), in process:
 *   - the node's own path: the stand-in answers each bulk request at once;
 *   - Send in Bulk: the stand-in answers after 20 ms, as the sandbox does in section 1.
 * Goals: ≤ 1.05× the previous build per message in the node's own path, ≤ 1.2× in Send in Bulk.
 *
 *   node test/bench/previous.js        (npm run build first; BENCH_PREVIOUS=<commit> for another)
 *
 * The previous build is made once from git (git archive + tsc) in the system's temp folder.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '../..');
/** 0.2.0: the commit that set the version (no tag; the package is not on the registry). */
const PREVIOUS = process.env.BENCH_PREVIOUS || 'ee44883';
const PASSES = Number(process.env.BENCH_PREVIOUS_PASSES || 7);

function run(command, args, options) {
	const child = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (child.status !== 0)
		throw new Error(
			`${command} ${args.join(' ')}: ${(child.stderr || child.stdout).slice(0, 500)}`,
		);
	return child.stdout;
}

/** dist/ of the previous release, built once into the temp folder. */
function previousBuild(commit = PREVIOUS) {
	const full = run('git', ['-C', ROOT, 'rev-parse', commit]).trim();
	const dir = path.join(os.tmpdir(), `smsroute-previous-${full.slice(0, 12)}`);
	const dist = path.join(dir, 'dist');
	if (fs.existsSync(path.join(dist, 'nodes/SmsRoute/actions/message/sendBulk.operation.js')))
		return { dist, commit: full };
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	const archive = path.join(dir, 'source.tar');
	run('git', ['-C', ROOT, 'archive', '--output', archive, full]);
	run('tar', ['-xf', archive, '-C', dir]);
	fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
	run(
		process.execPath,
		[path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
		{
			cwd: dir,
		},
	);
	return { dist, commit: full };
}

/** One alternation of the two builds (guards.js in a child: its own heap, --expose-gc). */
function alternate(before, latencyMs) {
	const child = spawnSync(
		process.execPath,
		['--expose-gc', path.join(__dirname, 'guards.js'), path.join(ROOT, 'dist'), before],
		{
			cwd: ROOT,
			encoding: 'utf8',
			env: {
				...process.env,
				NODE_PATH: path.join(ROOT, 'node_modules'),
				BENCH_GUARDS_SECTIONS: 'sendBulk',
				BENCH_GUARDS_VARIANTS: 'before,off',
				BENCH_GUARDS_PASSES: String(PASSES),
				BENCH_GUARDS_LATENCY_MS: String(latencyMs),
			},
		},
	);
	if (child.status !== 0) throw new Error(`guards.js: ${child.stderr.slice(0, 500)}`);
	const { sendBulk } = JSON.parse(child.stdout);
	const { before: previous, off: current } = sendBulk.variants;
	return {
		latencyMs,
		messages: sendBulk.messages,
		loadAverage: sendBulk.loadAverage,
		previousMs: previous.ms,
		currentMs: current.ms,
		ratio: current.ms / previous.ms,
		previousPassesMs: previous.passesMs,
		currentPassesMs: current.passesMs,
		outcome: { previous: previous.outcome, current: current.outcome },
	};
}

function runPreviousBench() {
	const { dist, commit } = previousBuild();
	return {
		commit: commit.slice(0, 7),
		passes: PASSES,
		nodePath: alternate(dist, 0),
		sendBulk: alternate(dist, 20),
	};
}

if (require.main === module) {
	const result = runPreviousBench();
	for (const [name, r] of [
		["node's own path", result.nodePath],
		['Send in Bulk, 20 ms latency', result.sendBulk],
	])
		console.error(
			`${name}: ${r.currentMs.toFixed(0)} ms / ${r.previousMs.toFixed(0)} ms (${result.commit}) = ${r.ratio.toFixed(3)}× (load ${r.loadAverage.start}–${r.loadAverage.end})`,
		);
	process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

module.exports = { runPreviousBench, previousBuild };
