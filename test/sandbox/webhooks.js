'use strict';
// Outgoing delivery webhooks: payload shapes (smsroute and SendCloud SMSHook), signing,
// HTTP delivery with retries, and the single-timer scheduler that fires status changes.

const crypto = require('node:crypto');
const http = require('node:http');
const https = require('node:https');
const { sendCloudTestSignature, smsRouteTestHeader } = require('../helpers/signing');

const MAGIC_FINAL = {
	'+15005550001': 'delivered',
	'+15005550002': 'failed',
	'+15005550003': 'undelivered',
};
const REASONS = {
	failed: 'invalid destination number (sandbox magic number +15005550002)',
	undelivered: 'carrier temporarily unreachable (sandbox magic number +15005550003)',
};

// SendCloud SMSHook event codes (see seeds/001). Legacy 2/6 exist so the trigger can be tested
// against them through /__sandbox/webhooks/emit.
const SENDCLOUD_EVENTS = {
	1: 'Requested',
	2: 'deliver',
	4: 'Suppressed',
	5: 'Failed',
	6: 'reply',
	8: 'Template Verify',
	20: 'Delivered',
};
const SENDCLOUD_TYPE_FOR_STATUS = {
	queued: 1,
	sent: 1,
	requested: 1,
	delivered: 20,
	failed: 5,
	undelivered: 4,
	suppressed: 4,
};
const SENDCLOUD_MESSAGE = {
	1: 'request',
	2: 'deliver',
	4: 'suppressed: carrier filtered the message (sandbox)',
	5: 'failed: invalid destination number (sandbox)',
	6: 'reply',
	8: 'template verified',
	20: 'delivered',
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomAlnum(n) {
	const bytes = crypto.randomBytes(n * 2);
	let out = '';
	for (let i = 0; i < bytes.length && out.length < n; i++) {
		if (bytes[i] < 248) out += ALNUM[bytes[i] % 62]; // rejection sampling: no modulo bias
	}
	while (out.length < n) out += ALNUM[crypto.randomInt(62)];
	return out;
}

// ---------------------------------------------------------------- smsroute

/** JSON body exactly as smsroute sends it. `event` = {messageId,status,occurredAt(ms),to,livemode,metadata,reason?} */
function buildSmsRouteBody(event) {
	const reason = event.reason !== undefined ? event.reason : REASONS[event.status] || null;
	return JSON.stringify({
		type: `message.${event.status}`,
		message_id: event.messageId,
		status: event.status,
		timestamp: new Date(event.occurredAt).toISOString(),
		to: event.to,
		livemode: event.livemode,
		reason,
		metadata: event.metadata || {},
	});
}

/** `t=<unix s>,v1=<hex HMAC-SHA256(apiKey, "<t>.<body>")>` — signed fresh on every attempt. */
function smsRouteSignatureHeader(apiKey, body, nowMs = Date.now()) {
	return smsRouteTestHeader({ key: apiKey, body, nowMs });
}

// ---------------------------------------------------------------- SendCloud

let smsIdCounter = 0;

/** SMSHook payload object (signature over "<timestamp><token>" with the app key). */
function buildSendCloudPayload(event, appKey, eventTypeOverride) {
	const eventType =
		eventTypeOverride !== undefined && eventTypeOverride !== null
			? Number(eventTypeOverride)
			: SENDCLOUD_TYPE_FOR_STATUS[event.status] || 1;
	const timestamp = Date.now();
	const token = randomAlnum(50);
	smsIdCounter = (smsIdCounter + 1) % 100000;
	const payload = {
		event: SENDCLOUD_EVENTS[eventType] || 'Unknown',
		eventType,
		message: SENDCLOUD_MESSAGE[eventType] || String(event.status || ''),
		userId: 19999,
		smsUser: 'sandbox',
		smsIds: [`${timestamp}_${smsIdCounter}_${event.messageId}$${event.to}`],
		templateId: 0,
		phones: [event.to],
		timestamp,
		token,
		signature: sendCloudTestSignature(appKey, timestamp, token),
		customArgs: { message_id: event.messageId },
	};
	if (eventType === 6) payload.replyContent = 'sandbox reply';
	return payload;
}

/** JSON, or form-urlencoded with arrays/objects JSON-encoded inside their field. */
function encodeSendCloud(payload, format) {
	if (format === 'form') {
		const params = new URLSearchParams();
		for (const [k, v] of Object.entries(payload)) {
			params.append(k, v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
		}
		return { body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
	}
	return { body: JSON.stringify(payload), contentType: 'application/json' };
}

// ---------------------------------------------------------------- delivery

/**
 * One POST. Resolves {statusCode, body} or rejects on connection errors/timeouts.
 * Requests are registered in `inflight` so stop() can abort them.
 */
function postOnce(url, body, headers, { agent, timeoutMs, inflight }) {
	return new Promise((resolve, reject) => {
		let u;
		try {
			u = new URL(url);
		} catch {
			reject(new Error(`invalid webhook url: ${url}`));
			return;
		}
		const mod = u.protocol === 'https:' ? https : http;
		const req = mod.request(
			u,
			{
				method: 'POST',
				agent: u.protocol === 'https:' ? undefined : agent,
				headers: { ...headers, 'content-length': Buffer.byteLength(body) },
				timeout: timeoutMs,
			},
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () => {
					inflight.delete(req);
					resolve({ statusCode: res.statusCode, body: Buffer.concat(chunks).toString('utf8') });
				});
				res.on('error', (e) => {
					inflight.delete(req);
					reject(e);
				});
			},
		);
		inflight.add(req);
		req.on('timeout', () => req.destroy(new Error(`webhook timed out after ${timeoutMs} ms`)));
		req.on('error', (e) => {
			inflight.delete(req);
			reject(e);
		});
		req.end(body);
	});
}

/**
 * POST with retries: a connection error or non-2xx is retried `retries` more times with
 * exponential backoff (n8n answers 404 once right after a workflow is activated).
 * `makeRequest(attempt)` returns {body, headers}, so smsroute signatures get a fresh `t`.
 */
async function deliverWithRetries(url, makeRequest, ctx) {
	const { retries, backoffMs, sleep, isStopped } = ctx;
	let attempts = 0;
	let last = { statusCode: null, body: null, error: null, request: null };
	for (;;) {
		attempts++;
		const request = makeRequest(attempts);
		try {
			const res = await postOnce(url, request.body, request.headers, ctx);
			last = { statusCode: res.statusCode, body: res.body, error: null, request };
			if (res.statusCode >= 200 && res.statusCode < 300) break;
		} catch (e) {
			last = { statusCode: null, body: null, error: e.message, request };
		}
		if (attempts > retries || isStopped()) break;
		await sleep(backoffMs * 2 ** (attempts - 1));
		if (isStopped()) break;
	}
	return { ...last, attempts };
}

// ---------------------------------------------------------------- scheduler

/**
 * One timer over a binary min-heap of {due, seq, ...}: O(log n) per event and a single
 * pending setTimeout, however many messages are in flight (no timer per message).
 */
class Scheduler {
	constructor(onDue) {
		this.onDue = onDue;
		this.heap = [];
		this.seq = 0;
		this.timer = null;
		this.timerDue = Infinity;
	}

	get size() {
		return this.heap.length;
	}

	push(due, item) {
		const node = { due, seq: this.seq++, item };
		const h = this.heap;
		h.push(node);
		let i = h.length - 1;
		while (i > 0) {
			const p = (i - 1) >> 1;
			if (!less(h[i], h[p])) break;
			[h[i], h[p]] = [h[p], h[i]];
			i = p;
		}
		if (due < this.timerDue) this.arm();
	}

	pop() {
		const h = this.heap;
		const top = h[0];
		const last = h.pop();
		if (h.length > 0) {
			h[0] = last;
			let i = 0;
			for (;;) {
				const l = 2 * i + 1;
				const r = l + 1;
				let m = i;
				if (l < h.length && less(h[l], h[m])) m = l;
				if (r < h.length && less(h[r], h[m])) m = r;
				if (m === i) break;
				[h[i], h[m]] = [h[m], h[i]];
				i = m;
			}
		}
		return top;
	}

	arm() {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.timerDue = Infinity;
		if (this.heap.length === 0) return;
		const due = this.heap[0].due;
		this.timerDue = due;
		this.timer = setTimeout(() => this.run(), Math.max(0, due - Date.now()));
		this.timer.unref(); // the HTTP server keeps the process alive, not pending webhooks
	}

	run() {
		this.timer = null;
		this.timerDue = Infinity;
		const now = Date.now();
		while (this.heap.length > 0 && this.heap[0].due <= now) {
			const node = this.pop();
			try {
				this.onDue(node.item, node.due);
			} catch {
				// a broken event must not stop the queue
			}
		}
		this.arm();
	}

	clear() {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		this.timerDue = Infinity;
		this.heap = [];
	}
}

function less(a, b) {
	return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

module.exports = {
	MAGIC_FINAL,
	REASONS,
	SENDCLOUD_EVENTS,
	SENDCLOUD_TYPE_FOR_STATUS,
	buildSmsRouteBody,
	smsRouteSignatureHeader,
	buildSendCloudPayload,
	encodeSendCloud,
	deliverWithRetries,
	postOnce,
	randomAlnum,
	Scheduler,
};
