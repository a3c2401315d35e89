import type { KeyObject } from 'node:crypto';

import {
	RAW_BODY_UNAVAILABLE,
	SIGNATURE_MISMATCH,
	checkTimestamp,
	decodeSha256Hex,
	hmacSha256,
	isRawBody,
	sameDigest,
	type SignatureCheck,
} from '../hmacToolkit';

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

export interface SmsRouteSigningKey {
	/** The API key that signs (text, or the KeyObject the trigger caches: it prints without its material). */
	key: string | KeyObject;
	livemode: boolean;
}

export interface ParsedSignatureHeader {
	timestamp: number | null;
	/** Every v1 value, in header order (several during key rotation). */
	signatures: string[];
}

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

export function computeSmsRouteSignature(
	key: string | KeyObject,
	timestamp: number,
	rawBody: Buffer,
): Buffer {
	return hmacSha256(key, `${timestamp}.`, rawBody);
}

export function verifySmsRouteSignature(options: {
	rawBody: Buffer | undefined;
	header: string | string[] | undefined;
	keys: SmsRouteSigningKey[];
	toleranceSeconds: number;
	nowMs: number;
}): SignatureCheck<{ livemode: boolean; timestamp: number }> {
	const { rawBody, header, keys, toleranceSeconds, nowMs } = options;
	if (header === undefined || header === '') {
		return { ok: false, reason: 'missing x-smsroute-signature header' };
	}
	if (Array.isArray(header)) {
		return { ok: false, reason: 'malformed x-smsroute-signature header' };
	}
	if (!isRawBody(rawBody)) {
		return { ok: false, reason: RAW_BODY_UNAVAILABLE };
	}
	const parsed = parseSignatureHeader(header);
	if (!parsed || parsed.timestamp === null) {
		return { ok: false, reason: 'malformed x-smsroute-signature header' };
	}
	if (parsed.signatures.length === 0) {
		return { ok: false, reason: 'no v1 signature in x-smsroute-signature header' };
	}
	const candidates = parsed.signatures.map(decodeSha256Hex);

	let matched: SmsRouteSigningKey | undefined;
	for (const candidateKey of keys) {
		const expected = computeSmsRouteSignature(candidateKey.key, parsed.timestamp, rawBody);
		// No early exit inside the signature loop: every candidate is compared, and each
		// comparison is constant-time.
		let found = false;
		for (const candidate of candidates) {
			if (sameDigest(candidate, expected)) found = true;
		}
		if (found) {
			matched = candidateKey;
			break;
		}
	}
	if (!matched) {
		return { ok: false, reason: SIGNATURE_MISMATCH };
	}
	// Whole seconds on both sides: `t` has no finer resolution.
	const fresh = checkTimestamp(
		parsed.timestamp * 1000,
		Math.floor(nowMs / 1000) * 1000,
		toleranceSeconds,
	);
	if (!fresh.ok) return fresh;
	return { ok: true, livemode: matched.livemode, timestamp: parsed.timestamp };
}
