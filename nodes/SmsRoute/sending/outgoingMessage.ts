import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, jsonParse } from 'n8n-workflow';

import { CanonicalJsonError, canonicalJsonText, canonicalJsonValue } from './canonicalJson';
import type { KeyedMessage } from './idempotency';
import type { ParameterReader } from './parameterReader';
import {
	isKnownCountry,
	readPhoneNumber,
	shortEcho,
	type PhoneNumberType,
} from './numbers/phoneNumber';
import { estimateSegments, type SegmentEstimate } from './encoding/segments';
import { applySmartEncoding, hasLookAlike } from './encoding/smartEncoding';

export interface OutgoingMessage {
	itemIndex: number;
	to: string;
	body: string;
	from?: string;
	metadata?: IDataObject;
	idempotencyKey: string;
	/** The Campaign ID option, when set: the automatic key is made from it and the message. */
	campaignId?: string;
	/** Where the key came from: the Idempotency Key field, the Campaign ID, or this execution. */
	keySource?: 'given' | 'campaign' | 'execution';
	estimate: SegmentEstimate;
	/** The recipient as it came in, when it differs from `to`. */
	toInput?: string;
	/** ISO country of `to` ('001' for global numbers), by libphonenumber metadata. */
	country?: string;
	/** Type of `to` (mobile, premiumRate, …), by libphonenumber metadata. */
	numberType?: PhoneNumberType;
	/** The Default Country `to` was read with (per item: it may be an expression). */
	defaultCountry?: string;
	/** Dry Run: what each guard would do with it (see sending/guards/messageChecks.ts). */
	guardReport?: IDataObject;
	/** Dry Run: what the run's first item also reports about the run (Do Not Send To entries). */
	runReport?: IDataObject;
	/** With Smart Encoding: characters replaced by GSM-7 look-alikes (0 when none were). */
	replacedCharacters?: number;
	/** With Smart Encoding: the segments the body as written would have cost. */
	segmentsWithoutSmartEncoding?: number;
}

export const MAX_BODY_LENGTH = 1600;

/** A message that cannot be sent as given; `details` go on its error item (with Continue On Fail). */
export class InvalidMessageError extends NodeOperationError {
	details: IDataObject = {};
}

export function invalid(
	context: IExecuteFunctions,
	itemIndex: number,
	field: string,
	problem: string,
	details: IDataObject = {},
): InvalidMessageError {
	const error = new InvalidMessageError(
		context.getNode(),
		`Item ${itemIndex}: '${field}' ${problem}`,
		{
			itemIndex,
			description: 'Fix the value in this item (or the expression that makes it) and run again.',
		},
	);
	error.details = details;
	return error;
}

/** The Options entries read per item: the ones that shape what is sent. */
export const MESSAGE_OPTIONS = [
	'defaultCountry',
	'smartEncoding',
	'maxSegments',
	'campaignId',
] as const;

/** The message options of Send, Send in Bulk and Send and Wait that shape what is sent. */
interface Preparation {
	defaultCountry: string;
	smartEncoding: boolean;
	maxSegments: number;
	/** Empty when the option is not set. */
	campaignId: string;
}

