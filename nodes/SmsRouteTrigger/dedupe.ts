import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

/**
 * Bounded memory of what the trigger has already accepted, per trigger node.
 *
 * - `eventKeys`: the last MAX_EVENT_KEYS event keys (normalize.ts). A provider event that
 *   arrives again — a retry, or the same signed request replayed — is answered 200 but not
 *   emitted twice. Older keys are forgotten first (FIFO), so a duplicate arriving after
 *   1,000 newer events is emitted again.
 * - `sendcloudTokens`: SendCloud tokens of accepted callbacks with a hash of the body they came
 *   with and their signed timestamp. SendCloud signs only timestamp + token, not the body, so a
 *   token seen again with another body is a replay (refused), while the same token with the
 *   same body is SendCloud redelivering (answered 200, emitted once through `eventKeys`).
 *   A token is worth remembering only while its timestamp is inside the tolerance; older
 *   entries are pruned because a replay of them is refused as stale anyway. Hard cap
 *   MAX_TOKENS: if more than that many callbacks arrive within one tolerance window, the
 *   oldest tokens are forgotten early.
 *
 * Where it lives: one record per trigger node in the n8n process's memory (seenRecordFor), so
 * concurrent requests share it and check-and-add happens without an await in between; mirrored
 * into the workflow's static data (`this.getWorkflowStaticData('node')`) so that a restarted
 * n8n starts from what was saved. n8n (seen in 2.41 and 1.123) does not save static data that a
 * webhook changed when the same request also starts an execution, once the workflow has static
 * data: memory is what makes the record reliable, static data only seeds it after a restart.
 *
 * Values are stored as truncated SHA-256 hashes: the record stays small and holds no phone
 * numbers or tokens in clear.
 *
 * Limits: the record is per n8n process (a queue-mode setup with several webhook processes
 * keeps one each) and a restart falls back to the last saved static data; manual test runs
 * (the test URL) keep nothing; the record is lost if the trigger node is replaced.
 */

export const MAX_EVENT_KEYS = 1000;
export const MAX_TOKENS = 1000;

function digest(value: string | Buffer): string {
	return createHash('sha256').update(value).digest('hex').slice(0, 32);
}

/** How a SendCloud token relates to the callbacks already accepted. */
export type TokenUse = 'new' | 'redelivery' | 'replay';

function stringList(value: unknown): string[] {
	return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export class SeenRecord {
	private data: IDataObject;

	private eventKeys: string[];

	private tokens: string[];

	private changed = false;

	constructor(staticData: IDataObject) {
		this.data = staticData;
		this.eventKeys = stringList(staticData.eventKeys);
		this.tokens = stringList(staticData.sendcloudTokens);
	}

	/** Each request brings its own static-data object; save() writes the record into it. */
	attach(staticData: IDataObject): void {
		this.data = staticData;
	}

	hasEvent(key: string): boolean {
		return this.eventKeys.includes(digest(key));
	}

	addEvent(key: string): void {
		const hashed = digest(key);
		if (this.eventKeys.includes(hashed)) return;
		this.eventKeys.push(hashed);
		if (this.eventKeys.length > MAX_EVENT_KEYS) {
			this.eventKeys = this.eventKeys.slice(-MAX_EVENT_KEYS);
		}
		this.changed = true;
	}

	/** Entries are "<token hash>:<body hash>:<timestamp ms>". */
	tokenUse(token: string, rawBody: Buffer): TokenUse {
		const prefix = `${digest(token)}:`;
		const entry = this.tokens.find((candidate) => candidate.startsWith(prefix));
		if (!entry) return 'new';
		return entry.startsWith(`${prefix}${digest(rawBody)}:`) ? 'redelivery' : 'replay';
	}

	addToken(token: string, rawBody: Buffer, timestampMs: number, nowMs: number, toleranceSeconds: number): void {
		const oldest = nowMs - toleranceSeconds * 1000;
		const kept = this.tokens.filter((entry) => {
			const ts = Number(entry.slice(entry.lastIndexOf(':') + 1));
			return Number.isFinite(ts) && ts >= oldest;
		});
		kept.push(`${digest(token)}:${digest(rawBody)}:${timestampMs}`);
		this.tokens = kept.length > MAX_TOKENS ? kept.slice(-MAX_TOKENS) : kept;
		this.changed = true;
	}

	/**
	 * Writes back by assignment (not by mutating the stored arrays) so n8n's observable
	 * static-data object notices the change and saves it.
	 */
	save(): void {
		if (!this.changed) return;
		this.data.eventKeys = [...this.eventKeys];
		this.data.sendcloudTokens = [...this.tokens];
		this.changed = false;
	}
}

const MAX_NODES = 1000;
const records = new Map<string, SeenRecord>();

/**
 * The record of one trigger node, shared by every request this n8n process handles for it;
 * seeded from static data the first time. At most MAX_NODES nodes are remembered.
 */
export function seenRecordFor(nodeKey: string, staticData: IDataObject): SeenRecord {
	let record = records.get(nodeKey);
	if (!record) {
		record = new SeenRecord(staticData);
		records.set(nodeKey, record);
		if (records.size > MAX_NODES) records.delete(records.keys().next().value as string);
	}
	record.attach(staticData);
	return record;
}
