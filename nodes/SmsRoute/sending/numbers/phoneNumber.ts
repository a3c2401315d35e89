/**
 * Turns the phone numbers people keep in spreadsheets into E.164, using the numbering plans in
 * countryTable.ts. Without a default country only E.164 is accepted (as before);
 * with one, a number without "+", "00" or the country's international prefix is read in that
 * country only, and accepted only when exactly one reading is a valid number. Every number sent
 * must be valid by libphonenumber's full metadata (it matches one of its country's number types),
 * so a typo never becomes a message to someone else.
 */
import {
	COUNTRY_PLANS,
	NON_GEOGRAPHIC_PLANS,
	SHARED_CALLING_CODES,
	type NonGeographicPlan,
	type PatternedNumberType,
} from './countryTable';

/** libphonenumber's number types, plus its "fixed line or mobile" where a plan cannot tell them apart. */
export type PhoneNumberType = PatternedNumberType | 'fixedLineOrMobile';

/** The country code of numbers that belong to no country (+800 freephone, +882 networks). */
export const NON_GEOGRAPHIC = '001';

export interface NormalizedPhone {
	/** The E.164 number to send to, or null when the input is not a valid number. */
	e164: string | null;
	/** True when e164 differs from the input as given (so outputs can show both). */
	changed: boolean;
	/** How the number was read, or why it was refused. */
	reason: string;
	/** ISO 3166-1 alpha-2 country of e164 (NON_GEOGRAPHIC for +800 and the like). */
	country?: string;
	/** Its type by libphonenumber's metadata; absent where the metadata has no types. */
	type?: PhoneNumberType;
}

/** What a valid national number is: its country and type. */
interface Classified {
	country: string;
	type?: PhoneNumberType;
}

const E164 = /^\+[1-9]\d{6,14}$/;
/** Longest To read as a number: 15 digits with generous spacing, brackets and an extension. */
const MAX_INPUT_LENGTH = 100;
// Today's behaviour without a default country: spaces, dashes, dots and brackets are dropped.
const PHONE_PUNCTUATION = /[\s\-.()]/g;
// With a default country also the slash ("030/1234567") and typographic dashes from documents.
const NATIONAL_PUNCTUATION = /[\s\-.()/\u2010-\u2015\u2212]/g;

type Plan = NonGeographicPlan & { code: string; country: string; idd?: string };

// Compiled once per pattern. Keyed by the pattern text: the same object each time, so the lookup
// does not hash a fresh copy of a several-kilobyte pattern per number.
const patternCache = new Map<string, RegExp>();
const fullMatchCache = new Map<string, RegExp>();
function anchored(pattern: string): RegExp {
	let re = patternCache.get(pattern);
	if (!re) {
		re = new RegExp(`^(?:${pattern})`);
		patternCache.set(pattern, re);
	}
	return re;
}
function fullMatch(pattern: string): RegExp {
	let re = fullMatchCache.get(pattern);
	if (!re) {
		re = new RegExp(`^(?:${pattern})$`);
		fullMatchCache.set(pattern, re);
	}
	return re;
}

let plansByCode: Map<string, Plan[]> | undefined;
/** Every calling code's plans in the order libphonenumber tries them (main country first). */
function callingCodePlans(): Map<string, Plan[]> {
	if (!plansByCode) {
		plansByCode = new Map();
		for (const [country, plan] of Object.entries(COUNTRY_PLANS)) {
			plansByCode.set(plan.code, [...(plansByCode.get(plan.code) ?? []), { ...plan, country }]);
		}
		for (const [sharedCode, countries] of Object.entries(SHARED_CALLING_CODES)) {
			const plans = plansByCode.get(sharedCode) ?? [];
			plans.sort((a, b) => countries.indexOf(a.country) - countries.indexOf(b.country));
		}
		for (const [nonGeoCode, plan] of Object.entries(NON_GEOGRAPHIC_PLANS)) {
			plansByCode.set(nonGeoCode, [{ ...plan, code: nonGeoCode, country: NON_GEOGRAPHIC }]);
		}
	}
	return plansByCode;
}

