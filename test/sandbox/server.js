'use strict';
// Local smsroute sandbox: a real HTTP server (Node `http`, no dependencies) that behaves as
// docs/CONTRACT.md describes, plus fault injection, a ledger of charged messages and signed
// delivery webhooks (smsroute or SendCloud SMSHook shaped). See README.md next to this file.
//
// Performance note: the benchmark pushes 100k messages through /v1/messages/bulk, so all
// per-message work is Map/array operations; statuses are derived from the creation time
// (no per-message timers) and webhooks share one scheduler timer.

const crypto = require('node:crypto');
const http = require('node:http');
const { creditsFor } = require('./segments');
const { createPrng, normalizeFaultKind, validateFaults, pickFault } = require('./faults');
const {
	MAGIC_FINAL,
	REASONS,
	buildSmsRouteBody,
	smsRouteSignatureHeader,
	buildSendCloudPayload,
	encodeSendCloud,
	deliverWithRetries,
	postOnce,
	Scheduler,
} = require('./webhooks');

const DEFAULT_TEST_KEY = 'sk_test_sandbox_0000000000000000';
const DEFAULT_LIVE_KEY = 'sk_live_sandbox_0000000000000000';
const DEFAULT_PORT = 5055;

const PHONE_RE = /^\+[1-9]\d{6,14}$/;
const MAX_BODY_CHARS = 1600;
const MAX_BULK = 1000;
const MAX_IDEMPOTENCY_KEY = 255;
const MAX_REQUEST_BYTES = 20 * 1024 * 1024; // 1,000 x 1,600-char UCS-2 bodies fit comfortably
const USER_AGENT = 'smsroute-sandbox/1.0';

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
		faults: {
			error500: 0,
			error503: 0,
			rateLimit: 0,
			retryAfterSeconds: 1,
			dropAfterCharge: 0,
			stall: 0,
			stallMs: 30000,
		},
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

// ---------------------------------------------------------------------------- config

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
	if ('verbose' in p && typeof p.verbose !== 'boolean') throw new TypeError('verbose must be a boolean');
	for (const key of ['testKey', 'liveKey']) {
		if (key in p && (typeof p[key] !== 'string' || p[key].length === 0)) {
			throw new TypeError(`${key} must be a non-empty string`);
		}
	}
	if ('host' in p && typeof p.host !== 'string') throw new TypeError('host must be a string');
	if ('port' in p && !(Number.isInteger(p.port) && p.port >= 0 && p.port < 65536)) {
		throw new TypeError('port must be an integer 0..65535');
	}
	if ('optedOut' in p && !(Array.isArray(p.optedOut) && p.optedOut.every((n) => typeof n === 'string'))) {
		throw new TypeError('optedOut must be an array of phone numbers');
	}
	if ('optOutNamesIndex' in p && typeof p.optOutNamesIndex !== 'boolean') {
		throw new TypeError('optOutNamesIndex must be a boolean');
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
		if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError('webhook.url must be an http(s) URL or null');
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
	if ('allNumbers' in w && typeof w.allNumbers !== 'boolean') throw new TypeError('webhook.allNumbers must be a boolean');
	if ('retries' in w && !(Number.isInteger(w.retries) && w.retries >= 0)) throw new TypeError('webhook.retries must be an integer >= 0');
	for (const key of ['retryBackoffMs', 'timeoutMs']) {
		if (key in w && !isNonNegNumber(w[key])) throw new TypeError(`webhook.${key} must be a number >= 0`);
	}
}

// ---------------------------------------------------------------------------- helpers

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
let idPool = Buffer.alloc(0);
let idPoolPos = 0;
/** `msg_` + 16 lowercase alphanumerics, from a pooled crypto buffer (one syscall per ~500 ids). */
function randomMessageId() {
	let s = 'msg_';
	while (s.length < 20) {
		if (idPoolPos >= idPool.length) {
			idPool = crypto.randomBytes(8192);
			idPoolPos = 0;
		}
		const b = idPool[idPoolPos++];
		if (b < 252) s += ID_ALPHABET[b % 36]; // 252 = 7 * 36: rejection keeps it unbiased
	}
	return s;
}

