import type { IWebhookFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { endsWaitOn } from '../shared/events/deliveryStatus';
import { instanceBaseUrlOf } from '../shared/n8nInternals';
import { RESUME_URL_METADATA_KEY, relayTarget, webhookBaseOf } from '../shared/resumeUrl';
import type { NormalizedEvent } from '../shared/events/event';
import { SMSROUTE_SIGNATURE_HEADER } from '../shared/events/smsRoute/signature';

/**
 * Hands a verified smsroute delivery event to the execution waiting for it (SMS Route "Send and
 * Wait for Delivery"). smsroute posts every event of an account to one URL, this trigger's; the
 * waiting execution's signed resume URL rides in the message's metadata. The original request is
 * forwarded unchanged — same bytes, same signature header — so the waiting node verifies it
 * itself and trusts nothing this trigger says. Only URLs of this n8n's own waiting-webhook
 * endpoint are called (shared/resumeUrl.ts), and only for statuses that end a wait.
 *
 * The relay runs after the trigger has answered (it must answer within seconds). n8n answers 409
 * while the sending execution has not yet saved itself as waiting — a batch with retries, or a
 * slow n8n, can take minutes — so 409 (unless n8n says the execution finished), 429, 5xx and
 * connection errors are retried with backoff for RELAY_WINDOW_MS after the event was accepted,
 * at most MAX_ATTEMPTS times. Any other answer ends the relay: the wait took the event, refused
 * it, or n8n says there is nothing waiting there (finished, gone, or waiting on another node).
 * Memory is bounded: at most MAX_PENDING relays (and MAX_PENDING_BYTES of bodies) at once, one
 * per target and event; when full, the trigger refuses the request with 503 so smsroute sends
 * it again later rather than it being accepted and lost.
 */

export const RELAY_WINDOW_MS = 10 * 60_000;
export const MAX_ATTEMPTS = 60;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 15_000;
const TIMEOUT_MS = 15_000;
export const MAX_PENDING = 1000;
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

export interface RelayRequest {
	rawBody: Buffer;
	contentType: string | undefined;
	signatureHeader: string | string[] | undefined;
}

/** Relays in progress in this process, by target and event, with the bytes each holds. */
const pending = new Map<string, number>();
let pendingBytes = 0;

function ownBases(context: IWebhookFunctions): string[] {
	const node = context.getNode();
	const bases = [
		webhookBaseOf(context.getNodeWebhookUrl('default'), node.webhookId, 'webhook'),
		instanceBaseUrlOf(context),
	];
	return bases.filter((base): base is string => typeof base === 'string' && base !== '');
}

/** n8n's ConflictError text: "… is running already" is retried, "… has finished …" is not. */
function retryable(statusCode: number, body: string): boolean {
	if (statusCode === 409) return !/finished/i.test(body);
	return statusCode === 429 || statusCode >= 500;
}

async function relayOnce(
	context: IWebhookFunctions,
	url: string,
	request: RelayRequest,
): Promise<{ statusCode: number; body: string }> {
	const headers: Record<string, string> = {
		[SMSROUTE_SIGNATURE_HEADER]: String(request.signatureHeader),
	};
	if (request.contentType) headers['content-type'] = request.contentType;
	const response = (await context.helpers.httpRequest({
		method: 'POST',
		url,
		body: request.rawBody,
		headers,
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: TIMEOUT_MS,
	})) as { statusCode?: number; body?: unknown };
	const body = response.body;
	const text = typeof body === 'string' || Buffer.isBuffer(body) ? String(body) : '';
	return { statusCode: Number(response.statusCode ?? 0), body: text.slice(0, 500) };
}

async function relayWithRetries(
	context: IWebhookFunctions,
	url: string,
	request: RelayRequest,
): Promise<string> {
	const startedMs = Date.now();
	let lastResult = 'not sent';
	for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		try {
			const answer = await relayOnce(context, url, request);
			lastResult = `HTTP ${answer.statusCode}`;
			if (!retryable(answer.statusCode, answer.body)) return lastResult;
		} catch (error) {
			lastResult = error instanceof Error ? error.name : 'error';
		}
		const delayMs = Math.min(FIRST_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);
		if (Date.now() + delayMs - startedMs > RELAY_WINDOW_MS) break;
		if (attempt < MAX_ATTEMPTS) await sleep(delayMs);
	}
	return `gave up (${lastResult})`;
}

/**
 * The resume URLs `events` (one verified smsroute request) are to be relayed to, each with the
 * event it carries; events without a resume URL, or with one that is not this n8n's, have none.
 */
export function relayTargets(
	context: IWebhookFunctions,
	events: ReadonlyArray<NormalizedEvent>,
	request: RelayRequest,
): string[] {
	if (request.signatureHeader === undefined || Array.isArray(request.signatureHeader)) return [];
	const targets = new Map<string, string>();
	let bases: string[] | null = null;
	for (const event of events) {
		if (event.provider !== 'smsroute' || !endsWaitOn(event.status)) continue;
		const candidate = event.metadata?.[RESUME_URL_METADATA_KEY];
		if (candidate === undefined) continue;
		bases ??= ownBases(context);
		const target = relayTarget(candidate, bases);
		if (target) targets.set(`${target}\0${event.messageId}\0${event.status}`, target);
		else
			context.logger?.warn(
				"SMS Route Trigger did not relay an event: its resume URL is not this n8n's",
			);
	}
	return [...targets.keys()];
}

/**
 * Starts the relays `relayTargets` named and returns at once; false (and nothing started) when
 * this process already holds as many relays as it may. A relay of the same event to the same
 * target already in progress is not started twice.
 */
export function startRelays(
	context: IWebhookFunctions,
	targets: readonly string[],
	request: RelayRequest,
): boolean {
	const fresh = targets.filter((key) => !pending.has(key));
	const bytes = request.rawBody.length * fresh.length;
	if (pending.size + fresh.length > MAX_PENDING || pendingBytes + bytes > MAX_PENDING_BYTES)
		return false;
	for (const key of fresh) {
		pending.set(key, request.rawBody.length);
		pendingBytes += request.rawBody.length;
		const url = key.slice(0, key.indexOf('\0'));
		void relayWithRetries(context, url, request)
			.catch(() => 'error')
			.then((outcome) => {
				pendingBytes -= pending.get(key) ?? 0;
				pending.delete(key);
				// The resume URL is a capability: log that a relay happened, never the URL.
				context.logger?.debug('SMS Route Trigger relayed a delivery event to a waiting execution', {
					outcome,
				});
			});
	}
	return true;
}
