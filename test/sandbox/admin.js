'use strict';
// The admin endpoints under /__sandbox/ (no auth: a local development tool): health, ledger,
// stats, configuration, queued faults, reset and the webhook log, plus emitting one webhook.

const { isObj } = require('./config');
const { HttpError, readBody, parseJson, sendJson } = require('./httpIo');

/** Keys are never shown. */
function publicConfig(options, state) {
	const { testKey, liveKey, webhook, faults, ...rest } = options;
	const { sendCloudAppKey, ...hook } = webhook;
	return {
		...rest,
		creditsRemaining: state.creditsRemaining,
		faults: { ...faults },
		webhook: { ...hook },
	};
}

/** `sandbox` is the public interface (server.js); `serverInfo()` its address once started. */
function createAdminHandler(options, state, sandbox, serverInfo) {
	return async function handleAdmin(req, res, path, query) {
		const m = req.method;
		const reply = (status, body) => sendJson(res, status, body);
		let input = {};
		if (m === 'POST') {
			const text = await readBody(req);
			input = text.trim() ? parseJson(text) : {};
		}
		if (m === 'GET' && path === '/__sandbox/health') {
			const info = serverInfo();
			return reply(200, {
				ok: true,
				baseUrl: info && info.baseUrl,
				messages: state.messages.size,
				charged: state.ledgerEntries.length,
				pendingWebhookEvents: state.statsSnapshot().webhooks.pendingEvents,
			});
		}
		if (m === 'GET' && path === '/__sandbox/ledger') {
			const { ledgerEntries } = state;
			const offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
			const limit = query.has('limit')
				? Math.max(0, parseInt(query.get('limit'), 10) || 0)
				: Infinity;
			const slice =
				offset === 0 && limit === Infinity
					? ledgerEntries
					: ledgerEntries.slice(offset, offset + limit);
			return reply(200, { count: ledgerEntries.length, messages: slice });
		}
		if (m === 'GET' && path === '/__sandbox/stats') return reply(200, sandbox.stats());
		if (m === 'GET' && path === '/__sandbox/config')
			return reply(200, publicConfig(options, state));
		if (m === 'POST' && path === '/__sandbox/config') {
			sandbox.configure(input);
			return reply(200, publicConfig(options, state));
		}
		if (m === 'POST' && path === '/__sandbox/faults/queue') {
			if (!isObj(input) || !Array.isArray(input.faults))
				throw new HttpError(400, 'faults: must be an array');
			sandbox.queueFaults(input.faults);
			return reply(200, { queued: state.faultQueue.length });
		}
		if (m === 'POST' && path === '/__sandbox/faults/down')
			return reply(200, { down: sandbox.down(input) });
		if (m === 'POST' && path === '/__sandbox/faults/heal')
			return reply(200, { healed: sandbox.heal() });
		if (m === 'POST' && path === '/__sandbox/reset') {
			sandbox.reset();
			return reply(200, { ok: true });
		}
		if (m === 'GET' && path === '/__sandbox/webhooks') {
			return reply(200, { count: state.webhookEntries.length, webhooks: state.webhookEntries });
		}
		if (m === 'POST' && path === '/__sandbox/webhooks/emit')
			return reply(200, await sandbox.emitWebhook(input));
		throw new HttpError(404, 'not found');
	};
}

module.exports = { createAdminHandler, publicConfig };
