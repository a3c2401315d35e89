import type { IDataObject } from 'n8n-workflow';

import { isFinal, type NormalizedStatus } from '../deliveryStatus';
import { ownValue } from '../../objects';
import type { KeyedEvent, NormalizeResult, NormalizedEvent } from '../event';
import { dedupeKeyOf, metadataFrom, textOrNull } from '../event';

/**
 * SendCloud SMSHook callback → one normalized event per message.
 *
 * Fan-out limits (docs/verification.md, "Limits per request"): at most MAX_MESSAGES_PER_CALLBACK messages,
 * and at most MAX_FANOUT_BYTES of item data in all. Each item carries its own slice of the
 * lists (`smsIds`/`phones` cut to its message) and one copy of the shared fields, so time and
 * memory grow with messages + shared size, never with their square.
 */

/** SendCloud's bulk send takes up to 2,000 numbers per request, so a callback lists at most that. */
export const MAX_MESSAGES_PER_CALLBACK = 2000;

/** Ceiling for messages × (shared fields + metadata), in JSON characters. */
export const MAX_FANOUT_BYTES = 16 * 1024 * 1024;

/** The fields that list one entry per message; everything else is shared by the messages. */
const LIST_FIELDS = ['smsIds', 'phones'] as const;

/** SendCloud event codes, current and legacy (docs/CONTRACT.md). */
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

function sendCloudStatus(body: IDataObject): NormalizedStatus | null {
	const code =
		typeof body.eventType === 'number'
			? body.eventType
			: typeof body.eventType === 'string' && /^\d{1,3}$/.test(body.eventType)
				? Number(body.eventType)
				: null;
	if (code !== null) return ownValue(SENDCLOUD_CODES, code) ?? null;
	if (typeof body.event === 'string') {
		return ownValue(SENDCLOUD_NAMES, body.event.toLowerCase().replace(/[\s_-]/g, '')) ?? null;
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

/** The plural list when present, else the singular field (`smsId`, `phone`) as a list of one. */
function messagesField(body: IDataObject, plural: string, singular: string): string[] | null {
	if (body[plural] !== undefined && body[plural] !== null) return listOf(body[plural]);
	const single = body[singular];
	if (single === undefined || single === null || single === '') return [];
	const text = textOrNull(single);
	return text === null ? null : [text];
}

/** This message's part of a list field, in the form the body used (array or text). */
function sliceOf(original: unknown, value: string | null): unknown {
	if (Array.isArray(original)) return value === null ? [] : [value];
	return value ?? '';
}

function reasonFor(status: NormalizedStatus, body: IDataObject): string | null {
	// `reason` carries the provider's text for the event where it means something: the status
	// message for failures and template reviews, and — a decision, since the contract has no field for
	// it — the inbound text (`replyContent`) for replies. `raw` keeps both anyway.
	if (status === 'failed' || status === 'suppressed' || status === 'template_verify') {
		return textOrNull(body.message);
	}
	if (status === 'replied') return textOrNull(body.replyContent) ?? textOrNull(body.message);
	return null;
}

function tooManyMessages(count: number): string {
	return `too many messages in one callback (${count}; at most ${MAX_MESSAGES_PER_CALLBACK})`;
}

/** SendCloud sms ids end in "$<phone>"; that is the recipient when the phones list is short. */
function recipientOf(messageId: string | null, phone: string | null): string | null {
	const dollar = messageId ? messageId.lastIndexOf('$') : -1;
	return phone ?? (messageId && dollar >= 0 ? messageId.slice(dollar + 1) || null : null);
}

export function normalizeSendCloud(
	body: IDataObject,
	receipt: { timestampMs: number; receivedAt: Date; token: string },
): NormalizeResult {
	const status = sendCloudStatus(body);
	if (!status) return { ok: false, reason: 'unknown or missing eventType' };
	const smsIds = messagesField(body, 'smsIds', 'smsId');
	const phones = messagesField(body, 'phones', 'phone');
	if (!smsIds || !phones) return { ok: false, reason: 'malformed smsIds or phones' };
	const count = Math.max(smsIds.length, phones.length, 1);
	if (count > MAX_MESSAGES_PER_CALLBACK) return { ok: false, reason: tooManyMessages(count) };

	// The shared part is serialised once; each item parses its own copy (so items never share
	// objects) with the list fields, kept in place as null, replaced by its slice.
	const shared: IDataObject = { ...body };
	for (const field of LIST_FIELDS) if (field in shared) shared[field] = null;
	const sharedJson = JSON.stringify(shared);
	const metadataJson = JSON.stringify(metadataFrom(body.customArgs));
	const perItem = sharedJson.length + metadataJson.length;
	if (count > 1 && count * perItem > MAX_FANOUT_BYTES) {
		return {
			ok: false,
			reason: `callback too large to fan out (${count} messages × ${Math.round(perItem / 1024)} KiB of shared fields; at most ${MAX_FANOUT_BYTES / 1024 / 1024} MiB in all)`,
		};
	}

	const occurredAt = new Date(receipt.timestampMs).toISOString();
	const receivedAt = receipt.receivedAt.toISOString();
	const reason = reasonFor(status, body);
	const events: KeyedEvent[] = [];
	for (let i = 0; i < count; i++) {
		const messageId = smsIds[i] ?? null;
		const to = recipientOf(messageId, phones[i] ?? null);
		const raw = JSON.parse(sharedJson) as IDataObject;
		if ('smsIds' in shared) raw.smsIds = sliceOf(body.smsIds, messageId) as IDataObject['smsIds'];
		if ('phones' in shared)
			raw.phones = sliceOf(body.phones, phones[i] ?? null) as IDataObject['phones'];
		const event: NormalizedEvent = {
			provider: 'sendcloud',
			event: status === 'template_verify' ? 'template.verified' : `message.${status}`,
			status,
			final: isFinal(status),
			messageId,
			to,
			occurredAt,
			receivedAt,
			livemode: null,
			reason,
			metadata: JSON.parse(metadataJson) as IDataObject,
			raw,
		};
		events.push({
			event,
			dedupeKey: sendCloudDedupeKey(status, messageId, to, body, receipt),
		});
	}
	return { ok: true, events };
}

/**
 * Delivery statuses happen once per message, so message + status identify the event even if
 * a retry is re-stamped or re-signed. Replies and template reviews can recur, so their key
 * also holds the event time and the template. Without a message id nothing in the body tells
 * two callbacks apart, so the token does: callbacks with different tokens are never merged.
 */
function sendCloudDedupeKey(
	status: NormalizedStatus,
	messageId: string | null,
	to: string | null,
	body: IDataObject,
	receipt: { timestampMs: number; token: string },
): string {
	const parts: Array<string | null> = ['sendcloud', status, messageId, to];
	if (!ONCE_PER_MESSAGE.has(status) || !messageId) {
		parts.push(String(receipt.timestampMs), textOrNull(body.templateId));
	}
	if (!messageId) parts.push(receipt.token);
	return dedupeKeyOf(parts);
}