/** The plans of a calling code in the order libphonenumber tries them (main country first). */
function plansForCallingCode(code: string): Plan[] {
	return callingCodePlans().get(code) ?? [];
}

/** The plan of an ISO country code, as plansForCallingCode holds it (made once, not per number). */
function countryPlan(country: string): Plan | undefined {
	const plan = COUNTRY_PLANS[country];
	return plan && plansForCallingCode(plan.code).find((candidate) => candidate.country === country);
}

export function isKnownCountry(country: string): boolean {
	return Object.prototype.hasOwnProperty.call(COUNTRY_PLANS, country.trim().toUpperCase());
}

/** One type of a plan, ready to test: its lengths and its pattern compiled. */
interface TypeTest {
	type: PatternedNumberType;
	lengths: readonly number[];
	pattern: RegExp;
}

/** A plan's number types compiled once, in the order numberType tries them. */
interface CompiledPlan {
	general: RegExp;
	untyped: boolean;
	fixedLine?: TypeTest;
	/** Set when mobile has a pattern of its own (empty or absent means "the same as fixed line"). */
	mobile?: TypeTest;
	others: TypeTest[];
	/** What classify answers for a number of each type (see classifiedAs). */
	answers: Partial<Record<PhoneNumberType | 'untyped', Classified>>;
}

const compiledPlans = new Map<Plan, CompiledPlan>();
/**
 * Made once per plan: every message's To is classified, and looking up each pattern and listing
 * the plan's types per number cost more than the patterns themselves.
 */
function compiledPlan(plan: Plan): CompiledPlan {
	let compiled = compiledPlans.get(plan);
	if (compiled) return compiled;
	const typeTest = (type: PatternedNumberType): TypeTest | undefined => {
		const definition = plan.types[type];
		if (!definition || !definition[0]) return undefined;
		return { type, lengths: definition[1] ?? plan.lengths, pattern: fullMatch(definition[0]) };
	};
	compiled = {
		general: fullMatch(plan.pattern),
		untyped: Object.keys(plan.types).length === 0,
		fixedLine: typeTest('fixedLine'),
		mobile: typeTest('mobile'),
		others: NON_FIXED_LINE_TYPES.map(typeTest).filter((test) => test !== undefined),
		answers: {},
	};
	compiledPlans.set(plan, compiled);
	return compiled;
}

function isOfType(national: string, test: TypeTest | undefined): boolean {
	return (
		test !== undefined && test.lengths.includes(national.length) && test.pattern.test(national)
	);
}

// libphonenumber's order (getNumberType.js): the first type that matches names the number.
const NON_FIXED_LINE_TYPES: PatternedNumberType[] = [
	'mobile',
	'premiumRate',
	'tollFree',
	'sharedCost',
	'voip',
	'personalNumber',
	'pager',
	'uan',
	'voicemail',
];

/**
 * The number's type in this plan, or undefined when it is not a valid number there: the rule of
 * libphonenumber-js/max's getNumberType and isValid, so both always agree on what is valid.
 */
function numberType(national: string, plan: Plan): PhoneNumberType | 'untyped' | undefined {
	const compiled = compiledPlan(plan);
	if (!compiled.general.test(national)) return undefined;
	if (compiled.untyped) return 'untyped';
	if (isOfType(national, compiled.fixedLine)) {
		// An empty or absent mobile pattern means "the same as fixed line" in the metadata.
		if (!compiled.mobile || isOfType(national, compiled.mobile)) return 'fixedLineOrMobile';
		return 'fixedLine';
	}
	for (const test of compiled.others) if (isOfType(national, test)) return test.type;
	return undefined;
}

/**
 * The country and type of a national number under a calling code, or undefined when it is not
 * valid. Where countries share a code (+1, +44, +7), the country is found as libphonenumber
 * does: by its leading digits where the metadata has them, otherwise by the first valid type.
 */
function classify(code: string, national: string): Classified | undefined {
	if (code === lastCode && national === lastNational) return lastValue;
	const value = classifyUncached(code, national);
	lastCode = code;
	lastNational = national;
	lastValue = value;
	return value;
}
// A reading is classified while it is read and again as the result: remember the last one (in
// three variables, not a fresh key string and object per number).
let lastCode = '';
let lastNational = '';
let lastValue: Classified | undefined;

