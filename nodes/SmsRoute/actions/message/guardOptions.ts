import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { COUNTRY_PLANS } from '../../sending/numbers/countryTable';
import {
	NUMBER_TYPE_LABELS,
	allowedCountriesCheck,
	blockNumberTypesCheck,
	countryLabel,
	readCodeList,
	type MessageCheck,
} from '../../sending/guards/messageChecks';
import { doNotSendToCheck, readDoNotSendTo, readOptOuts } from '../../sending/guards/doNotSendTo';
import { isKnownCountry, shortEcho, type PhoneNumberType } from '../../sending/numbers/phoneNumber';

/** Node version 1.1 blocks these unless the option says otherwise; version 1 blocks nothing. */
export const BLOCKED_BY_DEFAULT: PhoneNumberType[] = ['premiumRate', 'sharedCost'];
export const GUARD_DEFAULTS_VERSION = 1.1;

const countryOptions = Object.keys(COUNTRY_PLANS)
	.map((code) => ({ name: countryLabel(code), value: code }))
	.sort((a, b) => a.name.localeCompare(b.name));

const numberTypeOptions = (Object.keys(NUMBER_TYPE_LABELS) as PhoneNumberType[])
	.map((type) => ({
		name: NUMBER_TYPE_LABELS[type].replace(/^./, (c) => c.toUpperCase()),
		value: type,
	}))
	.sort((a, b) => a.name.localeCompare(b.name));

/** Send, Send in Bulk and Send and Wait: where a message may go and how many may. */
export const guardOptions: INodeProperties[] = [
	{
		displayName: 'Allowed Countries',
		name: 'allowedCountries',
		type: 'multiOptions',
		options: countryOptions,
		default: [],
		description:
			'Countries messages may go to; a number anywhere else is an error item naming it and its country, and nothing is sent for it. Empty: every country.',
		hint: "Regions as libphonenumber draws them: US does not include Puerto Rico, Guam or the US Virgin Islands (PR, GU, VI, all +1); GB does not include Guernsey, Jersey or the Isle of Man (GG, JE, IM), so +44 7911 123456 (Guernsey) is refused under GB. Dry Run shows each number's region.",
	},
	{
		displayName: 'Block Number Types',
		name: 'blockNumberTypes',
		type: 'multiOptions',
		options: numberTypeOptions,
		// BLOCKED_BY_DEFAULT, written out for the editor's linter.
		default: ['premiumRate', 'sharedCost'],
		description:
			'Number types never sent to (by libphonenumber metadata); such a number is an error item naming its type. Nodes added since version 0.3.0 block premium rate and shared cost unless this option says otherwise.',
	},
	{
		displayName: 'Do Not Send To',
		name: 'doNotSendTo',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: "={{ $('Opt-outs').all().map(i => i.json.phone) }}",
		description:
			'Numbers never sent to (opt-outs): a list from an expression, or text with one number per line or comma-separated, read with the same Default Country. A listed recipient comes out with status "skipped" and skipReason "doNotSendTo".',
	},
	{
		displayName: 'Max Messages per Execution',
		name: 'maxMessagesPerExecution',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Most messages this node may send in one execution, all its runs counted (a loop runs it several times). A run that would go over is refused before anything is sent. 0 = no limit.',
		hint: 'Each Execute Workflow call is an execution of its own, with its own count: a sub-workflow called 10 times may send 10 times the cap. For one cap over all of them, send from the calling workflow (docs/guardrails.md).',
	},
];

/**
 * The Guardrails collection of a sending operation: the guards, and `extras` (the Sending
 * Window on Send and Send in Bulk). Newer than Options (CHANGELOG), so no saved workflow has them there.
 */
export function guardrailsCollection(extras: INodeProperties[] = []): INodeProperties {
	return {
		displayName: 'Guardrails',
		name: 'guardrails',
		type: 'collection',
		placeholder: 'Add Guardrail',
		default: {},
		description:
			'Checks that keep an SMS from going where you did not mean it to go: countries, number types, opt-outs, a cap per execution and the hours it may be sent. Checked on every item before anything is sent.',
		options: [...guardOptions, ...extras].sort((a, b) =>
			a.displayName.localeCompare(b.displayName),
		),
	};
}

