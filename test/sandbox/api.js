'use strict';
// The smsroute API under /v1: authentication, send, bulk, get, balance, with the configured
// latency and faults applied around each request.

const { creditsFor } = require('./segments');
const { pickFault, downStatusFor } = require('./faults');
const { isObj } = require('./config');
const { HttpError, readBody, parseJson, sendJson } = require('./httpIo');
const { inc } = require('./state');

const PHONE_RE = /^\+[1-9]\d{6,14}$/;
const MAX_BODY_CHARS = 1600;
const MAX_BULK = 1000;
const MAX_IDEMPOTENCY_KEY = 255;

function validateMessage(m, prefix, bulk) {
	const p = prefix ? `${prefix}.` : '';
	if (!isObj(m))
		return prefix ? `${prefix}: must be an object` : 'request body must be a JSON object';
	if (typeof m.to !== 'string' || !PHONE_RE.test(m.to)) return `${p}to: invalid phone number`;
	if (typeof m.body !== 'string' || m.body.length === 0)
		return `${p}body: must be a non-empty string`;
	if (m.body.length > MAX_BODY_CHARS)
		return `${p}body: must be at most ${MAX_BODY_CHARS} characters`;
	if (m.from !== undefined && m.from !== null && typeof m.from !== 'string')
		return `${p}from: must be a string`;
	if (m.metadata !== undefined && m.metadata !== null && !isObj(m.metadata))
		return `${p}metadata: must be an object`;
	if (bulk && m.idempotency_key !== undefined && m.idempotency_key !== null) {
		const k = m.idempotency_key;
		if (typeof k !== 'string' || k.length === 0 || k.length > MAX_IDEMPOTENCY_KEY) {
			return `${p}idempotency_key: must be a non-empty string of at most ${MAX_IDEMPOTENCY_KEY} characters`;
		}
	}
	return null;
}

/**
 * `runtime` is what the running server provides: sleep() (woken by stop()), isStopped() and
 * the stall timers stop() clears.
 */
