'use strict';
// The sandbox's settings: defaults, and the checks a partial configuration passes before it is
// merged (at creation, by configure() and by POST /__sandbox/config).

const { validateFaults } = require('./faults');

const DEFAULT_TEST_KEY = 'sk_test_sandbox_0000000000000000';
const DEFAULT_LIVE_KEY = 'sk_live_sandbox_0000000000000000';
const DEFAULT_PORT = 5055;

// Every fault off (the default; fault tests start each test from it).
const NO_FAULTS = Object.freeze({
	error500: 0,
	error503: 0,
	rateLimit: 0,
	retryAfterSeconds: 1,
	dropAfterCharge: 0,
	stall: 0,
	stallMs: 30000,
});

function defaultOptions() {
	return {
		host: '127.0.0.1',
		port: DEFAULT_PORT,
		testKey: DEFAULT_TEST_KEY,
		liveKey: DEFAULT_LIVE_KEY,
		balance: null,
		latencyMs: 0,
		stepMs: 200,
		idempotencyTtlMs: 24 * 3600 * 1000,
		seed: 1,
		verbose: false,
		// Recipients who opted out: accepted by the format check, refused by smsroute with 400.
		// optOutNamesIndex false answers without the index, as some gateways do (forces bisection).
		optedOut: [],
		optOutNamesIndex: true,
		// false answers a send as the guide documents it ({id, to, body, status, created_at,
		// credits_used}), without the metadata this sandbox echoes by default.
		echoMetadata: true,
		// false: GET /v1/balance is an unknown path (404), as on an account that lacks it; the
		// smsroute guide never mentions it, and nothing in the nodes may rely on it.
		balanceRoute: true,
		faults: { ...NO_FAULTS },
		webhook: {
			url: null,
			mode: 'smsroute',
			sendCloudAppKey: 'sendcloud_sandbox_app_key',
			sendCloudFormat: 'json',
			allNumbers: false,
			retries: 3,
			retryBackoffMs: 200,
			timeoutMs: 5000,
		},
	};
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNonNegNumber = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** Validates `partial` and merges it into `target` (faults/webhook one level deep). Throws TypeError. */
function mergeConfig(target, partial, initial) {
	if (!isObj(partial)) throw new TypeError('config must be a JSON object');
	const allowed = new Set([
		'balance',
		'latencyMs',
		'stepMs',
		'idempotencyTtlMs',
		'seed',
		'verbose',
		'faults',
		'webhook',
		'testKey',
		'liveKey',
		'optedOut',
		'optOutNamesIndex',
		'echoMetadata',
		'balanceRoute',
	]);
	if (initial) {
		allowed.add('host');
		allowed.add('port');
	}
	for (const key of Object.keys(partial)) {
		if (!allowed.has(key)) throw new TypeError(`unknown option "${key}"`);
	}
	const p = partial;
	if ('balance' in p && p.balance !== null && !isNonNegNumber(p.balance)) {
		throw new TypeError('balance must be null (unlimited) or a number >= 0');
	}
	for (const key of ['latencyMs', 'stepMs', 'idempotencyTtlMs']) {
		if (key in p && !isNonNegNumber(p[key])) throw new TypeError(`${key} must be a number >= 0`);
	}
	if ('seed' in p && !Number.isInteger(p.seed)) throw new TypeError('seed must be an integer');
	if ('verbose' in p && typeof p.verbose !== 'boolean')
		throw new TypeError('verbose must be a boolean');
	for (const key of ['testKey', 'liveKey']) {
		if (key in p && (typeof p[key] !== 'string' || p[key].length === 0)) {
			throw new TypeError(`${key} must be a non-empty string`);
		}
	}
	if ('host' in p && typeof p.host !== 'string') throw new TypeError('host must be a string');
	if ('port' in p && !(Number.isInteger(p.port) && p.port >= 0 && p.port < 65536)) {
		throw new TypeError('port must be an integer 0..65535');
	}
	if (
		'optedOut' in p &&
		!(Array.isArray(p.optedOut) && p.optedOut.every((n) => typeof n === 'string'))
	) {
		throw new TypeError('optedOut must be an array of phone numbers');
	}
	for (const key of ['optOutNamesIndex', 'echoMetadata', 'balanceRoute']) {
		if (key in p && typeof p[key] !== 'boolean') throw new TypeError(`${key} must be a boolean`);
	}
	if ('faults' in p) validateFaults(p.faults);
	if ('webhook' in p) validateWebhook(p.webhook);

	for (const key of Object.keys(p)) {
		if (key === 'faults' || key === 'webhook') Object.assign(target[key], p[key]);
		else target[key] = p[key];
	}
	if (target.testKey === target.liveKey) throw new TypeError('testKey and liveKey must differ');
}

function validateWebhook(w) {
	if (!isObj(w)) throw new TypeError('webhook must be an object');
	if ('url' in w && w.url !== null) {
		let u;
		try {
			u = new URL(w.url);
		} catch {
			throw new TypeError('webhook.url must be an http(s) URL or null');
		}
		if (u.protocol !== 'http:' && u.protocol !== 'https:')
			throw new TypeError('webhook.url must be an http(s) URL or null');
	}
	if ('mode' in w && w.mode !== 'smsroute' && w.mode !== 'sendcloud') {
		throw new TypeError('webhook.mode must be "smsroute" or "sendcloud"');
	}
	if ('sendCloudFormat' in w && w.sendCloudFormat !== 'json' && w.sendCloudFormat !== 'form') {
		throw new TypeError('webhook.sendCloudFormat must be "json" or "form"');
	}
	if ('sendCloudAppKey' in w && (typeof w.sendCloudAppKey !== 'string' || !w.sendCloudAppKey)) {
		throw new TypeError('webhook.sendCloudAppKey must be a non-empty string');
	}
	if ('allNumbers' in w && typeof w.allNumbers !== 'boolean')
		throw new TypeError('webhook.allNumbers must be a boolean');
	if ('retries' in w && !(Number.isInteger(w.retries) && w.retries >= 0))
		throw new TypeError('webhook.retries must be an integer >= 0');
	for (const key of ['retryBackoffMs', 'timeoutMs']) {
		if (key in w && !isNonNegNumber(w[key]))
			throw new TypeError(`webhook.${key} must be a number >= 0`);
	}
}

module.exports = {
	DEFAULT_TEST_KEY,
	DEFAULT_LIVE_KEY,
	DEFAULT_PORT,
	NO_FAULTS,
	defaultOptions,
	mergeConfig,
	isObj,
};
