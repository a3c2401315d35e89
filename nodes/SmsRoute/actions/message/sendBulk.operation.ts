import type { IDataObject } from 'n8n-workflow';

import { chunkIdempotencyKey } from '../../helpers/idempotency';
import { dryRunItem, failedItem, messageSummary, toNodeError } from '../../helpers/itemResults';
import type { OutgoingMessage } from '../../helpers/outgoingMessage';
import { chunk, mapWithConcurrency } from '../../transport/concurrency';
import { SmsRouteRequestError, smsRouteRequest, type SmsRouteClient } from '../../transport/smsRouteRequest';
import type { Operation } from '../operation';
import { isOutgoing, prepareMessages } from './prepareMessages';
import { checkBulkIds } from './responseChecks';

interface BulkResponse {
	ids: string[];
	count: number;
}

/** itemIndex → the message id smsroute gave it, or the error that kept it from being sent. */
type ChunkOutcome = Map<number, { id: string } | { error: unknown }>;

/** One chunk's bisection: how many more requests it may make, and whether its 400 is chunk-wide. */
interface ChunkState {
	client: SmsRouteClient;
	outcome: ChunkOutcome;
	requestsLeft: number;
	chunkWide?: string;
}

/** A chunk-wide 400 shows as the same error in both halves at this many nested splits. */
const SAME_ERROR_SPLITS = 3;

/** Requests one chunk may spend on bisection: enough for a few bad messages, far below 2N. */
function bisectionBudget(size: number): number {
	return 8 + 4 * Math.ceil(Math.log2(Math.max(2, size)));
}

function bulkPayload(message: OutgoingMessage): IDataObject {
	const payload: IDataObject = { to: message.to, body: message.body, idempotency_key: message.idempotencyKey };
	if (message.from) payload.from = message.from;
	if (message.metadata) payload.metadata = message.metadata;
	return payload;
}

function rejection(error: unknown): SmsRouteRequestError | undefined {
	return error instanceof SmsRouteRequestError && error.statusCode === 400 ? error : undefined;
}

/** smsroute names the culprit of a 400 as `messages[17].to: …`. */
function rejectedIndex(error: SmsRouteRequestError, size: number): number | undefined {
	const match = /messages\[(\d+)\]/.exec(error.apiError ?? '');
	const index = match ? Number(match[1]) : NaN;
	return Number.isInteger(index) && index >= 0 && index < size ? index : undefined;
}

function sameRejection(a: unknown, b: unknown): boolean {
	const first = rejection(a);
	const second = rejection(b);
	return !!first && !!second && first.apiError === second.apiError && rejectedIndex(first, Infinity) === undefined;
}

/** For messages left when the budget is spent: they were never sent on their own. */
function notNarrowedDown(error: unknown): unknown {
	const rejected = rejection(error);
	if (!rejected) return error;
	return new SmsRouteRequestError(
		`Not sent: smsroute rejected this message's bulk request (400) and the node stopped narrowing down which message it was about: ${rejected.apiError ?? 'no reason given'}. Running again is safe: the same idempotency keys keep sent messages from being sent twice.`,
		400,
		rejected.apiError,
		rejected.attempts,
	);
}

function failAll(state: ChunkState, messages: OutgoingMessage[], error: unknown): void {
	for (const message of messages) state.outcome.set(message.itemIndex, { error });
}

/** One bulk request; records the ids on success, returns the error (unrecorded) on failure. */
async function post(state: ChunkState, messages: OutgoingMessage[]): Promise<unknown> {
	state.requestsLeft--;
	try {
		const response = await smsRouteRequest<BulkResponse>(state.client, {
			method: 'POST',
			path: '/messages/bulk',
			body: { messages: messages.map(bulkPayload) },
			idempotencyKey: chunkIdempotencyKey(messages.map((m) => m.idempotencyKey)),
			checkBody: checkBulkIds(messages.length),
		});
		messages.forEach((message, i) => state.outcome.set(message.itemIndex, { id: response.ids[i] }));
		return undefined;
	} catch (error) {
		return error;
	}
}

