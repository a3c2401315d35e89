import type { IExecuteFunctions } from 'n8n-workflow';

/** The idempotency keys of the messages this execution counted (the node context, see overCap). */
const COUNTED_KEYS = 'countedMessageKeys';

function countedKeys(context: IExecuteFunctions): Set<string> {
	const kept = context.getContext('node')[COUNTED_KEYS];
	return new Set(Array.isArray(kept) ? kept.map(String) : []);
}

/**
 * Max Messages per Execution. n8n keeps a node's 'node' context for the whole execution (it is
 * how Loop Over Items remembers its place) and n8n's Retry carries it into the retry, so every
 * run of this node in one execution, and in the retries of a failed one, counts against the same
 * cap; another execution starts from 0. Messages are counted by their idempotency keys: one whose
 * key was counted already (replayed by smsroute in a Retry or Retry On Fail, nothing charged) is
 * not counted again. Returns why the run is refused, if it is.
 */
export function overCap(
	context: IExecuteFunctions,
	max: number,
	keys: readonly string[],
): string | undefined {
	if (!max) return undefined;
	const counted = countedKeys(context);
	const toSend = new Set(keys.filter((key) => !counted.has(key))).size;
	const sent = counted.size;
	if (sent + toSend <= max) return undefined;
	const earlier = sent ? ` after ${sent} sent by earlier runs of this node in this execution` : '';
	return `${toSend} messages to send${earlier}: more than Max Messages per Execution (${max})`;
}

/** Counts messages as sent before the first request goes out (a failed one may still cost). */
export function countSent(context: IExecuteFunctions, keys: readonly string[]): void {
	const counted = countedKeys(context);
	for (const key of keys) counted.add(key);
	context.getContext('node')[COUNTED_KEYS] = [...counted];
}