function createApiHandler(options, state, runtime) {
	const isStopped = () => runtime.isStopped();

	/** Every /v1 answer is counted by status. */
	function answer(res, status, body, headers) {
		inc(state.stats.responses, String(status));
		sendJson(res, status, body, headers);
	}

	// ---- /v1 handlers: synchronous from parsed input to result, so no two requests interleave
	// between an idempotency lookup and the matching store (no double charge under concurrency).
	function optOutError(message, prefix) {
		if (!options.optedOut.includes(message.to)) return null;
		return options.optOutNamesIndex || !prefix
			? `${prefix ? `${prefix}.` : ''}to: recipient has opted out`
			: 'a recipient has opted out';
	}

	function handleSend(auth, req, text) {
		const input = parseJson(text);
		const err = validateMessage(input, '', false) || optOutError(input, '');
		if (err) throw new HttpError(400, err);
		const key = idempotencyHeader(req);
		const now = Date.now();
		if (key) {
			const existing = state.idemGet(state.messageKeys, `${auth.env}\0${key}`, now);
			const msg = existing && state.messages.get(existing);
			if (msg)
				return {
					status: 200,
					body: state.creationView(msg),
					headers: { 'idempotent-replayed': 'true' },
				};
		}
		const credits = creditsFor(input.body);
		state.checkBalance(credits);
		const msg = state.createMessage(
			auth.env,
			auth.key,
			input,
			credits,
			key,
			now,
			new Date(now).toISOString(),
		);
		if (key) state.idemSet(state.messageKeys, `${auth.env}\0${key}`, msg.id, now);
		return { status: 200, body: state.creationView(msg) };
	}

	function handleBulk(auth, req, text) {
		const input = parseJson(text);
		if (!isObj(input) || !Array.isArray(input.messages)) {
			throw new HttpError(400, `messages: must be an array of 1 to ${MAX_BULK} messages`);
		}
		const list = input.messages;
		if (list.length === 0) throw new HttpError(400, 'messages: must contain at least 1 message');
		if (list.length > MAX_BULK) {
			throw new HttpError(
				400,
				`messages: at most ${MAX_BULK} messages per request (got ${list.length})`,
			);
		}
		const now = Date.now();
		const chunkKey = idempotencyHeader(req);
		if (chunkKey) {
			const stored = state.idemGet(state.chunkKeys, `${auth.env}\0${chunkKey}`, now);
			if (stored) return { status: 200, body: stored, headers: { 'idempotent-replayed': 'true' } };
		}
		// Pass 1: validate everything, so one bad message rejects the request before any charge.
		for (let i = 0; i < list.length; i++) {
			const err =
				validateMessage(list[i], `messages[${i}]`, true) || optOutError(list[i], `messages[${i}]`);
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
				const existing = state.idemGet(state.messageKeys, `${auth.env}\0${k}`, now);
				if (existing && state.messages.has(existing)) {
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
		state.checkBalance(total);
		// Pass 3: create and charge.
		const createdIso = new Date(now).toISOString();
		for (let i = 0; i < list.length; i++) {
			if (ids[i] !== undefined) continue;
			const m = list[i];
			const k = m.idempotency_key || null;
			const msg = state.createMessage(auth.env, auth.key, m, credits[i], k, now, createdIso);
			ids[i] = msg.id;
			if (k) state.idemSet(state.messageKeys, `${auth.env}\0${k}`, msg.id, now);
		}
		for (let i = 0; i < list.length; i++) {
			if (typeof ids[i] === 'number') ids[i] = ids[-1 - ids[i]];
		}
		const body = JSON.stringify({ ids, count: ids.length });
		if (chunkKey) state.idemSet(state.chunkKeys, `${auth.env}\0${chunkKey}`, body, now);
		return { status: 200, body };
	}

	function handleGet(auth, id) {
		const msg = state.messages.get(id);
		// Another environment's message is as invisible as a missing one.
		if (!msg || msg.env !== auth.env) throw new HttpError(404, 'message not found');
		return { status: 200, body: state.currentView(msg, Date.now()) };
	}

	function handleBalance(auth) {
		return {
			status: 200,
			body: { environment: auth.env, credits_remaining: state.creditsRemaining },
		};
	}

	function idempotencyHeader(req) {
		const v = req.headers['idempotency-key'];
		if (v === undefined || v === '') return null;
		if (v.length > MAX_IDEMPOTENCY_KEY) {
			throw new HttpError(
				400,
				`Idempotency-Key: must be at most ${MAX_IDEMPOTENCY_KEY} characters`,
			);
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
			return method === 'POST'
				? { name: 'POST /v1/messages', run: handleSend }
				: { name: `${method} /v1/messages`, allow: 'POST' };
		}
		if (path === '/v1/messages/bulk' && method === 'POST')
			return { name: 'POST /v1/messages/bulk', run: handleBulk };
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
		if (path === '/v1/balance' && options.balanceRoute) {
			return method === 'GET'
				? { name: 'GET /v1/balance', run: handleBalance }
				: { name: `${method} /v1/balance`, allow: 'GET' };
		}
		return { name: `${method} /v1/*` };
	}

	async function handleApi(req, res, path, started) {
		const r = route(req.method, path);
		inc(state.stats.requests, r.name);
		const log = (status) => {
			if (options.verbose)
				console.error(`[sandbox] ${req.method} ${path} -> ${status} (${Date.now() - started} ms)`);
		};
		let text = '';
		try {
			if (req.method !== 'GET' && req.method !== 'HEAD') text = await readBody(req);
		} catch (e) {
			answer(res, e.status || 400, { error: e.message }, { connection: 'close' });
			log(e.status || 400);
			return;
		}
		if (options.latencyMs > 0) await runtime.sleep(options.latencyMs);
		if (isStopped()) return;

		// A recipient that is down fails its request before the queue or the PRNG are consulted,
		// so neither moves while the outage lasts.
		const down = downStatusFor(state.down, path, text);
		const fault = down ? String(down) : pickFault(state.faultQueue, options.faults, state.prng);
		if (down) inc(state.stats.faults, 'down');
		else if (fault) inc(state.stats.faults, fault);
		if (fault === '500' || fault === '503' || fault === '429') {
			const status = Number(fault);
			const message =
				status === 429
					? 'rate limit exceeded'
					: status === 503
						? 'service unavailable (sandbox fault)'
						: 'internal server error (sandbox fault)';
			const headers =
				status === 429 ? { 'retry-after': String(options.faults.retryAfterSeconds) } : undefined;
			answer(res, status, { error: message }, headers);
			log(status);
			return;
		}

		let result;
		try {
			const auth = authenticate(req);
			if (!r.run) {
				throw r.allow
					? new HttpError(405, 'method not allowed', { allow: r.allow })
					: new HttpError(404, 'not found');
			}
			result = r.run(auth, req, text);
		} catch (e) {
			if (!(e instanceof HttpError)) throw e;
			result = { status: e.status, body: { error: e.message }, headers: e.headers };
		}

		if (fault === 'drop') {
			// Processed and charged, but the client never hears back: the "did it go through?" case.
			inc(state.stats.responses, 'dropped');
			req.socket.destroy();
			log('dropped');
			return;
		}
		if (fault === 'stall') {
			// Processed and charged; the answer comes only after stallMs (if the client still waits).
			const t = setTimeout(() => {
				runtime.stallTimers.delete(t);
				answer(res, result.status, result.body, result.headers);
				log(result.status);
			}, options.faults.stallMs);
			runtime.stallTimers.add(t);
			res.on('close', () => {
				if (runtime.stallTimers.delete(t)) {
					clearTimeout(t);
					inc(state.stats.responses, 'abandoned');
				}
			});
			return;
		}
		answer(res, result.status, result.body, result.headers);
		log(result.status);
	}

	return handleApi;
}

module.exports = { createApiHandler };
