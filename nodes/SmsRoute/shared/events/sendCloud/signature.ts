import type { KeyObject } from 'node:crypto';

import {
	SIGNATURE_MISMATCH,
	checkTimestamp,
	decodeSha256Hex,
	hmacSha256,
	sameDigest,
	type SignatureCheck,
} from '../hmacToolkit';
import type { Result } from '../../result';

/**
 * SendCloud SMSHook: signature = hex(HMAC-SHA256(app key, "<timestamp><token>")).
 * The body is not signed, so the caller must also refuse tokens already seen (dedupe.ts):
 * otherwise one genuine callback's token/timestamp/signature could carry a forged body.
 */

export interface SendCloudSignedFields {
	token: string;
	/** Exactly as received (ms since the epoch), because it is part of the signed text. */
	timestamp: string;
	signature: string;
}

export type SendCloudFieldsResult = Result<{ fields: SendCloudSignedFields; timestampMs: number }>;

/** Whether a body carries any of SendCloud's signing fields (used by provider auto-detection). */
export function looksLikeSendCloud(body: Record<string, unknown>): boolean {
	return 'token' in body || 'signature' in body || ('timestamp' in body && 'eventType' in body);
}

function asScalarString(value: unknown): string | null {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
	return null;
}

export function extractSendCloudFields(body: Record<string, unknown>): SendCloudFieldsResult {
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

export function computeSendCloudSignature(
	appKey: string | KeyObject,
	timestamp: string,
	token: string,
): Buffer {
	return hmacSha256(appKey, `${timestamp}${token}`);
}

export function verifySendCloudSignature(options: {
	appKey: string | KeyObject;
	fields: SendCloudSignedFields;
	timestampMs: number;
	toleranceSeconds: number;
	nowMs: number;
}): SignatureCheck {
	const { appKey, fields, timestampMs, toleranceSeconds, nowMs } = options;
	const expected = computeSendCloudSignature(appKey, fields.timestamp, fields.token);
	if (!sameDigest(decodeSha256Hex(fields.signature), expected)) {
		return { ok: false, reason: SIGNATURE_MISMATCH };
	}
	return checkTimestamp(timestampMs, nowMs, toleranceSeconds);
}
