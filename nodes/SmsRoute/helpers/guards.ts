/**
 * Guardrails: checks a message must pass before it may be sent. Each check looks at one message
 * and returns a verdict: send (passes), refuse (an error item naming the item, the number and
 * why) or hold (not sent and not an error: an output item saying why, such as an opt-out).
 * prepareMessages asks every check in order; the first verdict other than send decides.
 *
 * Adding a guard is one more entry in the list messageChecks returns (Quiet Hours, for one, holds
 * a message as "deferred" the same way Do Not Send To holds it as "skipped").
 */
import type { IDataObject } from 'n8n-workflow';

import type { OutgoingMessage } from './outgoingMessage';
import { NON_GEOGRAPHIC, everyReading, shortEcho, type PhoneNumberType } from './phoneNumber';

export type Verdict =
	| { action: 'send' }
	| { action: 'refuse'; guard: string; problem: string }
	/** Not sent, not an error: `fields` go on the item's output (status, skipReason, …). */
	| { action: 'hold'; guard: string; fields: IDataObject };

export interface MessageCheck {
	/** The option's parameter name, as Dry Run reports it. */
	guard: string;
	check: (message: OutgoingMessage) => Verdict;
}

export const SEND: Verdict = { action: 'send' };

/** The first verdict other than send, or send when every check passes. */
export function verdictFor(message: OutgoingMessage, checks: readonly MessageCheck[]): Verdict {
	for (const { check } of checks) {
		const verdict = check(message);
		if (verdict.action !== 'send') return verdict;
	}
	return SEND;
}