/**
 * One frozen answer per plan and type, made once: classifying 100,000 numbers then makes no
 * object per number (the callers read it, never change it).
 */
function classifiedAs(plan: Plan, type: PhoneNumberType | 'untyped'): Classified {
	const answers = compiledPlan(plan).answers;
	return (answers[type] ??= Object.freeze(
		type === 'untyped' ? { country: plan.country } : { country: plan.country, type },
	));
}

function classifyUncached(code: string, national: string): Classified | undefined {
	const plans = plansForCallingCode(code);
	for (const plan of plans) {
		// Leading digits name the country outright (valid there or not at all).
		const named = plans.length > 1 && plan.leadingDigits !== undefined;
		if (named && !anchored(plan.leadingDigits!).test(national)) continue;
		const type = numberType(national, plan);
		if (type !== undefined) return classifiedAs(plan, type);
		if (named) return undefined;
	}
	return undefined;
}

function isValidNational(national: string, code: string): boolean {
	return classify(code, national) !== undefined;
}

/**
 * The national significant number with the trunk prefix dropped, following libphonenumber's
 * rule: some plans rewrite the rest (Argentina's 0…15 mobile form, local numbers in the
 * Caribbean that get their area code), most just drop the prefix digits.
 */
function withoutTrunkPrefix(digits: string, plan: Plan, fullRule: boolean): string | undefined {
	const rule = fullRule ? (plan.trunkForParsing ?? plan.trunk) : plan.trunk;
	if (!rule) return undefined;
	const re = anchored(rule);
	const match = re.exec(digits);
	if (!match) return undefined;
	const lastGroup = match.length > 1 ? match[match.length - 1] : undefined;
	if (fullRule && plan.trunkTransform && lastGroup) return digits.replace(re, plan.trunkTransform);
	return digits.slice(match[0].length);
}

/** The valid national number digits stand for in this plan, if any (trunk prefix dropped first). */
function readNational(digits: string, plan: Plan, fullTrunkRule = true): string | undefined {
	const stripped = withoutTrunkPrefix(digits, plan, fullTrunkRule);
	if (stripped && isValidNational(stripped, plan.code)) return stripped;
	if (isValidNational(digits, plan.code)) return digits;
	return undefined;
}

interface Reading {
	e164?: string;
	/** Why not, built only when asked (opt-out lists read many numbers that are none). */
	problem?: () => string;
}

/** Where a refused input is quoted back: long enough to recognise, never a whole CSV row. */
const ECHO_LIMIT = 40;
export function shortEcho(value: string): string {
	return value.length <= ECHO_LIMIT
		? value
		: `${value.slice(0, ECHO_LIMIT)}… (${value.length} characters)`;
}

function listLengths(lengths: number[]): string {
	if (lengths.length === 1) return String(lengths[0]);
	const sorted = [...lengths].sort((a, b) => a - b);
	const contiguous = sorted.every((n, i) => i === 0 || n === sorted[i - 1] + 1);
	if (contiguous) return `${sorted[0]} to ${sorted[sorted.length - 1]}`;
	return `${sorted.slice(0, -1).join(', ')} or ${sorted[sorted.length - 1]}`;
}

/**
 * Reads digits that start with a country calling code (after "+", "00", or nothing). `asWritten`:
 * no trunk prefix dropped after the code, for telling international prefixes apart.
 */
function readInternational(digits: string, asWritten = false): Reading {
	for (let size = 1; size <= 3 && size < digits.length; size++) {
		const code = digits.slice(0, size);
		const plans = plansForCallingCode(code);
		if (plans.length === 0) continue;
		const rest = digits.slice(size);
		for (const plan of plans) {
			// Only the plain trunk prefix here: "+44 (0)7700 900123" is common, rewrites are not.
			const national = asWritten
				? isValidNational(rest, plan.code)
					? rest
					: undefined
				: readNational(rest, plan, false);
			if (national) return { e164: `+${code}${national}` };
		}
		return {
			problem: () => {
				const lengths = [...new Set(plans.flatMap((plan) => plan.lengths))];
				return `is not a valid +${code} number (${rest.length} digits after +${code}; numbers there have ${listLengths(lengths)} digits and a known prefix)`;
			},
		};
	}
	return { problem: () => 'does not start with a known country calling code' };
}

