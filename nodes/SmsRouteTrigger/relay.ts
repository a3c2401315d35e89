import type { IWebhookFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { outcomeOf } from '../SmsRoute/waitForDelivery/outcome';
import {
	RESUME_URL_METADATA_KEY,
	relayTarget,
	webhookBaseOf,
} from '../SmsRoute/waitForDelivery/relayUrl';
import type { NormalizedEvent } from './normalize';
import { SMSROUTE_SIGNATURE_HEADER } from './verify/smsRouteSignature';

/**
 * Hands a verified smsroute delivery event to the execution waiting for it (SMS Route "Send and
 * Wait for Delivery"). smsroute posts every event of an account to one URL, this trigger's; the
 * waiting execution's signed resume URL rides in the message's metadata. The original request is
 * forwarded unchanged — same bytes, same signature header — so the waiting node verifies it
 * itself and trusts nothing this trigger says. Only URLs of this n8n's own waiting-webhook
 * endpoint are called (relayUrl.ts), and only for statuses that end a wait.
 *
 * The relay runs after the trigger has answered (it must answer within seconds): n8n answers 409
 * while the sending execution has not finished saving itself as waiting, so 409, 5xx and
 * connection errors are retried for about half a minute, well inside the signature's 300 s.
 */

const ATTEMPTS = 10;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 8000;
const TIMEOUT_MS = 15_000;

export interface RelayRequest {
	rawBody: Buffer;
	contentType: string | undefined;
	signatureHeader: string | string[] | undefined;
}

function ownBases(context: IWebhookFunctions): string[] {
	const node = context.getNode();
	const bases = [webhookBaseOf(context.getNodeWebhookUrl('default'), node.webhookId, 'webhook')];
	try {
		bases.push(context.getInstanceBaseUrl());
	} catch {
		// Older n8n without the helper: the webhook base alone.
	}
	return bases.filter((base): base is string => typeof base === 'string' && base !== '');
}

function retryable(statusCode: number): boolean {
	return statusCode === 409 || statusCode === 429 || statusCode >= 500;
}

async function relayOnce(
	context: IWebhookFunctions,
	url: string,
	request: RelayRequest,
): Promise<number> {
	const headers: Record<string, string> = {
		[SMSROUTE_SIGNATURE_HEADER]: String(request.signatureHeader),
	};
	if (request.contentType) headers['content-type'] = request.contentType;
	const response = await context.helpers.httpRequest({
		method: 'POST',
		url,
		body: request.rawBody,
		headers,
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: TIMEOUT_MS,
	});
	return Number((response as { statusCode?: number }).statusCode ?? 0);
}

async function relayWithRetries(
	context: IWebhookFunctions,
	url: string,
	request: RelayRequest,
): Promise<void> {
	let outcome = 'not sent';
	for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
		try {
			const statusCode = await relayOnce(context, url, request);
			outcome = `HTTP ${statusCode}`;
			if (!retryable(statusCode)) break;
		} catch (error) {
			outcome = error instanceof Error ? error.name : 'error';
		}
		if (attempt < ATTEMPTS)
			await sleep(Math.min(FIRST_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS));
	}
	// The resume URL is a capability: log that a relay happened, never the URL.
	context.logger?.debug('SMS Route Trigger relayed a delivery event to a waiting execution', {
		outcome,
	});
}

/**
 * Starts the relay of `events` (one verified smsroute request) and returns at once. Returns the
 * number of relays started; events without a resume URL, or with one that is not this n8n's,
 * start none.
 */
export function relayToWaitingExecution(
	context: IWebhookFunctions,
	events: ReadonlyArray<NormalizedEvent>,
	request: RelayRequest,
): number {
	if (request.signatureHeader === undefined || Array.isArray(request.signatureHeader)) return 0;
	const targets = new Set<string>();
	let bases: string[] | null = null;
	for (const event of events) {
		if (event.provider !== 'smsroute' || !outcomeOf(event.status)) continue;
		const candidate = event.metadata?.[RESUME_URL_METADATA_KEY];
		if (candidate === undefined) continue;
		bases ??= ownBases(context);
		const target = relayTarget(candidate, bases);
		if (target) targets.add(target);
		else
			context.logger?.warn(
				"SMS Route Trigger did not relay an event: its resume URL is not this n8n's",
			);
	}
	for (const target of targets) void relayWithRetries(context, target, request);
	return targets.size;
}
