import type { IWebhookFunctions } from 'n8n-workflow';

import type { NormalizedEvent } from '../shared/events/event';
import type { SmsRouteClient } from '../transport/smsRouteRequest';
import { lookUpWaitEndingEvent, lookupClient } from './statusLookup';
import type { WaitingMessages } from './waitingState';

/**
 * The events that end each wait, per message it waits for (shared/events/deliveryStatus.ts
 * `endsWaitOn`: the final statuses and `undelivered`).
 *
 * A wait is one run of a Send and Wait node in one execution: a fallback node after it, or the
 * same node again in a loop, is another wait with its own record, so each resumes once. Each
 * such event that reaches this process is kept in memory per wait, so the last one of a batch
 * finds the others without a request. A message whose event went to another process (queue
 * mode) or arrived before a restart is looked up on smsroute's status endpoint instead
 * (statusLookup.ts); the lookup stops at the first message still in flight.
 */

const MAX_WAITS = 1000;

const endingEventsByWait = new Map<string, Map<string, NormalizedEvent>>();
/** Waits this process has already resumed: a late or concurrent event must not resume twice. */
const resumed = new Set<string>();

function bounded<T>(collection: Map<string, T> | Set<string>): void {
	if (collection.size <= MAX_WAITS) return;
	const oldest = collection.keys().next().value as string;
	collection.delete(oldest);
}

/** Execution, node and wait: a wait saved before the mark existed (CHANGELOG) is named by its messages. */
export function waitKeyOf(executionId: string, nodeId: string, waiting: WaitingMessages): string {
	const wait = waiting.mark?.waitId ?? [...waiting.waitFor].sort().join(',');
	return `${executionId}:${nodeId}:${wait}`;
}

const timeOf = (event: NormalizedEvent): number => Date.parse(event.occurredAt) || 0;

/**
 * Keeps `event` unless the wait already holds an ending event of that message at least as new: a
 * stale event replayed later cannot replace a newer outcome.
 */
export function recordWaitEndingEvent(
	waitKey: string,
	event: NormalizedEvent,
): Map<string, NormalizedEvent> {
	let ended = endingEventsByWait.get(waitKey);
	if (!ended) {
		ended = new Map();
		endingEventsByWait.set(waitKey, ended);
		bounded(endingEventsByWait);
	}
	const known = event.messageId ? ended.get(event.messageId) : undefined;
	if (event.messageId && (!known || timeOf(event) > timeOf(known)))
		ended.set(event.messageId, event);
	return ended;
}

/** True the first time only: the caller that gets true resumes the wait. */
export function claimResume(waitKey: string): boolean {
	if (resumed.has(waitKey)) return false;
	resumed.add(waitKey);
	bounded(resumed);
	endingEventsByWait.delete(waitKey);
	return true;
}

export function hasResumed(waitKey: string): boolean {
	return resumed.has(waitKey);
}

/**
 * Completes `ended` for every id in `messageIds`, asking the status endpoint for the ones this
 * process has no ending event for. Returns false at the first message still on its way.
 */
export async function allMessagesEnded(
	context: IWebhookFunctions,
	messageIds: readonly string[],
	ended: Map<string, NormalizedEvent>,
	livemode: boolean,
): Promise<boolean> {
	let client: SmsRouteClient | null = null;
	for (const id of messageIds) {
		if (ended.has(id)) continue;
		client ??= await lookupClient(context);
		const event = await lookUpWaitEndingEvent(client, id, livemode);
		if (!event) return false;
		ended.set(id, event);
	}
	return true;
}