export interface GuardSettings {
	checks: MessageCheck[];
	maxMessages: number;
	/** Do Not Send To entries that read as no number (shortened), to be reported. */
	unreadableOptOuts: string[];
}

function guardError(
	context: IExecuteFunctions,
	field: string,
	problem: string,
): NodeOperationError {
	return new NodeOperationError(context.getNode(), `'${field}' ${problem}`, {
		description: 'Fix the option and run again. Nothing was sent.',
	});
}

/**
 * A notice on the node's output (an execution hint): entries of Do Not Send To that read as no
 * number match no one, which the user must hear about without the run stopping for it.
 */
function reportUnreadable(context: IExecuteFunctions, unreadable: string[]): void {
	// Hand-made contexts in tests and other hosts may lack it; the run must not fail for a notice.
	if (typeof context.addExecutionHints !== 'function') return;
	const shown = unreadable
		.slice(0, 3)
		.map((entry) => `"${entry}"`)
		.join(', ');
	const more = unreadable.length > 3 ? ', …' : '';
	context.addExecutionHints({
		message: `Do Not Send To: ${unreadable.length} ${unreadable.length === 1 ? 'entry reads' : 'entries read'} as no phone number and match no one (${shown}${more}). Dry Run lists them.`,
		type: 'warning',
		location: 'outputPane',
	});
}

/**
 * The guards of this run, read once from the first item's Guardrails (a list of opt-outs is the
 * same for every item), `defaultCountry` from its Options. Version 1 nodes get every guard off
 * unless set; 1.1 blocks premium rate and shared cost numbers by default.
 */
