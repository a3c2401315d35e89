'use strict';
// What the sandbox remembers: messages, the ledger of charges, idempotency keys, the balance,
// counters, queued faults and the webhook log. reset() clears all of it.

const crypto = require('node:crypto');
const { createPrng } = require('./faults');
const { MAGIC_FINAL, REASONS } = require('./webhooks');
const { HttpError } = require('./httpIo');

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

const inc = (obj, key, n = 1) => {
	obj[key] = (obj[key] || 0) + n;
};

/**
 * `options` is the live configuration (configure() changes it in place); `scheduler` receives
 * the status events of messages that fire webhooks.
 */
function createState(options, scheduler) {
	const state = {
		prng: createPrng(options.seed),
		messages: new Map(), // id -> message record
		ledgerEntries: [], // charged messages, in charge order
		messageKeys: new Map(), // "<env>\0<key>" -> {value: messageId, expiresAt}
		chunkKeys: new Map(), // "<env>\0<key>" -> {value: response JSON, expiresAt}
		stats: freshStats(),
		faultQueue: [],
		down: { recipients: new Set(), status: 503 }, // "down until healed" (faults.js)
		webhookEntries: [],
		creditsRemaining: options.balance,
		pruneCounter: 0,
		generation: 0, // bumped by reset(), so deliveries still in flight don't log into the new run
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
		if ((++state.pruneCounter & 1023) === 0) {
			for (const m of [state.messageKeys, state.chunkKeys]) {
				for (const [k, e] of m) {
					if (e.expiresAt > now) break;
					m.delete(k);
				}
			}
		}
	}

	// ---- messages
	function statusAt(msg, now) {
		const elapsed = now - msg.createdAt;
		if (elapsed < msg.step) return { status: 'queued', since: msg.createdAt };
		if (elapsed < 2 * msg.step) return { status: 'sent', since: msg.createdAt + msg.step };
		return { status: msg.final, since: msg.createdAt + 2 * msg.step };
	}

	/** Creates and charges one message. `createdIso` is shared by a whole request (cheap). */
	function createMessage(env, apiKey, m, credits, idempotencyKey, now, createdIso) {
		let id = randomMessageId();
		while (state.messages.has(id)) id = randomMessageId();
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
			final: MAGIC_FINAL[m.to] || 'delivered',
		};
		state.messages.set(id, msg);
		state.ledgerEntries.push({
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
		state.stats.charged++;
		state.stats.creditsCharged += credits;
		if (state.creditsRemaining !== null) state.creditsRemaining -= credits;
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
			...(options.echoMetadata === false ? {} : { metadata: msg.metadata }),
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
		if (state.creditsRemaining !== null && credits > state.creditsRemaining) {
			throw new HttpError(402, 'insufficient balance');
		}
	}

	function logWebhook(entry) {
		state.webhookEntries.push(entry);
		if (entry.statusCode >= 200 && entry.statusCode < 300) state.stats.webhooks.delivered++;
		else state.stats.webhooks.failed++;
		if (options.verbose) {
			console.error(
				`[sandbox] webhook ${entry.mode} ${entry.status} ${entry.messageId} -> ${entry.statusCode ?? entry.error} (${entry.attempts} attempt(s))`,
			);
		}
	}

	function statsSnapshot() {
		const { stats } = state;
		return {
			requests: { ...stats.requests },
			responses: { ...stats.responses },
			faults: { ...stats.faults },
			charged: stats.charged,
			creditsCharged: stats.creditsCharged,
			creditsRemaining: state.creditsRemaining,
			messages: state.messages.size,
			webhooks: { ...stats.webhooks, pendingEvents: scheduler.size },
		};
	}

	function reset() {
		state.generation++;
		state.messages = new Map();
		state.ledgerEntries = [];
		state.messageKeys = new Map();
		state.chunkKeys = new Map();
		state.stats = freshStats();
		state.faultQueue = [];
		state.down = { recipients: new Set(), status: 503 };
		state.webhookEntries = [];
		scheduler.clear();
		state.prng = createPrng(options.seed); // same seed, same fault sequence after every reset
		state.creditsRemaining = options.balance;
	}

	return Object.assign(state, {
		idemGet,
		idemSet,
		createMessage,
		creationView,
		currentView,
		checkBalance,
		logWebhook,
		statsSnapshot,
		reset,
	});
}

module.exports = { createState, randomMessageId, inc };
