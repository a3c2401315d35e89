import type { IDataObject } from 'n8n-workflow';

import { isPlainObject } from '../shared/objects';
import { redactJson } from '../shared/redact';
import { smsRouteRequest, type SmsRouteClient, type SmsRouteRequest } from './smsRouteRequest';

/**
 * smsroute's message routes, each written once: POST /messages, POST /messages/bulk and
 * GET /messages/{id}, with what a 2xx body must hold before a message is reported sent (or
 * looked up). A body without the ids (an empty object, HTML from a proxy, null) proves nothing
 * either way: smsroute may have accepted the message, so the error says so, and that running
 * again is safe.
 */

function describe(body: unknown): string {
	if (body === undefined || body === '') return 'an empty body';
	if (body === null) return 'null';
	if (typeof body === 'string') return 'a body that is not JSON';
	if (Array.isArray(body)) return 'a list';
	return typeof body === 'object' ? 'JSON without the expected fields' : `a bare ${typeof body}`;
}

const isId = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

function checkSentMessage(body: unknown): string | undefined {
	if (isPlainObject(body) && isId(body.id)) return undefined;
	return `smsroute answered with ${describe(body)} instead of the sent message's id. The message may have been accepted; running again is safe: the same idempotency key makes smsroute return the original message instead of sending it twice.`;
}

function checkBulkIds(count: number): (body: unknown) => string | undefined {
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

function checkMessage(messageId: string): (body: unknown) => string | undefined {
	return (body) => {
		if (isPlainObject(body) && body.id === messageId) return undefined;
		return `smsroute answered with ${describe(body)}, which is not a message with the ID "${messageId}"`;
	};
}

/** A message as smsroute's routes take it; its idempotency key is made before transport. */
export interface MessagePayload {
	to: string;
	body: string;
	from?: string;
	metadata?: IDataObject;
}

/** smsroute's answer to POST /messages. */
export interface SentMessage extends IDataObject {
	id: string;
	status: string;
	credits_used?: number;
	created_at?: string;
}

/**
 * POST /messages for one message, the answer redacted. The key travels in a header, so the
 * caller passes it header-safe (sending/idempotency.ts, headerIdempotencyKey).
 */
export async function postMessage(
	client: SmsRouteClient,
	message: MessagePayload,
	headerKey: string,
	onAnswer?: SmsRouteRequest['onAnswer'],
): Promise<SentMessage> {
	const body: IDataObject = { to: message.to, body: message.body };
	if (message.from) body.from = message.from;
	if (message.metadata) body.metadata = message.metadata;
	const answer = await smsRouteRequest<SentMessage>(client, {
		method: 'POST',
		path: '/messages',
		body,
		idempotencyKey: headerKey,
		checkBody: checkSentMessage,
		onAnswer,
	});
	return redactJson(answer, client.redact);
}

/** smsroute's answer to POST /messages/bulk: one id per message, in request order. */
export interface BulkResponse {
	ids: string[];
	count: number;
}

function bulkPayload(message: MessagePayload & { idempotencyKey: string }): IDataObject {
	const payload: IDataObject = {
		to: message.to,
		body: message.body,
		idempotency_key: message.idempotencyKey,
	};
	if (message.from) payload.from = message.from;
	if (message.metadata) payload.metadata = message.metadata;
	return payload;
}

/**
 * POST /messages/bulk for one chunk, each message with its own key; the caller makes the
 * chunk's key from them (sending/idempotency.ts, chunkIdempotencyKey).
 */
export async function postBulk(
	client: SmsRouteClient,
	messages: ReadonlyArray<MessagePayload & { idempotencyKey: string }>,
	chunkKey: string,
): Promise<BulkResponse> {
	return await smsRouteRequest<BulkResponse>(client, {
		method: 'POST',
		path: '/messages/bulk',
		body: { messages: messages.map(bulkPayload) },
		idempotencyKey: chunkKey,
		checkBody: checkBulkIds(messages.length),
	});
}

/**
 * GET /messages/{id}: the message with its current status, redacted. Get Status and the wait's
 * status lookup both use it; callers check the id with isPlainMessageId first.
 */
export async function getMessage(client: SmsRouteClient, messageId: string): Promise<IDataObject> {
	const message = await smsRouteRequest<IDataObject>(client, {
		method: 'GET',
		path: `/messages/${messageId}`,
		checkBody: checkMessage(messageId),
	});
	return redactJson(message, client.redact);
}