/** Dry Run: what every check would do with this message, not just the first that objects. */
export function guardReport(
	message: OutgoingMessage,
	checks: readonly MessageCheck[],
): IDataObject {
	const report: IDataObject = {};
	for (const { guard, check } of checks) {
		const verdict = check(message);
		report[guard] =
			verdict.action === 'send'
				? 'pass'
				: verdict.action === 'refuse'
					? `refuse: ${verdict.problem}`
					: `${String(verdict.fields.status ?? 'hold')}: ${verdict.guard}`;
	}
	return report;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** "Egypt (EG)", or what a +800-style number is. */
export function countryLabel(country: string | undefined): string {
	if (!country) return 'an unknown country';
	if (country === NON_GEOGRAPHIC) return 'no country (a global number such as +800)';
	return `${regionNames.of(country) ?? country} (${country})`;
}

export const NUMBER_TYPE_LABELS: Readonly<Record<PhoneNumberType, string>> = {
	fixedLine: 'fixed line',
	fixedLineOrMobile: 'fixed line or mobile',
	mobile: 'mobile',
	pager: 'pager',
	personalNumber: 'personal number',
	premiumRate: 'premium rate',
	sharedCost: 'shared cost',
	tollFree: 'toll-free',
	uan: 'UAN (company number)',
	voicemail: 'voicemail access',
	voip: 'VoIP',
};

/** Allowed Countries: empty allows every country. */
export function allowedCountriesCheck(allowed: ReadonlySet<string>): MessageCheck | undefined {
	if (allowed.size === 0) return undefined;
	const list = [...allowed].sort().join(', ');
	return {
		guard: 'allowedCountries',
		check: (message) =>
			message.country && allowed.has(message.country)
				? SEND
				: {
						action: 'refuse',
						guard: 'allowedCountries',
						problem: `${message.to} is in ${countryLabel(message.country)}, not one of the Allowed Countries (${list})`,
					},
	};
}

/**
 * Block Number Types. "Fixed line or mobile" (plans that cannot tell them apart, such as the US)
 * is blocked only when both fixed line and mobile are: blocking landlines must not block phones.
 */
export function blockNumberTypesCheck(
	blocked: ReadonlySet<PhoneNumberType>,
): MessageCheck | undefined {
	if (blocked.size === 0) return undefined;
	const isBlocked = (type: PhoneNumberType | undefined): boolean =>
		type === 'fixedLineOrMobile'
			? blocked.has('fixedLineOrMobile') || (blocked.has('fixedLine') && blocked.has('mobile'))
			: type !== undefined && blocked.has(type);
	return {
		guard: 'blockNumberTypes',
		check: (message) =>
			isBlocked(message.numberType)
				? {
						action: 'refuse',
						guard: 'blockNumberTypes',
						problem: `${message.to} is a ${NUMBER_TYPE_LABELS[message.numberType!]} number in ${countryLabel(message.country)}, blocked by Block Number Types`,
					}
				: SEND,
	};
}

/**
 * Do Not Send To: a listed number is held as skipped, not refused (an opt-out is expected).
 * `listedIn` gives the list as read with another Default Country, for a message whose Default
 * Country (an expression per item) differs from the one `listed` was read with.
 */
export function doNotSendToCheck(
	listed: ReadonlySet<string>,
	listedIn?: (defaultCountry: string) => ReadonlySet<string>,
): MessageCheck | undefined {
	if (listed.size === 0) return undefined;
	return {
		guard: 'doNotSendTo',
		check: (message) =>
			listed.has(message.to) ||
			(listedIn !== undefined &&
				message.defaultCountry !== undefined &&
				listedIn(message.defaultCountry).has(message.to))
				? {
						action: 'hold',
						guard: 'doNotSendTo',
						fields: { status: 'skipped', skipReason: 'doNotSendTo' },
					}
				: SEND,
	};
}

const LIST_SEPARATORS = /[,;\n\r]+/;
// tel: URI parameters (RFC 3966), before ";" is taken for a separator.
const TEL_PARAMETERS = /;\s*(?:ext|isub|phone-context)=[^,;\s]*/gi;
const TEL_URI = /^\s*tel:/i;
// What exports wrap numbers in: quotes, a spreadsheet's apostrophe, bidi and zero-width marks.
const INVISIBLE = /['"\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
// A note in brackets: "(mobile)", "(John, work)"; "(0)" and "(201)" have no letters and stay.
const BRACKETED_NOTE = /[([][^()[\]]*\p{L}[^()[\]]*[)\]]/gu;
// A label before the number ("Mobile: "), and a note after it ("mobile", "- John", "ext. 45").
const LEADING_LABEL = /^[^\d+(]*/;
const TRAILING_NOTE = /\p{L}[\s\S]*$/u;
const PLAIN_NUMBER = /^\+?\d{1,20}$/;
const SIMPLE_NUMBER = /^ *\+?[\d \-.()/]{1,100}$/;
/** Most space-separated groups one entry is searched for several numbers in. */
const MAX_GROUPS = 12;
/** Most digits a number can be written with: 15, an international prefix and a trunk prefix. */
const MAX_DIGITS = 22;

export interface OptOutList {
	/** Every E.164 a listed entry could stand for. */
	listed: Set<string>;
	/** The entries (or the parts of them) that read as no number, as given (shortened). */
	unreadable: string[];
}

/** The entries of a Do Not Send To list as given: an expression's array, or text split into lines. */
export function doNotSendToEntries(value: unknown): unknown[] {
	return Array.isArray(value)
		? value.flat(2)
		: typeof value === 'string'
			? value.split(LIST_SEPARATORS)
			: value === undefined || value === null
				? []
				: [value];
}

/** The pieces of an entry: a comma, semicolon or line break, or a "+" after digits, starts one. */
function piecesOf(entry: string): string[] {
	const pieces: string[] = [];
	for (const part of entry.replace(TEL_PARAMETERS, '').split(LIST_SEPARATORS)) {
		for (const piece of part.split(/(?=\+)/)) {
			// "Tel: +44…": a "+" after no digits continues the same number.
			if (pieces.length > 0 && piece.startsWith('+') && !/\d/.test(pieces[pieces.length - 1]))
				pieces[pieces.length - 1] += piece;
			else pieces.push(piece);
		}
	}
	return pieces;
}

/** The number in text, without the tel: scheme, invisible marks, labels and notes. */
function withoutNotes(text: string): string {
	return text
		.replace(INVISIBLE, '')
		.replace(TEL_URI, '')
		.replace(BRACKETED_NOTE, ' ')
		.replace(LEADING_LABEL, '')
		.replace(TRAILING_NOTE, '');
}

/**
 * The numbers in one piece: each tab-separated column where every column with digits is a number
 * (a pasted row); else the whole piece as one number ("+44 7911 123408", "+44\t7911\t123408");
 * else several numbers separated by spaces ("07400 123456 07400 123457"). `left`: what belongs to
 * no number.
 */
function numbersIn(piece: string, country: string): { readings: string[]; left: string[] } {
	const columns = piece.split('\t').filter((column) => /\d/.test(column));
	if (columns.length > 1) {
		const read = columns.map((column) => everyReading(withoutNotes(column), country).all);
		if (read.every((readings) => readings.length > 0)) return { readings: read.flat(), left: [] };
	}
	const text = withoutNotes(piece);
	const whole = everyReading(text, country);
	// A piece To would send as one number is one; otherwise two numbers may read as one foreign
	// number without + ("3 81234 3 81234" in Norfolk Island as +381 …): both are listed.
	if (whole.asTo) return { readings: whole.all, left: [] };
	const groups = text.trim().split(/\s+/);
	const several =
		groups.length >= 2 && groups.length <= MAX_GROUPS ? severalNumbers(groups, country) : undefined;
	if (whole.all.length > 0)
		return {
			readings: [...whole.all, ...(several?.left.length === 0 ? several.readings : [])],
			left: [],
		};
	return several ?? { readings: [], left: [piece] };
}

/**
 * Space-separated groups as several numbers: every way to cut them into numbers that leaves no
 * digit over, each number listed ("0664 123456 0664 123456" in Austria is not "0664 123456
 * 0664", a valid number, and "123456"). Where no cut leaves nothing over, the longest numbers
 * from the left, and what is over is reported.
 */
function severalNumbers(
	groups: string[],
	country: string,
): { readings: string[]; left: string[] } | undefined {
	const n = groups.length;
	const read = new Map<string, string[]>();
	const readingsOf = (from: number, to: number): string[] => {
		const key = `${from} ${to}`;
		let found = read.get(key);
		if (!found) {
			const text = groups.slice(from, to).join(' ');
			found = text.replace(/\D/g, '').length > MAX_DIGITS ? [] : everyReading(text, country).all;
			read.set(key, found);
		}
		return found;
	};
	// complete[i]: groups i… can be cut into numbers with nothing over.
	const complete: boolean[] = [];
	complete[n] = true;
	for (let from = n - 1; from >= 0; from--) {
		complete[from] = false;
		for (let to = from + 1; to <= n && !complete[from]; to++)
			complete[from] = complete[to] && readingsOf(from, to).length > 0;
	}
	const readings = new Set<string>();
	const left: string[] = [];
	if (complete[0]) {
		const reached = new Set([0]);
		for (let from = 0; from < n; from++) {
			if (!reached.has(from)) continue;
			for (let to = from + 1; to <= n; to++) {
				if (!complete[to] || readingsOf(from, to).length === 0) continue;
				for (const e164 of readingsOf(from, to)) readings.add(e164);
				reached.add(to);
			}
		}
	} else {
		for (let from = 0; from < n;) {
			let to = n;
			while (to > from && readingsOf(from, to).length === 0) to--;
			if (to > from) readingsOf(from, to).forEach((e164) => readings.add(e164));
			else if (/\d/.test(groups[from])) left.push(groups[from]);
			from = Math.max(to, from + 1);
		}
	}
	return readings.size > 0 ? { readings: [...readings], left } : undefined;
}

/**
 * A Do Not Send To list, read with the same Default Country as the messages and by the same
 * reader as To (everyReading): each entry as every E.164 it could stand for, so an opt-out is
 * never missed. What reads as no number is returned, not dropped, to be reported.
 */
export function readOptOuts(value: unknown, defaultCountry: string): OptOutList {
	const listed = new Set<string>();
	const unreadable: string[] = [];
	for (const entry of doNotSendToEntries(value)) {
		if (entry === null || entry === undefined) continue;
		if (typeof entry === 'object') {
			unreadable.push(shortEcho(JSON.stringify(entry) ?? 'an object'));
			continue;
		}
		const text = String(entry);
		if (PLAIN_NUMBER.test(text)) {
			// Most lists: E.164 or digits only, nothing to split or strip (100,000 per run).
			const readings = everyReading(text, defaultCountry).all;
			if (readings.length === 0) unreadable.push(shortEcho(text));
			for (const e164 of readings) listed.add(e164);
			continue;
		}
		if (SIMPLE_NUMBER.test(text)) {
			// "(201) 555-0123": one number as To reads it, or else the full search below.
			const read = everyReading(text, defaultCountry);
			if (read.asTo) {
				for (const e164 of read.all) listed.add(e164);
				continue;
			}
		}
		for (const piece of piecesOf(text)) {
			if (piece.replace(INVISIBLE, '').trim() === '') continue;
			const { readings, left } = numbersIn(piece, defaultCountry);
			for (const e164 of readings) listed.add(e164);
			for (const text of left) unreadable.push(shortEcho(text.trim()));
		}
	}
	return { listed, unreadable };
}

/** The numbers of a Do Not Send To list (readOptOuts without the unreadable entries). */
export function readDoNotSendTo(value: unknown, defaultCountry: string): Set<string> {
	return readOptOuts(value, defaultCountry).listed;
}

/** Options of Allowed Countries and Block Number Types may come as a list or as text. */
export function readCodeList(value: unknown): string[] {
	const list = Array.isArray(value)
		? value
		: typeof value === 'string'
			? value.split(/[\s,;]+/)
			: [];
	return list.map((entry) => String(entry).trim()).filter((entry) => entry !== '');
}
