import { sleep } from 'n8n-workflow';

/**
 * Per-process cache of the verification keys a node derived from its credential: in n8n 2.41
 * every getCredentials() in webhook() reads the database and takes an expression isolate.
 * Entries live KEY_CACHE_TTL_MS, so a removed key verifies for at most 60 s (docs/verification.md). A failed signature asks for keys loaded after the request arrived (a rotated
 * key verifies on its first event), but reloads of one entry start at most once per
 * MIN_RELOAD_INTERVAL_MS and are shared: a flood of forged requests waits for the same reload
 * instead of each costing a load. Keyed by workflow, node and credential id; keys are
 * KeyObjects, which print without their material.
 */

export const KEY_CACHE_TTL_MS = 60_000;
export const MIN_RELOAD_INTERVAL_MS = 2000;

const MAX_ENTRIES = 1000;

interface Load<T> {
	promise: Promise<T>;
	startsAtMs: number;
	/** Increases with every load of the entry: says which keys a request was checked with. */
	generation: number;
}

interface Entry<T> {
	value: T;
	loadedAtMs: number;
	generation: number;
}

export interface Cached<T> {
	value: T;
	/** Loaded by (or while) this call. */
	fresh: boolean;
	generation: number;
}

/** What a request already tried: keys of `generation`, on a request received at `receivedAtMs`. */
export interface ReloadAfter {
	generation: number;
	receivedAtMs: number;
}

export class KeyCache<T> {
	private readonly entries = new Map<string, Entry<T>>();

	private readonly loads = new Map<string, Load<T>>();

	private generations = 0;

	constructor(
		private readonly ttlMs: number = KEY_CACHE_TTL_MS,
		// Read through a function so tests that move the clock (jest fake timers) move this one.
		private readonly now: () => number = () => Date.now(),
		private readonly minReloadMs: number = MIN_RELOAD_INTERVAL_MS,
	) {}

	/**
	 * The cached value for `cacheKey`, or a loaded one when there is none or it is older than the
	 * TTL. With `after`, a value loaded after those keys and after the request arrived. A null key
	 * (no credential id) is never cached.
	 */
	async get(
		cacheKey: string | null,
		load: () => Promise<T>,
		after?: ReloadAfter,
	): Promise<Cached<T>> {
		if (cacheKey === null) return { value: await load(), fresh: true, generation: 0 };
		const nowMs = this.now();
		const entry = this.entries.get(cacheKey);
		const usable = (candidate: { generation: number; atMs: number }) =>
			after
				? candidate.generation > after.generation && candidate.atMs >= after.receivedAtMs
				: nowMs - candidate.atMs < this.ttlMs;
		if (entry && usable({ generation: entry.generation, atMs: entry.loadedAtMs })) {
			return { value: entry.value, fresh: false, generation: entry.generation };
		}
		const pending = this.loads.get(cacheKey);
		if (pending && usable({ generation: pending.generation, atMs: pending.startsAtMs })) {
			return { value: await pending.promise, fresh: true, generation: pending.generation };
		}
		const lastStartMs = Math.max(entry?.loadedAtMs ?? -Infinity, pending?.startsAtMs ?? -Infinity);
		// A TTL refresh starts at once; a reload after a failed signature waits its turn.
		const startsAtMs = after ? Math.max(nowMs, lastStartMs + this.minReloadMs) : nowMs;
		const started = this.schedule(cacheKey, load, startsAtMs, startsAtMs - nowMs);
		return { value: await started.promise, fresh: true, generation: started.generation };
	}

	private schedule(
		cacheKey: string,
		load: () => Promise<T>,
		startsAtMs: number,
		delayMs: number,
	): Load<T> {
		const generation = ++this.generations;
		const run = async (): Promise<T> => {
			if (delayMs > 0) await sleep(delayMs);
			try {
				const value = await load();
				this.store(cacheKey, { value, loadedAtMs: startsAtMs, generation });
				return value;
			} finally {
				if (this.loads.get(cacheKey)?.generation === generation) this.loads.delete(cacheKey);
			}
		};
		const scheduled: Load<T> = { promise: run(), startsAtMs, generation };
		this.loads.set(cacheKey, scheduled);
		// Waiters handle a failed load; nothing else may see it as unhandled.
		scheduled.promise.catch(() => undefined);
		return scheduled;
	}

	private store(cacheKey: string, entry: Entry<T>): void {
		const current = this.entries.get(cacheKey);
		if (current && current.generation > entry.generation) return;
		// Re-inserted so Map order stays oldest-loaded first for eviction.
		this.entries.delete(cacheKey);
		this.entries.set(cacheKey, entry);
		if (this.entries.size > MAX_ENTRIES)
			this.entries.delete(this.entries.keys().next().value as string);
	}
}
