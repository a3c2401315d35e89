import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { guardReport, verdictFor } from '../../sending/guards/messageChecks';
import { automaticKeys } from '../../sending/idempotency';
import { heldItem, messageSummary, recipientDetails } from '../../sending/outputItems';
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
import { readGuardSettings, type GuardSettings } from '../../sending/guards/guardSettings';
import { countSent, overCap } from '../../sending/guards/maxMessagesCap';
import {
	SENDING_WINDOW_OPTIONS,
	sendingWindowGuard,
} from '../../sending/sendingWindow/sendingWindowGuard';

export interface PreparedMessages {
	/** One slot per input item: a message to send, or the item it already became. */
	slots: Array<OutgoingMessage | INodeExecutionData>;
	/** The messages to send (Dry Run: the ones that would be sent), one per idempotency key. */
	valid: OutgoingMessage[];
	/** Later items of a campaign with an earlier item's key: their slots are filled by fillRepeatedRows. */
	repeatedRows: RepeatedRows;
}

export function isOutgoing(slot: OutgoingMessage | INodeExecutionData): slot is OutgoingMessage {
	return !('json' in slot);
}

function guardRefusal(
	context: IExecuteFunctions,
	message: OutgoingMessage,
	guard: string,
	problem: string,
): InvalidMessageError {
	const error = new InvalidMessageError(
		context.getNode(),
		`Item ${message.itemIndex}: 'To' ${problem}`,
		{
			itemIndex: message.itemIndex,
			description: `Refused by the ${guard} option; nothing was sent for this item.`,
		},
	);
	error.details = { ...messageSummary(message), ...recipientDetails(message), refusedBy: guard };
	return error;
}

/** Dry Run lists this many unreadable Do Not Send To entries (and counts them all). */
const UNREADABLE_LISTED = 100;

function unreadableReport(unreadable: string[]): IDataObject {
	return {
		doNotSendToUnreadableCount: unreadable.length,
		doNotSendToUnreadable: unreadable.slice(0, UNREADABLE_LISTED),
	};
}

/** A run-level report on the run's first item, whatever that item became. */
function reportOnFirst(slot: OutgoingMessage | INodeExecutionData, report: IDataObject): void {
	if (isOutgoing(slot)) slot.runReport = { ...slot.runReport, ...report };
	else Object.assign(slot.json, report);
}

/** What one run's preparation reads once and every item is judged with. */
interface PreparationRun {
	context: IExecuteFunctions;
	dryRun: boolean;
	guards: GuardSettings;
	/** Dry Run with guards: each message carries what every guard would do. */
	reporting: boolean;
}

/** Each item as a message, a held or deferred item, or an error item; `valid` will be sent. */
function readItems(
	run: PreparationRun,
	items: INodeExecutionData[],
	automaticKey: ReturnType<typeof automaticKeys>,
	parameters: MessageParameters,
): { slots: PreparedMessages['slots']; valid: OutgoingMessage[] } {
	const { context, dryRun, guards, reporting } = run;
	const slots: PreparedMessages['slots'] = [];
	const valid: OutgoingMessage[] = [];
	const deferred = sendingWindowGuard(
		context,
		createCollectionReader(context, items, 'guardrails', SENDING_WINDOW_OPTIONS),
	);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const message = readOutgoingMessage(context, itemIndex, automaticKey, parameters);
			const verdict = verdictFor(message, guards.checks);
			if (reporting) message.guardReport = guardReport(message, guards.checks);
			// The Sending Window last: only a message every guard lets through waits for it, and
			// a deferred one is not counted against Max Messages per Execution.
			const held = verdict.action === 'send' ? deferred(message) : undefined;
			if (held) {
				if (message.guardReport) {
					held.json.wouldSend = false;
					held.json.guards = { ...message.guardReport, sendingWindow: 'deferred: sendingWindow' };
				}
				slots.push(held);
			} else if (verdict.action === 'send') {
				slots.push(message);
				valid.push(message);
			} else if (dryRun) {
				slots.push(message);
			} else if (verdict.action === 'refuse') {
				throw guardRefusal(context, message, verdict.guard, verdict.problem);
			} else {
				slots.push(heldItem(message, verdict.fields));
			}
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

/** Max Messages per Execution over the unique messages: all of them go, or none does. */
function withinCap(
	run: PreparationRun,
	slots: PreparedMessages['slots'],
	unique: OutgoingMessage[],
	repeatedRows: RepeatedRows,
): PreparedMessages {
	const { context, dryRun, guards, reporting } = run;
	// Counted by their keys: a message replayed in a retry is not counted again.
	const keys = unique.map((message) => message.idempotencyKey);
	const overLimit = overCap(context, guards.maxMessages, keys);
	if (reporting && guards.maxMessages) {
		for (const message of unique)
			message.guardReport!.maxMessagesPerExecution = overLimit ? `refuse: ${overLimit}` : 'pass';
		return { slots, valid: overLimit ? [] : unique, repeatedRows };
	}
	if (overLimit) {
		// Every message of the run is refused, so each item says why (an error item with
		// Continue On Fail: n8n would otherwise pass the input items on as if nothing happened).
		const error = new NodeOperationError(context.getNode(), `This run has ${overLimit}`, {
			description:
				'Nothing was sent. Raise the option, or split the input over several executions.',
		});
		const refused = new Set(unique.map((message) => message.itemIndex));
		return {
			slots: slots.map((slot) =>
				isOutgoing(slot) && refused.has(slot.itemIndex)
					? errorItemOrThrow(context, slot.itemIndex, error, {
							...messageSummary(slot),
							refusedBy: 'maxMessagesPerExecution',
						})
					: slot,
			),
			valid: [],
			repeatedRows,
		};
	}
	if (guards.maxMessages && !dryRun) countSent(context, keys);
	return { slots, valid: unique, repeatedRows };
}

/**
 * Every item before the first request, in this order: the message itself (number, body, fields),
 * then the Guardrails (sending/guards/: Allowed Countries, Block Number Types, Do Not Send To),
 * then the Sending Window (sending/sendingWindow/sendingWindowGuard.ts: a message outside it
 * comes out "deferred"), then
 * Max Messages per Execution over what is left. Without "Continue On Fail" a bad or refused
 * item stops the run before anything is sent; with it, it becomes an error item and the rest go
 * out. Dry Run refuses nothing: each message carries what every guard would do.
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
	// The guards are read once per run, the Do Not Send To list with them.
	const guards = readGuardSettings(
		context,
		context.getNodeParameter('guardrails', 0, {}) as IDataObject,
		context.getNodeParameter('options.defaultCountry', 0, '') as unknown,
	);
	const reporting = dryRun && (guards.checks.length > 0 || guards.maxMessages > 0);
	const run: PreparationRun = { context, dryRun, guards, reporting };
	const { slots, valid } = readItems(run, items, automaticKey, parameters);

	if (dryRun && guards.unreadableOptOuts.length > 0 && slots.length > 0)
		reportOnFirst(slots[0], unreadableReport(guards.unreadableOptOuts));

	const { unique, repeatedRows } = setAsideRepeatedRows(valid);
	for (const [index, firstIndex] of repeatedRows.firstOf)
		slots[index] = { json: { duplicateOf: firstIndex }, pairedItem: { item: index } };
	return withinCap(run, slots, unique, repeatedRows);
}
