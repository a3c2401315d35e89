import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	NUMBER_TYPE_LABELS,
	allowedCountriesCheck,
	blockNumberTypesCheck,
	readCodeList,
	type MessageCheck,
} from './messageChecks';
import { doNotSendToCheck, readNationalOptOuts, readOptOuts } from './doNotSendTo';
import { isKnownCountry, shortEcho, type PhoneNumberType } from '../numbers/phoneNumber';

/** Node version 1.1 blocks these unless the option says otherwise; version 1 blocks nothing. */
export const BLOCKED_BY_DEFAULT: PhoneNumberType[] = ['premiumRate', 'sharedCost'];
export const GUARD_DEFAULTS_VERSION = 1.1;

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
 * An expression that gives nothing ({{ $json.allowed }} on an item without it) is an error,
 * never "guard off": an explicit [] or 0 still means off.
 */
function refuseEmptyExpressions(
	context: IExecuteFunctions,
	options: IDataObject,
	saved: IDataObject,
): void {
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
}

function readAllowedCountries(context: IExecuteFunctions, options: IDataObject): string[] {
	const countries = readCodeList(options.allowedCountries).map((code) => code.toUpperCase());
	const unknownCountry = countries.find((code) => !isKnownCountry(code));
	if (unknownCountry !== undefined)
		throw guardError(
			context,
			'Allowed Countries',
			`has "${unknownCountry.slice(0, 10)}", not an ISO 3166-1 alpha-2 code like GB`,
		);
	return countries;
}

function readBlockedTypes(context: IExecuteFunctions, options: IDataObject): string[] {
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
	return types;
}

/** Do Not Send To, read with the first item's Default Country, and again per other country. */
function readOptOutCheck(
	context: IExecuteFunctions,
	options: IDataObject,
	defaultCountryOption: unknown,
): { check: MessageCheck | undefined; unreadable: string[] } {
	const defaultCountry = String(defaultCountryOption ?? '')
		.trim()
		.toUpperCase();
	const list = readOptOuts(
		options.doNotSendTo,
		isKnownCountry(defaultCountry) ? defaultCountry : '',
	);
	const { listed, unreadable } = list;
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
	// A Default Country per item ({{ $json.country }}): the national entries alone are read
	// again, once per other country, so an opt-out typed in the recipient's own country still
	// matches. Entries with "+" read alike everywhere and are in `listed` already.
	const listedByCountry = new Map<string, ReadonlySet<string>>([[defaultCountry, listed]]);
	const listedIn = (country: string): ReadonlySet<string> => {
		let read = listedByCountry.get(country);
		if (!read) listedByCountry.set(country, (read = readNationalOptOuts(list, country)));
		return read;
	};
	return { check: doNotSendToCheck(listed, listedIn), unreadable };
}

function readMaxMessages(
	context: IExecuteFunctions,
	options: IDataObject,
	saved: IDataObject,
): number {
	const max = Math.floor(Number(options.maxMessagesPerExecution ?? 0));
	if (!Number.isFinite(max) || max < 0)
		throw guardError(
			context,
			'Max Messages per Execution',
			`${typeof saved.maxMessagesPerExecution === 'string' ? 'is an expression that gave' : 'is'} "${shortEcho(String(options.maxMessagesPerExecution))}", not a number of 0 or more`,
		);
	return max;
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
	const saved = context.getNodeParameter(
		'guardrails',
		0,
		{},
		{ rawExpressions: true },
	) as IDataObject;
	refuseEmptyExpressions(context, options, saved);
	const countries = readAllowedCountries(context, options);
	const types = readBlockedTypes(context, options);
	const optOuts = readOptOutCheck(context, options, defaultCountryOption);
	const maxMessages = readMaxMessages(context, options, saved);
	return {
		checks: [
			allowedCountriesCheck(new Set(countries)),
			blockNumberTypesCheck(new Set(types as PhoneNumberType[])),
			optOuts.check,
		].filter((check): check is MessageCheck => check !== undefined),
		maxMessages,
		unreadableOptOuts: optOuts.unreadable,
	};
}
