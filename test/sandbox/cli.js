#!/usr/bin/env node
'use strict';
// `npm run sandbox`: starts the local smsroute sandbox from environment variables and prints
// one line with the base URL. API keys are never printed (they may be real-looking secrets).

const { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY, DEFAULT_PORT } = require('./server');

function fail(message) {
	console.error(`smsroute sandbox: ${message}`);
	process.exit(1);
}

function int(env, name, fallback) {
	const raw = env[name];
	if (raw === undefined || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 0) fail(`${name} must be a non-negative integer`);
	return n;
}

function optionsFromEnv(env = process.env) {
	const opts = {
		host: env.SANDBOX_HOST || '127.0.0.1',
		port: int(env, 'SANDBOX_PORT', DEFAULT_PORT),
		testKey: env.SANDBOX_TEST_KEY || DEFAULT_TEST_KEY,
		liveKey: env.SANDBOX_LIVE_KEY || DEFAULT_LIVE_KEY,
		latencyMs: int(env, 'SANDBOX_LATENCY_MS', 0),
		stepMs: int(env, 'SANDBOX_STEP_MS', 200),
		seed: int(env, 'SANDBOX_SEED', 1),
		verbose: /^(1|true|yes)$/i.test(env.SANDBOX_VERBOSE || ''),
		webhook: {},
	};
	const balance = (env.SANDBOX_BALANCE || '').trim();
	if (balance === '' || /^(null|unlimited)$/i.test(balance)) opts.balance = null;
	else opts.balance = int(env, 'SANDBOX_BALANCE', null);
	if (env.SANDBOX_WEBHOOK_URL) opts.webhook.url = env.SANDBOX_WEBHOOK_URL;
	if (env.SANDBOX_WEBHOOK_MODE) opts.webhook.mode = env.SANDBOX_WEBHOOK_MODE;
	if (env.SANDBOX_SENDCLOUD_APP_KEY) opts.webhook.sendCloudAppKey = env.SANDBOX_SENDCLOUD_APP_KEY;
	if (env.SANDBOX_SENDCLOUD_FORMAT) opts.webhook.sendCloudFormat = env.SANDBOX_SENDCLOUD_FORMAT;
	if (env.SANDBOX_WEBHOOK_ALL_NUMBERS)
		opts.webhook.allNumbers = /^(1|true|yes)$/i.test(env.SANDBOX_WEBHOOK_ALL_NUMBERS);
	if (env.SANDBOX_FAULTS) {
		try {
			opts.faults = JSON.parse(env.SANDBOX_FAULTS);
		} catch {
			fail('SANDBOX_FAULTS must be JSON, e.g. {"error503":0.1,"rateLimit":0.05}');
		}
	}
	return opts;
}

async function main() {
	let sandbox;
	try {
		sandbox = createSandbox(optionsFromEnv());
	} catch (e) {
		fail(e.message);
	}
	let info;
	try {
		info = await sandbox.start();
	} catch (e) {
		fail(`cannot listen: ${e.message}`);
	}
	// Handlers go in before the line is printed: whoever reads the line may signal right away.
	let stopping = false;
	const shutdown = async () => {
		if (stopping) return;
		stopping = true;
		await sandbox.stop();
		process.exit(0);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
	console.log(
		`smsroute sandbox listening on ${info.baseUrl} (admin: ${info.url}/__sandbox/health)`,
	);
}

if (require.main === module) main();

module.exports = { optionsFromEnv };
