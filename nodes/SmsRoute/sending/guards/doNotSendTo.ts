/**
 * Do Not Send To: the list read as every number each entry could stand for, and the guard that
 * holds a listed number as "skipped" (an opt-out is expected, not an error).
 */
import { everyReading, shortEcho, type OptOutReadings } from '../numbers/phoneNumber';
import { SEND, type MessageCheck } from './messageChecks';

/**
 * Do Not Send To: a listed number is held as skipped, not refused (an opt-out is expected).
 * `listedIn` gives the national entries as read with another Default Country, for a message
 * whose Default Country (an expression per item) differs from the one `listed` was read with.
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
// Brackets with nothing but text inside, on one line: a note when it holds a letter ("(mobile)",
// "(John, work)"); "(0)" and "(201)" have none and stay. One star between fixed ends: linear on
// any text (a letter class between two stars was quadratic on an unclosed "(").
const BRACKETED = /[([][^()[\]\n\r]*[)\]]/g;
const LETTER = /\p{L}/u;
// A label before the number ("Mobile: "), and a note after it ("mobile", "- John", "ext. 45").
const LEADING_LABEL = /^[^\d+(]*/;
const TRAILING_NOTE = /\p{L}[\s\S]*$/u;
const PLAIN_NUMBER = /^\+?\d{1,20}$/;
const SIMPLE_NUMBER = /^ *\+?[\d \-.()/]{1,100}$/;
/** Longest entry SIMPLE_NUMBER is tried on (its two space-matching parts overlap). */
const MAX_SIMPLE = 120;
/** Most space-separated groups one entry is searched for several numbers in. */
const MAX_GROUPS = 12;
/** Most digits a number can be written with: 15, an international prefix and a trunk prefix. */
const MAX_DIGITS = 22;

export interface OptOutList {
	/** Every E.164 a listed entry could stand for. */
	listed: Set<string>;
	/** The entries (or the parts of them) that read as no number, as given (shortened). */
	unreadable: string[];
	/** What `listed` holds from entries every Default Country reads alike (one number with "+"). */
	everywhere: Set<string>;
	/** The other entries: to be read again for another Default Country. */
	national: string[];
}

/** Where the bracketed notes of text are: [start, end) of each, in order. */
function noteSpans(text: string): Array<[number, number]> {
	const spans: Array<[number, number]> = [];
	if (!text.includes('(') && !text.includes('[')) return spans;
	for (const match of text.matchAll(BRACKETED))
		if (LETTER.test(match[0])) spans.push([match.index, match.index + match[0].length]);
	return spans;
}

/** Text split at commas, semicolons and line breaks, but not inside a note ("(mobile, John)"). */
function splitOutsideNotes(text: string): string[] {
	const spans = noteSpans(text);
	if (spans.length === 0) return text.split(LIST_SEPARATORS);
	const parts: string[] = [];
	let start = 0;
	let span = 0;
	for (const separator of text.matchAll(new RegExp(LIST_SEPARATORS.source, 'g'))) {
		while (span < spans.length && spans[span][1] <= separator.index) span++;
		if (span < spans.length && spans[span][0] < separator.index) continue;
		parts.push(text.slice(start, separator.index));
		start = separator.index + separator[0].length;
	}
	parts.push(text.slice(start));
	return parts;
}

/** Text with its bracketed notes taken out, and the notes that hold digits (they are searched too). */
function takeNotes(text: string): { text: string; notes: string[] } {
	const spans = noteSpans(text);
	if (spans.length === 0) return { text, notes: [] };
	let kept = '';
	let end = 0;
	const notes: string[] = [];
	for (const [start, stop] of spans) {
		kept += `${text.slice(end, start)} `;
		const note = text.slice(start + 1, stop - 1);
		if (/\d/.test(note)) notes.push(note);
		end = stop;
	}
	return { text: kept + text.slice(end), notes };
}

