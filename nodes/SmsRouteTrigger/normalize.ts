import type { IDataObject } from 'n8n-workflow';

/**
 * Provider payload → the normalized delivery event of SPEC.md, one per message.
 * Each event comes with a dedupe key (see dedupe.ts) that identifies the provider event
 * independently of how it was signed or serialised.
 */

export const NORMALIZED_STATUSES = [
	'queued',
	'sent',
	'delivered',
	'failed',
	'undelivered',
	'suppressed',
	'requested',
	'replied',
	'template_verify',
] as const;

export type NormalizedStatus = (typeof NORMALIZED_STATUSES)[number];

const FINAL_STATUSES: ReadonlySet<NormalizedStatus> = new Set(['delivered', 'failed', 'suppressed']);

/** The statuses smsroute itself sends (SPEC: "the same word"). */
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
	key: string;
}

export type NormalizeResult = { ok: true; events: KeyedEvent[] } | { ok: false; reason: string };

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Each item gets its own copy so a downstream node editing one item cannot change another. */
function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

function textOrNull(value: unknown): string | null {
	if (typeof value === 'string') return value === '' ? null : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

function metadataFrom(value: unknown): IDataObject {
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
export function parseSmsrouteTimestamp(value: unknown): Date | null {
	let ms: number;
	if (typeof value === 'number' || (typeof value === 'string' && /^\d{1,16}(\.\d+)?$/.test(value))) {
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

export function normalizeSmsroute(
	body: IDataObject,
	context: { livemode: boolean; receivedAt: Date },
): NormalizeResult {
	const messageId = textOrNull(body.message_id);
	if (!messageId) return { ok: false, reason: 'missing message_id' };
	const status = typeof body.status === 'string' ? body.status : '';
	if (!status) return { ok: false, reason: 'missing status' };
	if (!SMSROUTE_STATUSES.has(status)) return { ok: false, reason: 'unknown status' };
	if (body.timestamp === undefined || body.timestamp === null) {
		return { ok: false, reason: 'missing timestamp' };
	}
	const occurred = parseSmsrouteTimestamp(body.timestamp);
	if (!occurred) return { ok: false, reason: 'invalid timestamp' };

	const normalizedStatus = status as NormalizedStatus;
	const occurredAt = occurred.toISOString();
	const event: NormalizedEvent = {
		provider: 'smsroute',
		event: `message.${normalizedStatus}`,
		status: normalizedStatus,
		final: FINAL_STATUSES.has(normalizedStatus),
		messageId,
		to: textOrNull(body.to),
		occurredAt,
		receivedAt: context.receivedAt.toISOString(),
		// Which key verified the signature, not what the body claims.
		livemode: context.livemode,
		reason: textOrNull(body.reason) ?? textOrNull(body.error) ?? textOrNull(body.error_message),
		metadata: metadataFrom(body.metadata),
		raw: clone(body),
	};
	// A message reaches a status once per provider timestamp; a re-signed retry of the same
	// event keeps message, status and timestamp, so it maps to the same key.
	const key = ['smsroute', context.livemode ? 'live' : 'test', messageId, status, occurredAt].join('|');
	return { ok: true, events: [{ event, key }] };
}

/** SendCloud event codes, current and legacy (SPEC table). */
const SENDCLOUD_CODES: Record<number, NormalizedStatus> = {
	1: 'requested',
	2: 'delivered', // legacy "deliver"
	20: 'delivered',
	4: 'suppressed', // also legacy "workererror"
	5: 'failed', // also legacy "delivererror"
	6: 'replied', // legacy "reply"
	8: 'template_verify',
};

/** Fallback when only the event name is sent. */
const SENDCLOUD_NAMES: Record<string, NormalizedStatus> = {
	request: 'requested',
	requested: 'requested',
	deliver: 'delivered',
	delivered: 'delivered',
	suppressed: 'suppressed',
	workererror: 'suppressed',
	failed: 'failed',
	delivererror: 'failed',
	reply: 'replied',
	replied: 'replied',
	templateverify: 'template_verify',
};

/** Statuses a message reaches at most once, so the event time need not be in the key. */
const ONCE_PER_MESSAGE: ReadonlySet<NormalizedStatus> = new Set([
	'requested',
	'delivered',
	'failed',
	'suppressed',
]);

function sendcloudStatus(body: IDataObject): NormalizedStatus | null {
	const code =
		typeof body.eventType === 'number'
			? body.eventType
			: typeof body.eventType === 'string' && /^\d{1,3}$/.test(body.eventType)
				? Number(body.eventType)
				: null;
	if (code !== null) return SENDCLOUD_CODES[code] ?? null;
	if (typeof body.event === 'string') {
		return SENDCLOUD_NAMES[body.event.toLowerCase().replace(/[\s_-]/g, '')] ?? null;
	}
	return null;
}

/**
 * Lists may arrive as arrays, as JSON text (decoded by parseBody) or, from older form
 * posts, as comma-separated text.
 */
function listOf(value: unknown): string[] | null {
	if (value === undefined || value === null || value === '') return [];
	if (Array.isArray(value)) {
		const items = value.map(textOrNull);
		return items.every((item): item is string => item !== null) ? items : null;
	}
	const single = textOrNull(value);
	if (single === null) return null;
	return single
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

export function normalizeSendcloud(
	body: IDataObject,
	context: { timestampMs: number; receivedAt: Date },
): NormalizeResult {
	const status = sendcloudStatus(body);
	if (!status) return { ok: false, reason: 'unknown or missing eventType' };
	const smsIds = listOf(body.smsIds);
	const phones = listOf(body.phones);
	if (!smsIds || !phones) return { ok: false, reason: 'malformed smsIds or phones' };

	const occurredAt = new Date(context.timestampMs).toISOString();
	// `reason` carries the provider's text for the event where it means something:
	// the status message for failures and template reviews, and — a decision, since SPEC has
	// no field for it — the inbound text (`replyContent`) for replies. `raw` keeps both anyway.
	let reason: string | null = null;
	if (status === 'failed' || status === 'suppressed' || status === 'template_verify') {
		reason = textOrNull(body.message);
	} else if (status === 'replied') {
		reason = textOrNull(body.replyContent) ?? textOrNull(body.message);
	}
	const metadata = metadataFrom(body.customArgs);
	const count = Math.max(smsIds.length, phones.length, 1);
	const events: KeyedEvent[] = [];
	for (let i = 0; i < count; i++) {
		const messageId = smsIds[i] ?? null;
		// SendCloud sms ids end in "$<phone>"; use that when the phones list is short.
		const dollar = messageId ? messageId.lastIndexOf('$') : -1;
		const to = phones[i] ?? (messageId && dollar >= 0 ? messageId.slice(dollar + 1) || null : null);
		const event: NormalizedEvent = {
			provider: 'sendcloud',
			event: status === 'template_verify' ? 'template.verified' : `message.${status}`,
			status,
			final: FINAL_STATUSES.has(status),
			messageId,
			to,
			occurredAt,
			receivedAt: context.receivedAt.toISOString(),
			livemode: null,
			reason,
			metadata: clone(metadata),
			raw: clone(body),
		};
		// Delivery statuses happen once per message, so message + status identify the event
		// even if a retry is re-stamped. Replies and template reviews can recur, so their
		// key also holds the event time (and the template).
		const parts = ['sendcloud', status, messageId ?? '', to ?? ''];
		if (!ONCE_PER_MESSAGE.has(status) || !messageId) {
			parts.push(String(context.timestampMs), textOrNull(body.templateId) ?? '');
		}
		events.push({ event, key: parts.join('|') });
	}
	return { ok: true, events };
}
