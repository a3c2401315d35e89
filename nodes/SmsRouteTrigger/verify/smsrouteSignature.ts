import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Verifies the `x-smsroute-signature: t=<unix seconds>,v1=<hex>` header, modelled on
 * stripe-node's webhook verifier (same scheme): v1 = hex(HMAC-SHA256(key, "<t>." + raw body)).
 *
 * Differences from Stripe, on purpose:
 * - the timestamp must be within the tolerance in BOTH directions (Stripe only rejects old
 *   ones), so a header minted with a clock far in the future cannot be replayed later;
 * - several keys are tried (the smsroute credential holds a test and a live key), and the
 *   one that matches tells the caller whether the event is live.
 */

export const SMSROUTE_SIGNATURE_HEADER = 'x-smsroute-signature';

const EXPECTED_SCHEME = 'v1';
const SHA256_BYTES = 32;

export interface SmsrouteKey {
	/** Text or a KeyObject (what the trigger caches: it prints without its material). */
	key: string | KeyObject;
	livemode: boolean;
}

export interface ParsedSignatureHeader {
	timestamp: number | null;
	/** Every v1 value, in header order (several during key rotation). */
	signatures: string[];
}

export type SmsrouteVerification =
	| { ok: true; livemode: boolean; timestamp: number }
	| { ok: false; reason: string };

/**
 * Splits `t=…,v1=…[,v1=…][,v0=…]`. Unknown schemes are ignored rather than rejected, so the
 * provider can add a scheme without breaking receivers. A second `t` makes the header
 * ambiguous, so it is treated as malformed.
 */
export function parseSignatureHeader(header: string): ParsedSignatureHeader | null {
	let timestamp: number | null = null;
	const signatures: string[] = [];
	for (const item of header.split(',')) {
		const eq = item.indexOf('=');
		if (eq <= 0) continue;
		const name = item.slice(0, eq).trim();
		const value = item.slice(eq + 1).trim();
		if (name === 't') {
			if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
			timestamp = Number(value);
		} else if (name === EXPECTED_SCHEME) {
			signatures.push(value);
		}
	}
	return { timestamp, signatures };
}

/** Hex of the expected length only; anything else can never match and is skipped. */
function decodeSignature(value: string): Buffer | null {
	if (!/^[0-9a-fA-F]+$/.test(value) || value.length !== SHA256_BYTES * 2) return null;
	return Buffer.from(value, 'hex');
}

export function computeSmsrouteSignature(key: string | KeyObject, timestamp: number, rawBody: Buffer): Buffer {
	// Prefix and body are fed separately so the body's bytes are hashed exactly as received,
	// never decoded and re-encoded.
	return createHmac('sha256', key).update(`${timestamp}.`, 'utf8').update(rawBody).digest();
}

export function verifySmsrouteSignature(options: {
	rawBody: Buffer | undefined;
	header: string | string[] | undefined;
	keys: SmsrouteKey[];
	toleranceSeconds: number;
	nowMs: number;
}): SmsrouteVerification {
	const { rawBody, header, keys, toleranceSeconds, nowMs } = options;
	if (header === undefined || header === '') {
		return { ok: false, reason: 'missing x-smsroute-signature header' };
	}
	if (Array.isArray(header)) {
		return { ok: false, reason: 'malformed x-smsroute-signature header' };
	}
	// Without the exact bytes there is nothing trustworthy to verify: re-serialising parsed
	// JSON would change whitespace and key order and would mask tampering.
	if (!Buffer.isBuffer(rawBody)) {
		return { ok: false, reason: 'raw request body unavailable; cannot verify signature' };
	}
	const parsed = parseSignatureHeader(header);
	if (!parsed || parsed.timestamp === null) {
		return { ok: false, reason: 'malformed x-smsroute-signature header' };
	}
	if (parsed.signatures.length === 0) {
		return { ok: false, reason: 'no v1 signature in x-smsroute-signature header' };
	}
	const candidates = parsed.signatures
		.map(decodeSignature)
		.filter((sig): sig is Buffer => sig !== null);

	let matched: SmsrouteKey | undefined;
	for (const candidateKey of keys) {
		const expected = computeSmsrouteSignature(candidateKey.key, parsed.timestamp, rawBody);
		// No early exit inside the signature loop: every candidate is compared, and each
		// comparison is constant-time (lengths are equal by construction of decodeSignature).
		let found = false;
		for (const candidate of candidates) {
			if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
				found = true;
			}
		}
		if (found) {
			matched = candidateKey;
			break;
		}
	}
	if (!matched) {
		return { ok: false, reason: 'signature mismatch' };
	}

	const ageSeconds = Math.floor(nowMs / 1000) - parsed.timestamp;
	if (Math.abs(ageSeconds) > toleranceSeconds) {
		return {
			ok: false,
			reason: ageSeconds > 0 ? 'timestamp too old' : 'timestamp in the future',
		};
	}
	return { ok: true, livemode: matched.livemode, timestamp: parsed.timestamp };
}
