'use strict';
// Shared helpers for the sandbox tests (not a test file itself: jest only runs *.test.js).

const http = require('node:http');
const { execFileSync } = require('node:child_process');
const { request } = require('undici');
const { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('./server');

const TEST = DEFAULT_TEST_KEY;
const LIVE = DEFAULT_LIVE_KEY;

/** Starts a sandbox on 127.0.0.1:0 and returns it with a small HTTP client bound to it. */
async function startSandbox(options = {}) {
	const sb = createSandbox({ host: '127.0.0.1', port: 0, stepMs: 100, ...options });
	const info = await sb.start();
	const call = (method, path, opts = {}) => httpCall(info.url, method, path, opts);
	return { sb, ...info, call };
}

/**
 * The jest hooks of a sandbox test file: one sandbox for the file (`options` as startSandbox's),
 * reset before each test and configured with `settings()` (what the file's tests rely on). Returns
 * the context ({sb, url, call, ...}), filled in before the first test.
 */
function useSandbox(settings, options) {
	const ctx = {};
	beforeAll(async () => {
		Object.assign(ctx, await startSandbox(options));
	});
	afterAll(async () => {
		await ctx.sb.stop();
	});
	beforeEach(() => {
		ctx.sb.reset();
		ctx.sb.configure(settings());
	});
	return ctx;
}

/**
 * One HTTP request through undici. `key` adds the Bearer header, `body` objects are sent as JSON.
 * Returns {status, headers, json, text}; connection errors reject (drop/stall tests rely on it).
 */
async function httpCall(base, method, path, { key, body, headers = {}, ...rest } = {}) {
	const h = { ...headers };
	if (key) h.authorization = `Bearer ${key}`;
	let payload;
	if (body !== undefined) {
		payload = typeof body === 'string' ? body : JSON.stringify(body);
		h['content-type'] = h['content-type'] || 'application/json';
	}
	const res = await request(base + path, { method, headers: h, body: payload, ...rest });
	const text = await res.body.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.statusCode, headers: res.headers, json, text };
}

/**
 * The independent HMAC: OpenSSL's CLI, fed the exact message bytes on stdin. The tests never use
 * the sandbox's own signing code (or node:crypto) to decide whether a signature is right.
 */
const hmacMemo = new Map(); // the same (key, message) is sometimes checked twice; OpenSSL costs ~80 ms a run
function opensslHmacSha256Hex(key, message) {
	const memoKey = `${key}\0${message}`;
	if (hmacMemo.has(memoKey)) return hmacMemo.get(memoKey);
	const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', key], {
		input: Buffer.from(message, 'utf8'),
	});
	// OpenSSL 1.x/3.x print "HMAC-SHA256(stdin)= <hex>" or "SHA2-256(stdin)= <hex>": take the last token.
	const hex = out.toString('utf8').trim().split(/\s+/).pop();
	hmacMemo.set(memoKey, hex);
	return hex;
}

/** A tiny webhook receiver on 127.0.0.1:0 that records raw bodies. `respond(entry, n)` picks the status. */
async function startReceiver(respond) {
	const received = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const entry = {
				method: req.method,
				url: req.url,
				headers: req.headers,
				raw: Buffer.concat(chunks).toString('utf8'),
			};
			received.push(entry);
			const status = respond ? respond(entry, received.length) : 200;
			res.writeHead(status, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ received: status < 300 }));
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		url: `http://127.0.0.1:${port}/webhook`,
		received,
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

async function waitFor(predicate, { timeoutMs = 4000, intervalMs = 20, what = 'condition' } = {}) {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const v = await predicate();
		if (v) return v;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, intervalMs));
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseSignatureHeader(h) {
	const parts = Object.fromEntries(
		String(h)
			.split(',')
			.map((p) => p.split('=', 2)),
	);
	return { t: parts.t, v1: parts.v1 };
}

module.exports = {
	TEST,
	LIVE,
	startSandbox,
	useSandbox,
	httpCall,
	opensslHmacSha256Hex,
	startReceiver,
	waitFor,
	sleep,
	parseSignatureHeader,
};
