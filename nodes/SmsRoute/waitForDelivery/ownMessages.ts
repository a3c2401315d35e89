import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { headerIdempotencyKey } from '../sending/idempotency';
import type { OutgoingMessage } from '../sending/outgoingMessage';
import { isPlainObject } from '../shared/objects';
import { RESUME_URL_METADATA_KEY } from '../shared/resumeUrl';
import { DEFAULT_TOLERANCE_SECONDS } from '../shared/webhookRequest';
import { postMessage, type SentMessage } from '../transport/messages';
import type { SmsRouteClient } from '../transport/smsRouteRequest';

/**
 * How Send and Wait knows its own messages from replays of messages sent by someone else.
 *
 * A reused idempotency key makes smsroute return the earlier message, whose delivery events go to
 * the wait that sent it first: waited for here, it could only time out. So the wait keeps, in the
 * node's context (saved with the execution, carried into n8n's Retry), a record per key it sent:
 * which run (execution id and run index) tried it first, when, and whether smsroute answered.
 *
 * - A key another run already got an answer for is a replay: an earlier loop round, or the failed
 *   execution that an n8n Retry continues (its resume URL is not this execution's).
 * - A key this run tried first is its own, whenever the answer comes: Retry On Fail an hour later
 *   still waits for its messages. For the node's own automatic keys (made from the execution) that
 *   is all: no one else can hold them. A key someone else may hold (an Idempotency Key you set, a
 *   Campaign ID) is also checked against the answer: its metadata when smsroute echoes it (the
 *   resume URL and run it was sent with), `Idempotent-Replayed` on the very first try, and, only
 *   when the answer says neither, a `created_at` before this run first tried it (300 s of skew).
 */
export const WAIT_KEYS_CONTEXT_KEY = 'sendAndWaitKeys';

/** Metadata field naming the run of a message sent by a later run of the node (a loop). */
export const RUN_METADATA_KEY = 'n8nRunIndex';

interface KeyRecord {
	/** `<execution id>#<run index>` of the run that tried the key first. */
	run: string;
	/** When that run first tried it (n8n's clock). */
	triedAt: number;
	/** Whether smsroute answered that run for it (the message exists). */
	answered?: boolean;
}

export interface WaitRun {
	executionId: string;
	runIndex: number;
	resumeUrl: string;
}

export interface Answer {
	metadata?: unknown;
	created_at?: unknown;
}

export interface AnswerInfo {
	attempt: number;
	replayed: boolean;
}

export type KeySource = 'given' | 'campaign' | 'execution';

/**
 * The message's metadata with what ties it to this wait: the resume URL and, after run 0, the
 * run (a loop's later run has the first run's resume URL: n8n signs `<execution>/<node>` only).
 * Both replace a user's field of the same name, which would otherwise misname the wait. Absent
 * on run 0, so those messages are as earlier versions sent them (CHANGELOG).
 */
export function tiedMetadata(metadata: IDataObject | undefined, wait: WaitRun): IDataObject {
	const tied: IDataObject = { ...metadata, [RESUME_URL_METADATA_KEY]: wait.resumeUrl };
	// A string, like every value a metadata store takes; compared as a number.
	if (wait.runIndex > 0) tied[RUN_METADATA_KEY] = String(wait.runIndex);
	else delete tied[RUN_METADATA_KEY];
	return tied;
}

/** Keys are user text: prefixed, so "__proto__" is a key like any other. */
const slot = (key: string) => `k:${key}`;

export class OwnMessages {
	private readonly records: Record<string, KeyRecord>;

	private readonly run: string;

	constructor(
		context: IExecuteFunctions,
		private readonly wait: WaitRun,
	) {
		const nodeContext = context.getContext('node');
		if (!isPlainObject(nodeContext[WAIT_KEYS_CONTEXT_KEY])) nodeContext[WAIT_KEYS_CONTEXT_KEY] = {};
		this.records = nodeContext[WAIT_KEYS_CONTEXT_KEY] as IDataObject as Record<string, KeyRecord>;
		this.run = `${wait.executionId}#${wait.runIndex}`;
	}

	/** Before a key is posted. Returns whether no run had tried it before. */
	beforePost(key: string): boolean {
		const before = this.records[slot(key)];
		// An unanswered try of another run (a failed execution) made no message: this run makes it.
		if (!before || (!before.answered && before.run !== this.run))
			this.records[slot(key)] = { run: this.run, triedAt: Date.now() };
		return before === undefined;
	}

	/** POST /messages for the message tied to this wait; `replayed` when someone else sent it (see above). */
	async post(
		client: SmsRouteClient,
		slot: OutgoingMessage,
	): Promise<{ message: OutgoingMessage; answer: SentMessage; replayed: boolean }> {
		const message = { ...slot, metadata: tiedMetadata(slot.metadata, this.wait) };
		const firstTry = this.beforePost(slot.idempotencyKey);
		let info = { attempt: 1, replayed: false };
		const headerKey = headerIdempotencyKey(slot.idempotencyKey);
		const answer = await postMessage(client, message, headerKey, (answered) => (info = answered));
		const source = slot.keySource ?? 'execution';
		const replayed = this.isReplay(slot.idempotencyKey, source, answer, info, firstTry);
		return { message, answer, replayed };
	}

	/** Whether smsroute's answer for `key` is a message sent by someone else (see above). */
	isReplay(
		key: string,
		source: KeySource,
		answer: Answer,
		info: AnswerInfo,
		firstTry: boolean,
	): boolean {
		const record = this.records[slot(key)];
		if (!record) return false;
		if (record.run !== this.run) return record.answered === true;
		record.answered = true;
		const metadata = answer.metadata;
		if (isPlainObject(metadata))
			return (
				metadata[RESUME_URL_METADATA_KEY] !== this.wait.resumeUrl ||
				Number(metadata[RUN_METADATA_KEY] ?? 0) !== this.wait.runIndex
			);
		if (source === 'execution') return false;
		if (firstTry && info.attempt === 1 && info.replayed) return true;
		const createdAt = Date.parse(String(answer.created_at));
		return createdAt < record.triedAt - DEFAULT_TOLERANCE_SECONDS * 1000;
	}
}
