import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	isOutgoing,
	readGuardrails,
	type Guardrails,
	type Slot,
} from '../../sending/guards/guardrails';
import { automaticKeys } from '../../sending/idempotency';
import { errorItemOrThrow } from '../itemErrors';
import {
	InvalidMessageError,
	readOutgoingMessage,
	MESSAGE_OPTIONS,
	type MessageParameters,
	type OutgoingMessage,
} from '../../sending/outgoingMessage';
import { createCollectionReader, createParameterReader } from '../../sending/parameterReader';
import { setAsideRepeatedRows, type RepeatedRows } from './repeatedRows';

export interface PreparedMessages {
	/** One slot per input item: a message to send, or the item it already became. */
	slots: Slot[];
	/** The messages to send (Dry Run: the ones that would be sent), one per idempotency key. */
	valid: OutgoingMessage[];
	/** Later items of a campaign with an earlier item's key: their slots are filled by fillRepeatedRows. */
	repeatedRows: RepeatedRows;
}

// The operations ask prepareMessages' slots what they are.
export { isOutgoing };

/** A run-level report on the run's first item, whatever that item became. */
function reportOnFirst(slot: Slot, report: IDataObject): void {
	if (isOutgoing(slot)) slot.runReport = { ...slot.runReport, ...report };
	else Object.assign(slot.json, report);
}

/** Each item as a message, a held or deferred item, or an error item; `valid` will be sent. */
function readItems(
	context: IExecuteFunctions,
	guardrails: Guardrails,
	items: INodeExecutionData[],
	automaticKey: ReturnType<typeof automaticKeys>,
	parameters: MessageParameters,
): { slots: Slot[]; valid: OutgoingMessage[] } {
	const slots: Slot[] = [];
	const valid: OutgoingMessage[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const message = readOutgoingMessage(context, itemIndex, automaticKey, parameters);
			const judged = guardrails.judge(message);
			slots.push(judged.slot);
			if (judged.sends) valid.push(judged.slot);
		} catch (error) {
			slots.push(
				errorItemOrThrow(
					context,
					itemIndex,
					error,
					error instanceof InvalidMessageError ? error.details : {},
				),
			);
		}
	}
	return { slots, valid };
}

/**
 * Every item before the first request, in this order: the message itself (number, body, fields),
 * then the Guardrails (sending/guards/guardrails.ts, their one entry point: Allowed Countries,
 * Block Number Types, Do Not Send To, then the Sending Window, where a message outside it comes
 * out "deferred", then Max Messages per Execution over what is left). Without "Continue On Fail"
 * a bad or refused item stops the run before anything is sent; with it, it becomes an error item
 * and the rest go out. Dry Run refuses nothing: each message carries what every guard would do.
 */
export function prepareMessages(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	{ dryRun = false }: { dryRun?: boolean } = {},
): PreparedMessages {
	const automaticKey = automaticKeys(context);
	const parameters: MessageParameters = {
		to: createParameterReader(context, items, 'to', ''),
		body: createParameterReader(context, items, 'body', ''),
		additionalFields: createParameterReader(context, items, 'additionalFields', {}),
		options: createCollectionReader(context, items, 'options', MESSAGE_OPTIONS),
	};
	// Read once per run, the Do Not Send To list with them.
	const guardrails = readGuardrails(context, items, { dryRun });
	const { slots, valid } = readItems(context, guardrails, items, automaticKey, parameters);

	if (guardrails.runReport && slots.length > 0) reportOnFirst(slots[0], guardrails.runReport);

	const { unique, repeatedRows } = setAsideRepeatedRows(valid);
	for (const [index, firstIndex] of repeatedRows.firstOf)
		slots[index] = { json: { duplicateOf: firstIndex }, pairedItem: { item: index } };
	const capped = guardrails.withinCap(slots, unique, (itemIndex, error, details) =>
		errorItemOrThrow(context, itemIndex, error, details),
	);
	return { slots: capped.slots, valid: capped.valid, repeatedRows };
}