/** The entries of a Do Not Send To list as given: an expression's array, or text split into lines. */
export function doNotSendToEntries(value: unknown): unknown[] {
	return Array.isArray(value)
		? value.flat(2)
		: typeof value === 'string'
			? splitOutsideNotes(value)
			: value === undefined || value === null
				? []
				: [value];
}

/** The pieces of an entry (notes taken out): a comma, semicolon or line break, or a "+" after digits, starts one. */
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
		.replace(LEADING_LABEL, '')
		.replace(TRAILING_NOTE, '');
}

/** Fewer digits than any number has (the shortest national numbers have 4). */
const MIN_DIGITS = 3;
function mayBeNumber(text: string): boolean {
	let digits = 0;
	for (let i = 0; i < text.length && digits < MIN_DIGITS; i++) {
		const code = text.charCodeAt(i);
		if (code >= 48 && code <= 57) digits++;
	}
	return digits >= MIN_DIGITS;
}

/**
 * The numbers in one piece: each tab-separated column that is a number (a pasted row; the
 * columns with digits that are none are left over); else the whole piece as one number ("+44 7911 123408", "+44\t7911\t123408");
 * else several numbers separated by spaces ("07400 123456 07400 123457"). `left`: what belongs to
 * no number.
 */
function numbersIn(
	piece: string,
	country: string,
	budget: SearchBudget,
	known?: OptOutReadings,
): { readings: string[]; left: string[]; everywhere?: boolean } {
	// A piece or column with too few digits is no number: not read (a run of "1," or "1\t" is
	// otherwise a reading per character).
	if (!mayBeNumber(piece)) return { readings: [], left: [piece] };
	const text = withoutNotes(piece);
	const whole = (): OptOutReadings =>
		known && text === piece ? known : everyReading(text, country);
	const columns = piece.split('\t').filter((column) => /\d/.test(column));
	if (columns.length > 1) {
		const read = columns.map((column) =>
			mayBeNumber(column) ? everyReading(withoutNotes(column), country).all : [],
		);
		if (read.every((readings) => readings.length > 0)) return { readings: read.flat(), left: [] };
		if (read.some((readings) => readings.length > 0)) {
			// A customer number next to the phone number, or one number with tabs for spaces
			// ("+43⇥664⇥123456", where 664 alone is a number too): both readings are listed.
			const all = whole().all;
			return {
				readings: [...read.flat(), ...all],
				left: all.length > 0 ? [] : columns.filter((_, i) => read[i].length === 0),
			};
		}
	}
	const one = whole();
	// A piece To would send as one number is one; otherwise two numbers may read as one foreign
	// number without + ("3 81234 3 81234" in Norfolk Island as +381 …): both are listed.
	// One number with "+" reads the same under every Default Country (and without one).
	if (one.asTo) return { readings: one.all, left: [], everywhere: text.trim().startsWith('+') };
	const several = severalNumbers(text.trim().split(/\s+/), country, budget);
	if (one.all.length > 0) return { readings: [...one.all, ...several], left: [] };
	return several.length > 0 ? { readings: several, left: [] } : { readings: [], left: [piece] };
}

/**
 * What the search for several numbers in one entry may still cost over the whole list, in number
 * readings: a column of something else (IBANs, dates) must not hold the run for seconds.
 */
interface SearchBudget {
	readings: number;
}
const SEARCH_BUDGET = 10_000;

/**
 * Space-separated groups as several numbers, each one To would send on its own: every group a
 * number ("07400123456 07400123457"), or the groups cut in two ("07400 123456 07400 123457";
 * every cut that works is listed). Nothing else: looser cuts find numbers in any long run of
 * digits (Germany's plan reads most of an IBAN's groups as numbers).
 */
