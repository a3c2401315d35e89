import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { eventIdFor, seenRecordFor, type SeenRecord } from './dedupe';
import type { NormalizedStatus } from '../shared/events/deliveryStatus';
import { answerWhenExecutionExists, onAnswered, readRawBody } from '../shared/n8nInternals';
import type { KeyedEvent } from '../shared/events/event';
import { parseRawBody } from '../shared/events/parseBody';
import type { Result } from '../shared/result';
import { relayTargets, startRelays } from './relay';
import { sendCloudEventsOf, smsRouteEventsOf } from '../shared/events/eventsFromWebhook';
import { RAW_BODY_UNAVAILABLE, isRawBody } from '../shared/events/hmacToolkit';
import { looksLikeSendCloud } from '../shared/events/sendCloud/signature';
import { SMSROUTE_SIGNATURE_HEADER } from '../shared/events/smsRoute/signature';
import { DEFAULT_TOLERANCE_SECONDS, nodeScopeOf, refuseRequest } from '../shared/webhookRequest';
import { refusal, type Refusal } from '../shared/webhookAnswers';

/**
 * One POST, from raw bytes to the items the trigger emits: pick the provider, verify, parse and
 * normalize it (shared/events), relay to a waiting Send and Wait, keep the wanted statuses
 * and drop duplicates. Every refusal is a Refusal of a kind (shared/webhookAnswers.ts: its
 * status and text), never a throw.
 */

export type Provider = 'auto' | 'smsroute' | 'sendcloud';

/**
 * n8n 1.x answers, then creates the execution (a database insert, milliseconds): events it
 * answered this long ago are taken for run and join the saved record.
 */
const EXECUTION_CREATED_WITHIN_MS = 2000;

/**
 * How long a resend waits for the outcome of an earlier request still starting an execution for
 * the same event: well inside SendCloud's 3 s. Still unknown then: refused (pendingResend).
 */
export const PENDING_RESEND_WAIT_MS = 1000;

export interface TriggerParameters {
	provider: Provider;
	/** Statuses to emit; empty emits all. */
	events: NormalizedStatus[];
	toleranceSeconds: number;
}

type Received = Result<{ events: KeyedEvent[] }, Refusal>;

/**
 * What the trigger answers one request with: a refusal, or the events received, the items to
 * emit and how to write the duplicate record into this request's static data again.
 */
export type WebhookAnswer = Result<
	{
		received: number;
		items: INodeExecutionData[];
		saveRecord?: (executionExists: boolean) => void;
	},
	Refusal
>;

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
	nodeScope: string;
	rawBody: Buffer;
	contentType: string | undefined;
	signatureHeader: string | string[] | undefined;
	toleranceSeconds: number;
	receivedAt: Date;
}

async function receiveSmsRoute(context: IWebhookFunctions, request: Request): Promise<Received> {
	const received = await smsRouteEventsOf(context, request.nodeScope, {
		rawBody: request.rawBody,
		header: request.signatureHeader,
		contentType: request.contentType,
		toleranceSeconds: request.toleranceSeconds,
		now: request.receivedAt,
	});
	return received ?? refusal('noSmsRouteKey');
}

async function receiveSendCloud(
	context: IWebhookFunctions,
	request: Request,
	body: IDataObject,
	seen: SeenRecord,
): Promise<Received> {
	const { rawBody, toleranceSeconds, receivedAt } = request;
	const received = await sendCloudEventsOf(context, request.nodeScope, {
		rawBody,
		contentType: request.contentType,
		parsedBody: body,
		toleranceSeconds,
		now: receivedAt,
		spendToken: (token, timestampMs) => {
			// With the same body it is SendCloud redelivering, and the event record keeps it from
			// emitting twice.
			const use = seen.useToken(
				token,
				rawBody,
				timestampMs,
				receivedAt.getTime(),
				toleranceSeconds,
			);
			if (use === 'replay') return { kind: 'tokenReused' };
			if (use === 'full') return { kind: 'tokenRecordFull' };
			return null;
		},
	});
	return received ?? refusal('noSendCloudKey');
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
	if (!parsed.ok) return refusal('malformed', parsed.reason);
	if (provider === 'auto' && !looksLikeSendCloud(parsed.body)) return refusal('unrecognizedSender');
	return await receiveSendCloud(context, request, parsed.body as IDataObject, seen);
}

/** The events whose status the trigger emits (Events; empty: all). */
function wantedEvents(events: readonly KeyedEvent[], wantedStatuses: readonly string[]) {
	if (wantedStatuses.length === 0) return events;
	const wanted = new Set<string>(wantedStatuses);
	return events.filter(({ event }) => wanted.has(event.status));
}

/** The wanted events not seen before, as items, and their dedupe keys (recorded as pending). */
function firstSeenItems(
	events: readonly KeyedEvent[],
	seen: SeenRecord,
	receivedAt: Date,
): { items: INodeExecutionData[]; recorded: string[] } {
	const items: INodeExecutionData[] = [];
	const recorded: string[] = [];
	for (const { event, dedupeKey } of events) {
		if (seen.firstSeen(dedupeKey, receivedAt.getTime(), { pending: true })) {
			items.push({ json: { eventId: eventIdFor(dedupeKey), ...event } });
			recorded.push(dedupeKey);
		}
	}
	return { items, recorded };
}

