'use strict';
// `npm run sandbox` (test/sandbox/cli.js): env configuration, one output line, clean shutdown.

const path = require('node:path');
const { spawn } = require('node:child_process');
const { httpCall } = require('./helpers');

const CLI = path.join(__dirname, 'cli.js');
const TEST_KEY = 'sk_test_cli_secret_1234567890abcd';
const LIVE_KEY = 'sk_live_cli_secret_1234567890abcd';

function run(env) {
	const child = spawn(process.execPath, [CLI], {
		env: { PATH: process.env.PATH, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (c) => (stdout += c));
	child.stderr.on('data', (c) => (stderr += c));
	const exited = new Promise((resolve) =>
		child.on('exit', (code, signal) => resolve({ code, signal })),
	);
	const firstLine = new Promise((resolve, reject) => {
		const check = () => {
			if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
		};
		child.stdout.on('data', check);
		exited.then(() => reject(new Error(`cli exited early: ${stderr}`)));
	});
	firstLine.catch(() => {}); // not every test awaits it; an early exit must not be an unhandled rejection
	return { child, firstLine, exited, output: () => stdout + stderr };
}

test('starts from env, prints one line with the base URL, never the keys, stops on SIGTERM', async () => {
	const p = run({
		SANDBOX_PORT: '0',
		SANDBOX_TEST_KEY: TEST_KEY,
		SANDBOX_LIVE_KEY: LIVE_KEY,
		SANDBOX_BALANCE: '3',
		SANDBOX_FAULTS: JSON.stringify({ retryAfterSeconds: 9 }),
	});
	const line = await p.firstLine;
	const m = /(http:\/\/127\.0\.0\.1:(\d+)\/v1)\b/.exec(line);
	expect(m).not.toBeNull();
	const base = m[1].replace(/\/v1$/, '');

	expect((await httpCall(base, 'GET', '/v1/balance', { key: TEST_KEY })).json).toEqual({
		environment: 'test',
		credits_remaining: 3,
	});
	expect((await httpCall(base, 'GET', '/v1/balance', { key: LIVE_KEY })).json.environment).toBe(
		'live',
	);
	expect((await httpCall(base, 'GET', '/__sandbox/config')).json.faults.retryAfterSeconds).toBe(9);

	p.child.kill('SIGTERM');
	expect(await p.exited).toEqual({ code: 0, signal: null });
	expect(p.output()).not.toContain(TEST_KEY);
	expect(p.output()).not.toContain(LIVE_KEY);
	expect(p.output().trim().split('\n')).toHaveLength(1);
});

test('SIGINT also stops it cleanly', async () => {
	const p = run({ SANDBOX_PORT: '0' });
	await p.firstLine;
	p.child.kill('SIGINT');
	expect((await p.exited).code).toBe(0);
});

test('bad configuration exits 1 with a message', async () => {
	const p = run({ SANDBOX_PORT: '0', SANDBOX_FAULTS: '{not json' });
	await expect(p.firstLine).rejects.toThrow(/SANDBOX_FAULTS/);
	expect((await p.exited).code).toBe(1);
	const q = run({ SANDBOX_PORT: '0', SANDBOX_WEBHOOK_MODE: 'carrier-pigeon' });
	expect((await q.exited).code).toBe(1);
	expect(q.output()).toMatch(/webhook\.mode/);
});
