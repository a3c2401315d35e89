'use strict';
/**
 * The n8n installer must never trust a cache folder whose native modules do not load: that is
 * how a hand-built cache once hid a broken install from CI. These tests run the real script
 * against a fake cache (no network): a stub `npm` on PATH records what the script asks of it.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SCRIPT = path.join(__dirname, '..', 'e2e', 'install-n8n.sh');
const RECIPE = path.join(__dirname, '..', 'e2e', 'recipe.js');
const VERSION = '1.123.81'; // the 1.x path runs on this machine's Node, so no Node 24 is needed

function fakeCache({ sqlite3Loads }) {
	const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'smsroute-cache-'));
	const env = {
		...process.env,
		SMSROUTE_CACHE: cache,
		N8N_VERSION: VERSION,
		NODE20: process.execPath,
	};
	const dir = spawnSync(process.execPath, [RECIPE, 'dir', VERSION], {
		env,
		encoding: 'utf8',
	}).stdout.trim();
	// A folder laid out like a finished install: n8n, and sqlite3 beside it.
	const mod = (name, main) => {
		fs.mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
		fs.writeFileSync(
			path.join(dir, 'node_modules', name, 'package.json'),
			JSON.stringify({ name, main: 'index.js' }),
		);
		fs.writeFileSync(path.join(dir, 'node_modules', name, 'index.js'), main);
	};
	mod('n8n', '');
	mod(
		'sqlite3',
		sqlite3Loads
			? 'exports.Database = class { close() {} };'
			: "throw new Error('Could not locate the bindings file node_sqlite3.node');",
	);
	fs.writeFileSync(path.join(dir, '.complete'), '');
	// A stub npm that records its arguments and fails, so a rebuild attempt shows and stops.
	const bin = path.join(cache, 'bin');
	fs.mkdirSync(bin);
	const log = path.join(cache, 'npm-calls.log');
	fs.writeFileSync(
		path.join(bin, 'npm'),
		`#!/bin/sh\necho "npm $* ignore_scripts=\${npm_config_ignore_scripts:-unset}" >> '${log}'\n[ "$1" = config ] && exit 0\nexit 7\n`,
		{ mode: 0o755 },
	);
	// The script puts its Node's folder first on PATH; a node beside the stub keeps the stub first.
	fs.symlinkSync(process.execPath, path.join(bin, 'node'));
	env.NODE20 = path.join(bin, 'node');
	env.PATH = `${bin}:${process.env.PATH}`;
	// As under `npm test`: the project's .npmrc exported to children.
	env.npm_config_ignore_scripts = 'true';
	return { cache, dir, env, log };
}

function run(env) {
	return spawnSync('bash', [SCRIPT], { env, encoding: 'utf8', timeout: 60_000 });
}

describe('install-n8n.sh', () => {
	test('a folder marked complete whose sqlite3 does not load is rebuilt, not trusted', () => {
		const { cache, dir, env, log } = fakeCache({ sqlite3Loads: false });
		try {
			const r = run(env);
			expect(r.stderr).toMatch(/sqlite3 does not load/);
			expect(r.stderr).toMatch(/marked complete but its native modules do not load; rebuilding/);
			// It went on to reinstall (the stub npm refuses, so the script fails loudly) ...
			const calls = fs.readFileSync(log, 'utf8');
			expect(calls).toMatch(/^npm install .*n8n@1\.123\.81/m);
			// The ignore-scripts exported by the calling npm does not reach the installer's npm.
			expect(calls).not.toMatch(/ignore_scripts=true/);
			expect(r.status).not.toBe(0);
			// ... and the broken folder is no longer marked complete.
			expect(fs.existsSync(path.join(dir, '.complete'))).toBe(false);
			expect(r.stdout).not.toMatch(/ready:/);
		} finally {
			fs.rmSync(cache, { recursive: true, force: true });
		}
	});

	test('a folder whose native modules load is used as it is', () => {
		const { cache, dir, env, log } = fakeCache({ sqlite3Loads: true });
		try {
			const r = run(env);
			expect(r.status).toBe(0);
			expect(r.stdout).toContain(`ready: ${dir}`);
			expect(fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '').not.toMatch(
				/npm (install|rebuild)/,
			);
		} finally {
			fs.rmSync(cache, { recursive: true, force: true });
		}
	});

	test('the cache folder is keyed by the recipe: versions and the project .npmrc change it', () => {
		const dirFor = (extra) =>
			spawnSync(process.execPath, [RECIPE, 'dir', VERSION], {
				env: { ...process.env, ...extra },
				encoding: 'utf8',
			}).stdout.trim();
		const base = dirFor({});
		expect(path.basename(base)).toMatch(/^n8n-1\.123\.81-[0-9a-f]{12}$/);
		expect(dirFor({})).toBe(base);
		expect(dirFor({ NODE24_VERSION: '24.0.0' })).not.toBe(base);
		const { recipeHash } = require(RECIPE);
		expect(recipeHash('2.41.0')).not.toBe(recipeHash('1.123.81'));
	});

	test("npm rebuild runs with scripts on even when the caller's npm exports ignore-scripts", () => {
		const script = fs.readFileSync(SCRIPT, 'utf8');
		// The fake install above fails before the rebuild; read what the rebuild line asks for.
		expect(script).toMatch(/unset npm_config_ignore_scripts/);
		expect(script).toMatch(/npm_config_ignore_scripts=false [^\n]*npm rebuild/);
	});
});
