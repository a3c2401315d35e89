import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { eventIdFor, seenRecordFor, type SeenRecord } from './dedupe';
import type { NormalizedStatus } from '../shared/deliveryStatus';
import type { KeyedEvent } from '../shared/normalize';
import { normalizeSmsRoute } from '../shared/normalize';
import { normalizeSendCloud } from '../shared/normalizeSendCloud';
import { parseRawBody } from '../shared/parseBody';
import { relayTargets, startRelays } from './relay';
import { checkWithKeys, sendCloudAppKey, verifySmsRouteRequest } from '../shared/verificationKeys';
import { RAW_BODY_UNAVAILABLE, isRawBody } from '../shared/verify/hmacToolkit';
import {
	extractSendCloudFields,
	looksLikeSendCloud,
	verifySendCloudSignature,
} from '../shared/verify/sendCloudSignature';
import { SMSROUTE_SIGNATURE_HEADER } from '../shared/verify/smsRouteSignature';
import { readRawBody, writeJsonResponse } from '../shared/n8nInternals';
import { DEFAULT_TOLERANCE_SECONDS, nodeKeyOf, refuseRequest } from '../shared/webhookRequest';

/**
 * One POST, from raw bytes to the items the trigger emits: pick the provider, verify the
 * signature before trusting anything in the body, parse and normalize, spend a SendCloud token,
 * relay to a waiting Send and Wait, keep the wanted statuses and drop duplicates. Every refusal
 * is a Refused result (400, 401 or 503 with a short reason), never a throw.
 */

export type Provider = 'auto' | 'smsroute' | 'sendcloud';

export interface TriggerParameters {
	provider: Provider;
	/** Statuses to emit; empty emits all. */
	events: NormalizedStatus[];
	toleranceSeconds: number;
}

export interface Refused {
	ok: false;
	status: 400 | 401 | 503;
	reason: string;
}

type Received = { ok: true; events: KeyedEvent[] } | Refused;

export type Outcome = Refused | { ok: true; received: number; items: INodeExecutionData[] };

const refuse = (status: Refused['status'], reason: string): Refused => ({
	ok: false,
	status,
	reason,
});

export function readTriggerParameters(context: IWebhookFunctions): TriggerParameters {
	const options = context.getNodeParameter('options', {}) as { toleranceSeconds?: number };
	return {
		provider: context.getNodeParameter('provider', 'auto') as Provider,
		events: context.getNodeParameter('events', []) as NormalizedStatus[],
		toleranceSeconds:
			typeof options.toleranceSeconds === 'number' && options.toleranceSeconds > 0
				? options.toleranceSeconds
				: DEFAULT_TOLERANCE_SECONDS,
	};
}

interface Request {
	nodeKey: string;
	rawBody: Buffer;
	contentType: string | undefined;
	signatureHeader: string | string[] | undefined;
	toleranceSeconds: number;
	receivedAt: Date;
}

async function receiveSmsRoute(context: IWebhookFunctions, request: Request): Promise<Received> {
	// Verify the exact bytes before parsing anything an attacker could have sent.
	const verified = await verifySmsRouteRequest(context, request.nodeKey, {
		rawBody: request.rawBody,
		header: request.signatureHeader,
		toleranceSeconds: request.toleranceSeconds,
		nowMs: request.receivedAt.getTime(),
	});
	if (!verified) {
		return refuse(
			401,
			'smsroute webhook received but no SMS Route API credential with a Test or Live API Key is set on the trigger',
		);
	}
	if (!verified.ok) return refuse(401, verified.reason);
	const parsed = parseRawBody(request.rawBody, request.contentType);
	if (!parsed.ok) return refuse(400, parsed.reason);
	const normalized = normalizeSmsRoute(parsed.body as IDataObject, {
		livemode: verified.livemode,
		receivedAt: request.receivedAt,
	});
	return normalized.ok ? normalized : refuse(400, normalized.reason);
}

async function receiveSendCloud(
	context: IWebhookFunctions,
	request: Request,
	body: IDataObject,
	seen: SeenRecord,
): Promise<Received> {
	const fields = extractSendCloudFields(body);
	if (!fields.ok) return refuse(401, fields.reason);
	const { toleranceSeconds, receivedAt } = request;
	const nowMs = receivedAt.getTime();
	const verified = await checkWithKeys(
		async (after) => await sendCloudAppKey(context, request.nodeKey, after),
		(appKey) =>
			appKey === null
				? null
				: verifySendCloudSignature({
						appKey,
						fields: fields.fields,
						timestampMs: fields.timestampMs,
						toleranceSeconds,
						nowMs,
					}),
		nowMs,
	);
	if (!verified) {
		return refuse(
			401,
			'SendCloud callback received but no SendCloud SMSHook API credential with an App Key is set on the trigger',
		);
	}
	if (!verified.ok) return refuse(401, verified.reason);
	// The body is not signed: a genuine token seen again with another body is a replay. With
	// the same body it is SendCloud redelivering, and the event record keeps it from emitting
	// twice. The token is spent here, before the body is judged, so a refused body cannot be
	// swapped for a forged one under the same token.
	const { token } = fields.fields;
	const tokenUse = seen.useToken(
		token,
		request.rawBody,
		fields.timestampMs,
		nowMs,
		toleranceSeconds,
	);
	if (tokenUse === 'replay') return refuse(401, 'token already used');
	if (tokenUse === 'full') {
		// Forgetting a token early would reopen it to replay; SendCloud retries in 3 minutes.
		return refuse(503, 'too many SendCloud callbacks within the tolerance window; retry later');
	}
	const normalized = normalizeSendCloud(body, {
		timestampMs: fields.timestampMs,
		receivedAt,
		token,
	});
	return normalized.ok ? normalized : refuse(400, normalized.reason);
}

