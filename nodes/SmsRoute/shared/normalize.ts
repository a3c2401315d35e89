import type { IDataObject } from 'n8n-workflow';

import { isFinal, type NormalizedStatus } from './deliveryStatus';
import { isPlainObject } from './objects';
import type { Result } from './result';

/**
 * Provider payload → the normalized delivery event of docs/CONTRACT.md, one per message.
 * Each event comes with a dedupe key (docs/CONTRACT.md, Duplicates) that identifies the provider event
 * independently of how it was signed or serialised.
 */

/** The statuses smsroute itself sends (docs/CONTRACT.md: "the same word"). */
const SMSROUTE_STATUSES: ReadonlySet<string> = new Set([
	'queued',
	'sent',
	'delivered',
	'failed',
	'undelivered',
]);

export interface NormalizedEvent extends IDataObject {
	provider: 'smsroute' | 'sendcloud';
	event: string;
	status: NormalizedStatus;
	final: boolean;
	messageId: string | null;
	to: string | null;
	occurredAt: string;
	receivedAt: string;
	livemode: boolean | null;
	reason: string | null;
	metadata: IDataObject;
	raw: IDataObject;
}

export interface KeyedEvent {
	event: NormalizedEvent;
	/** Identifies the provider event for duplicate suppression. */
	dedupeKey: string;
}

/**
 * JSON of the parts: unambiguous whatever characters the parts hold ("a|b" + "c" and
 * "a" + "b|c" stay apart), unlike joining them with a separator.
 */
export function dedupeKeyOf(parts: ReadonlyArray<string | null>): string {
	return JSON.stringify(parts);
}

export type NormalizeResult = Result<{ events: KeyedEvent[] }>;

/** Each item gets its own copy so a downstream node editing one item cannot change another. */
export function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

export function textOrNull(value: unknown): string | null {
	if (typeof value === 'string') return value === '' ? null : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

export function metadataFrom(value: unknown): IDataObject {
	if (isPlainObject(value)) return clone(value);
	// A JSON body may still carry customArgs as JSON text.
	if (typeof value === 'string' && value.trim().startsWith('{')) {
		try {
			const parsed = JSON.parse(value) as unknown;
			if (isPlainObject(parsed)) return parsed;
		} catch {
			// Not JSON after all: no metadata rather than a failed event.
			return {};
		}
	}
	return {};
}

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
