/**
 * Per-process cache of the verification keys a trigger node derived from its credential: in n8n
 * 2.41 every getCredentials() in webhook() reads the database and takes an expression isolate.
 * Entries live KEY_CACHE_TTL_MS and are reloaded at once after a failed signature (rotation), so
 * a removed key verifies for at most 60 s (README, "Verification"). Keyed by workflow, node and
 * credential id; keys are KeyObjects, which print without their material.
 */

export const KEY_CACHE_TTL_MS = 60_000;

const MAX_ENTRIES = 1000;

interface Entry<T> {
	value: T;
	loadedAtMs: number;
}

export class KeyCache<T> {
	private readonly entries = new Map<string, Entry<T>>();

	constructor(
		private readonly ttlMs: number = KEY_CACHE_TTL_MS,
		// Read through a function so tests that move the clock (jest fake timers) move this one.
		private readonly now: () => number = () => Date.now(),
	) {}

	/**
	 * The cached value for `cacheKey`, or a freshly loaded one when there is none, it is older
	 * than the TTL, or `reload` is set. `fresh` says whether this call loaded it. A null key
	 * (no credential id) is never cached.
	 */
	async get(
		cacheKey: string | null,
		load: () => Promise<T>,
		reload = false,
	): Promise<{ value: T; fresh: boolean }> {
		const nowMs = this.now();
		const cached = cacheKey === null ? undefined : this.entries.get(cacheKey);
		if (cached && !reload && nowMs - cached.loadedAtMs < this.ttlMs) {
			return { value: cached.value, fresh: false };
		}
		const value = await load();
		if (cacheKey !== null) {
			// Re-inserted so Map order stays oldest-loaded first for eviction.
			this.entries.delete(cacheKey);
			this.entries.set(cacheKey, { value, loadedAtMs: nowMs });
			if (this.entries.size > MAX_ENTRIES)
				this.entries.delete(this.entries.keys().next().value as string);
		}
		return { value, fresh: true };
	}
}
