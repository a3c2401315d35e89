/**
 * The Guardrails of one run, behind one entry point (issue 34). Allowed Countries, Block Number
 * Types, Do Not Send To, Max Messages per Execution and the Sending Window are read and judged in
 * several files (guardSettings, messageChecks, doNotSendTo, maxMessagesCap, sendingWindowGuard);
 * the operations' preparation (actions/message/prepareMessages.ts) asks this one module, so the
 * order of the checks is written once, here: the message itself (read before), then the guards
 * (the first that objects decides), then the Sending Window, only for a message every guard lets
 * through, then Max Messages per Execution over the unique messages. Dry Run refuses nothing: each
 * message carries what every guard would do.
 *
 * How a refused item reaches n8n (an error item with Continue On Fail, else the node error) is the
 * actions layer's (actions/itemErrors.ts): `judge` throws its refusal, and `withinCap` is given
 * what a refused item becomes.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { heldItem, messageSummary, recipientDetails } from '../outputItems';
import { InvalidMessageError, type OutgoingMessage } from '../outgoingMessage';
import { createCollectionReader } from '../parameterReader';
import { SENDING_WINDOW_OPTIONS, sendingWindowGuard } from '../sendingWindow/sendingWindowGuard';
import { readGuardSettings, type GuardSettings } from './guardSettings';
import { countSent, overCap } from './maxMessagesCap';
import { guardReport, verdictFor } from './messageChecks';

/** One input item's place in the output: a message to send, or the item it already became. */
export type Slot = OutgoingMessage | INodeExecutionData;

export function isOutgoing(slot: Slot): slot is OutgoingMessage {
	return !('json' in slot);
}

/** What the Guardrails make of one message. */
export type Judgement =
	/** It goes out (Dry Run: it would). */
	| { sends: true; slot: OutgoingMessage }
	/** Held ("skipped"), deferred by the Sending Window, or kept for Dry Run's report: not sent. */
	| { sends: false; slot: Slot };

/** What a refused item becomes: an error item, or the run stops (actions/itemErrors.ts). */
export type RefuseItem = (
	itemIndex: number,
	error: NodeOperationError,
	details: IDataObject,
) => INodeExecutionData;

export interface Guardrails {
	/** Dry Run with guards: each message carries what every guard would do. */
	readonly reporting: boolean;
	/**
	 * Dry Run: the run-level report for the run's first item (the Do Not Send To entries that read
	 * as no number), or undefined when there is none.
	 */
	readonly runReport: IDataObject | undefined;
	/** The guards, then the Sending Window. Throws the refusal (an InvalidMessageError) if refused. */
	judge(message: OutgoingMessage): Judgement;
	/**
	 * Max Messages per Execution over the unique messages: all of them go, or none does. Returns
	 * the slots (each refused message as `refuseItem` makes it) and the messages to send.
	 */
	withinCap(
		slots: Slot[],
		unique: OutgoingMessage[],
		refuseItem: RefuseItem,
	): { slots: Slot[]; valid: OutgoingMessage[] };
}

/** A guard's refusal: the error item names the item, 'To', the recipient and the guard. */
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

/** What one run judges every item with, read once. */
interface GuardrailsRun {
	context: IExecuteFunctions;
	dryRun: boolean;
	guards: GuardSettings;
	reporting: boolean;
	/** The Sending Window: undefined to send the message, or its "deferred" item. */
	deferred: (message: OutgoingMessage) => INodeExecutionData | undefined;
}

function judge(run: GuardrailsRun, message: OutgoingMessage): Judgement {
	const { context, dryRun, guards, reporting, deferred } = run;
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
		return { sends: false, slot: held };
	}
	if (verdict.action === 'send') return { sends: true, slot: message };
	if (dryRun) return { sends: false, slot: message };
	if (verdict.action === 'refuse')
		throw guardRefusal(context, message, verdict.guard, verdict.problem);
	return { sends: false, slot: heldItem(message, verdict.fields) };
}

function withinCap(
	run: GuardrailsRun,
	slots: Slot[],
	unique: OutgoingMessage[],
	refuseItem: RefuseItem,
): { slots: Slot[]; valid: OutgoingMessage[] } {
	const { context, dryRun, guards, reporting } = run;
	// Counted by their keys: a message replayed in a retry is not counted again.
	const keys = unique.map((message) => message.idempotencyKey);
	const overLimit = overCap(context, guards.maxMessages, keys);
	if (reporting && guards.maxMessages) {
		for (const message of unique)
			message.guardReport!.maxMessagesPerExecution = overLimit ? `refuse: ${overLimit}` : 'pass';
		return { slots, valid: overLimit ? [] : unique };
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
					? refuseItem(slot.itemIndex, error, {
							...messageSummary(slot),
							refusedBy: 'maxMessagesPerExecution',
						})
					: slot,
			),
			valid: [],
		};
	}
	if (guards.maxMessages && !dryRun) countSent(context, keys);
	return { slots, valid: unique };
}

/**
 * The Guardrails of this run, read once from the first item (the Do Not Send To list with them;
 * `defaultCountry` from its Options), and the Sending Window's reader, which reads its two
 * entries per item.
 */
export function readGuardrails(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	{ dryRun = false }: { dryRun?: boolean } = {},
): Guardrails {
	const guards = readGuardSettings(
		context,
		context.getNodeParameter('guardrails', 0, {}) as IDataObject,
		context.getNodeParameter('options.defaultCountry', 0, '') as unknown,
	);
	const reporting = dryRun && (guards.checks.length > 0 || guards.maxMessages > 0);
	const deferred = sendingWindowGuard(
		context,
		createCollectionReader(context, items, 'guardrails', SENDING_WINDOW_OPTIONS),
	);
	const run: GuardrailsRun = { context, dryRun, guards, reporting, deferred };
	return {
		reporting,
		runReport:
			dryRun && guards.unreadableOptOuts.length > 0
				? unreadableReport(guards.unreadableOptOuts)
				: undefined,
		judge: (message) => judge(run, message),
		withinCap: (slots, unique, refuseItem) => withinCap(run, slots, unique, refuseItem),
	};
}
