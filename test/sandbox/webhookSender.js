'use strict';
// Signed delivery webhooks: the status events of messages (scheduled at creation, retried,
// in order per message) and one-off events sent by emitWebhook().

const { isObj } = require('./config');
const { randomMessageId } = require('./state');
const {
	buildSmsRouteBody,
	smsRouteSignatureHeader,
	buildSendCloudPayload,
	encodeSendCloud,
	deliverWithRetries,
	postOnce,
} = require('./webhooks');

const USER_AGENT = 'smsroute-sandbox/1.0';

/** `runtime`: sleep(), isStopped(), agent() and the set of requests in flight, from the server. */
function createWebhookSender(options, state, runtime) {
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

	function fireScheduledEvent(item, due) {
		const msg = state.messages.get(item.id);
		const url = options.webhook.url;
		if (!msg || !url || runtime.isStopped()) return; // reset() or webhooks switched off meanwhile
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
		const gen = state.generation;
		const deliver = () => {
			if (runtime.isStopped() || gen !== state.generation) return undefined;
			return deliverWithRetries(url, makeRequest, {
				agent: runtime.agent(),
				inflight: runtime.inflight,
				timeoutMs: options.webhook.timeoutMs,
				retries: options.webhook.retries,
				backoffMs: options.webhook.retryBackoffMs,
				sleep: runtime.sleep,
				isStopped: () => runtime.isStopped() || gen !== state.generation,
			})
				.then((r) => {
					if (runtime.isStopped() || gen !== state.generation) return;
					state.logWebhook({
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
		if (mode !== 'smsroute' && mode !== 'sendcloud')
			throw new TypeError('mode must be "smsroute" or "sendcloud"');
		const url = opts.url || options.webhook.url;
		if (!url) throw new TypeError('no webhook url: pass url or configure webhook.url');
		const hasType = opts.eventType !== undefined && opts.eventType !== null;
		if (!(typeof opts.status === 'string' && opts.status) && !(mode === 'sendcloud' && hasType)) {
			throw new TypeError('status must be a non-empty string');
		}
		if (hasType && !Number.isInteger(Number(opts.eventType)))
			throw new TypeError('eventType must be an integer');
		const msg = opts.messageId ? state.messages.get(opts.messageId) : undefined;
		const environment = opts.environment || (msg ? msg.env : 'test');
		if (environment !== 'test' && environment !== 'live')
			throw new TypeError('environment must be "test" or "live"');
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
		const request = buildRequest(mode, event, apiKey, {
			tamper: !!opts.tamper,
			eventType: hasType ? Number(opts.eventType) : undefined,
		})(1);
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
			const r = await postOnce(url, request.body, request.headers, {
				agent: runtime.agent(),
				inflight: runtime.inflight,
				timeoutMs: options.webhook.timeoutMs,
			});
			entry.statusCode = r.statusCode;
			entry.responseBody = r.body;
			return { statusCode: r.statusCode, body: r.body };
		} catch (e) {
			entry.error = e.message;
			throw Object.assign(new Error(`webhook delivery failed: ${e.message}`), { status: 502 });
		} finally {
			state.logWebhook(entry);
		}
	}

	return { fireScheduledEvent, emitWebhook };
}

module.exports = { createWebhookSender };
