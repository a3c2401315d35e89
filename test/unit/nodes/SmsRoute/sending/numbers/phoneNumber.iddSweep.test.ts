/**
 * Issue 26, part 2: "00" against the home country's own international prefix. Under SG, HK or KR
 * `00 1 201 555 0123` was sent to Egypt: 001 is also an international prefix there, so the rest
 * read as +20 15550123. libphonenumber-js/max is the oracle, both for which countries have such
 * prefixes and for which readings are valid numbers. For every such country, every example number
 * of every country is written after "00" and after each of the home country's 00x prefixes; a
 * number with two valid readings in different places must be refused naming both, one with a
 * single valid reading must be sent there, and nothing may go anywhere else.
 *
 * 19 countries, 32,830 numbers, 1,623 of them with two valid readings. Before the fix (commit
 * 501b093): 1,624 misroutes (SG 232, TH 232, KH 186, BR 182, KR 150, HK 142 …); after: 0.
 */
import examples from 'libphonenumber-js/examples.mobile.json';
import metadata from 'libphonenumber-js/metadata.max.json';
import { Metadata } from 'libphonenumber-js/core';
import {
	getCountryCallingCode,
	parsePhoneNumberFromString,
	type CountryCode,
} from 'libphonenumber-js/max';

import { readPhoneNumber } from '../../../../../../nodes/SmsRoute/sending/numbers/phoneNumber';

const oracleMetadata = new Metadata(metadata);
/** libphonenumber-js's international prefix pattern of a country. */
function iddPattern(country: CountryCode): string {
	oracleMetadata.selectNumberingPlan(country);
	return oracleMetadata.numberingPlan?.IDDPrefix() ?? '';
}

/** Every prefix of 3 to 6 digits starting with "00" that the pattern allows. */
function zeroZeroForms(pattern: string): string[] {
	const re = new RegExp(`^(?:${pattern})$`);
	const forms: string[] = [];
	for (let length = 3; length <= 6; length++)
		for (let n = 0; n < 10 ** (length - 2); n++) {
			const form = `00${String(n).padStart(length - 2, '0')}`;
			if (re.test(form)) forms.push(form);
		}
	return forms;
}

/** The valid number "+digits" is; `asWritten`: only if no trunk prefix had to be dropped. */
function valid(digits: string, asWritten: boolean): string | undefined {
	const parsed = parsePhoneNumberFromString(`+${digits}`);
	if (!parsed?.isValid()) return undefined;
	return !asWritten || parsed.number === `+${digits}` ? parsed.number : undefined;
}

/**
 * The oracle: every valid number the digits stand for as an international number, after "00" or
 * after any home prefix (libphonenumber's rule: a 0 right after the prefix means it was none).
 * A trunk prefix after the country code ("+44 (0)…", NANP's "+1 1…") is dropped only when no
 * reading is valid as written: "0011 501 622 1234" in Australia is Belize, not +1 501….
 */
function readings(digits: string, pattern: string): Set<string> {
	const re = new RegExp(`^(?:${pattern})$`);
	const prefixes = digits.startsWith('00') ? [2] : [];
	for (let length = 1; length <= 8 && length < digits.length; length++)
		if (re.test(digits.slice(0, length)) && digits[length] !== '0') prefixes.push(length);
	for (const asWritten of [true, false]) {
		const found = new Set<string>();
		for (const length of prefixes) {
			const read = valid(digits.slice(length), asWritten);
			if (read) found.add(read);
		}
		if (found.size > 0) return found;
	}
	return new Set();
}

const homes = (Object.keys(metadata.countries) as CountryCode[])
	.map((country) => ({ country, pattern: iddPattern(country) }))
	.map((home) => ({ ...home, forms: home.pattern ? zeroZeroForms(home.pattern) : [] }))
	.filter((home) => home.forms.length > 0);
const destinations = Object.entries(examples as Record<string, string>).map(
	([country, national]) => ({
		code: getCountryCallingCode(country as CountryCode),
		national,
	}),
);

describe('"00" against the home international prefix (libphonenumber-js/max as the oracle)', () => {
	it('finds the countries the issue names among those with a 00x prefix', () => {
		const names = homes.map((home) => home.country);
		for (const country of ['SG', 'HK', 'KR', 'CO', 'AU']) expect(names).toContain(country);
	});

	it('refuses every number with two valid readings, naming both, and sends the rest where the oracle does', () => {
		const misroutes: string[] = [];
		const wronglyRefused: string[] = [];
		const unnamed: string[] = [];
		let tried = 0;
		let ambiguous = 0;
		for (const home of homes)
			for (const prefix of ['00', ...home.forms])
				for (const { code, national } of destinations) {
					const digits = `${prefix}${code}${national}`;
					const input = `${prefix} ${code} ${national}`;
					const expected = readings(digits, home.pattern);
					const got = readPhoneNumber(input, home.country);
					tried++;
					if (expected.size > 1) ambiguous++;
					const label = `${home.country} "${input}" → ${got.e164 ?? got.reason} (oracle: ${[...expected].join(' or ') || 'none'})`;
					if (got.e164 !== null && (expected.size > 1 || !expected.has(got.e164)))
						misroutes.push(label);
					else if (got.e164 === null && expected.size === 1) wronglyRefused.push(label);
					else if (got.e164 === null && [...expected].some((e164) => !got.reason.includes(e164)))
						unnamed.push(label);
				}
		expect({ misroutes, wronglyRefused, unnamed }).toEqual({
			misroutes: [],
			wronglyRefused: [],
			unnamed: [],
		});
		expect({ homes: homes.length, tried: tried > 30000, ambiguous: ambiguous > 100 }).toEqual({
			homes: 19,
			tried: true,
			ambiguous: true,
		});
	});
});