/** Sends what is left after a culprit was set aside, unless the chunk's budget is spent. */
async function sendRest(state: ChunkState, messages: OutgoingMessage[], lastError: unknown): Promise<void> {
	if (messages.length === 0) return;
	if (state.requestsLeft <= 0) return failAll(state, messages, notNarrowedDown(lastError));
	const error = await post(state, messages);
	if (error !== undefined) await settle(state, messages, error, 0);
}

/**
 * `messages` failed together with `error`. A 400 rejects a whole bulk request for one bad
 * message, so the culprit is set aside (by the index smsroute names, else by bisection) and the
 * rest is sent again; every resend reuses the per-message keys, so nothing is charged twice.
 * Bisection stops when the error is evidently not about one message (the same error in both
 * halves at several nested splits), or when the chunk's request budget is spent: then the
 * messages left fail with that error, unsent.
 */
async function settle(state: ChunkState, messages: OutgoingMessage[], error: unknown, sameSplits: number): Promise<void> {
	const rejected = rejection(error);
	if (!rejected || messages.length === 1) return failAll(state, messages, error);
	if (state.chunkWide !== undefined && state.chunkWide === rejected.apiError) return failAll(state, messages, error);
	const culprit = rejectedIndex(rejected, messages.length);
	if (culprit !== undefined) {
		state.outcome.set(messages[culprit].itemIndex, { error });
		return await sendRest(state, messages.filter((_, i) => i !== culprit), error);
	}
	if (state.requestsLeft < 2) return failAll(state, messages, notNarrowedDown(error));
	const middle = Math.ceil(messages.length / 2);
	const halves = [messages.slice(0, middle), messages.slice(middle)];
	const errors = [await post(state, halves[0]), await post(state, halves[1])];
	const bothSame = sameRejection(error, errors[0]) && sameRejection(error, errors[1]);
	if (bothSame && sameSplits + 1 >= SAME_ERROR_SPLITS) {
		state.chunkWide = rejected.apiError;
		return failAll(state, messages, error);
	}
	for (const [i, half] of halves.entries()) {
		if (errors[i] !== undefined) await settle(state, half, errors[i], bothSame ? sameSplits + 1 : 0);
	}
}

async function sendChunk(client: SmsRouteClient, messages: OutgoingMessage[], outcome: ChunkOutcome): Promise<void> {
	const state: ChunkState = { client, outcome, requestsLeft: bisectionBudget(messages.length) };
	const error = await post(state, messages);
	if (error !== undefined) await settle(state, messages, error, 0);
}

/**
 * Every item becomes one message, sent through POST /messages/bulk in chunks of at most 1,000
 * with several chunks in flight. Output stays in input order, each item paired with its input.
 */
export const execute: Operation = async function (items, client, run) {
	const { slots, valid } = prepareMessages(this, items);
	if (run.dryRun) return slots.map((slot) => (isOutgoing(slot) ? dryRunItem(slot) : slot));

	const outcome: ChunkOutcome = new Map();
	const continueOnFail = this.continueOnFail();
	await mapWithConcurrency(chunk(valid, run.chunkSize), run.concurrency, async (messages) => {
		await sendChunk(client, messages, outcome);
		// Without "Continue On Fail" the first failure stops further chunks from starting.
		if (continueOnFail) return;
		for (const message of messages) {
			const result = outcome.get(message.itemIndex);
			if (result && 'error' in result) throw toNodeError(this, result.error, message.itemIndex);
		}
	});

	return slots.map((slot) => {
		if (!isOutgoing(slot)) return slot;
		const result = outcome.get(slot.itemIndex);
		if (!result || 'error' in result) {
			return failedItem(this, slot.itemIndex, result?.error ?? new Error('Message was not sent'), messageSummary(slot));
		}
		return {
			json: { id: result.id, ...messageSummary(slot), status: 'queued', creditsUsed: null },
			pairedItem: { item: slot.itemIndex },
		};
	});
};