/** Verifies, parses and normalizes one POST for the provider it comes from. */
async function receive(
	context: IWebhookFunctions,
	provider: Provider,
	request: Request,
	seen: SeenRecord,
): Promise<Received> {
	const useSmsRoute =
		provider === 'smsroute' || (provider === 'auto' && request.signatureHeader !== undefined);
	if (useSmsRoute) return await receiveSmsRoute(context, request);
	const parsed = parseRawBody(request.rawBody, request.contentType);
	if (!parsed.ok) return refuse(400, parsed.reason);
	if (provider === 'auto' && !looksLikeSendCloud(parsed.body)) {
		return refuse(
			401,
			'unrecognized sender: no x-smsroute-signature header and no SendCloud token/timestamp/signature',
		);
	}
	return await receiveSendCloud(context, request, parsed.body as IDataObject, seen);
}

/** The whole request: what to answer, and the items to emit (none for duplicates or filtered). */
export async function receiveWebhook(
	context: IWebhookFunctions,
	parameters: TriggerParameters,
): Promise<Outcome> {
	const receivedAt = new Date();
	const rawBody = await readRawBody(context);
	// Never fall back to re-serialised JSON: it is not what was signed.
	if (!isRawBody(rawBody)) return refuse(401, RAW_BODY_UNAVAILABLE);
	const headers = context.getHeaderData();
	const request: Request = {
		nodeKey: nodeKeyOf(context),
		rawBody,
		contentType: headers['content-type'],
		signatureHeader: headers[SMSROUTE_SIGNATURE_HEADER],
		toleranceSeconds: parameters.toleranceSeconds,
		receivedAt,
	};
	const staticData = context.getWorkflowStaticData('node');
	const seen = seenRecordFor(request.nodeKey, staticData, receivedAt.getTime());

	const received = await receive(context, parameters.provider, request, seen);
	if (!received.ok) return received;
	// SMS Route "Send and Wait for Delivery": the execution waiting for this message gets the
	// same verified request (relay.ts), whatever this trigger emits. Refused before anything is
	// recorded when this process cannot hold another relay, so smsroute sends it again later.
	const targets = relayTargets(
		context,
		received.events.map(({ event }) => event),
		request,
	);
	if (!startRelays(context, targets, request))
		return refuse(503, 'too many delivery events waiting to be relayed; retry later');

	const wanted = parameters.events.length > 0 ? new Set<string>(parameters.events) : null;
	const items: INodeExecutionData[] = [];
	for (const { event, key } of received.events) {
		if (wanted && !wanted.has(event.status)) continue;
		if (seen.firstSeen(key, receivedAt.getTime())) {
			items.push({ json: { eventId: eventIdFor(key), ...event } });
		}
	}
	seen.save(staticData);
	return { ok: true, received: received.events.length, items };
}

/** Answers the request: a refusal, an acknowledgement, or the items that start an execution. */
export function answer(context: IWebhookFunctions, outcome: Outcome): IWebhookResponseData {
	if (!outcome.ok)
		return refuseRequest(
			context,
			'SMS Route Trigger refused a request',
			outcome.status,
			outcome.reason,
		);
	const webhookResponse = { received: outcome.received, emitted: outcome.items.length };
	// Duplicates and filtered events are acknowledged so the provider stops retrying.
	if (outcome.items.length === 0) return { webhookResponse };
	// Answered here, not through webhookResponse: starting the execution makes n8n (2.41) wrap
	// this request's static data again, which clears its "changed" mark, so a record saved after
	// that is lost. With noWebhookResponse n8n saves static data first.
	writeJsonResponse(context, 200, webhookResponse);
	return { noWebhookResponse: true, workflowData: [outcome.items] };
}

/**
 * Nothing in receiveWebhook is expected to throw; if it does, the sender still gets a plain 400
 * rather than an n8n error page, and no input is echoed back.
 */
export function malformedRequest(context: IWebhookFunctions, error: unknown): Refused {
	context.logger?.warn('SMS Route Trigger could not process a request', {
		error: error instanceof Error ? error.name : typeof error,
	});
	return refuse(400, 'malformed request');
}
