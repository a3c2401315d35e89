import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

import type { Result } from '../result';

/** What both signature schemes share: HMAC-SHA256, hex digests, a timestamp window. */

const SHA256_HEX_CHARS = 64;

export const SIGNATURE_MISMATCH = 'signature mismatch';
export const RAW_BODY_UNAVAILABLE = 'raw request body unavailable; cannot verify signature';

/**
 * What either provider's signature check returns: verified (with what the check learnt, such as
 * smsroute's `livemode` and `timestamp`) or the reason it was not.
 */
export type SignatureCheck<Verified extends object = object> = Result<Verified>;

/** Parts are fed one by one so a raw body is hashed exactly as received, never re-encoded. */
export function hmacSha256(key: string | KeyObject, ...parts: Array<string | Buffer>): Buffer {
	const hmac = createHmac('sha256', key);
	for (const part of parts) {
		if (typeof part === 'string') hmac.update(part, 'utf8');
		else hmac.update(part);
	}
	return hmac.digest();
}

/** Hex of a SHA-256 digest's length only; anything else can never match. */
export function decodeSha256Hex(value: string): Buffer | null {
	if (value.length !== SHA256_HEX_CHARS || !/^[0-9a-fA-F]+$/.test(value)) return null;
	return Buffer.from(value, 'hex');
}

/** Constant-time equality; the length guard first, since timingSafeEqual throws on a mismatch. */
export function sameDigest(given: Buffer | null, expected: Buffer): boolean {
	return given !== null && given.length === expected.length && timingSafeEqual(given, expected);
}

/** Refuses a signed timestamp further than the tolerance from now, in either direction. */
export function checkTimestamp(
	signedAtMs: number,
	nowMs: number,
	toleranceSeconds: number,
): SignatureCheck {
	const skewMs = nowMs - signedAtMs;
	if (Math.abs(skewMs) <= toleranceSeconds * 1000) return { ok: true };
	return { ok: false, reason: skewMs > 0 ? 'timestamp too old' : 'timestamp in the future' };
}

/**
 * The exact bytes or nothing: re-serialising parsed JSON would change whitespace and key order
 * and so mask tampering.
 */
export function isRawBody(rawBody: unknown): rawBody is Buffer {
	return Buffer.isBuffer(rawBody);
}