function severalNumbers(groups: string[], country: string, budget: SearchBudget): string[] {
	if (groups.length < 2 || groups.length > MAX_GROUPS) return [];
	const asTo = (text: string): OptOutReadings | undefined => {
		if (budget.readings <= 0 || text.replace(/\D/g, '').length > MAX_DIGITS) return undefined;
		budget.readings--;
		const read = everyReading(text, country);
		return read.asTo ? read : undefined;
	};
	const each: string[] = [];
	for (let i = 0; i < groups.length; i++) {
		const read = asTo(groups[i]);
		if (!read) break;
		each.push(...read.all);
		if (i === groups.length - 1) return each;
	}
	const found: string[] = [];
	for (let cut = 1; cut < groups.length; cut++) {
		const first = asTo(groups.slice(0, cut).join(' '));
		const second = first && asTo(groups.slice(cut).join(' '));
		if (first && second) found.push(...first.all, ...second.all);
	}
	return found;
}

/** The listed numbers and the unreadable entries of a list, as readOneEntry adds them. */
interface ListBeingRead extends OptOutList {
	budget: SearchBudget;
}

/** Adds what one entry reads as; returns whether every Default Country reads it alike. */
function readOneEntry(given: string, country: string, list: ListBeingRead): boolean {
	const add = (readings: string[], everywhere: boolean) => {
		for (const e164 of readings) {
			list.listed.add(e164);
			if (everywhere) list.everywhere.add(e164);
		}
	};
	if (PLAIN_NUMBER.test(given)) {
		// Most lists: E.164 or digits only, nothing to split or strip (100,000 per run).
		const readings = everyReading(given, country).all;
		if (readings.length === 0) list.unreadable.push(shortEcho(given));
		add(readings, given.startsWith('+'));
		return given.startsWith('+');
	}
	// "(201) 555-0123": one number as To reads it, or else the full search below (which then
	// need not read it again).
	const simple =
		given.length <= MAX_SIMPLE && SIMPLE_NUMBER.test(given)
			? everyReading(given, country)
			: undefined;
	if (simple?.asTo) {
		const everywhere = given.trim().startsWith('+');
		add(simple.all, everywhere);
		return everywhere;
	}
	const { text, notes } = takeNotes(given);
	let everywhere = notes.length === 0;
	for (const piece of piecesOf(text)) {
		if (piece.replace(INVISIBLE, '').trim() === '') continue;
		const known = piece === given ? simple : undefined;
		const read = numbersIn(piece, country, list.budget, known);
		add(read.readings, read.everywhere === true);
		everywhere &&= read.everywhere === true;
		for (const left of read.left) list.unreadable.push(shortEcho(left.trim()));
	}
	// A number in a note ("(or 07400 123457)") is listed too; the rest of a note is no entry.
	for (const piece of notes.flatMap(piecesOf))
		add(numbersIn(piece, country, list.budget).readings, false);
	return everywhere;
}

/**
 * A Do Not Send To list, read with the same Default Country as the messages and by the same
 * reader as To (everyReading): each entry as every E.164 it could stand for, so an opt-out is
 * never missed. What reads as no number is returned, not dropped, to be reported. `national`
 * keeps the entries another Default Country may read otherwise, for readNationalOptOuts.
 */
export function readOptOuts(value: unknown, defaultCountry: string): OptOutList {
	const list: ListBeingRead = {
		listed: new Set<string>(),
		unreadable: [],
		everywhere: new Set<string>(),
		national: [],
		budget: { readings: SEARCH_BUDGET },
	};
	for (const entry of doNotSendToEntries(value)) {
		if (entry === null || entry === undefined) continue;
		if (typeof entry === 'object') {
			list.unreadable.push(shortEcho(JSON.stringify(entry) ?? 'an object'));
			continue;
		}
		const text = String(entry);
		if (!readOneEntry(text, defaultCountry, list)) list.national.push(text);
	}
	const { budget: _budget, ...read } = list;
	return read;
}

/**
 * The list as read with another Default Country: what every country reads alike, read once per
 * run (`everywhere`), and the national entries read again with this one.
 */
export function readNationalOptOuts(list: OptOutList, defaultCountry: string): Set<string> {
	return readOptOuts(list.national, defaultCountry).listed;
}

/** The numbers of a Do Not Send To list (readOptOuts without the unreadable entries). */
export function readDoNotSendTo(value: unknown, defaultCountry: string): Set<string> {
	return readOptOuts(value, defaultCountry).listed;
}
