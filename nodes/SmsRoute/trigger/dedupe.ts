import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { sha256Hex } from '../shared/sha256';

/**
 * What the trigger has already accepted, per trigger node: event keys (no event is emitted twice)
 * and SendCloud tokens (a token with another body is a replay). Kept in this process's memory so
 * check-and-add needs no await, mirrored in part to static data for restarts and other processes.
 * Windows, limits and why: docs/CONTRACT.md, "Duplicates". Values are stored as 64-bit hashes.
 */

export const EVENT_WINDOW_MS = 48 * 60 * 60 * 1000;
export const MAX_EVENT_KEYS = 50_000;
export const MAX_TOKENS = 50_000;
export const MIRROR_EVENT_KEYS = 2000;
export const MIRROR_TOKENS = 1000;
/** At most one static-data write of the record per trigger node and process in this time. */
export const SAVE_INTERVAL_MS = 1000;

export interface SeenLimits {
	maxEventKeys: number;
	maxTokens: number;
	eventWindowMs: number;
	mirrorEventKeys: number;
	mirrorTokens: number;
	/** Default SAVE_INTERVAL_MS. */
	saveIntervalMs?: number;
}

const DEFAULT_LIMITS: SeenLimits = {
	maxEventKeys: MAX_EVENT_KEYS,
	maxTokens: MAX_TOKENS,
	eventWindowMs: EVENT_WINDOW_MS,
	mirrorEventKeys: MIRROR_EVENT_KEYS,
	mirrorTokens: MIRROR_TOKENS,
	saveIntervalMs: SAVE_INTERVAL_MS,
};

const DIGEST_CHARS = 16;

function digest(value: string | Buffer): string {
	return sha256Hex(value).slice(0, DIGEST_CHARS);
}

/**
 * The `eventId` of an emitted event: a hash of its duplicate key, so every delivery of one
 * provider event carries the same id (for n8n's Remove Duplicates node, which keeps its record
 * in n8n's database and so also catches what this per-process record cannot).
 */
export function eventIdFor(key: string): string {
	return `evt_${sha256Hex(key).slice(0, 32)}`;
}

/** How a SendCloud token relates to the callbacks already accepted. */
export type TokenUse = 'new' | 'redelivery' | 'replay' | 'full';

interface TokenEntry {
	body: string;
	timestampMs: number;
	toleranceMs: number;
}

/**
 * How a list is kept in static data: one text, entries separated by ENTRY_SEPARATOR (entries are
 * hex digests, base-36 times and numbers, never a comma). Not an array: n8n copies static data
 * and wraps every object and array in it in an observer for each workflow object it makes, a
 * few per request, and walking an array of 2,000 entries each time cost about a tenth of the
 * trigger's throughput (BENCHMARKS.md section 2). A text is one value to copy and parse.
 */
const ENTRY_SEPARATOR = ',';

/** The entries of a static-data list: the text this version writes, or an earlier array. */
function stringList(value: unknown): string[] {
	if (typeof value === 'string') return value === '' ? [] : value.split(ENTRY_SEPARATOR);
	return Array.isArray(value)
		? value.filter((item): item is string => typeof item === 'string')
		: [];
}

/** A list as static data holds it (see ENTRY_SEPARATOR). */
function storedList(entries: readonly string[]): string {
	return entries.join(ENTRY_SEPARATOR);
}

/**
 * Tells a static-data list from the one taken in before: its length and its first and last
 * entries (of an earlier array, also the middle one). Another process's write ends with its own
 * newest entry, so it differs.
 */
function listSignature(value: unknown): string {
	if (typeof value === 'string')
		return value === '' ? '' : `${value.length}\0${value.slice(0, 64)}\0${value.slice(-64)}`;
	if (!Array.isArray(value) || value.length === 0) return '';
	const n = value.length;
	return `[${n}\0${String(value[0])}\0${String(value[n >> 1])}\0${String(value[n - 1])}`;
}

export class SeenRecord {
	private data: IDataObject;

	/** Event digest → when it was first seen (ms); Map order is insertion order, oldest first. */
	private readonly events = new Map<string, number>();

	/** Token digest → body digest and signed time; insertion order, roughly oldest first. */
	private readonly tokens = new Map<string, TokenEntry>();

	/** Static-data entries, newest last; trimmed to the mirror size when saved. */
	private eventMirror: string[] = [];

