'use strict';
// Fault injection: a seeded PRNG (so a fault run with the same seed and the same request order
// is reproducible) and a FIFO queue of explicit faults that takes precedence over it.

const FAULT_KINDS = ['500', '503', '429', 'drop', 'stall', 'ok'];
const PROBABILITY_KEYS = ['error500', 'error503', 'rateLimit', 'dropAfterCharge', 'stall'];
const KIND_OF = {
	error500: '500',
	error503: '503',
	rateLimit: '429',
	dropAfterCharge: 'drop',
	stall: 'stall',
};

/** mulberry32: tiny, fast, good enough for test randomness; state is one 32-bit integer. */
function createPrng(seed) {
	let a = seed >>> 0;
	return function next() {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Accepts '500' | 500 | '503' | '429' | 'drop' | 'stall' | 'ok' (a pass-through slot). */
function normalizeFaultKind(kind) {
	const k = String(kind).trim().toLowerCase();
	if (!FAULT_KINDS.includes(k)) {
		throw new TypeError(`unknown fault "${kind}" (expected one of ${FAULT_KINDS.join(', ')})`);
	}
	return k;
}

function validateFaults(faults) {
	if (faults === null || typeof faults !== 'object' || Array.isArray(faults)) {
		throw new TypeError('faults must be an object');
	}
	for (const key of PROBABILITY_KEYS) {
		if (key in faults) {
			const p = faults[key];
			if (typeof p !== 'number' || !(p >= 0 && p <= 1))
				throw new TypeError(`faults.${key} must be a number in 0..1`);
		}
	}
	for (const key of ['retryAfterSeconds', 'stallMs']) {
		if (key in faults) {
			const v = faults[key];
			if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
				throw new TypeError(`faults.${key} must be a number >= 0`);
		}
	}
}

/**
 * Picks the fault for one /v1 request. One PRNG draw against the cumulative probabilities
 * (in PROBABILITY_KEYS order), and no draw at all while every probability is 0, so switching
 * faults on later still starts from the seed's first value.
 * @returns {string|null} '500' | '503' | '429' | 'drop' | 'stall' | null
 */
function pickFault(queue, faults, prng) {
	if (queue.length > 0) {
		const k = queue.shift();
		return k === 'ok' ? null : k;
	}
	let total = 0;
	for (const key of PROBABILITY_KEYS) total += faults[key] || 0;
	if (total <= 0) return null;
	const u = prng();
	let acc = 0;
	for (const key of PROBABILITY_KEYS) {
		acc += faults[key] || 0;
		if (u < acc) return KIND_OF[key];
	}
	return null;
}

const DOWN_STATUSES = [500, 503];

/**
 * "Down until healed": the recipients whose sends fail every time until heal(). Unlike the
 * queue, this fault sticks, so a client's own retries cannot get past it and the run fails
 * at a chosen message, as when one smsroute shard is down.
 */
function validateDown(input) {
	if (input === null || typeof input !== 'object' || Array.isArray(input))
		throw new TypeError('down: must be an object {to: [...], status?}');
	const to = input.to;
	if (!Array.isArray(to) || to.length === 0 || !to.every((n) => typeof n === 'string' && n))
		throw new TypeError('down.to: must be a non-empty array of phone numbers');
	const status = input.status === undefined ? 503 : Number(input.status);
	if (!DOWN_STATUSES.includes(status))
		throw new TypeError(`down.status: must be one of ${DOWN_STATUSES.join(', ')}`);
	return { to, status };
}

/**
 * The status a send request gets while a recipient in it is down, else null. `text` is the raw
 * body; a body that does not parse is left to the handler's own 400.
 */
function downStatusFor(down, path, text) {
	if (down.recipients.size === 0) return null;
	if (path !== '/v1/messages' && path !== '/v1/messages/bulk') return null;
	let input;
	try {
		input = JSON.parse(text);
	} catch {
		return null;
	}
	if (input === null || typeof input !== 'object') return null;
	const list = path === '/v1/messages' ? [input] : input.messages;
	if (!Array.isArray(list)) return null;
	for (const m of list) {
		if (m && typeof m.to === 'string' && down.recipients.has(m.to)) return down.status;
	}
	return null;
}

module.exports = {
	validateDown,
	downStatusFor,
	createPrng,
	normalizeFaultKind,
	validateFaults,
	pickFault,
	FAULT_KINDS,
	PROBABILITY_KEYS,
};
