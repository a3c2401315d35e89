import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { OUTPUT, outcomeOf, type Outcome } from '../shared/events/deliveryStatus';
import type { NormalizedEvent } from '../shared/events/event';

/** The items of Send and Wait for Delivery's outputs, before and after the wait. */

/** A message sent and not yet final: its Send output, marked as timed out until an event says otherwise. */
export function pendingItem(sent: INodeExecutionData): INodeExecutionData {
	return {
		json: { ...sent.json, outcome: 'timedOut', delivery: null },
		pairedItem: sent.pairedItem,
	};
}

export function messageIdOf(item: INodeExecutionData): string | null {
	const id = item.json.id;
	return typeof id === 'string' && id !== '' ? id : null;
}

/** The pending item with its final event: status and reason from the event, the event itself under `delivery`. */
export function finalItem(pending: INodeExecutionData, event: NormalizedEvent): INodeExecutionData {
	const outcome = outcomeOf(event.status) ?? 'timedOut';
	const json: IDataObject = { ...pending.json, status: event.status, outcome, delivery: event };
	if (event.reason) json.reason = event.reason;
	return { json, pairedItem: pending.pairedItem };
}

/**
 * The outputs after the wait: each Timed Out item whose message is waited for and final moves to
 * its outcome's output (after what was already there); everything else stays where it is.
 */
export function toOutputs(
	outputs: INodeExecutionData[][],
	finals: ReadonlyMap<string, NormalizedEvent>,
	waitFor: readonly string[],
): INodeExecutionData[][] {
	const result: INodeExecutionData[][] = [[...outputs[0]], [...outputs[1]], []];
	for (const item of outputs[OUTPUT.timedOut]) {
		const id = messageIdOf(item);
		const event = id && waitFor.includes(id) ? finals.get(id) : undefined;
		if (!event) {
			result[OUTPUT.timedOut].push(item);
			continue;
		}
		const done = finalItem(item, event);
		result[OUTPUT[done.json.outcome as Outcome]].push(done);
	}
	return result;
}