function readPreparation(
	context: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Preparation {
	const defaultCountry = String(options.defaultCountry ?? '').trim();
	if (defaultCountry && !isKnownCountry(defaultCountry)) {
		throw invalid(
			context,
			itemIndex,
			'Default Country',
			`must be an ISO 3166-1 alpha-2 country code like GB, US or DE (got "${shortEcho(defaultCountry)}")`,
		);
	}
	const maxSegments = Math.floor(Number(options.maxSegments ?? 0));
	return {
		defaultCountry,
		smartEncoding: options.smartEncoding === true,
		maxSegments: Number.isFinite(maxSegments) && maxSegments > 0 ? maxSegments : 0,
		campaignId: readCampaignId(context, itemIndex, options.campaignId),
	};
}

// The last reading, kept: the message options are mostly the same for every item (a pure
// function of their values; a refusal is never kept, it names its item).
let lastPreparation: { options: IDataObject; preparation: Preparation } | undefined;
function preparationOf(
	context: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): Preparation {
	const last = lastPreparation;
	// The same object for every item when Options hold no expression: no field compared.
	if (
		last &&
		(last.options === options ||
			MESSAGE_OPTIONS.every((name) => last.options[name] === options[name]))
	)
		return last.preparation;
	const preparation = readPreparation(context, itemIndex, options);
	lastPreparation = { options, preparation };
	return preparation;
}

/** Campaign ID: text (or an expression's number), trimmed; anything else names the item. */
function readCampaignId(context: IExecuteFunctions, itemIndex: number, value: unknown): string {
	if (value === undefined || value === null) return '';
	if (typeof value !== 'string' && typeof value !== 'number')
		throw invalid(
			context,
			itemIndex,
			'Campaign ID',
			`must be text such as newsletter-2026-12 (got ${Array.isArray(value) ? 'an array' : `a ${typeof value}`})`,
		);
	return String(value).trim();
}

/** "“ ” –": the characters that forced UCS-2, quoted so spaces and invisible ones show. */
function listCharacters(characters: string[]): string {
	return characters
		.map((char) =>
			/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char)
				? char
				: `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
		)
		.join(' ');
}

function tooManySegments(estimate: SegmentEstimate, preparation: Preparation): string {
	const size =
		estimate.encoding === 'GSM-7' ? `${estimate.units} septets` : `${estimate.units} UTF-16 units`;
	// Point to Smart Encoding only when it is off and would replace one of the culprits.
	const tip =
		!preparation.smartEncoding && estimate.nonGsmCharacters.some(hasLookAlike)
			? ' (Smart Encoding replaces look-alikes such as curly quotes and dashes)'
			: '';
	const why = estimate.nonGsmCharacters.length
		? `; UCS-2 because of ${listCharacters(estimate.nonGsmCharacters)}${tip}`
		: '';
	return `needs ${estimate.segments} parts as ${estimate.encoding} (${size}), more than Max Segments ${preparation.maxSegments}${why}`;
}

const METADATA_SHAPE =
	'must be a JSON object, e.g. {"orderId": "A-17"} or {{ { orderId: $json.id } }}';

/** "an array", "a number", …: what the Metadata field held instead of an object. */
function kindOf(value: unknown): string {
	if (value === null) return 'null';
	return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** Read only: one object for every message without metadata, not a new one per message. */
const NO_METADATA: { metadata?: IDataObject; metadataJson?: string } = Object.freeze({});

/**
 * Metadata is a JSON field: typed JSON and expressions that return JSON text arrive as strings
 * (saved workflows often write {{ JSON.stringify(…) }}), expressions returning an object as
 * the object. Both give the same object, so the same automatic idempotency key. The key is
 * made from its canonical JSON (sending/canonicalJson.ts): read from the text itself, where
 * every number is exact, or from the object, where an integer beyond 2^53 − 1 is refused.
 */
function readMetadata(
	context: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
): { metadata?: IDataObject; metadataJson?: string } {
	if (value === undefined || value === null || value === '') return NO_METADATA;
	let parsed: unknown = value;
	if (typeof value === 'string') {
		try {
			parsed = jsonParse(value);
		} catch {
			throw invalid(
				context,
				itemIndex,
				'Metadata',
				`${METADATA_SHAPE} (got text that is not valid JSON)`,
			);
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw invalid(context, itemIndex, 'Metadata', `${METADATA_SHAPE} (got ${kindOf(parsed)})`);
	}
	return {
		metadata: parsed as IDataObject,
		metadataJson: metadataKeyText(context, itemIndex, value),
	};
}

const LOST_DIGITS_REMEDY =
	'Send such numbers as text, e.g. {"orderId": "9007199254740993"}, taken from where they are still exact (a number n8n read from JSON has already lost them)';

/** The metadata's canonical JSON; a value whose digits may already be lost names where it is. */
function metadataKeyText(context: IExecuteFunctions, itemIndex: number, value: unknown): string {
	try {
		return typeof value === 'string' ? canonicalJsonText(value) : canonicalJsonValue(value);
	} catch (error) {
		const known = error instanceof CanonicalJsonError ? error : undefined;
		const where = known?.path ? ` at ${shortEcho(known.path)}` : '';
		const problem =
			known?.problem === 'lostPrecision'
				? `holds the number ${known.literal}${where}, beyond 9007199254740991 (2^53 - 1): it reached this node as a number, whose last digits may already be lost, and two different values could then be taken for one message. ${LOST_DIGITS_REMEDY}`
				: `cannot be read exactly${where}: ${error instanceof Error ? error.message : String(error)}`;
		throw invalid(context, itemIndex, 'Metadata', problem);
	}
}

/**
 * Reads and checks one item's message before anything is sent, so a bad row becomes an error
 * naming the item and the field instead of a 400 that sinks a whole bulk chunk.
 */
export interface MessageParameters {
	to: ParameterReader;
	body: ParameterReader;
	additionalFields: ParameterReader;
	/** The Options collection: Default Country, Smart Encoding and Max Segments are read from it. */
	options: ParameterReader;
}

/** The Idempotency Key the user gave, trimmed ('' for none). */
function givenKeyOf(value: unknown): string {
	return typeof value === 'string' ? value.trim() : String(value ?? '').trim();
}

/** Body as written, after Smart Encoding, and its segments; refused when too long. */
function readBody(
	context: IExecuteFunctions,
	itemIndex: number,
	rawBody: unknown,
	preparation: Preparation,
	to: string,
): {
	written: string;
	smart: ReturnType<typeof applySmartEncoding> | undefined;
	body: string;
	estimate: SegmentEstimate;
} {
	const written =
		typeof rawBody === 'string'
			? rawBody
			: rawBody === undefined || rawBody === null
				? ''
				: String(rawBody);
	if (written.trim() === '') throw invalid(context, itemIndex, 'Body', 'is empty');
	const smart = preparation.smartEncoding ? applySmartEncoding(written) : undefined;
	const body = smart ? smart.body : written;
	if (body.length > MAX_BODY_LENGTH) {
		throw invalid(
			context,
			itemIndex,
			'Body',
			`is ${body.length} characters long; smsroute takes at most ${MAX_BODY_LENGTH}`,
		);
	}
	const estimate = estimateSegments(body);
	if (preparation.maxSegments && estimate.segments > preparation.maxSegments) {
		throw invalid(context, itemIndex, 'Body', tooManySegments(estimate, preparation), {
			to,
			encoding: estimate.encoding,
			segments: estimate.segments,
			nonGsmCharacters: estimate.nonGsmCharacters,
		});
	}
	return { written, smart, body, estimate };
}

export function readOutgoingMessage(
	context: IExecuteFunctions,
	itemIndex: number,
	automaticKey: (itemIndex: number, message: KeyedMessage, campaignId?: string) => string,
	parameters: MessageParameters,
): OutgoingMessage {
	const preparation = preparationOf(
		context,
		itemIndex,
		(parameters.options(itemIndex) ?? {}) as IDataObject,
	);
	const rawTo = parameters.to(itemIndex);
	const toInput = rawTo === undefined || rawTo === null ? '' : String(rawTo);
	const phone = readPhoneNumber(rawTo, preparation.defaultCountry);
	if (phone.e164 === null)
		throw invalid(context, itemIndex, 'To', `${phone.reason} (got "${shortEcho(toInput)}")`);
	const to = phone.e164;

	const { written, smart, body, estimate } = readBody(
		context,
		itemIndex,
		parameters.body(itemIndex),
		preparation,
		to,
	);

	const extra = (parameters.additionalFields(itemIndex) ?? {}) as IDataObject;
	const from = typeof extra.from === 'string' && extra.from.trim() ? extra.from.trim() : undefined;
	const meta = readMetadata(context, itemIndex, extra.metadata);
	const givenKey = givenKeyOf(extra.idempotencyKey);

	const { campaignId, defaultCountry } = preparation;
	const message: OutgoingMessage = {
		itemIndex,
		to,
		body,
		from,
		metadata: meta.metadata,
		idempotencyKey:
			givenKey ||
			automaticKey(
				itemIndex,
				{ to, body, from, metadata: meta.metadata, metadataJson: meta.metadataJson },
				campaignId || undefined,
			),
		keySource: givenKey ? 'given' : campaignId ? 'campaign' : 'execution',
		estimate,
	};
	// Assigned, not spread from conditional literals: each spread made and copied an object, per
	// message (100,000 a run).
	if (campaignId) message.campaignId = campaignId;
	if (phone.changed) message.toInput = toInput;
	if (phone.country) message.country = phone.country;
	if (phone.type) message.numberType = phone.type;
	if (defaultCountry) message.defaultCountry = defaultCountry.toUpperCase();
	if (smart) {
		message.replacedCharacters = smart.replacedCharacters;
		message.segmentsWithoutSmartEncoding = smart.replacedCharacters
			? estimateSegments(written).segments
			: estimate.segments;
	}
	return message;
}
