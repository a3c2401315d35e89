import type { ICredentialDataDecryptedObject, IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { SMSROUTE_DEFAULT_BASE_URL } from '../../../credentials/SmsRouteApi.credentials';
import {
	isPlainObject,
	normalizeSmsRoute,
	type NormalizedEvent,
} from '../../SmsRouteTrigger/normalize';
import { outcomeOf } from './outcome';

/**
 * The final events of the messages an execution waits for.
 *
 * Each final event that reaches this process is kept in memory per execution, so the last one
 * of a batch finds the others without a request. A message whose event went to another process
 * (queue mode) or arrived before a restart is looked up on smsroute's status endpoint instead,
 * the guide's own fallback; the lookup stops at the first message still in flight.
 */

const MAX_EXECUTIONS = 1000;
const LOOKUP_TIMEOUT_MS = 10_000;

const finalsByExecution = new Map<string, Map<string, NormalizedEvent>>();
/** Executions this process has already resumed: a late or concurrent event must not resume twice. */
const resumed = new Set<string>();

function bounded<T>(collection: Map<string, T> | Set<string>): void {
	if (collection.size <= MAX_EXECUTIONS) return;
	const oldest = collection.keys().next().value as string;
	collection.delete(oldest);
}

export function recordFinal(
	executionId: string,
	event: NormalizedEvent,
): Map<string, NormalizedEvent> {
	let finals = finalsByExecution.get(executionId);
	if (!finals) {
		finals = new Map();
		finalsByExecution.set(executionId, finals);
		bounded(finalsByExecution);
	}
	if (event.messageId) finals.set(event.messageId, event);
	return finals;
}

/** True the first time only: the caller that gets true resumes the execution. */
export function claimResume(executionId: string): boolean {
	if (resumed.has(executionId)) return false;
	resumed.add(executionId);
	bounded(resumed);
	finalsByExecution.delete(executionId);
	return true;
}

export function hasResumed(executionId: string): boolean {
	return resumed.has(executionId);
}

/** The message's current state from GET /messages/{id}, as a normalized event, or null when it is not final or unknown. */
async function lookUpFinal(
	context: IWebhookFunctions,
	baseUrl: string,
	messageId: string,
	livemode: boolean,
): Promise<NormalizedEvent | null> {
	let view: unknown;
	try {
		view = await context.helpers.httpRequestWithAuthentication.call(context, 'smsRouteApi', {
			method: 'GET',
			url: `${baseUrl}/messages/${encodeURIComponent(messageId)}`,
			json: true,
			timeout: LOOKUP_TIMEOUT_MS,
			disableFollowRedirect: true,
		});
	} catch (error) {
		// Unknown is not final: the execution keeps waiting and the limit still ends it.
		context.logger?.debug('SMS Route: status lookup failed while waiting for delivery', {
			error: error instanceof Error ? error.name : typeof error,
		});
		return null;
	}
	if (!isPlainObject(view) || !outcomeOf(view.status)) return null;
	const normalized = normalizeSmsRoute(
		{
			message_id: messageId,
			status: view.status,
			timestamp: (view.updated_at ?? view.created_at ?? Date.now()) as IDataObject[string],
			to: view.to,
			reason: view.reason,
			metadata: view.metadata,
		},
		{
			livemode: typeof view.livemode === 'boolean' ? view.livemode : livemode,
			receivedAt: new Date(),
		},
	);
	if (!normalized.ok) return null;
	const [{ event }] = normalized.events;
	// Say where it came from: the status endpoint, not a delivery webhook.
	return { ...event, raw: view as IDataObject, source: 'status endpoint' };
}

/**
 * Completes `finals` for every id in `messageIds`, asking the status endpoint for the ones this
 * process has not seen final. Returns false at the first message that is not final yet.
 */
export async function allFinal(
	context: IWebhookFunctions,
	messageIds: string[],
	finals: Map<string, NormalizedEvent>,
	livemode: boolean,
): Promise<boolean> {
	let baseUrl: string | null = null;
	for (const id of messageIds) {
		if (finals.has(id)) continue;
		if (baseUrl === null) {
			const credentials =
				await context.getCredentials<ICredentialDataDecryptedObject>('smsRouteApi');
			baseUrl = String(credentials.baseUrl || SMSROUTE_DEFAULT_BASE_URL).replace(/\/+$/, '');
		}
		const event = await lookUpFinal(context, baseUrl, id, livemode);
		if (!event) return false;
		finals.set(id, event);
	}
	return true;
}