export function readGuardSettings(
	context: IExecuteFunctions,
	options: IDataObject,
	defaultCountryOption: unknown,
): GuardSettings {
	// An expression that gives nothing ({{ $json.allowed }} on an item without it) is an error,
	// never "guard off": an explicit [] or 0 still means off.
	const saved = context.getNodeParameter(
		'guardrails',
		0,
		{},
		{
			rawExpressions: true,
		},
	) as IDataObject;
	for (const [name, field] of [
		['allowedCountries', 'Allowed Countries'],
		['blockNumberTypes', 'Block Number Types'],
		['maxMessagesPerExecution', 'Max Messages per Execution'],
	]) {
		const value = options[name];
		const isExpression = typeof saved[name] === 'string' && String(saved[name]).startsWith('=');
		if (isExpression && (value === undefined || value === null || value === ''))
			throw guardError(context, field, `is an expression that gave nothing (${String(value)})`);
	}
	// Do Not Send To as well; there "" is a list with no number on it (a join of no opt-outs).
	if (
		typeof saved.doNotSendTo === 'string' &&
		saved.doNotSendTo.startsWith('=') &&
		(options.doNotSendTo === undefined || options.doNotSendTo === null)
	)
		throw guardError(
			context,
			'Do Not Send To',
			`is an expression that gave nothing (${String(options.doNotSendTo)}): an opt-out list is never turned off by a missing field; give [] for none`,
		);
	const countries = readCodeList(options.allowedCountries).map((code) => code.toUpperCase());
	const unknownCountry = countries.find((code) => !isKnownCountry(code));
	if (unknownCountry !== undefined)
		throw guardError(
			context,
			'Allowed Countries',
			`has "${unknownCountry.slice(0, 10)}", not an ISO 3166-1 alpha-2 code like GB`,
		);

	const blockedByDefault =
		context.getNode().typeVersion >= GUARD_DEFAULTS_VERSION ? BLOCKED_BY_DEFAULT : [];
	const types =
		options.blockNumberTypes === undefined
			? blockedByDefault
			: readCodeList(options.blockNumberTypes);
	const unknownType = types.find((type) => !(type in NUMBER_TYPE_LABELS));
	if (unknownType !== undefined)
		throw guardError(
			context,
			'Block Number Types',
			`has "${unknownType.slice(0, 20)}", not one of ${Object.keys(NUMBER_TYPE_LABELS).join(', ')}`,
		);

	const defaultCountry = String(defaultCountryOption ?? '')
		.trim()
		.toUpperCase();
	const { listed, unreadable } = readOptOuts(
		options.doNotSendTo,
		isKnownCountry(defaultCountry) ? defaultCountry : '',
	);
	if (listed.size === 0 && unreadable.length > 0) {
		// A list that reads as no number at all (the rows instead of their phone field, the
		// wrong column) would silently send to everyone on it.
		throw guardError(
			context,
			'Do Not Send To',
			`has ${unreadable.length} ${unreadable.length === 1 ? 'entry' : 'entries'} and none is a phone number (the first is "${unreadable[0]}"): give the numbers, e.g. {{ $('Opt-outs').all().map(i => i.json.phone) }}`,
		);
	}
	if (unreadable.length > 0) reportUnreadable(context, unreadable);
	// A Default Country per item ({{ $json.country }}): national entries are read again, once
	// per other country, so an opt-out typed in the recipient's own country still matches.
	const listedByCountry = new Map<string, ReadonlySet<string>>([[defaultCountry, listed]]);
	const listedIn = (country: string): ReadonlySet<string> => {
		let read = listedByCountry.get(country);
		if (!read) listedByCountry.set(country, (read = readDoNotSendTo(options.doNotSendTo, country)));
		return read;
	};
	const max = Math.floor(Number(options.maxMessagesPerExecution ?? 0));
	if (!Number.isFinite(max) || max < 0)
		throw guardError(
			context,
			'Max Messages per Execution',
			`${typeof saved.maxMessagesPerExecution === 'string' ? 'is an expression that gave' : 'is'} "${shortEcho(String(options.maxMessagesPerExecution))}", not a number of 0 or more`,
		);

	return {
		checks: [
			allowedCountriesCheck(new Set(countries)),
			blockNumberTypesCheck(new Set(types as PhoneNumberType[])),
			doNotSendToCheck(listed, listedIn),
		].filter((check): check is MessageCheck => check !== undefined),
		maxMessages: max,
		unreadableOptOuts: unreadable,
	};
}

/** The idempotency keys of the messages this execution counted (the node context, see overCap). */
const COUNTED_KEYS = 'countedMessageKeys';

function countedKeys(context: IExecuteFunctions): Set<string> {
	const kept = context.getContext('node')[COUNTED_KEYS];
	return new Set(Array.isArray(kept) ? kept.map(String) : []);
}

/**
 * Max Messages per Execution. n8n keeps a node's 'node' context for the whole execution (it is
 * how Loop Over Items remembers its place) and n8n's Retry carries it into the retry, so every
 * run of this node in one execution, and in the retries of a failed one, counts against the same
 * cap; another execution starts from 0. Messages are counted by their idempotency keys: one whose
 * key was counted already (replayed by smsroute in a Retry or Retry On Fail, nothing charged) is
 * not counted again. Returns why the run is refused, if it is.
 */
export function overCap(
	context: IExecuteFunctions,
	max: number,
	keys: readonly string[],
): string | undefined {
	if (!max) return undefined;
	const counted = countedKeys(context);
	const toSend = new Set(keys.filter((key) => !counted.has(key))).size;
	const sent = counted.size;
	if (sent + toSend <= max) return undefined;
	const earlier = sent ? ` after ${sent} sent by earlier runs of this node in this execution` : '';
	return `${toSend} messages to send${earlier}: more than Max Messages per Execution (${max})`;
}

/** Counts messages as sent before the first request goes out (a failed one may still cost). */
export function countSent(context: IExecuteFunctions, keys: readonly string[]): void {
	const counted = countedKeys(context);
	for (const key of keys) counted.add(key);
	context.getContext('node')[COUNTED_KEYS] = [...counted];
}
