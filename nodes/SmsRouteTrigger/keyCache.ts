/**
 * Per-process cache of the verification keys a trigger node derived from its credential.
 *
 * Why: in n8n 2.41 every `getCredentials()` in webhook() reads the credential from the database
 * and resolves it in a throwaway workflow that takes an expression isolate of its own
 * (cli credentials-helper `applyDefaultsAndOverwrites`) — per request. Caching the derived keys
 * for KEY_CACHE_TTL_MS removes both from the request path.
 *
 * Freshness: an entry older than the TTL is reloaded, and a caller whose signature did not
 * verify with cached keys reloads at once (`reload: true`), so a rotated key works on its first
 * event. A removed key can still verify until the entry that holds it is KEY_CACHE_TTL_MS old,
 * i.e. for at most 60 s after it was removed.
 *
 * Entries are keyed by workflow, node and credential id: a node only ever gets keys it loaded
 * itself through n8n. The keys are held as KeyObjects, which print and serialise without their
 * material, and nothing here logs.
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
