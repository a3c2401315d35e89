import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * SendCloud SMSHook: signature = hex(HMAC-SHA256(app key, "<timestamp><token>")).
 * Only the timestamp and the random token are signed, not the body, so the caller must also
 * refuse stale timestamps and tokens already seen (see dedupe.ts) — otherwise anyone holding
 * one genuine callback could replay its token/timestamp/signature with a forged body.
 */

const SHA256_BYTES = 32;

export interface SendcloudSignedFields {
	token: string;
	/** Exactly as received (ms since the epoch), because it is part of the signed text. */
	timestamp: string;
	signature: string;
}

export type SendcloudFieldsResult =
	| { ok: true; fields: SendcloudSignedFields; timestampMs: number }
	| { ok: false; reason: string };

export type SendcloudVerification = { ok: true } | { ok: false; reason: string };

/** Whether a body carries any of SendCloud's signing fields (used by provider auto-detection). */
export function looksLikeSendcloud(body: Record<string, unknown>): boolean {
	return 'token' in body || 'signature' in body || ('timestamp' in body && 'eventType' in body);
}

function asScalarString(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
	return null;
}

export function extractSendcloudFields(body: Record<string, unknown>): SendcloudFieldsResult {
	const token = asScalarString(body.token);
	const timestamp = asScalarString(body.timestamp);
	const signature = asScalarString(body.signature);
	if (!token || !timestamp || !signature) {
		return { ok: false, reason: 'missing token, timestamp or signature' };
	}
	// The documented token is 50 characters; allow some slack but keep it bounded because it
	// is hashed into the replay record.
	if (token.length > 256) {
		return { ok: false, reason: 'malformed token' };
	}
	if (!/^\d{1,16}$/.test(timestamp)) {
		return { ok: false, reason: 'malformed timestamp' };
	}
	return { ok: true, fields: { token, timestamp, signature }, timestampMs: Number(timestamp) };
}

export function computeSendcloudSignature(appKey: string | KeyObject, timestamp: string, token: string): Buffer {
	return createHmac('sha256', appKey).update(`${timestamp}${token}`, 'utf8').digest();
}

export function verifySendcloudSignature(options: {
	appKey: string | KeyObject;
	fields: SendcloudSignedFields;
	timestampMs: number;
	toleranceSeconds: number;
	nowMs: number;
}): SendcloudVerification {
	const { appKey, fields, timestampMs, toleranceSeconds, nowMs } = options;
	const expected = computeSendcloudSignature(appKey, fields.timestamp, fields.token);
	const given = /^[0-9a-fA-F]+$/.test(fields.signature) && fields.signature.length === SHA256_BYTES * 2
		? Buffer.from(fields.signature, 'hex')
		: null;
	// Length guard before timingSafeEqual, which throws on different lengths.
	if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
		return { ok: false, reason: 'signature mismatch' };
	}
	const skewMs = nowMs - timestampMs;
	if (Math.abs(skewMs) > toleranceSeconds * 1000) {
		return { ok: false, reason: skewMs > 0 ? 'timestamp too old' : 'timestamp in the future' };
	}
	return { ok: true };
}
