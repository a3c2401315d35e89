/**
 * What a 2xx body must hold before a message is reported sent (or looked up). A body without
 * the ids (an empty object, HTML from a proxy, null) proves nothing either way: smsroute may
 * have accepted the message, so the error says so, and that running again is safe.
 */

import { isPlainObject } from '../../shared/objects';

function describe(body: unknown): string {
	if (body === undefined || body === '') return 'an empty body';
	if (body === null) return 'null';
	if (typeof body === 'string') return 'a body that is not JSON';
	if (Array.isArray(body)) return 'a list';
	return typeof body === 'object' ? 'JSON without the expected fields' : `a bare ${typeof body}`;
}

const isId = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

export function checkSentMessage(body: unknown): string | undefined {
	if (isPlainObject(body) && isId(body.id)) return undefined;
	return `smsroute answered with ${describe(body)} instead of the sent message's id. The message may have been accepted; running again is safe: the same idempotency key makes smsroute return the original message instead of sending it twice.`;
}

export function checkBulkIds(count: number): (body: unknown) => string | undefined {
	return (body) => {
		const ids = isPlainObject(body) ? body.ids : undefined;
		if (Array.isArray(ids) && ids.length === count && ids.every(isId)) return undefined;
		const found = Array.isArray(ids)
			? `${ids.filter(isId).length} usable ids among ${ids.length} for ${count} messages`
			: describe(body);
		return `smsroute answered the bulk request with ${found}. These messages may have been accepted (and charged); running again is safe: the same idempotency keys make smsroute return the original messages instead of sending them twice.`;
	};
}

// smsroute ids look like msg_1a2b3c4d5e6f7g8h. Anything else ("." or ".." above all) would make
// GET /messages/{id} ask for another resource and report its answer as the message.
const PLAIN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** True for an id that can go into GET /messages/{id} as it is. */
export function isPlainMessageId(messageId: unknown): boolean {
	return typeof messageId === 'string' && PLAIN_ID.test(messageId);
}

export function checkMessage(messageId: string): (body: unknown) => string | undefined {
	return (body) => {
		if (isPlainObject(body) && body.id === messageId) return undefined;
		return `smsroute answered with ${describe(body)}, which is not a message with the ID "${messageId}"`;
	};
}