	private tokenMirror: string[] = [];

	/**
	 * Events recorded for a request whose execution n8n has not created yet: duplicates in this
	 * process, but kept out of static data until confirm(), so no save (this request's or a
	 * later one's) can make an event that never ran a duplicate after a restart.
	 */
	private readonly pending = new Map<string, number>();
	/** Pending events n8n answered before creating their execution (1.x): when it answered. */
	private readonly answered = new Map<string, number>();
	/** Events taken back by forget(): copies still in saved static data are not taken in again. */
	private readonly forgotten = new Set<string>();
	/** Set only when an entry was added: pruning alone never costs a static-data write. */
	private changed = false;
	/**
	 * The static-data lists last taken in or written (listSignature): n8n hands every request
	 * the same lists until the record is written again, and reading 3,000 entries again cost
	 * about 1–2 ms a request.
	 */
	private loadedEventList = '';
	private loadedTokenList = '';
	/** When saveDue() last wrote the record into a request's static data. */
	private lastWriteMs = Number.NEGATIVE_INFINITY;
	/** Requests waiting for pending events of other requests to settle (whenSettled). */
	private readonly settleListeners = new Set<() => void>();

	constructor(
		staticData: IDataObject,
		nowMs: number = Date.now(),
		private readonly limits: SeenLimits = DEFAULT_LIMITS,
	) {
		this.data = staticData;
		this.load(staticData, nowMs);
	}

	/**
	 * Static data holds "<digest>:<first seen, base 36 ms>" and "<token>:<body>:<timestamp
	 * ms>:<tolerance ms>" entries (see ENTRY_SEPARATOR). Entries saved by earlier versions (an
	 * array; 32-character digests, no time) still count: their first 16 characters are the
	 * same digest.
	 */
	private load(staticData: IDataObject, nowMs: number): void {
		const wasChanged = this.changed;
		const eventList = listSignature(staticData.eventKeys);
		if (eventList !== this.loadedEventList) this.loadEvents(staticData.eventKeys, nowMs);
		const tokenList = listSignature(staticData.sendcloudTokens);
		if (tokenList !== this.loadedTokenList) this.loadTokens(staticData.sendcloudTokens);
		this.loadedEventList = eventList;
		this.loadedTokenList = tokenList;
		this.pruneEvents(nowMs);
		// What came from static data is already saved: only our own additions need a write.
		this.changed = wasChanged;
	}

	private loadEvents(list: unknown, nowMs: number): void {
		for (const entry of stringList(list)) {
			const [key, seen] = entry.split(':');
			const hashed = key.slice(0, DIGEST_CHARS);
			if (this.events.has(hashed) || this.forgotten.has(hashed)) continue;
			const parsed = seen ? parseInt(seen, 36) : nowMs;
			this.addEvent(hashed, Number.isFinite(parsed) ? parsed : nowMs);
		}
	}

	private loadTokens(list: unknown): void {
		for (const entry of stringList(list)) {
			const [token, body, timestamp, tolerance] = entry.split(':');
			const timestampMs = Number(timestamp);
			if (!token || !body || !Number.isFinite(timestampMs)) continue;
			const hashed = token.slice(0, DIGEST_CHARS);
			if (this.tokens.has(hashed)) continue;
			this.addToken(hashed, {
				body: body.slice(0, DIGEST_CHARS),
				timestampMs,
				toleranceMs: Number(tolerance) || 0,
			});
		}
	}

	private addEvent(hashed: string, seenMs: number, mirrored = true): void {
		this.events.set(hashed, seenMs);
		if (!mirrored) {
			this.pending.set(hashed, seenMs);
			return;
		}
		this.eventMirror.push(`${hashed}:${seenMs.toString(36)}`);
		// Trimmed in batches so adding stays O(1) amortised.
		if (this.eventMirror.length > 2 * this.limits.mirrorEventKeys) {
			this.eventMirror = this.eventMirror.slice(-this.limits.mirrorEventKeys);
		}
		this.changed = true;
	}

	private addToken(hashed: string, entry: TokenEntry): void {
		this.tokens.set(hashed, entry);
		this.tokenMirror.push(`${hashed}:${entry.body}:${entry.timestampMs}:${entry.toleranceMs}`);
		if (this.tokenMirror.length > 2 * this.limits.mirrorTokens) {
			this.tokenMirror = this.tokenMirror.slice(-this.limits.mirrorTokens);
		}
		this.changed = true;
	}

