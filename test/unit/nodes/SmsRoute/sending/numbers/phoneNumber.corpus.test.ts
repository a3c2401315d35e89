/**
 * Issue 21, part 1: numbers the user did not write. libphonenumber-js with its full ("max")
 * metadata is the oracle. For every country with example numbers, valid national numbers (the
 * metadata's example and variants of it the oracle confirms) are damaged the way spreadsheets
 * damage them: one digit added, one digit removed, extension text. The node may refuse them; it
 * must never send one abroad (another calling code than the default country's), never to a number
 * the oracle calls invalid, and never with the extension's digits glued on.
 */
import examples from 'libphonenumber-js/examples.mobile.json';
import {
	getCountryCallingCode,
	isValidPhoneNumber,
	parsePhoneNumberFromString,
	type CountryCode,
	type NumberType,
} from 'libphonenumber-js/max';

import {
	readPhoneNumber,
	type PhoneNumberType,
} from '../../../../../../nodes/SmsRoute/sending/numbers/phoneNumber';

const ORACLE_TYPES: Record<Exclude<NumberType, undefined>, PhoneNumberType> = {
	FIXED_LINE: 'fixedLine',
	MOBILE: 'mobile',
	FIXED_LINE_OR_MOBILE: 'fixedLineOrMobile',
	PREMIUM_RATE: 'premiumRate',
	TOLL_FREE: 'tollFree',
	SHARED_COST: 'sharedCost',
	VOIP: 'voip',
	PERSONAL_NUMBER: 'personalNumber',
	PAGER: 'pager',
	UAN: 'uan',
	VOICEMAIL: 'voicemail',
};

/** A deterministic pseudo-random sequence, so a failure names a case that can be rerun. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state * 1664525 + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

/** The example and up to 4 more valid national numbers made from it (last digits varied). */
function validNationals(country: CountryCode, example: string, next: () => number): string[] {
	const found = new Set([example]);
	for (let attempt = 0; attempt < 40 && found.size < 5; attempt++) {
		const keep = Math.max(1, example.length - 4);
		let variant = example.slice(0, keep);
		while (variant.length < example.length) variant += String(Math.floor(next() * 10));
		if (isValidPhoneNumber(variant, country)) found.add(variant);
	}
	return [...found];
}

/** How people write the national number: with the trunk prefix where the country has one. */
function written(country: CountryCode, national: string): string {
	return parsePhoneNumberFromString(national, country)!.formatNational();
}

interface Case {
	country: CountryCode;
	input: string;
	kind: 'digit added' | 'digit removed' | 'extension';
	/** For extension text: the number without it (the only one that may be sent). */
	withoutExtension?: string;
}

function damaged(country: CountryCode, national: string, next: () => number): Case[] {
	const cases: Case[] = [];
	const text = written(country, national);
	for (let position = 0; position <= national.length; position++) {
		const digit = String(Math.floor(next() * 10));
		cases.push({
			country,
			kind: 'digit added',
			input: national.slice(0, position) + digit + national.slice(position),
		});
	}
	for (let position = 0; position < national.length; position++) {
		cases.push({
			country,
			kind: 'digit removed',
			input: national.slice(0, position) + national.slice(position + 1),
		});
	}
	cases.push({ country, kind: 'digit added', input: `${text} ${Math.floor(next() * 10)}` });
	const code = getCountryCallingCode(country);
	const withoutExtension = parsePhoneNumberFromString(national, country)!.number;
	for (const extension of [' ext. 45', ' x45', ' #45', ' / 45', ';ext=45', ' extension 45']) {
		cases.push({
			country,
			kind: 'extension',
			input: text + extension,
			withoutExtension,
		});
		cases.push({
			country,
			kind: 'extension',
			input: `+${code} ${national}${extension}`,
			withoutExtension,
		});
	}
	return cases;
}

const next = random(21);
const countries = Object.keys(examples).sort() as CountryCode[];
const corpus = countries.flatMap((country) =>
	validNationals(country, (examples as Record<string, string>)[country], next).flatMap((national) =>
		damaged(country, national, next),
	),
);

describe('phone number corpus (libphonenumber-js/max as the oracle)', () => {
	it('covers at least 40 countries and every kind of damage', () => {
		expect(new Set(corpus.map((c) => c.country)).size).toBeGreaterThanOrEqual(40);
		for (const kind of ['digit added', 'digit removed', 'extension'])
			expect(corpus.filter((c) => c.kind === kind).length).toBeGreaterThan(1000);
	});

	it('sends none of them abroad, none to an invalid number, none with an extension glued on', () => {
		const abroad: string[] = [];
		const invalid: string[] = [];
		const glued: string[] = [];
		const wrongType: string[] = [];
		let sent = 0;
		for (const c of corpus) {
			const got = readPhoneNumber(c.input, c.country);
			if (got.e164 === null) continue;
			sent++;
			const oracle = parsePhoneNumberFromString(got.e164);
			const label = `${c.country} ${c.kind} "${c.input}" → ${got.e164}`;
			if (!oracle || !oracle.isValid()) invalid.push(label);
			else if (oracle.countryCallingCode !== getCountryCallingCode(c.country)) abroad.push(label);
			else if (got.country !== oracle.country || got.type !== ORACLE_TYPES[oracle.getType()!])
				wrongType.push(
					`${label}: ${got.country}/${got.type} vs ${oracle.country}/${oracle.getType()}`,
				);
			if (c.withoutExtension && got.e164 !== c.withoutExtension) glued.push(label);
		}
		expect({ abroad, invalid, glued, wrongType }).toEqual({
			abroad: [],
			invalid: [],
			glued: [],
			wrongType: [],
		});
		// Damaged numbers that are still valid at home (a digit removed from a variable-length
		// plan) may be sent there; the corpus must still exercise that path.
		expect(sent).toBeGreaterThan(0);
	});

	it('still reads the undamaged numbers as the oracle does', () => {
		const disagreements: string[] = [];
		for (const country of countries) {
			const national = (examples as Record<string, string>)[country];
			const input = written(country, national);
			const expected = parsePhoneNumberFromString(input, country)!;
			const got = readPhoneNumber(input, country);
			if (got.e164 !== expected.number || got.country !== expected.country)
				disagreements.push(
					`${country} "${input}": ${got.e164} (${got.reason}) vs ${expected.number}`,
				);
		}
		expect(disagreements).toEqual([]);
	});

	it('sends no valid US number with one digit added abroad (0.2.0: 3,510 of 9,042)', () => {
		const rand = random(2015550123);
		let tried = 0;
		const abroad: string[] = [];
		while (tried < 9000) {
			const national = `${2 + Math.floor(rand() * 8)}${String(Math.floor(rand() * 1e9)).padStart(9, '0')}`;
			if (!isValidPhoneNumber(national, 'US')) continue;
			tried++;
			const input = `${national}${Math.floor(rand() * 10)}`;
			const got = readPhoneNumber(input, 'US');
			if (got.e164 && !got.e164.startsWith('+1')) abroad.push(`${input} → ${got.e164}`);
		}
		expect(abroad).toEqual([]);
	});
});
