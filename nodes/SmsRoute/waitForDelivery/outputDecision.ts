import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { repeatedRowItem, type RepeatedRows } from '../actions/message/repeatedRows';
import { endsWaitOn, type Outcome } from '../shared/events/deliveryStatus';
import type { NormalizedEvent } from '../shared/events/event';
import type { SmsRouteClient } from '../transport/smsRouteRequest';
import { DEFAULT_LIMIT_MINUTES } from './description';
import { lookUpWaitEndingEvent } from './statusLookup';

/**
 * Which output each message of Send and Wait for Delivery leaves on, and when: decided here only.
 *
 * - When it is sent (`outputsWhenSent`): a failed or unsent item on Not Delivered at once; a
 *   replayed message (reused Idempotency Key) at once, on its outcome if its status ends a wait,
 *   else on Timed Out with `REPLAY_NOT_FINAL_REASON` (`replayedItem`); a repeated row where its
 *   first leaves; every other message on Timed Out, waited for.
 * - On a resume, once every waited-for message has a status that ends the wait
 *   (`outputsOnResume`): each moves to its outcome's output. Which status ends a wait, and on
 *   which outcome, is the status table (shared/events/deliveryStatus.ts `endsWaitOn`):
 *   `undelivered` is not `final` but ends the wait.
 * - At the limit (`limitWaitMs`) n8n does not run the node again: it passes the outputs saved when
 *   the wait began (waitingState.ts), so what had not ended stays on Timed Out.
 */

/** The three outputs of Send and Wait for Delivery, in the order docs/CONTRACT.md gives (OUTPUT_NAMES). */
export const OUTPUT: Readonly<Record<Outcome, number>> = {
	delivered: 0,
	notDelivered: 1,
	timedOut: 2,
};

const UNIT_MS: Readonly<Record<string, number>> = {
	seconds: 1000,
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};
/** n8n keeps a waiting execution as long as asked; a month bounds a forgotten one. */
const MAX_LIMIT_MS = 31 * UNIT_MS.days;

/** The wait's limit from the node's Options: Limit Wait Time and its unit. */
export function limitWaitMs(options: IDataObject): number {
	const amount = Number(options.limitWaitTime ?? DEFAULT_LIMIT_MINUTES);
	const unitName = String(options.limitWaitTimeUnit ?? 'minutes');
	// Own keys only: "constructor" or "__proto__" from an expression must not become a unit.
	const unit = Object.prototype.hasOwnProperty.call(UNIT_MS, unitName)
		? UNIT_MS[unitName]
		: UNIT_MS.minutes;
	const ms =
		Number.isFinite(amount) && amount > 0 ? amount * unit : DEFAULT_LIMIT_MINUTES * UNIT_MS.minutes;
	return Math.min(ms, MAX_LIMIT_MS);
}

/** Says why a replayed message that was not final left at once (docs/send-and-wait.md). */
export const REPLAY_NOT_FINAL_REASON =
	'Idempotency Key reused: smsroute returned a message sent earlier, whose delivery events go to that earlier send, and it was not final when this wait began. Follow with Get Status.';

export function messageIdOf(item: INodeExecutionData): string | null {
	const id = item.json.id;
	return typeof id === 'string' && id !== '' ? id : null;
}

/** A message sent and still on its way: its Send output, marked as timed out until an event says otherwise. */
export function pendingItem(sent: INodeExecutionData): INodeExecutionData {
	return {
		json: { ...sent.json, outcome: 'timedOut', delivery: null },
		pairedItem: sent.pairedItem,
	};
}

/** The pending item with the event that ended its wait: status and reason from the event, the event itself under `delivery`. */
export function endedItem(pending: INodeExecutionData, event: NormalizedEvent): INodeExecutionData {
	const outcome = endsWaitOn(event.status) ?? 'timedOut';
	const json: IDataObject = { ...pending.json, status: event.status, outcome, delivery: event };
	if (event.reason) json.reason = event.reason;
	return { json, pairedItem: pending.pairedItem };
}

/** A replayed message's item: its outcome when smsroute's status endpoint gives a status that ends a wait, else Timed Out with the reason. */
export async function replayedItem(
	client: SmsRouteClient,
	item: INodeExecutionData,
	livemode: boolean,
): Promise<INodeExecutionData> {
	const pending = pendingItem(item);
	pending.json.idempotencyReplay = true;
	const event = await lookUpWaitEndingEvent(client, String(item.json.id), livemode);
	if (event) return endedItem(pending, event);
	return { ...pending, json: { ...pending.json, reason: REPLAY_NOT_FINAL_REASON } };
}

export interface Sent {
	/** The item as sent; a replay's as `replayedItem` made it. */
	item: INodeExecutionData;
	/** Undefined for an item that was not sent (skipped, or an error item). */
	replayed?: boolean;
}

/** Each item on its output when sent, and the ids the wait is for (see above). */
export function outputsWhenSent(
	results: Sent[],
	repeatedRows: RepeatedRows,
): { outputs: INodeExecutionData[][]; waitFor: string[] } {
	const outputs: INodeExecutionData[][] = [[], [], []];
	const waitFor: string[] = [];
	const routes: number[] = [];
	const placed: INodeExecutionData[] = [];
	results.forEach(({ item, replayed }, index) => {
		const firstIndex = repeatedRows.firstOf.get(index);
		if (firstIndex !== undefined) {
			// The same message as an earlier item: it leaves where that one does, waited with it.
			placed[index] = repeatedRowItem(
				repeatedRows.messages.get(index)!,
				firstIndex,
				placed[firstIndex],
			);
			routes[index] = routes[firstIndex];
		} else if (
			replayed === undefined ||
			messageIdOf(item) === null ||
			item.json.error !== undefined
		) {
			routes[index] = OUTPUT.notDelivered;
			placed[index] = item;
		} else if (replayed) {
			routes[index] = OUTPUT[item.json.outcome as Outcome];
			placed[index] = item;
		} else {
			routes[index] = OUTPUT.timedOut;
			placed[index] = pendingItem(item);
			waitFor.push(messageIdOf(item)!);
		}
		outputs[routes[index]].push(placed[index]);
	});
	return { outputs, waitFor };
}

/**
 * The outputs on resume: each Timed Out item whose message is waited for and ended moves to its
 * outcome's output (after what was already there); everything else stays where it is.
 */
export function outputsOnResume(
	outputs: INodeExecutionData[][],
	ended: ReadonlyMap<string, NormalizedEvent>,
	waitFor: readonly string[],
): INodeExecutionData[][] {
	const result: INodeExecutionData[][] = [[...outputs[0]], [...outputs[1]], []];
	for (const item of outputs[OUTPUT.timedOut]) {
		const id = messageIdOf(item);
		const event = id && waitFor.includes(id) ? ended.get(id) : undefined;
		if (!event) {
			result[OUTPUT.timedOut].push(item);
			continue;
		}
		const done = endedItem(item, event);
		result[OUTPUT[done.json.outcome as Outcome]].push(done);
	}
	return result;
}
