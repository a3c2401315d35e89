import type { OutgoingMessage } from '../../sending/outgoingMessage';
import { chunkIdempotencyKey } from '../../sending/idempotency';
import { postBulk } from '../../transport/messages';
import { SmsRouteRequestError, type SmsRouteClient } from '../../transport/smsRouteRequest';

/**
 * One chunk of Send in Bulk through POST /messages/bulk, and when smsroute rejects it with a
 * 400, the search (bisection) for the messages the 400 is about, so the rest are still sent.
 * The split into chunks is sending/chunking.ts; the chunk size is in actions/options.ts.
 */

/** itemIndex → the message id smsroute gave it, or the error that kept it from being sent. */
export type ChunkResults = Map<number, { id: string } | { error: unknown }>;

/** One chunk's search for the messages a 400 is about. */
interface ChunkState {
	client: SmsRouteClient;
	results: ChunkResults;
	/** Requests bisection may still make. */
	splitsBudget: number;
	/** The error text (index left out) found to apply to every message of the chunk. */
	chunkWide?: string;
	/** The error text of the last culprits smsroute named, and how many in a row had it. */
	streak?: { text: string; count: number };
}

/** A chunk-wide 400 shows as the same error in both halves at this many nested splits. */
const SAME_ERROR_SPLITS = 3;
/** After this many named culprits in a row with the same error, one probe checks it is chunk-wide. */
const NAMED_STREAK = 3;

/** Requests one chunk may spend on bisection: enough for a few bad messages, far below 2N. */
function bisectionBudget(size: number): number {
	return 8 + 4 * Math.ceil(Math.log2(Math.max(2, size)));
}

function rejection(error: unknown): SmsRouteRequestError | undefined {
	return error instanceof SmsRouteRequestError && error.statusCode === 400 ? error : undefined;
}

const NAMED_INDEX = /messages\[(\d+)\]/;

/** smsroute names the culprit of a 400 as `messages[17].to: …`. */
function rejectedIndex(error: SmsRouteRequestError, size: number): number | undefined {
	const match = NAMED_INDEX.exec(error.apiError ?? '');
	const index = match ? Number(match[1]) : NaN;
	return Number.isInteger(index) && index >= 0 && index < size ? index : undefined;
}

/** A 400's text without the index it names, so the same complaint about two messages compares equal. */
function rejectionText(error: unknown): string | undefined {
	const rejected = rejection(error);
	return rejected
		? (rejected.apiError ?? '').replace(new RegExp(NAMED_INDEX, 'g'), 'messages[]')
		: undefined;
}

/** For messages left when the budget is spent: they were never sent on their own. */
function notNarrowedDown(error: unknown): unknown {
	const rejected = rejection(error);
	if (!rejected) return error;
	return new SmsRouteRequestError(
		`Not sent: smsroute rejected this message's bulk request (400) and the node stopped narrowing down which message it was about: ${rejected.apiError ?? 'no reason given'}. Running again is safe: the same idempotency keys keep sent messages from being sent twice.`,
		{ statusCode: 400, apiError: rejected.apiError },
	);
}

function failAll(state: ChunkState, messages: OutgoingMessage[], error: unknown): void {
	for (const message of messages) state.results.set(message.itemIndex, { error });
}

/** One bulk request; records the ids on success, returns the error (unrecorded) on failure. */
async function post(state: ChunkState, messages: OutgoingMessage[]): Promise<unknown> {
	try {
		const chunkKey = chunkIdempotencyKey(messages.map((m) => m.idempotencyKey));
		const response = await postBulk(state.client, messages, chunkKey);
		messages.forEach((message, i) =>
			state.results.set(message.itemIndex, { id: state.client.redact(response.ids[i]) }),
		);
		return undefined;
	} catch (error) {
		return error;
	}
}

async function postAndNarrowDown(state: ChunkState, messages: OutgoingMessage[]): Promise<void> {
	if (messages.length === 0) return;
	const error = await post(state, messages);
	if (error !== undefined) await narrowDown(state, messages, error, 0);
}

/**
 * The culprit smsroute named is set aside and the rest sent again: each request removes one
 * message. A complaint that keeps coming back for the next message (say `messages[0].from`) may
 * be about all of them, so after a streak one probe sends the last message alone: if smsroute
 * says the same about it, the rest fail with that error instead of costing one request each.
 */
async function setAsideNamed(
	state: ChunkState,
	messages: OutgoingMessage[],
	culprit: number,
	error: unknown,
): Promise<void> {
	state.results.set(messages[culprit].itemIndex, { error });
	let rest = messages.filter((_, i) => i !== culprit);
	const text = rejectionText(error) ?? '';
	state.streak = { text, count: state.streak?.text === text ? state.streak.count + 1 : 1 };
	if (state.streak.count >= NAMED_STREAK && rest.length > 1) {
		state.streak = undefined;
		const last = rest[rest.length - 1];
		rest = rest.slice(0, -1);
		const probeError = await post(state, [last]);
		if (probeError !== undefined) state.results.set(last.itemIndex, { error: probeError });
		if (probeError !== undefined && rejectionText(probeError) === text) {
			state.chunkWide = text;
			return failAll(state, rest, error);
		}
	}
	await postAndNarrowDown(state, rest);
}

/**
 * `messages` failed together with `error`. A 400 rejects a whole bulk request for one bad
 * message, so the culprit is set aside (by the index smsroute names, else by bisection) and the
 * rest is sent again; every resend reuses the per-message keys, so nothing is charged twice.
 * Bisection stops when the error is evidently not about one message (the same error in both
 * halves at several nested splits), or when the chunk's bisection budget is spent: then the
 * messages left fail with that error, unsent.
 */
async function narrowDown(
	state: ChunkState,
	messages: OutgoingMessage[],
	error: unknown,
	sameSplits: number,
): Promise<void> {
	const rejected = rejection(error);
	if (!rejected || messages.length === 1) return failAll(state, messages, error);
	if (state.chunkWide !== undefined && state.chunkWide === rejectionText(error))
		return failAll(state, messages, error);
	const culprit = rejectedIndex(rejected, messages.length);
	if (culprit !== undefined) return await setAsideNamed(state, messages, culprit, error);
	if (state.splitsBudget < 2) return failAll(state, messages, notNarrowedDown(error));
	state.splitsBudget -= 2;
	const middle = Math.ceil(messages.length / 2);
	const halves = [messages.slice(0, middle), messages.slice(middle)];
	const errors = [await post(state, halves[0]), await post(state, halves[1])];
	const text = rejectionText(error);
	const bothSame = errors.every((halfError) => rejectionText(halfError) === text);
	if (bothSame && sameSplits + 1 >= SAME_ERROR_SPLITS) {
		state.chunkWide = text;
		return failAll(state, messages, error);
	}
	for (const [i, half] of halves.entries()) {
		if (errors[i] !== undefined)
			await narrowDown(state, half, errors[i], bothSame ? sameSplits + 1 : 0);
	}
}

/** Sends one chunk; every message ends in `results` with its id or the error that kept it unsent. */
export async function sendChunk(
	client: SmsRouteClient,
	messages: OutgoingMessage[],
	results: ChunkResults,
): Promise<void> {
	const state: ChunkState = { client, results, splitsBudget: bisectionBudget(messages.length) };
	await postAndNarrowDown(state, messages);
}
