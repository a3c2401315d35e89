import { createHash, randomUUID } from 'node:crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * The seed of every automatic idempotency key in one node run. It is stable across n8n's
 * "Retry On Fail" (same execution, node and run index), so a retried node does not send again,
 * while a new execution, or the same node run again in a loop, sends anew.
 */
export function idempotencySeed(fn: IExecuteFunctions): string {
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

/** Content is part of the key: two different messages never share one, whatever their item index. */
export function messageIdempotencyKey(seed: string, itemIndex: number, to: string, body: string, from = ''): string {
	return `n8n_${digest([seed, String(itemIndex), to, from, body])}`;
}

/** A chunk's key follows from its messages' keys, so a chunk resent unchanged replays, and a changed one does not. */
export function chunkIdempotencyKey(messageKeys: readonly string[]): string {
	return `n8n_chunk_${digest(messageKeys)}`;
}
