import type { IDataObject } from 'n8n-workflow';

import { isFinal, type NormalizedStatus } from '../deliveryStatus';
import {
	dedupeKeyOf,
	metadataFrom,
	textOrNull,
	type NormalizeResult,
	type NormalizedEvent,
} from '../event';

/** smsroute's webhook payload → the normalized delivery events of ../event.ts. */

/** The statuses smsroute itself sends (docs/CONTRACT.md: "the same word"). */
const SMSROUTE_STATUSES: ReadonlySet<string> = new Set([
	'queued',
	'sent',
	'delivered',
	'failed',
	'undelivered',
]);

/**
 * smsroute timestamps: ISO-8601 text (what the sandbox sends), or unix seconds / milliseconds
 * as numbers or digit strings. Numbers below 1e12 are seconds (1e12 s is year 33658).
 */
export function parseSmsRouteTimestamp(value: unknown): Date | null {
	let ms: number;
	if (
		typeof value === 'number' ||
		(typeof value === 'string' && /^\d{1,16}(\.\d+)?$/.test(value))
	) {
		const n = Number(value);
		if (!Number.isFinite(n) || n < 0) return null;
		ms = n < 1e12 ? n * 1000 : n;
	} else if (typeof value === 'string' && value.length <= 64) {
		ms = Date.parse(value);
	} else {
		return null;
	}
	const date = new Date(ms);
	return Number.isNaN(date.getTime()) ? null : date;
}

export function normalizeSmsRoute(
	body: IDataObject,
	receipt: { livemode: boolean; receivedAt: Date },
): NormalizeResult {
	const messageId = textOrNull(body.message_id);
	if (!messageId) return { ok: false, reason: 'missing message_id' };
	const status = typeof body.status === 'string' ? body.status : '';
	if (!status) return { ok: false, reason: 'missing status' };
	if (!SMSROUTE_STATUSES.has(status)) return { ok: false, reason: 'unknown status' };
	if (body.timestamp === undefined || body.timestamp === null) {
		return { ok: false, reason: 'missing timestamp' };
	}
	const occurred = parseSmsRouteTimestamp(body.timestamp);
	if (!occurred) return { ok: false, reason: 'invalid timestamp' };

	const normalizedStatus = status as NormalizedStatus;
	const occurredAt = occurred.toISOString();
	const event: NormalizedEvent = {
		provider: 'smsroute',
		event: `message.${normalizedStatus}`,
		status: normalizedStatus,
		final: isFinal(normalizedStatus),
		messageId,
		to: textOrNull(body.to),
		occurredAt,
		receivedAt: receipt.receivedAt.toISOString(),
		// Which key verified the signature, not what the body claims.
		livemode: receipt.livemode,
		reason: textOrNull(body.reason) ?? textOrNull(body.error) ?? textOrNull(body.error_message),
		metadata: metadataFrom(body.metadata),
		// The body was parsed for this request alone, so it needs no copy.
		raw: body,
	};
	// A message reaches a status once per provider timestamp; a re-signed retry of the same
	// event keeps message, status and timestamp, so it maps to the same key.
	const dedupeKey = dedupeKeyOf([
		'smsroute',
		receipt.livemode ? 'live' : 'test',
		messageId,
		status,
		occurredAt,
	]);
	return { ok: true, events: [{ event, dedupeKey }] };
}