	/**
	 * Each request brings its own static-data object, read from the database for that request;
	 * save() writes the record into it. Entries other n8n processes saved (queue mode: several
	 * webhook processes, one database) are taken in first, so an event another process accepted
	 * is a duplicate here too, and this process's next save keeps them.
	 */
	attach(staticData: IDataObject, nowMs: number = Date.now()): void {
		this.data = staticData;
		this.load(staticData, nowMs);
	}

	hasEvent(key: string): boolean {
		return this.events.has(digest(key));
	}

	/**
	 * Records the event and says whether it is new (check and add in one step). `pending`: it
	 * reaches static data only once confirm() says its execution exists.
	 */
	firstSeen(key: string, nowMs: number, { pending = false } = {}): boolean {
		const hashed = digest(key);
		if (this.events.has(hashed)) return false;
		this.forgotten.delete(hashed);
		this.addEvent(hashed, nowMs, !pending);
		this.pruneEvents(nowMs);
		return true;
	}

	/** Pending events whose execution now exists: mirrored to static data from the next save on. */
	confirm(keys: string[]): void {
		this.confirmDigests(keys.map(digest));
	}

	/**
	 * Pending events n8n answered before it created their execution (n8n 1.x): confirmed by
	 * confirmAnsweredBefore() once that is surely done, not at the answer.
	 */
	answeredBeforeExecution(keys: string[], nowMs: number): void {
		for (const hashed of keys.map(digest))
			if (this.pending.has(hashed)) this.answered.set(hashed, nowMs);
		this.notifySettled();
	}

	confirmAnsweredBefore(beforeMs: number): void {
		const due: string[] = [];
		for (const [hashed, answeredMs] of this.answered) if (answeredMs <= beforeMs) due.push(hashed);
		this.confirmDigests(due);
	}

	private confirmDigests(digests: string[]): void {
		for (const hashed of digests) {
			this.answered.delete(hashed);
			const seenMs = this.pending.get(hashed);
			if (seenMs === undefined) continue;
			this.pending.delete(hashed);
			// Pruned meanwhile (window or size): it stays out, as any pruned key.
			if (this.events.has(hashed)) this.addEvent(hashed, seenMs);
		}
		this.notifySettled();
	}

	/** Pending with no outcome yet: no execution known to exist, no answer written (1.x). */
	private unsettled(hashed: string): boolean {
		return this.pending.has(hashed) && !this.answered.has(hashed);
	}

	/**
	 * Waits until none of `keys` is pending for another request with its outcome unknown (its
	 * execution created or answered: a duplicate now; its request failed or was left: forgotten,
	 * so this request emits it), at most `limitMs`. True when all settled in time.
	 */
	async whenSettled(keys: readonly string[], limitMs: number): Promise<boolean> {
		const digests = keys.map(digest);
		const open = () => digests.some((hashed) => this.unsettled(hashed));
		if (!open()) return true;
		return await new Promise<boolean>((resolve) => {
			const check = () => {
				if (!open()) finish();
			};
			const finish = () => {
				this.settleListeners.delete(check);
				resolve(!open());
			};
			this.settleListeners.add(check);
			void sleep(limitMs).then(finish);
		});
	}

	private notifySettled(): void {
		for (const listener of [...this.settleListeners]) listener();
	}

	/**
	 * Takes back those of `keys` still pending with no outcome: a request the client left and
	 * n8n never answered (its execution not known to exist). Confirmed events stay.
	 */
	forgetUnsettled(keys: string[]): void {
		this.forget(keys.filter((key) => this.unsettled(digest(key))));
	}

	/**
	 * Takes back events recorded for a request n8n then refused (no execution was created, so
	 * the provider's resend must be emitted, not dropped as a duplicate).
	 */
	forget(keys: string[]): void {
		const hashed = new Set(keys.map(digest));
		let removed = false;
		for (const key of hashed) {
			removed = this.events.delete(key) || removed;
			this.pending.delete(key);
			this.answered.delete(key);
			this.forgotten.add(key);
		}
		// Bounded like the record itself; the oldest go first.
		for (const key of this.forgotten) {
			if (this.forgotten.size <= this.limits.maxEventKeys) break;
			this.forgotten.delete(key);
		}
		this.notifySettled();
		if (!removed) return;
		this.eventMirror = this.eventMirror.filter((entry) => !hashed.has(entry.split(':')[0]));
		this.changed = true;
	}

