/**
 * Turns the phone numbers people keep in spreadsheets into E.164, using the numbering plans in
 * countryTable.generated.ts. Without a default country only E.164 is accepted (as before);
 * with one, a number is read every way a person could have meant it and accepted only when
 * exactly one reading is a valid number, so a guess never sends to the wrong person.
 */
import {
	COUNTRY_PLANS,
	NON_GEOGRAPHIC_PLANS,
	type NonGeographicPlan,
} from './countryTable.generated';

export interface NormalizedPhone {
	/** The E.164 number to send to, or null when the input is not a valid number. */
	e164: string | null;
	/** True when e164 differs from the input as given (so outputs can show both). */
	changed: boolean;
	/** How the number was read, or why it was refused. */
	reason: string;
}

const E164 = /^\+[1-9]\d{6,14}$/;
// Today's behaviour without a default country: spaces, dashes, dots and brackets are dropped.
const PHONE_PUNCTUATION = /[\s\-.()]/g;
// With a default country also the slash ("030/1234567") and typographic dashes from documents.
const NATIONAL_PUNCTUATION = /[\s\-.()/\u2010-\u2015\u2212]/g;

type Plan = NonGeographicPlan & { code: string };

const patternCache = new Map<string, RegExp>();
function anchored(pattern: string, suffix = ''): RegExp {
	const key = pattern + suffix;
	let re = patternCache.get(key);
	if (!re) {
		re = new RegExp(`^(?:${pattern})${suffix}`);
		patternCache.set(key, re);
	}
	return re;
}

let plansByCode: Map<string, Plan[]> | undefined;
function plansForCallingCode(code: string): Plan[] {
	if (!plansByCode) {
		plansByCode = new Map();
		for (const plan of Object.values(COUNTRY_PLANS)) {
			plansByCode.set(plan.code, [...(plansByCode.get(plan.code) ?? []), plan]);
		}
		for (const [nonGeoCode, plan] of Object.entries(NON_GEOGRAPHIC_PLANS)) {
			plansByCode.set(nonGeoCode, [
				...(plansByCode.get(nonGeoCode) ?? []),
				{ ...plan, code: nonGeoCode },
			]);
		}
	}
	return plansByCode.get(code) ?? [];
}

export function isKnownCountry(country: string): boolean {
	return Object.prototype.hasOwnProperty.call(COUNTRY_PLANS, country.trim().toUpperCase());
}

function isValidNational(national: string, plan: Plan): boolean {
	return anchored(plan.pattern, '$').test(national);
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
	if (stripped && isValidNational(stripped, plan)) return stripped;
	if (isValidNational(digits, plan)) return digits;
	return undefined;
}

interface Reading {
	e164?: string;
	problem?: string;
}

function listLengths(lengths: number[]): string {
	if (lengths.length === 1) return String(lengths[0]);
	const sorted = [...lengths].sort((a, b) => a - b);
	const contiguous = sorted.every((n, i) => i === 0 || n === sorted[i - 1] + 1);
	if (contiguous) return `${sorted[0]} to ${sorted[sorted.length - 1]}`;
	return `${sorted.slice(0, -1).join(', ')} or ${sorted[sorted.length - 1]}`;
}

/** Reads digits that start with a country calling code (after "+", "00", or nothing). */
function readInternational(digits: string): Reading {
	for (let size = 1; size <= 3 && size < digits.length; size++) {
		const code = digits.slice(0, size);
		const plans = plansForCallingCode(code);
		if (plans.length === 0) continue;
		const rest = digits.slice(size);
		for (const plan of plans) {
			// Only the plain trunk prefix here: "+44 (0)7700 900123" is common, rewrites are not.
			const national = readNational(rest, plan, false);
			if (national) return { e164: `+${code}${national}` };
		}
		const lengths = [...new Set(plans.flatMap((plan) => plan.lengths))];
		return {
			problem: `is not a valid +${code} number (${rest.length} digits after +${code}; numbers there have ${listLengths(lengths)} digits and a known prefix)`,
		};
	}
	return { problem: 'does not start with a known country calling code' };
}

/** Today's compaction without a default country: the number with spaces, dashes, dots and brackets removed. */
export function normalizePhone(value: unknown): string {
	return String(value ?? '').replace(PHONE_PUNCTUATION, '');
}

function result(input: string, e164: string, reason: string): NormalizedPhone {
	return { e164, changed: e164 !== input, reason };
}

function refused(reason: string): NormalizedPhone {
	return { e164: null, changed: false, reason };
}

/**
 * Normalizes one recipient. `defaultCountry` empty: the number must already be E.164.
 * Otherwise national, trunk-prefixed, 00/IDD-prefixed and plus-less international forms
 * are recognised by that country's plan.
 */
export function normalize(input: unknown, defaultCountry?: string): NormalizedPhone {
	const given = input === undefined || input === null ? '' : String(input);
	const country = (defaultCountry ?? '').trim().toUpperCase();
	if (!country) {
		const compact = normalizePhone(given);
		if (E164.test(compact)) return result(given, compact, 'E.164');
		return refused(
			'must be an E.164 phone number like +15551234567 (or set the Default Country option)',
		);
	}
	const home = COUNTRY_PLANS[country];
	if (!home)
		return refused(
			`cannot be read: Default Country "${defaultCountry}" is not an ISO 3166-1 alpha-2 code`,
		);

	const compact = given.trim().replace(NATIONAL_PUNCTUATION, '');
	if (compact === '') return refused('is empty');
	if (!/^\+?\d+$/.test(compact)) {
		return refused('may contain only digits, a leading +, spaces and - . ( ) /');
	}
	if (compact.startsWith('+')) {
		const reading = readInternational(compact.slice(1));
		return reading.e164 ? result(given, reading.e164, 'international') : refused(reading.problem!);
	}

	// The home country's international prefix (011 in the US, 0011 in Australia) is what a
	// phone there would dial out with, so it wins. libphonenumber's rule: a 0 right after the
	// prefix means those digits were national after all.
	const idd = anchored(home.idd).exec(compact);
	if (idd && idd[0].length > 0 && !compact.slice(idd[0].length).startsWith('0')) {
		const reading = readInternational(compact.slice(idd[0].length));
		if (reading.e164) return result(given, reading.e164, `international (prefix ${idd[0]})`);
	}

	// The national reading and the country-code-without-plus reading: when both are valid and
	// differ, refuse rather than guess.
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
	if (readings.size > 1) {
		const options = [...readings].map(([e164, how]) => `${e164} (${how})`).join(' or ');
		return refused(
			`is ambiguous in ${country}: it could be ${options}; write it with + and the country code`,
		);
	}
	for (const [e164, how] of readings) return result(given, e164, how);

	if (compact.startsWith('00')) {
		const reading = readInternational(compact.slice(2));
		if (reading.e164) return result(given, reading.e164, 'international (prefix 00)');
	}
	// Another country's code without the plus, only when the number is too long to be national:
	// a national number with a typo must not become a message abroad.
	if (compact.length > Math.max(...home.lengths)) {
		const foreign = readInternational(compact);
		if (foreign.e164) return result(given, foreign.e164, 'international without +');
	}

	const expected = listLengths(home.lengths);
	return refused(
		`is not a valid ${country} number (${compact.length} digits; ${country} numbers have ${expected} digits after the trunk prefix${home.trunk ? ` ${home.trunk}` : ''}) nor an international number with its country code`,
	);
}