/**
 * The wanted events not seen before, recorded as pending. A resend of an event another request
 * is still starting an execution for waits for that request's outcome and is answered after
 * it, never 200 before (docs/verification.md, "What a 200 means"): refused (pendingResend) when
 * the outcome is still unknown after PENDING_RESEND_WAIT_MS.
 */
async function acceptEvents(
	events: readonly KeyedEvent[],
	wantedStatuses: readonly string[],
	seen: SeenRecord,
	receivedAt: Date,
): Promise<Result<{ items: INodeExecutionData[]; recorded: string[] }, Refusal>> {
	const wanted = wantedEvents(events, wantedStatuses);
	const keys = wanted.map(({ dedupeKey }) => dedupeKey);
	if (!(await seen.whenSettled(keys, PENDING_RESEND_WAIT_MS))) return refusal('pendingResend');
	return { ok: true, ...firstSeenItems(wanted, seen, receivedAt) };
}

/** The whole request: what to answer, and the items to emit (none for duplicates or filtered). */
export async function receiveWebhook(
	context: IWebhookFunctions,
	parameters: TriggerParameters,
): Promise<WebhookAnswer> {
	const receivedAt = new Date();
	const rawBody = await readRawBody(context);
	// Never fall back to re-serialised JSON: it is not what was signed.
	if (!isRawBody(rawBody)) return refusal('badSignature', RAW_BODY_UNAVAILABLE);
	const headers = context.getHeaderData();
	const request: Request = {
		nodeScope: nodeScopeOf(context),
		rawBody,
		contentType: headers['content-type'],
		signatureHeader: headers[SMSROUTE_SIGNATURE_HEADER],
		toleranceSeconds: parameters.toleranceSeconds,
		receivedAt,
	};
	const staticData = context.getWorkflowStaticData('node');
	const seen = seenRecordFor(request.nodeScope, staticData, receivedAt.getTime());
	seen.confirmAnsweredBefore(receivedAt.getTime() - EXECUTION_CREATED_WITHIN_MS);

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
	if (!startRelays(context, targets, request)) return refusal('relaysFull');

	const accepted = await acceptEvents(received.events, parameters.events, seen, receivedAt);
	if (!accepted.ok) return accepted;
	const { items, recorded } = accepted;
	// Starting no execution, n8n saves this request's static data as it answers.
	if (items.length === 0) seen.saveDue(staticData, Date.now());
	// n8n answers non-2xx when it could not create the execution (a database or queue error):
	// the provider sends the event again, and that delivery must be emitted, not taken for a
	// duplicate of one that never ran. Left by the client and never answered by n8n: the same.
	if (recorded.length > 0)
		onAnswered(context, (status) => {
			if (status === undefined) seen.forgetUnsettled(recorded);
			else if (status < 200 || status >= 300) seen.forget(recorded);
		});
	// When n8n reads the answer (answer()) after starting the execution (n8n 2.x), this request's
	// events go into static data, with what other requests confirmed meanwhile. n8n 1.x reads it
	// before: they go in with a later request's save, once the execution surely exists.
	const saveRecord = (executionExists: boolean) => {
		if (executionExists) seen.confirm(recorded);
		else seen.answeredBeforeExecution(recorded, Date.now());
		seen.saveDue(staticData, Date.now());
	};
	return { ok: true, received: received.events.length, items, saveRecord };
}

/** Answers the request: a refusal, an acknowledgement, or the items that start an execution. */
export function answer(
	context: IWebhookFunctions,
	webhookAnswer: WebhookAnswer,
): IWebhookResponseData {
	if (!webhookAnswer.ok)
		return refuseRequest(context, 'SMS Route Trigger refused a request', webhookAnswer);
	const webhookResponse = { received: webhookAnswer.received, emitted: webhookAnswer.items.length };
	// Duplicates and filtered events are acknowledged so the provider stops retrying.
	if (webhookAnswer.items.length === 0) return { webhookResponse };
	// n8n answers, as for its own Webhook node: on 2.41 only once the execution carrying the
	// items is in its database, so a crash never loses an event it acknowledged. The duplicate
	// record is saved with the answer (docs/verification.md, "What a 200 means").
	return answerWhenExecutionExists(
		webhookResponse,
		[webhookAnswer.items],
		webhookAnswer.saveRecord ?? (() => undefined),
	);
}

/**
 * Nothing in receiveWebhook is expected to throw; if it does, the sender still gets a plain
 * answer (unexpectedError) rather than an n8n error page, and no input is echoed back.
 */
export function malformedRequest(
	context: IWebhookFunctions,
	error: unknown,
): { ok: false } & Refusal {
	context.logger?.warn('SMS Route Trigger could not process a request', {
		error: error instanceof Error ? error.name : typeof error,
	});
	return refusal('unexpectedError');
}
