import { createHash, randomUUID } from 'node:crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * What every automatic idempotency key of one node run derives from. It is stable across n8n's
 * "Retry On Fail" (same execution, node and run index), so a retried node does not send again,
 * while a new execution, or the same node run again in a loop, sends anew.
 */
function idempotencySeed(fn: IExecuteFunctions): string {
	const executionId = fn.getExecutionId?.() || randomUUID();
	const node = fn.getNode();
	// getRunIndex is not on the public execute-functions type of every n8n version.
	const runIndex = (fn as unknown as { getRunIndex?: () => number }).getRunIndex?.() ?? 0;
	return `${executionId}:${node.id ?? node.name}:${runIndex}`;
}

function digest(parts: readonly string[]): string {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(part).update('\u0000');
	return hash.digest('hex').slice(0, 32);
}

/**
 * Makes the automatic key of each item: the run's seed, hashed once, plus the item index. Within
 * one run an item index stands for one message (the same input gives the same message on a
 * retry), so nothing per message needs hashing; that matters at 100,000 items.
 */
export function automaticKeys(fn: IExecuteFunctions): (itemIndex: number) => string {
	const prefix = `n8n_${digest([idempotencySeed(fn)]).slice(0, 24)}_`;
	return (itemIndex) => `${prefix}${itemIndex}`;
}

/** A chunk's key follows from its messages' keys, so a chunk resent unchanged replays, and a changed one does not. */
export function chunkIdempotencyKey(messageKeys: readonly string[]): string {
	return `n8n_chunk_${digest(messageKeys)}`;
}