/**
 * The calling code an E.164 number starts with (ITU codes are prefix-free: at most one fits), as
 * its digits' value, then as the code text: no slice per length tried (every message's To
 * passes here).
 */
function callingCodeOf(e164: string): string | undefined {
	let value = 0;
	for (let size = 1; size <= 3 && size < e164.length; size++) {
		const digit = e164.charCodeAt(size) - 48;
		if (digit < 0 || digit > 9) return undefined;
		value = value * 10 + digit;
		const code = callingCodeTexts()[value];
		if (code !== undefined && code.length === size) return code;
	}
	return undefined;
}
let codeTexts: Array<string | undefined> | undefined;
/** Each calling code's text at the index of its value (codes have no leading zero). */
function callingCodeTexts(): Array<string | undefined> {
	if (!codeTexts) {
		codeTexts = new Array<string | undefined>(1000).fill(undefined);
		for (const code of callingCodePlans().keys()) codeTexts[Number(code)] = code;
	}
	return codeTexts;
}

/**
 * The country and type of an E.164 number, or undefined when libphonenumber's full metadata
 * does not know it as a valid number. Every number is checked here before it may be sent.
 */
export function classifyE164(e164: string): Classified | undefined {
	const code = callingCodeOf(e164);
	return code === undefined ? undefined : classify(code, e164.slice(1 + code.length));
}

