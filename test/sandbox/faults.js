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

module.exports = {
	createPrng,
	normalizeFaultKind,
	validateFaults,
	pickFault,
	FAULT_KINDS,
	PROBABILITY_KEYS,
};
