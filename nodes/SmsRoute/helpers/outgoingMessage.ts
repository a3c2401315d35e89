import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, jsonParse } from 'n8n-workflow';

import type { KeyedMessage } from './idempotency';
import type { ParameterReader } from './parameterReader';
import { estimateSegments, type SegmentEstimate } from './segments';

export interface OutgoingMessage {
	itemIndex: number;
	to: string;
	body: string;
	from?: string;
	metadata?: IDataObject;
	idempotencyKey: string;
	estimate: SegmentEstimate;
}

const E164 = /^\+[1-9]\d{6,14}$/;
// Spaces, dashes, dots and brackets are how people paste numbers; E.164 has none of them.
const PHONE_PUNCTUATION = /[\s\-.()]/g;
export const MAX_BODY_LENGTH = 1600;

function invalid(fn: IExecuteFunctions, itemIndex: number, field: string, problem: string): NodeOperationError {
	return new NodeOperationError(fn.getNode(), `Item ${itemIndex}: '${field}' ${problem}`, {
		itemIndex,
		description: 'Fix the value in this item (or the expression that makes it) and run again.',
	});
}

export function normalizePhone(value: unknown): string {
	return String(value ?? '').replace(PHONE_PUNCTUATION, '');
}

const METADATA_SHAPE = 'must be a JSON object, e.g. {"orderId": "A-17"} or {{ { orderId: $json.id } }}';

/** "an array", "a number", …: what the Metadata field held instead of an object. */
function kindOf(value: unknown): string {
	if (value === null) return 'null';
	return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * Metadata is a JSON field: typed JSON and expressions that return JSON text arrive as strings
 * (saved workflows often write {{ JSON.stringify(…) }}), expressions returning an object as
 * the object. Both give the same object, so the same automatic idempotency key.
 */
function readMetadata(fn: IExecuteFunctions, itemIndex: number, value: unknown): IDataObject | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = jsonParse(value);
		} catch {
			throw invalid(fn, itemIndex, 'Metadata', `${METADATA_SHAPE} (got text that is not valid JSON)`);
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw invalid(fn, itemIndex, 'Metadata', `${METADATA_SHAPE} (got ${kindOf(parsed)})`);
	}
	return parsed as IDataObject;
}

/**
 * Reads and checks one item's message before anything is sent, so a bad row becomes an error
 * naming the item and the field instead of a 400 that sinks a whole bulk chunk.
 */
export interface MessageParameters {
	to: ParameterReader;
	body: ParameterReader;
	additionalFields: ParameterReader;
}

export function readOutgoingMessage(
	fn: IExecuteFunctions,
	itemIndex: number,
	automaticKey: (itemIndex: number, message: KeyedMessage) => string,
	parameters: MessageParameters,
): OutgoingMessage {
	const rawTo = parameters.to(itemIndex);
	const to = normalizePhone(rawTo);
	if (!E164.test(to)) {
		throw invalid(fn, itemIndex, 'To', `must be an E.164 phone number like +15551234567 (got "${String(rawTo ?? '')}")`);
	}
	const rawBody = parameters.body(itemIndex);
	const body = typeof rawBody === 'string' ? rawBody : rawBody === undefined || rawBody === null ? '' : String(rawBody);
	if (body.trim() === '') throw invalid(fn, itemIndex, 'Body', 'is empty');
	if (body.length > MAX_BODY_LENGTH) {
		throw invalid(fn, itemIndex, 'Body', `is ${body.length} characters long; smsroute takes at most ${MAX_BODY_LENGTH}`);
	}

	const extra = (parameters.additionalFields(itemIndex) ?? {}) as IDataObject;
	const from = typeof extra.from === 'string' && extra.from.trim() ? extra.from.trim() : undefined;
	const metadata = readMetadata(fn, itemIndex, extra.metadata);
	const givenKey = typeof extra.idempotencyKey === 'string' ? extra.idempotencyKey.trim() : String(extra.idempotencyKey ?? '').trim();

	return {
		itemIndex,
		to,
		body,
		from,
		metadata,
		idempotencyKey: givenKey || automaticKey(itemIndex, { to, body, from, metadata }),
		estimate: estimateSegments(body),
	};
}
