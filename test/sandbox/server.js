'use strict';
// Local smsroute sandbox: a real HTTP server (Node `http`, no dependencies) that behaves as
// docs/CONTRACT.md describes, plus fault injection, a ledger of charged messages and signed
// delivery webhooks (smsroute or SendCloud SMSHook shaped). See README.md next to this file.
// The parts: config.js (settings), state.js (what it remembers), api.js (/v1), admin.js
// (/__sandbox/), webhookSender.js (signed events); this file runs the server. Types: server.d.ts.
//
// Performance note: the benchmark pushes 100k messages through /v1/messages/bulk, so all
// per-message work is Map/array operations; statuses are derived from the creation time
// (no per-message timers) and webhooks share one scheduler timer.

const http = require('node:http');
const { createPrng, normalizeFaultKind, validateDown } = require('./faults');
const { Scheduler } = require('./webhooks');
const {
	DEFAULT_TEST_KEY,
	DEFAULT_LIVE_KEY,
	DEFAULT_PORT,
	defaultOptions,
	mergeConfig,
	isObj,
} = require('./config');
const { HttpError, sendJson } = require('./httpIo');
const { createState } = require('./state');
const { createApiHandler } = require('./api');
const { createAdminHandler, publicConfig } = require('./admin');
const { createWebhookSender } = require('./webhookSender');

function newAgent() {
	return new http.Agent({ keepAlive: true, maxSockets: 16 }); // bounds outgoing webhook fan-out
}

function createSandbox(userOptions = {}) {
	const options = defaultOptions();
	mergeConfig(options, userOptions, true);

	// ---- runtime resources stop() releases
	let server = null;
	let stopped = false;
	let info = null;
	let agent = newAgent();
	const sleepers = new Map(); // timer -> resolve, so stop() can wake every pending delay
	const runtime = {
		stallTimers: new Set(),
		inflight: new Set(), // outgoing webhook requests
		isStopped: () => stopped,
		agent: () => agent,
		sleep(ms) {
			if (stopped) return Promise.resolve();
			return new Promise((resolve) => {
				const t = setTimeout(() => {
					sleepers.delete(t);
					resolve();
				}, ms);
				sleepers.set(t, resolve);
			});
		},
	};

	const scheduler = new Scheduler((item, due) => sender.fireScheduledEvent(item, due));
	const state = createState(options, scheduler);
	const sender = createWebhookSender(options, state, runtime);
	const handleApi = createApiHandler(options, state, runtime);

	async function onRequest(req, res) {
		const started = Date.now();
		const q = req.url.indexOf('?');
		const path = q === -1 ? req.url : req.url.slice(0, q);
		if (path === '/v1' || path.startsWith('/v1/')) return handleApi(req, res, path, started);
		try {
			if (path.startsWith('/__sandbox/')) {
				return await handleAdmin(
					req,
					res,
					path,
					new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1)),
				);
			}
			throw new HttpError(404, 'not found');
		} catch (e) {
			const status =
				e instanceof HttpError ? e.status : e instanceof TypeError ? 400 : e.status || 500;
			sendJson(res, status, { error: e.message });
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
						sendJson(res, 500, { error: `sandbox internal error: ${e.message}` });
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
			for (const t of runtime.stallTimers) clearTimeout(t);
			runtime.stallTimers.clear();
			for (const r of runtime.inflight) r.destroy();
			runtime.inflight.clear();
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
			if (hadSeed) state.prng = createPrng(options.seed);
			if (hadBalance) state.creditsRemaining = options.balance; // a new balance = credits left from now on
			return publicConfig(options, state);
		},

		queueFaults(list) {
			if (!Array.isArray(list)) throw new TypeError('faults must be an array');
			const kinds = list.map(normalizeFaultKind); // validate all before queueing any
			state.faultQueue.push(...kinds);
			return state.faultQueue.length;
		},

		/** Every send holding one of `to` answers `status` (503) until heal(); returns the recipients down. */
		down(input) {
			const { to, status } = validateDown(input);
			for (const n of to) state.down.recipients.add(n);
			state.down.status = status;
			return [...state.down.recipients];
		},

		/** Ends every "down" fault; returns how many recipients were down. */
		heal() {
			const n = state.down.recipients.size;
			state.down = { recipients: new Set(), status: 503 };
			return n;
		},

		ledger() {
			return state.ledgerEntries.slice();
		},

		stats() {
			return state.statsSnapshot();
		},

		webhookLog() {
			return state.webhookEntries.slice();
		},

		emitWebhook: (opts) => sender.emitWebhook(opts),

		reset() {
			state.reset();
		},

		get options() {
			return publicConfig(options, state);
		},
	};
	const handleAdmin = createAdminHandler(options, state, api, () => info);
	return api;
}

module.exports = { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY, DEFAULT_PORT };
