import { createHash } from 'node:crypto';

/**
 * 32 hex characters of SHA-256 over the parts, each ended by a NUL, so ['ab', 'c'] and
 * ['a', 'bc'] differ. What the automatic keys and a sub-workflow call's seed are made from.
 */
export function digest(parts: readonly string[]): string {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(part).update('\u0000');
	return hash.digest('hex').slice(0, 32);
}