	private pruneEvents(nowMs: number): void {
		const oldest = nowMs - this.limits.eventWindowMs;
		for (const [key, seenMs] of this.events) {
			if (seenMs >= oldest && this.events.size <= this.limits.maxEventKeys) break;
			this.events.delete(key);
			this.pending.delete(key);
			this.answered.delete(key);
		}
	}

	/**
	 * Classifies a token whose signature has just verified and records it if it is new, before
	 * anything else is done with the request, so a token is spent even when its body is refused.
	 */
	useToken(
		token: string,
		rawBody: Buffer,
		timestampMs: number,
		nowMs: number,
		toleranceSeconds: number,
	): TokenUse {
		const hashed = digest(token);
		const body = digest(rawBody);
		const known = this.tokens.get(hashed);
		if (known) return known.body === body ? 'redelivery' : 'replay';
		const toleranceMs = toleranceSeconds * 1000;
		this.pruneTokens(nowMs, toleranceMs, false);
		if (this.tokens.size >= this.limits.maxTokens) this.pruneTokens(nowMs, toleranceMs, true);
		if (this.tokens.size >= this.limits.maxTokens) return 'full';
		this.addToken(hashed, { body, timestampMs, toleranceMs });
		return 'new';
	}

	/**
	 * Drops tokens whose timestamp left the tolerance window, judged by the larger of the
	 * tolerance then and now (raising the option must not revive a token). Entries are only
	 * roughly in timestamp order, so the cheap pass stops at the first live one; `sweep` checks all.
	 */
	private pruneTokens(nowMs: number, toleranceMs: number, sweep: boolean): void {
		for (const [key, entry] of this.tokens) {
			const expired = entry.timestampMs + Math.max(entry.toleranceMs, toleranceMs) < nowMs;
			if (!expired) {
				if (sweep) continue;
				break;
			}
			this.tokens.delete(key);
		}
	}

	/**
	 * Writes the newest entries back by assignment (not by mutating the stored arrays) so n8n's
	 * observable static-data object notices the change and saves it; nothing is written when
	 * nothing was added. `target`: the static data of the request that added entries (another
	 * request may have attached its own object while this one awaited). `force` writes even when
	 * nothing was added since: n8n saves this request's static data only when it answers, and
	 * by then the record may hold entries later requests added.
	 */
	save(target: IDataObject = this.data, force = false): void {
		if (!this.changed && !force) return;
		target.eventKeys = storedList(this.eventMirror.slice(-this.limits.mirrorEventKeys));
		target.sendcloudTokens = storedList(this.tokenMirror.slice(-this.limits.mirrorTokens));
		this.loadedEventList = listSignature(target.eventKeys);
		this.loadedTokenList = listSignature(target.sendcloudTokens);
		this.changed = false;
	}

	/**
	 * save(), at most once per SAVE_INTERVAL_MS: n8n rewrites the whole static data (up to
	 * ~110 KiB) whenever it is written, and that write was most of the trigger's cost per event.
	 * Entries added in between stay marked and go with the first write after the interval; what
	 * that means after a crash: docs/verification.md, "What a crash can do".
	 */
	saveDue(target: IDataObject, nowMs: number): void {
		const intervalMs = this.limits.saveIntervalMs ?? SAVE_INTERVAL_MS;
		if (!this.changed || nowMs - this.lastWriteMs < intervalMs) return;
		this.save(target, true);
		this.lastWriteMs = nowMs;
	}
}

const MAX_NODES = 1000;
const records = new Map<string, SeenRecord>();

/**
 * The record of one trigger node, shared by every request this n8n process handles for it;
 * seeded from static data the first time and topped up from it on every request. At most
 * MAX_NODES nodes are remembered.
 */
export function seenRecordFor(
	nodeScope: string,
	staticData: IDataObject,
	nowMs: number = Date.now(),
): SeenRecord {
	let record = records.get(nodeScope);
	if (!record) {
		record = new SeenRecord(staticData, nowMs);
		records.set(nodeScope, record);
		if (records.size > MAX_NODES) records.delete(records.keys().next().value as string);
		return record;
	}
	record.attach(staticData, nowMs);
	return record;
}
