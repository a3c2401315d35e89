import { randomUUID } from 'node:crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { isToolRun, runIndexOf } from '../shared/n8nInternals';
import { sha256Hex } from '../shared/sha256';
import { canonicalJsonValue } from './canonicalJson';
import { noticeToolWithoutExecution } from './executionNotice';
import { digest } from './digest';
import { subWorkflowSeed } from './subWorkflowSeed';

/** What an automatic key covers besides the run: the message itself. */
export interface KeyedMessage {
	to: string;
	body: string;
	from?: string;
	metadata?: IDataObject;
	/**
	 * The metadata's canonical JSON (sending/canonicalJson.ts), read from the text the user wrote
	 * where there is one; made from `metadata` when absent.
	 */
	metadataJson?: string;
}

/**
 * The message as keys see it: `[…fields, metadata]`, one JSON array, the metadata in its
 * canonical spelling, so the same metadata in another key order is the same message and an
 * integer beyond 2^53 keeps its digits. Without metadata (or with metadata already in canonical
 * order) these are the very bytes 0.1.0 and 0.2.0 hashed, so their keys are unchanged.
 */
function keyContent(fields: Array<string | number | null>, message: KeyedMessage): string {
	// `fields` ends with the metadata's place, null: without metadata (the common case) these are
	// the bytes in one call; with it, "null]" gives way to the metadata's JSON.
	const json = JSON.stringify(fields);
	if (message.metadata === undefined || message.metadata === null) return json;
	const metadata = message.metadataJson ?? canonicalJsonValue(message.metadata);
	return `${json.slice(0, -'null]'.length)}${metadata}]`;
}

/** Where the node keeps the id its keys are made from (see seedExecutionId). */
export const SEED_EXECUTION_CONTEXT_KEY = 'idempotencySeedExecution';

/**
 * The execution id the keys are made from: the first execution's. n8n's Retry of a failed
 * execution is a new execution that continues from the failed one's saved data, node context
 * included (cli ExecutionService.retryExecution, n8n 1.x and 2.x), so a retry, or a retry of a
 * retry, finds the id its first run kept there and makes the very same keys: smsroute replays
 * what already went out. Any other execution starts with an empty context, and its own id.
 * A sub-execution's context is new at every call, so there the call's identity, kept by the
 * caller's Retry, takes its place (sending/subWorkflowSeed.ts). A tool call without an
 * execution (the MCP Server Trigger) has neither: each call gets new keys, and a notice.
 */
function seedExecutionId(context: IExecuteFunctions): string {
	const call = subWorkflowSeed(context);
	if (call !== undefined) return call;
	const nodeContext = typeof context.getContext === 'function' ? context.getContext('node') : {};
	const kept = nodeContext[SEED_EXECUTION_CONTEXT_KEY];
	if (typeof kept === 'string' && kept !== '') return kept;
	const executionId = context.getExecutionId?.() || randomUUID();
	if (!context.getExecutionId?.() && isToolRun(context)) noticeToolWithoutExecution(context);
	nodeContext[SEED_EXECUTION_CONTEXT_KEY] = executionId;
	return executionId;
}

/**
 * What every automatic key of one node run derives from: n8n instance, workflow, the first
 * execution (see seedExecutionId), node and run index. Stable across n8n's Retry On Fail (same
 * run index) and n8n's Retry (same first execution and run index). As a tool the run index is
 * 0, as it always was: the same message in one execution through the tool is sent once.
 */
function idempotencySeed(context: IExecuteFunctions): string[] {
	const executionId = seedExecutionId(context);
	const node = context.getNode();
	const runIndex = isToolRun(context) ? 0 : runIndexOf(context);
	const instanceId =
		typeof context.getInstanceId === 'function' ? String(context.getInstanceId() ?? '') : '';
	const workflowId =
		typeof context.getWorkflow === 'function' ? String(context.getWorkflow()?.id ?? '') : '';
	return [instanceId, workflowId, executionId, node.id ?? node.name, String(runIndex)];
}

/**
 * Makes the automatic key of each item from the run's seed, the item index and the message
 * (to, body, from, metadata). Execution ids repeat across n8n instances and restored databases;
 * with the message in the key, a repeated id can only replay the very same message. The seed is
 * hashed once; per message, one hash over the seed and a JSON array (unambiguous, one call),
 * which measured about twice as fast as copying a seeded hash.
 */
export function automaticKeys(
	context: IExecuteFunctions,
): (itemIndex: number, message: KeyedMessage, campaignId?: string) => string {
	// Made before any item: an n8n whose run index cannot be read stops the run once, not per item.
	const seed = digest(idempotencySeed(context));
	return (itemIndex, message, campaignId) => {
		if (campaignId) return campaignKey(campaignId, message);
		const content = keyContent(
			[itemIndex, message.to, message.body, message.from ?? null, null],
			message,
		);
		return `n8n_${sha256Hex(seed + content).slice(0, 32)}`;
	};
}

/**
 * The key of a message in a campaign (the Campaign ID option): the campaign and the message
 * only, no instance, workflow, execution, node, item or run. Running the workflow again (after
 * a crash, a stopped execution, or when n8n can no longer retry) makes the same keys, so
 * smsroute replays what went out within its 24-hour window; two identical messages in one
 * campaign are one message.
 */
export function campaignKey(campaignId: string, message: KeyedMessage): string {
	const content = keyContent(
		['campaign', campaignId, message.to, message.body, message.from ?? null, null],
		message,
	);
	return `n8n_c_${sha256Hex(content).slice(0, 32)}`;
}

/** A chunk's key follows from its messages' keys, so a chunk resent unchanged replays, and a changed one does not. */
export function chunkIdempotencyKey(messageKeys: readonly string[]): string {
	return `n8n_chunk_${digest(messageKeys)}`;
}

// Printable ASCII, no leading or trailing space: what survives any HTTP stack unchanged.
const PLAIN_HEADER_KEY = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;
const ENCODED_PREFIXES = ['utf8:', 'sha256:'];
const MAX_HEADER_KEY = 255;

/**
 * The Idempotency-Key header for a user's key. n8n's HTTP stack strips characters above U+00FF
 * from header values ("Иван-17" and "王伟-17" would both arrive as "-17"), so any other key is
 * sent as `utf8:` + base64url of its UTF-8 bytes, or `sha256:` + its hash when that is too long.
 * Deterministic (the same key always gives the same header) and collision-free: a plain key that
 * itself starts with one of these prefixes is encoded too.
 */
export function headerIdempotencyKey(key: string): string {
	if (PLAIN_HEADER_KEY.test(key) && !ENCODED_PREFIXES.some((prefix) => key.startsWith(prefix)))
		return key;
	const encoded = `utf8:${Buffer.from(key, 'utf8').toString('base64url')}`;
	if (encoded.length <= MAX_HEADER_KEY) return encoded;
	return `sha256:${sha256Hex(key)}`;
}