// "ext. 45", "x45", "#45", ";ext=45", "/ 45" after a whole number: an SMS cannot reach an
// extension, and glued onto the number its digits make another number. Refused, not dropped: the
// person behind the extension is not the one the switchboard number reaches.
const EXTENSION_MARKER =
	/(?:;\s*ext=|\b(?:ext(?:ension)?|extn|x)\.?|#|\bdurchwahl\b|\bdw\b)\s*\d+\s*$/i;
const SLASH_TAIL = /^(.*\d.*)\s\/\s*(\d{1,6})\s*$/;
const DIGITS_ONLY = /^\+?\d*$/;

function extensionIn(given: string, country: string): string | undefined {
	// Digits alone (most To values, E.164 from a CRM) hold no marker and no slash: not searched.
	if (DIGITS_ONLY.test(given)) return undefined;
	const marker = EXTENSION_MARKER.exec(given);
	if (marker && /\d/.test(given.slice(0, marker.index))) {
		return `has an extension ("${shortEcho(marker[0].trim())}"): an SMS cannot reach an extension; give the number without it`;
	}
	// "030 / 1234567" is an area code and a number; "+49 151 2345 6789 / 12" is a number and an
	// extension: what comes before the slash is a valid number on its own.
	const slash = given.includes('/') ? SLASH_TAIL.exec(given) : null;
	if (slash && readPhoneNumber(slash[1], country).e164 !== null) {
		return `has an extension ("/ ${slash[2]}"): an SMS cannot reach an extension; give the number without it`;
	}
	return undefined;
}

/** Today's compaction without a default country: the number with spaces, dashes, dots and brackets removed. */
export function normalizePhone(value: unknown): string {
	return String(value ?? '').replace(PHONE_PUNCTUATION, '');
}

function result(input: string, e164: string, reason: string): NormalizedPhone {
	const classified = classifyE164(e164);
	// Readings are valid by construction; this guards the one path that is not (E.164 as given).
	if (!classified) {
		return refused(
			`is not a valid phone number: ${e164} is not a number in use in any numbering plan (libphonenumber metadata)`,
		);
	}
	// Assigned, not spread: the same fields in the same order, one object less per number.
	const phone: NormalizedPhone = {
		e164,
		changed: e164 !== input,
		reason,
		country: classified.country,
	};
	if ('type' in classified) phone.type = classified.type;
	return phone;
}

function refused(reason: string): NormalizedPhone {
	return { e164: null, changed: false, reason };
}

/** The lengths of the home international prefixes digits can start with (SG: 001 and 0012…). */
function iddLengths(compact: string, home: Plan): number[] {
	if (!home.idd || !anchored(home.idd).test(compact)) return [];
	const pattern = fullMatch(home.idd);
	const lengths: number[] = [];
	for (let length = 1; length <= MAX_IDD_LENGTH && length < compact.length; length++)
		if (pattern.test(compact.slice(0, length))) lengths.push(length);
	return lengths;
}
const MAX_IDD_LENGTH = 8;

/**
 * The valid international readings of digits after the home country's international prefix, and
 * after "00" where that is one of the home prefixes' beginnings: under SG, HK or KR "001" is a
 * prefix of its own, so `00 1 201 555 0123` reads as +1 201… and as +20 1555… (Egypt). Where more
 * than one is valid the number is refused. libphonenumber's rule: a 0 right after a home prefix
 * means the digits were national after all. A trunk prefix after the country code ("(0)", or
 * NANP's 1) is read only when no reading is valid without one: "0011 501 622 1234" in Australia
 * is Belize, not "00 1 (1) 501…".
 */
function internationalReadings(compact: string, home: Plan): Map<string, string> {
	const lengths = iddLengths(compact, home);
	const readings = new Map<string, string>();
	if (lengths.length === 0) return readings;
	const prefixes = lengths
		.filter((length) => compact[length] !== '0')
		.map((length) => compact.slice(0, length));
	if (compact.startsWith('00') && !lengths.includes(2)) prefixes.unshift('00');
	for (const asWritten of [true, false]) {
		for (const prefix of prefixes) {
			const e164 = readInternational(compact.slice(prefix.length), asWritten).e164;
			if (e164 && !readings.has(e164)) readings.set(e164, `international (prefix ${prefix})`);
		}
		if (readings.size > 0) return readings;
	}
	return readings;
}

/** An opt-out entry's readings: `asTo`, what readPhoneNumber sends the same text to, if anything. */
export interface OptOutReadings {
	asTo?: string;
	all: string[];
}

/**
 * Every number an opt-out entry could stand for (Do Not Send To): what readPhoneNumber reads it as
 * with the same Default Country (so an entry matches whatever the same text in To is sent to),
 * and each other valid reading: both sides of an ambiguity readPhoneNumber refuses (`4915123456789`
 * under DE), another country's code without +, a trunk prefix after the code. A wrong extra
 * reading can only skip a message, never send one. `all` is empty when it reads as no number.
 */
export function everyReading(input: string, defaultCountry: string): OptOutReadings {
	const asTo = readPhoneNumber(input, defaultCountry).e164 ?? undefined;
	const readings = new Set<string>(asTo ? [asTo] : []);
	const done = (): OptOutReadings => ({ asTo, all: [...readings] });
	if (input.length > MAX_INPUT_LENGTH && input.trim().length > MAX_INPUT_LENGTH) return done();
	const compact = input.trim().replace(NATIONAL_PUNCTUATION, '');
	if (!/^\+?\d+$/.test(compact)) return done();
	const add = (e164: string | undefined) => e164 && readings.add(e164);
	const home = countryPlan(defaultCountry.trim().toUpperCase());
	const digits = compact.startsWith('+') ? compact.slice(1) : compact;
	add(readInternational(digits, true).e164);
	// With a Default Country, readPhoneNumber has read "+…" this way already.
	if (!home || !compact.startsWith('+')) add(readInternational(digits).e164);
	if (compact.startsWith('+')) return done();
	if (digits.startsWith('00')) add(readInternational(digits.slice(2)).e164);
	if (home) {
		for (const e164 of internationalReadings(digits, home).keys()) add(e164);
		const national = readNational(digits, home);
		if (national) add(`+${home.code}${national}`);
	}
	return done();
}

/** Without a Default Country the number must already be E.164. */
function readE164Only(given: string): NormalizedPhone {
	// Already E.164 (most To values): no extension marker and no punctuation to look for.
	if (E164.test(given)) return result(given, given, 'E.164');
	const extension = extensionIn(given, '');
	if (extension) return refused(extension);
	const compact = normalizePhone(given);
	if (E164.test(compact)) return result(given, compact, 'E.164');
	return refused(
		'must be an E.164 phone number like +15551234567 (or set the Default Country option)',
	);
}

function ambiguity(country: string, readings: ReadonlyMap<string, string>): string {
	const options = [...readings].map(([e164, how]) => `${e164} (${how})`).join(' or ');
	return `is ambiguous in ${country}: it could be ${options}; write it with + and the country code`;
}

/** The national reading and the country-code-without-plus reading, each E.164 with how. */
function nationalReadings(
	compact: string,
	home: NonNullable<ReturnType<typeof countryPlan>>,
	country: string,
): Map<string, string> {
	const readings = new Map<string, string>();
	const national = readNational(compact, home);
	if (national && !readings.has(`+${home.code}${national}`)) {
		readings.set(`+${home.code}${national}`, `national ${country} number`);
	}
	const ownCode = compact.startsWith(home.code)
		? readNational(compact.slice(home.code.length), home, false)
		: undefined;
	if (ownCode && !readings.has(`+${home.code}${ownCode}`)) {
		readings.set(`+${home.code}${ownCode}`, 'international without +');
	}
	return readings;
}

/**
 * Normalizes one recipient. `defaultCountry` empty: the number must already be E.164.
 * Otherwise national, trunk-prefixed, 00/IDD-prefixed and plus-less international forms
 * are recognised by that country's plan.
 */
export function readPhoneNumber(input: unknown, defaultCountry?: string): NormalizedPhone {
	const given = input === undefined || input === null ? '' : String(input);
	// Before any pattern runs: the extension check backtracks on long text (a 200 kB CSV row
	// held n8n's main thread for seconds), and no phone number is this long.
	// Padding around it (a fixed-width export) is not counted.
	if (given.length > MAX_INPUT_LENGTH && given.trim().length > MAX_INPUT_LENGTH)
		return refused('is too long to be a phone number');
	const country = (defaultCountry ?? '').trim().toUpperCase();
	if (!country) return readE164Only(given);
	const home = countryPlan(country);
	if (!home)
		return refused(
			`cannot be read: Default Country "${defaultCountry}" is not an ISO 3166-1 alpha-2 code`,
		);

	const extension = extensionIn(given, country);
	if (extension) return refused(extension);
	const compact = given.trim().replace(NATIONAL_PUNCTUATION, '');
	if (compact === '') return refused('is empty');
	if (!/^\+?\d+$/.test(compact)) {
		return refused('may contain only digits, a leading +, spaces and - . ( ) /');
	}
	if (compact.startsWith('+')) {
		const reading = readInternational(compact.slice(1));
		return reading.e164
			? result(given, reading.e164, 'international')
			: refused(reading.problem!());
	}

	// The home country's international prefix (011 in the US, 0011 in Australia) is what a
	// phone there would dial out with, so it wins over a national reading.
	const international = internationalReadings(compact, home);
	if (international.size > 1) return refused(ambiguity(country, international));
	for (const [e164, how] of international) return result(given, e164, how);

	// The national reading, the country-code-without-plus reading and, where 00 is not the home
	// international prefix, the 00 reading ("00 376 585126" in Japan: Andorra, or a Japanese
	// toll-free number): when more than one is valid and they differ, refuse rather than guess.
	const readings = nationalReadings(compact, home, country);
	const viaZeroZero = compact.startsWith('00')
		? readInternational(compact.slice(2)).e164
		: undefined;
	if (viaZeroZero && !readings.has(viaZeroZero))
		readings.set(viaZeroZero, 'international (prefix 00)');
	if (readings.size > 1) return refused(ambiguity(country, readings));
	for (const [e164, how] of readings) return result(given, e164, how);
	// Another country's code without "+" is never read: a national number with a digit too many
	// often fits some foreign plan (US "(201) 555-0123 4" is a valid Egyptian number), and an SMS
	// abroad is the costliest mistake. Such numbers must be written with "+" or "00".

	const expected = listLengths(home.lengths);
	return refused(
		`is not a valid ${country} number (${compact.length} digits; ${country} numbers have ${expected} digits after the trunk prefix${home.trunk ? ` ${home.trunk}` : ''}) nor an international number with its country code`,
	);
}
