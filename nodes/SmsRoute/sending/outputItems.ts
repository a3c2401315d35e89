import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { SentMessage } from '../transport/messages';
import type { OutgoingMessage } from './outgoingMessage';

export function messageSummary(message: OutgoingMessage): IDataObject {
	return addSummary({}, message);
}

/**
 * Adds the summary's fields to `json`, in messageSummary's order. Assigned, not spread: a sent
 * item was built from a summary object and three spreads, per message (100,000 a run).
 */
function addSummary(json: IDataObject, message: OutgoingMessage): IDataObject {
	json.to = message.to;
	if (message.toInput !== undefined) json.toInput = message.toInput;
	json.idempotencyKey = message.idempotencyKey;
	if (message.campaignId !== undefined) json.campaignId = message.campaignId;
	json.encoding = message.estimate.encoding;
	json.segments = message.estimate.segments;
	json.nonGsmCharacters = message.estimate.nonGsmCharacters;
	if (message.replacedCharacters !== undefined)
		json.replacedCharacters = message.replacedCharacters;
	return json;
}

/** What smsroute said about a message it accepted (Send: the message; Send in Bulk: its id). */
export interface SentAnswer {
	id: string;
	status: string;
	creditsUsed: number | null;
	createdAt: string | null;
}

/** The output item of a sent message: the same fields whichever operation sent it. */
export function sentItem(message: OutgoingMessage, answer: SentAnswer): INodeExecutionData {
	const json = addSummary({ id: answer.id }, message);
	json.status = answer.status;
	json.creditsUsed = answer.creditsUsed;
	json.createdAt = answer.createdAt;
	if (message.from) json.from = message.from;
	if (message.metadata) json.metadata = message.metadata;
	return { json, pairedItem: { item: message.itemIndex } };
}

/** Where a guard's output names the recipient: its country and number type. */
export function recipientDetails(message: OutgoingMessage): IDataObject {
	return {
		...(message.country ? { country: message.country } : {}),
		...(message.numberType ? { numberType: message.numberType } : {}),
	};
}

/**
 * What a send would do, sending nothing: always the number's region and type (Allowed Countries
 * goes by libphonenumber's regions, +44 7911 123456 is Guernsey, so a list can be checked before
 * it is sent); with Smart Encoding also what it saves; with guards what each would do (guards)
 * and whether the message would go out (wouldSend).
 */
export function dryRunItem(message: OutgoingMessage): INodeExecutionData {
	const report = message.guardReport;
	return {
		json: {
			dryRun: true,
			...messageSummary(message),
			...(message.segmentsWithoutSmartEncoding !== undefined
				? { segmentsWithoutSmartEncoding: message.segmentsWithoutSmartEncoding }
				: {}),
			...(message.from ? { from: message.from } : {}),
			...recipientDetails(message),
			...(report
				? {
						wouldSend: Object.values(report).every((result) => result === 'pass'),
						guards: report,
					}
				: {}),
			...message.runReport,
		},
		pairedItem: { item: message.itemIndex },
	};
}

/** A message a guard held back without an error (Do Not Send To: status "skipped"). */
export function heldItem(message: OutgoingMessage, fields: IDataObject): INodeExecutionData {
	return {
		json: { ...messageSummary(message), ...recipientDetails(message), ...fields },
		pairedItem: { item: message.itemIndex },
	};
}

/** The output item of a sent message; it shows the key as the user gave it. */
export function sentMessageItem(message: OutgoingMessage, sent: SentMessage): INodeExecutionData {
	return sentItem(message, {
		id: sent.id,
		status: sent.status,
		creditsUsed: sent.credits_used ?? null,
		createdAt: sent.created_at ?? null,
	});
}