function validateMessage(m, prefix, bulk) {
	const p = prefix ? `${prefix}.` : '';
	if (!isObj(m)) return prefix ? `${prefix}: must be an object` : 'request body must be a JSON object';
	if (typeof m.to !== 'string' || !PHONE_RE.test(m.to)) return `${p}to: invalid phone number`;
	if (typeof m.body !== 'string' || m.body.length === 0) return `${p}body: must be a non-empty string`;
	if (m.body.length > MAX_BODY_CHARS) return `${p}body: must be at most ${MAX_BODY_CHARS} characters`;
	if (m.from !== undefined && m.from !== null && typeof m.from !== 'string') return `${p}from: must be a string`;
	if (m.metadata !== undefined && m.metadata !== null && !isObj(m.metadata)) return `${p}metadata: must be an object`;
	if (bulk && m.idempotency_key !== undefined && m.idempotency_key !== null) {
		const k = m.idempotency_key;
		if (typeof k !== 'string' || k.length === 0 || k.length > MAX_IDEMPOTENCY_KEY) {
			return `${p}idempotency_key: must be a non-empty string of at most ${MAX_IDEMPOTENCY_KEY} characters`;
		}
	}
	return null;
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (c) => {
			size += c.length;
			if (size > MAX_REQUEST_BYTES) {
				const err = new Error('request body too large');
				err.status = 413;
				reject(err);
				req.removeAllListeners('data');
				req.resume();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

class HttpError extends Error {
	constructor(status, message, headers) {
		super(message);
		this.status = status;
		this.headers = headers;
	}
}

function parseJson(text) {
	if (text.length === 0) throw new HttpError(400, 'request body must be JSON');
	try {
		return JSON.parse(text);
	} catch {
		throw new HttpError(400, 'invalid JSON body');
	}
}

// ---------------------------------------------------------------------------- sandbox

function createSandbox(userOptions = {}) {
	const options = defaultOptions();
	mergeConfig(options, userOptions, true);

	// ---- state (everything reset() clears)
	let prng = createPrng(options.seed);
	let messages = new Map(); // id -> message record
	let ledgerEntries = []; // charged messages, in charge order
	let messageKeys = new Map(); // "<env>\0<key>" -> {value: messageId, expiresAt}
	let chunkKeys = new Map(); // "<env>\0<key>" -> {value: response JSON, expiresAt}
	let stats = freshStats();
	let faultQueue = [];
	let webhookEntries = [];
	let creditsRemaining = options.balance;
	let pruneCounter = 0;
	let generation = 0; // bumped by reset(), so deliveries still in flight don't log into the new run

	// ---- runtime resources stop() releases
	let server = null;
	let stopped = false;
	let info = null;
	const sleepers = new Map(); // timer -> resolve, so stop() can wake every pending delay
	const stallTimers = new Set();
	const inflight = new Set(); // outgoing webhook requests
	let agent = newAgent();
	const scheduler = new Scheduler(fireScheduledEvent);

	function newAgent() {
		return new http.Agent({ keepAlive: true, maxSockets: 16 }); // bounds outgoing webhook fan-out
	}

	function freshStats() {
		return {
			requests: {},
			responses: {},
			faults: {},
			charged: 0,
			creditsCharged: 0,
			webhooks: { delivered: 0, failed: 0 },
		};
	}

	function sleep(ms) {
		if (stopped) return Promise.resolve();
		return new Promise((resolve) => {
			const t = setTimeout(() => {
				sleepers.delete(t);
				resolve();
			}, ms);
			sleepers.set(t, resolve);
		});
	}

	const inc = (obj, key, n = 1) => {
		obj[key] = (obj[key] || 0) + n;
	};

	// ---- idempotency: per API key, entries expire after idempotencyTtlMs
	function idemGet(map, scopedKey, now) {
		const e = map.get(scopedKey);
		if (!e) return undefined;
		if (e.expiresAt <= now) {
			map.delete(scopedKey);
			return undefined;
		}
		return e.value;
	}

	function idemSet(map, scopedKey, value, now) {
		map.set(scopedKey, { value, expiresAt: now + options.idempotencyTtlMs });
		// Amortized pruning: Maps iterate in insertion order, so expired entries sit in front.
		if ((++pruneCounter & 1023) === 0) {
			for (const m of [messageKeys, chunkKeys]) {
				for (const [k, e] of m) {
					if (e.expiresAt > now) break;
					m.delete(k);
				}
			}
		}
	}

	// ---- messages
	function finalStatusFor(to) {
		return MAGIC_FINAL[to] || 'delivered';
	}

	function statusAt(msg, now) {
		const elapsed = now - msg.createdAt;
		if (elapsed < msg.step) return { status: 'queued', since: msg.createdAt };
		if (elapsed < 2 * msg.step) return { status: 'sent', since: msg.createdAt + msg.step };
		return { status: msg.final, since: msg.createdAt + 2 * msg.step };
	}

	/** Creates and charges one message. `createdIso` is shared by a whole request (cheap). */
	function createMessage(env, apiKey, m, credits, idempotencyKey, now, createdIso) {
		let id = randomMessageId();
		while (messages.has(id)) id = randomMessageId();
		const msg = {
			id,
			to: m.to,
			body: m.body,
			from: m.from === undefined ? null : m.from,
			metadata: m.metadata || {},
			createdAt: now,
			createdIso,
			step: options.stepMs, // fixed per message so later configure() doesn't rewrite history
			env,
			apiKey, // the key that sent it signs its webhooks
			credits,
			idempotencyKey: idempotencyKey || null,
			final: finalStatusFor(m.to),
		};
		messages.set(id, msg);
		ledgerEntries.push({
			id,
			to: msg.to,
			body: msg.body,
			from: msg.from,
			idempotencyKey: msg.idempotencyKey,
			credits,
			environment: env,
			chargedAt: createdIso,
			metadata: msg.metadata,
		});
		stats.charged++;
		stats.creditsCharged += credits;
		if (creditsRemaining !== null) creditsRemaining -= credits;
		if (options.webhook.url && (MAGIC_FINAL[msg.to] || options.webhook.allNumbers)) {
			scheduler.push(now + msg.step, { id, status: 'sent' });
			scheduler.push(now + 2 * msg.step, { id, status: msg.final });
		}
		return msg;
	}

	function creationView(msg) {
		return {
			id: msg.id,
			to: msg.to,
			body: msg.body,
			from: msg.from,
			status: 'queued',
			created_at: msg.createdIso,
			credits_used: msg.credits,
			metadata: msg.metadata,
		};
	}

	function currentView(msg, now) {
		const { status, since } = statusAt(msg, now);
		return {
			id: msg.id,
			to: msg.to,
			body: msg.body,
			from: msg.from,
			status,
			created_at: msg.createdIso,
			updated_at: new Date(since).toISOString(),
			credits_used: msg.credits,
			metadata: msg.metadata,
			reason: status === 'failed' || status === 'undelivered' ? REASONS[status] : null,
			livemode: msg.env === 'live',
		};
	}

	function checkBalance(credits) {
		if (creditsRemaining !== null && credits > creditsRemaining) throw new HttpError(402, 'insufficient balance');
	}

	// ---- /v1 handlers: synchronous from parsed input to result, so no two requests interleave
	// between an idempotency lookup and the matching store (no double charge under concurrency).
	function optOutError(message, prefix) {
		if (!options.optedOut.includes(message.to)) return null;
		return options.optOutNamesIndex || !prefix ? `${prefix ? `${prefix}.` : ''}to: recipient has opted out` : 'a recipient has opted out';
	}

	function handleSend(auth, req, text) {
		const input = parseJson(text);
		const err = validateMessage(input, '', false) || optOutError(input, '');
		if (err) throw new HttpError(400, err);
		const key = idempotencyHeader(req);
		const now = Date.now();
		if (key) {
			const existing = idemGet(messageKeys, `${auth.env}\0${key}`, now);
			const msg = existing && messages.get(existing);
			if (msg) return { status: 200, body: creationView(msg), headers: { 'idempotent-replayed': 'true' } };
		}
		const credits = creditsFor(input.body);
		checkBalance(credits);
		const msg = createMessage(auth.env, auth.key, input, credits, key, now, new Date(now).toISOString());
		if (key) idemSet(messageKeys, `${auth.env}\0${key}`, msg.id, now);
		return { status: 200, body: creationView(msg) };
	}

	function handleBulk(auth, req, text) {
		const input = parseJson(text);
		if (!isObj(input) || !Array.isArray(input.messages)) {
			throw new HttpError(400, `messages: must be an array of 1 to ${MAX_BULK} messages`);
		}
		const list = input.messages;
		if (list.length === 0) throw new HttpError(400, 'messages: must contain at least 1 message');
		if (list.length > MAX_BULK) {
			throw new HttpError(400, `messages: at most ${MAX_BULK} messages per request (got ${list.length})`);
		}
		const now = Date.now();
		const chunkKey = idempotencyHeader(req);
		if (chunkKey) {
			const stored = idemGet(chunkKeys, `${auth.env}\0${chunkKey}`, now);
			if (stored) return { status: 200, body: stored, headers: { 'idempotent-replayed': 'true' } };
		}
		// Pass 1: validate everything, so one bad message rejects the request before any charge.
		for (let i = 0; i < list.length; i++) {
			const err = validateMessage(list[i], `messages[${i}]`, true) || optOutError(list[i], `messages[${i}]`);
			if (err) throw new HttpError(400, err);
		}
		// Pass 2: resolve per-message keys (stored, or repeated within this request) and price the rest.
		const ids = new Array(list.length);
		const credits = new Array(list.length);
		const firstInRequest = new Map(); // key -> index of its first occurrence here
		let total = 0;
		for (let i = 0; i < list.length; i++) {
			const k = list[i].idempotency_key;
			if (k) {
				const existing = idemGet(messageKeys, `${auth.env}\0${k}`, now);
				if (existing && messages.has(existing)) {
					ids[i] = existing;
					continue;
				}
				const first = firstInRequest.get(k);
				if (first !== undefined) {
					ids[i] = -1 - first; // placeholder: "same id as message `first`"
					continue;
				}
				firstInRequest.set(k, i);
			}
			credits[i] = creditsFor(list[i].body);
			total += credits[i];
		}
		checkBalance(total);
		// Pass 3: create and charge.
		const createdIso = new Date(now).toISOString();
		for (let i = 0; i < list.length; i++) {
			if (ids[i] !== undefined) continue;
			const m = list[i];
			const k = m.idempotency_key || null;
			const msg = createMessage(auth.env, auth.key, m, credits[i], k, now, createdIso);
			ids[i] = msg.id;
			if (k) idemSet(messageKeys, `${auth.env}\0${k}`, msg.id, now);
		}
		for (let i = 0; i < list.length; i++) {
			if (typeof ids[i] === 'number') ids[i] = ids[-1 - ids[i]];
		}
		const body = JSON.stringify({ ids, count: ids.length });
		if (chunkKey) idemSet(chunkKeys, `${auth.env}\0${chunkKey}`, body, now);
		return { status: 200, body };
	}

	function handleGet(auth, id) {
		const msg = messages.get(id);
		// Another environment's message is as invisible as a missing one.
		if (!msg || msg.env !== auth.env) throw new HttpError(404, 'message not found');
		return { status: 200, body: currentView(msg, Date.now()) };
	}

	function handleBalance(auth) {
		return { status: 200, body: { environment: auth.env, credits_remaining: creditsRemaining } };
	}

	function idempotencyHeader(req) {
		const v = req.headers['idempotency-key'];
		if (v === undefined || v === '') return null;
		if (v.length > MAX_IDEMPOTENCY_KEY) {
			throw new HttpError(400, `Idempotency-Key: must be at most ${MAX_IDEMPOTENCY_KEY} characters`);
		}
		return v;
	}

	function authenticate(req) {
		const h = req.headers.authorization;
		const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
		if (m) {
			if (m[1] === options.testKey) return { env: 'test', key: options.testKey };
			if (m[1] === options.liveKey) return { env: 'live', key: options.liveKey };
		}
		throw new HttpError(401, 'invalid API key'); // never echo what was sent
	}

	function route(method, path) {
		if (path === '/v1/messages') {
			return method === 'POST' ? { name: 'POST /v1/messages', run: handleSend } : { name: `${method} /v1/messages`, allow: 'POST' };
		}
		if (path === '/v1/messages/bulk' && method === 'POST') return { name: 'POST /v1/messages/bulk', run: handleBulk };
		if (path.startsWith('/v1/messages/') && path.indexOf('/', 13) === -1 && path.length > 13) {
			let id = path.slice(13);
			try {
				id = decodeURIComponent(id);
			} catch {
				// malformed escape: look it up as sent, which simply 404s
			}
			return method === 'GET'
				? { name: 'GET /v1/messages/:id', run: (auth) => handleGet(auth, id) }
				: { name: `${method} /v1/messages/:id`, allow: 'GET' };
		}
		if (path === '/v1/balance') {
			return method === 'GET' ? { name: 'GET /v1/balance', run: handleBalance } : { name: `${method} /v1/balance`, allow: 'GET' };
		}
		return { name: `${method} /v1/*` };
	}

	function sendJson(res, status, body, headers, countStats) {
		const text = typeof body === 'string' ? body : JSON.stringify(body);
		if (countStats) inc(stats.responses, String(status));
		if (res.destroyed || res.writableEnded) return;
		res.writeHead(status, {
			'content-type': 'application/json; charset=utf-8',
			'content-length': Buffer.byteLength(text),
			...(headers || {}),
		});
		res.end(text);
	}

	async function handleApi(req, res, path, started) {
		const r = route(req.method, path);
		inc(stats.requests, r.name);
		const log = (status) => {
			if (options.verbose) console.error(`[sandbox] ${req.method} ${path} -> ${status} (${Date.now() - started} ms)`);
		};
		let text = '';
		try {
			if (req.method !== 'GET' && req.method !== 'HEAD') text = await readBody(req);
		} catch (e) {
			sendJson(res, e.status || 400, { error: e.message }, { connection: 'close' }, true);
			log(e.status || 400);
			return;
		}
		if (options.latencyMs > 0) await sleep(options.latencyMs);
		if (stopped) return;

		const fault = pickFault(faultQueue, options.faults, prng);
		if (fault) inc(stats.faults, fault);
		if (fault === '500' || fault === '503' || fault === '429') {
			const status = Number(fault);
			const message =
				status === 429 ? 'rate limit exceeded' : status === 503 ? 'service unavailable (sandbox fault)' : 'internal server error (sandbox fault)';
			const headers = status === 429 ? { 'retry-after': String(options.faults.retryAfterSeconds) } : undefined;
			sendJson(res, status, { error: message }, headers, true);
			log(status);
			return;
		}

		let result;
		try {
			const auth = authenticate(req);
			if (!r.run) {
				throw r.allow ? new HttpError(405, 'method not allowed', { allow: r.allow }) : new HttpError(404, 'not found');
			}
			result = r.run(auth, req, text);
		} catch (e) {
			if (!(e instanceof HttpError)) throw e;
			result = { status: e.status, body: { error: e.message }, headers: e.headers };
		}

		if (fault === 'drop') {
			// Processed and charged, but the client never hears back: the "did it go through?" case.
			inc(stats.responses, 'dropped');
			req.socket.destroy();
			log('dropped');
			return;
		}
		if (fault === 'stall') {
			// Processed and charged; the answer comes only after stallMs (if the client still waits).
			const t = setTimeout(() => {
				stallTimers.delete(t);
				sendJson(res, result.status, result.body, result.headers, true);
				log(result.status);
			}, options.faults.stallMs);
			stallTimers.add(t);
			res.on('close', () => {
				if (stallTimers.delete(t)) {
					clearTimeout(t);
					inc(stats.responses, 'abandoned');
				}
			});
			return;
		}
		sendJson(res, result.status, result.body, result.headers, true);
		log(result.status);
	}

	// ---- webhooks
	function buildRequest(mode, event, apiKey, opts = {}) {
		if (mode === 'sendcloud') {
			const payload = buildSendCloudPayload(event, options.webhook.sendCloudAppKey, opts.eventType);
			if (opts.tamper) {
				// The SendCloud signature covers only timestamp + token, so tampering must touch one of them.
				const last = payload.token.slice(-1);
				payload.token = payload.token.slice(0, -1) + (last === 'A' ? 'B' : 'A');
			}
			const { body, contentType } = encodeSendCloud(payload, options.webhook.sendCloudFormat);
			const headers = { 'content-type': contentType, 'user-agent': USER_AGENT };
			return () => ({ body, headers });
		}
		const body = buildSmsRouteBody(event);
		// Tampering = changing the bytes after signing, as a man in the middle would.
		const sent = opts.tamper ? JSON.stringify({ ...JSON.parse(body), tampered: true }) : body;
		return () => ({
			body: sent,
			headers: {
				'content-type': 'application/json',
				'user-agent': USER_AGENT,
				'x-smsroute-signature': smsRouteSignatureHeader(apiKey, body),
			},
		});
	}

	function logWebhook(entry) {
		webhookEntries.push(entry);
		if (entry.statusCode >= 200 && entry.statusCode < 300) stats.webhooks.delivered++;
		else stats.webhooks.failed++;
		if (options.verbose) {
			console.error(`[sandbox] webhook ${entry.mode} ${entry.status} ${entry.messageId} -> ${entry.statusCode ?? entry.error} (${entry.attempts} attempt(s))`);
		}
	}

	function fireScheduledEvent(item, due) {
		const msg = messages.get(item.id);
		const url = options.webhook.url;
		if (!msg || !url || stopped) return; // reset() or webhooks switched off meanwhile
		const mode = options.webhook.mode;
		const event = {
			messageId: msg.id,
			status: item.status,
			occurredAt: due,
			to: msg.to,
			livemode: msg.env === 'live',
			metadata: msg.metadata,
		};
		const makeRequest = buildRequest(mode, event, msg.apiKey);
		const gen = generation;
		const deliver = () => {
			if (stopped || gen !== generation) return undefined;
			return deliverWithRetries(url, makeRequest, {
				agent,
				inflight,
				timeoutMs: options.webhook.timeoutMs,
				retries: options.webhook.retries,
				backoffMs: options.webhook.retryBackoffMs,
				sleep,
				isStopped: () => stopped || gen !== generation,
			}).then((r) => {
				if (stopped || gen !== generation) return;
				logWebhook({
					url,
					mode,
					environment: msg.env,
					messageId: msg.id,
					status: item.status,
					statusCode: r.statusCode,
					body: r.request.body,
					headers: r.request.headers,
					attempts: r.attempts,
					error: r.error,
					responseBody: r.body,
					sentAt: new Date().toISOString(),
				});
			})
			.catch(() => {}); // a broken delivery must not break the message's chain
		};
		// Chain per message: its final event never overtakes its "sent" event (also while retrying),
		// while different messages still go out in parallel.
		msg.delivery = msg.delivery ? msg.delivery.then(deliver) : deliver();
	}

	/** Sends ONE signed webhook now (no retry) and returns the receiver's answer. */
	async function emitWebhook(opts = {}) {
		if (!isObj(opts)) throw new TypeError('emit options must be an object');
		const mode = opts.mode || options.webhook.mode;
		if (mode !== 'smsroute' && mode !== 'sendcloud') throw new TypeError('mode must be "smsroute" or "sendcloud"');
		const url = opts.url || options.webhook.url;
		if (!url) throw new TypeError('no webhook url: pass url or configure webhook.url');
		const hasType = opts.eventType !== undefined && opts.eventType !== null;
		if (!(typeof opts.status === 'string' && opts.status) && !(mode === 'sendcloud' && hasType)) {
			throw new TypeError('status must be a non-empty string');
		}
		if (hasType && !Number.isInteger(Number(opts.eventType))) throw new TypeError('eventType must be an integer');
		const msg = opts.messageId ? messages.get(opts.messageId) : undefined;
		const environment = opts.environment || (msg ? msg.env : 'test');
		if (environment !== 'test' && environment !== 'live') throw new TypeError('environment must be "test" or "live"');
		const event = {
			messageId: opts.messageId || randomMessageId(),
			status: opts.status || null,
			occurredAt: Date.now(),
			to: opts.to || (msg ? msg.to : '+15005550001'),
			livemode: environment === 'live',
			metadata: isObj(opts.metadata) ? opts.metadata : msg ? msg.metadata : {},
		};
		if (opts.reason !== undefined) event.reason = opts.reason;
		const apiKey = environment === 'live' ? options.liveKey : options.testKey;
		const request = buildRequest(mode, event, apiKey, { tamper: !!opts.tamper, eventType: hasType ? Number(opts.eventType) : undefined })(1);
		const entry = {
			url,
			mode,
			environment,
			messageId: event.messageId,
			status: event.status,
			statusCode: null,
			body: request.body,
			headers: request.headers,
			attempts: 1,
			error: null,
			responseBody: null,
			sentAt: new Date().toISOString(),
			emitted: true,
			tampered: !!opts.tamper,
		};
		try {
			const r = await postOnce(url, request.body, request.headers, { agent, inflight, timeoutMs: options.webhook.timeoutMs });
			entry.statusCode = r.statusCode;
			entry.responseBody = r.body;
			return { statusCode: r.statusCode, body: r.body };
		} catch (e) {
			entry.error = e.message;
			throw Object.assign(new Error(`webhook delivery failed: ${e.message}`), { status: 502 });
		} finally {
			logWebhook(entry);
		}
	}

	// ---- admin endpoints (no auth: a local development tool)
	function publicConfig() {
		const { testKey, liveKey, webhook, faults, ...rest } = options; // keys are never shown
		const { sendCloudAppKey, ...hook } = webhook;
		return { ...rest, creditsRemaining, faults: { ...faults }, webhook: { ...hook } };
	}

	async function handleAdmin(req, res, path, query) {
		const m = req.method;
		const reply = (status, body) => sendJson(res, status, body, undefined, false);
		let input = {};
		if (m === 'POST') {
			const text = await readBody(req);
			input = text.trim() ? parseJson(text) : {};
		}
		if (m === 'GET' && path === '/__sandbox/health') {
			return reply(200, {
				ok: true,
				baseUrl: info && info.baseUrl,
				messages: messages.size,
				charged: ledgerEntries.length,
				pendingWebhookEvents: scheduler.size,
			});
		}
		if (m === 'GET' && path === '/__sandbox/ledger') {
			const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
			const limit = query.has('limit') ? Math.max(0, parseInt(query.get('limit'), 10) || 0) : Infinity;
			const slice = offset === 0 && limit === Infinity ? ledgerEntries : ledgerEntries.slice(offset, offset + limit);
			return reply(200, { count: ledgerEntries.length, messages: slice });
		}
		if (m === 'GET' && path === '/__sandbox/stats') return reply(200, api.stats());
		if (m === 'GET' && path === '/__sandbox/config') return reply(200, publicConfig());
		if (m === 'POST' && path === '/__sandbox/config') {
			api.configure(input);
			return reply(200, publicConfig());
		}
		if (m === 'POST' && path === '/__sandbox/faults/queue') {
			if (!isObj(input) || !Array.isArray(input.faults)) throw new HttpError(400, 'faults: must be an array');
			api.queueFaults(input.faults);
			return reply(200, { queued: faultQueue.length });
		}
		if (m === 'POST' && path === '/__sandbox/reset') {
			api.reset();
			return reply(200, { ok: true });
		}
		if (m === 'GET' && path === '/__sandbox/webhooks') return reply(200, { count: webhookEntries.length, webhooks: webhookEntries });
		if (m === 'POST' && path === '/__sandbox/webhooks/emit') return reply(200, await emitWebhook(input));
		throw new HttpError(404, 'not found');
	}

	async function onRequest(req, res) {
		const started = Date.now();
		const q = req.url.indexOf('?');
		const path = q === -1 ? req.url : req.url.slice(0, q);
		if (path === '/v1' || path.startsWith('/v1/')) return handleApi(req, res, path, started);
		try {
			if (path.startsWith('/__sandbox/')) {
				return await handleAdmin(req, res, path, new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1)));
			}
			throw new HttpError(404, 'not found');
		} catch (e) {
			const status = e instanceof HttpError ? e.status : e instanceof TypeError ? 400 : e.status || 500;
			sendJson(res, status, { error: e.message }, undefined, false);
		}
	}

	// ---- public interface
	const api = {
		async start() {
			if (server) throw new Error('sandbox already started');
			stopped = false;
			if (!agent) agent = newAgent();
			server = http.createServer((req, res) => {
				onRequest(req, res).catch((e) => {
					try {
						sendJson(res, 500, { error: `sandbox internal error: ${e.message}` }, undefined, false);
					} catch {
						req.socket.destroy();
					}
				});
			});
			server.keepAliveTimeout = 5000;
			await new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(options.port, options.host, () => {
					server.off('error', reject);
					resolve();
				});
			});
			const port = server.address().port;
			let host = options.host;
			if (host === '0.0.0.0' || host === '::' || host === '') host = '127.0.0.1';
			if (host.includes(':')) host = `[${host}]`;
			const url = `http://${host}:${port}`;
			info = { url, baseUrl: `${url}/v1`, port };
			return { ...info };
		},

		async stop() {
			stopped = true;
			scheduler.clear();
			for (const [t, resolve] of sleepers) {
				clearTimeout(t);
				resolve();
			}
			sleepers.clear();
			for (const t of stallTimers) clearTimeout(t);
			stallTimers.clear();
			for (const r of inflight) r.destroy();
			inflight.clear();
			if (agent) agent.destroy();
			agent = null;
			if (!server) return;
			const s = server;
			server = null;
			s.closeAllConnections();
			await new Promise((resolve) => s.close(() => resolve()));
		},

		configure(partial) {
			const hadSeed = isObj(partial) && 'seed' in partial;
			const hadBalance = isObj(partial) && 'balance' in partial;
			mergeConfig(options, partial, false);
			if (hadSeed) prng = createPrng(options.seed);
			if (hadBalance) creditsRemaining = options.balance; // a new balance = credits left from now on
			return publicConfig();
		},

		queueFaults(list) {
			if (!Array.isArray(list)) throw new TypeError('faults must be an array');
			const kinds = list.map(normalizeFaultKind); // validate all before queueing any
			faultQueue.push(...kinds);
			return faultQueue.length;
		},

		ledger() {
			return ledgerEntries.slice();
		},

		stats() {
			return {
				requests: { ...stats.requests },
				responses: { ...stats.responses },
				faults: { ...stats.faults },
				charged: stats.charged,
				creditsCharged: stats.creditsCharged,
				creditsRemaining,
				messages: messages.size,
				webhooks: { ...stats.webhooks, pendingEvents: scheduler.size },
			};
		},

		webhookLog() {
			return webhookEntries.slice();
		},

		emitWebhook,

		reset() {
			generation++;
			messages = new Map();
			ledgerEntries = [];
			messageKeys = new Map();
			chunkKeys = new Map();
			stats = freshStats();
			faultQueue = [];
			webhookEntries = [];
			scheduler.clear();
			prng = createPrng(options.seed); // same seed, same fault sequence after every reset
			creditsRemaining = options.balance;
		},

		get options() {
			return publicConfig();
		},
	};
	return api;
}

module.exports = { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY, DEFAULT_PORT };
