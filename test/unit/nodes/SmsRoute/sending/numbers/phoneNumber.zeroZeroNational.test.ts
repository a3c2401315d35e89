/**
 * Issue 33: "00" where it is not the home country's international prefix. In Japan (010) `00 376
 * 585126` is Andorra after "00" and a valid Japanese toll-free number read nationally
 * (+8100376585126); it was sent to Japan. Where both readings are valid the node's own rule
 * applies: refuse rather than guess, naming both. libphonenumber-js/max is the oracle for which
 * countries these are (their international prefix allows no "00…" form), for the national
 * reading (it reads "00…" nationally there) and for the international one.
 *
 * Every example number of every country, after "00", under each such home country. Before the
 * fix (9849172): 12 misroutes (each to the national reading in JP); after: 0. The fuzz of the
 * issue found TJ as well (76 of 99,768 checks), with numbers outside the examples.
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
/** Whether the country's international prefix can begin with "00" (00, 001, 0011 …). */
function zeroZeroDialsOut(country: CountryCode): boolean {
	oracleMetadata.selectNumberingPlan(country);
	const pattern = oracleMetadata.numberingPlan?.IDDPrefix() ?? '';
	if (!pattern) return false;
	const re = new RegExp(`^(?:${pattern})`);
	for (let n = 0; n < 10_000; n++) if (re.test(`00${String(n).padStart(4, '0')}`)) return true;
	return false;
}

const homes = (Object.keys(metadata.countries) as CountryCode[]).filter(
	(country) => !zeroZeroDialsOut(country),
);
const destinations = Object.entries(examples as Record<string, string>).map(
	([country, national]) => ({ code: getCountryCallingCode(country as CountryCode), national }),
);

/** The oracle's valid readings of "00 …" under a home country: after 00, and national. */
function readings(digits: string, home: CountryCode): Set<string> {
	const found = new Set<string>();
	const international = parsePhoneNumberFromString(`+${digits.slice(2)}`);
	if (international?.isValid()) found.add(international.number);
	const national = parsePhoneNumberFromString(digits, home);
	if (national?.isValid() && national.countryCallingCode === getCountryCallingCode(home))
		found.add(national.number);
	return found;
}

describe('"00" where it is not the international prefix (libphonenumber-js/max as the oracle)', () => {
	it('finds the countries the issue names', () => {
		expect(homes).toEqual(expect.arrayContaining(['JP', 'TJ']));
	});

	it('refuses 00 376 585126 in Japan, naming both readings', () => {
		const read = readPhoneNumber('00 376 585126', 'JP');
		expect(read.e164).toBeNull();
		expect(read.reason).toContain('+376585126');
		expect(read.reason).toContain('+8100376585126');
		// Where 00 dials out, it is Andorra as before.
		expect(readPhoneNumber('00 376 585126', 'FR').e164).toBe('+376585126');
	});

	it('refuses every number with two valid readings, naming both, and sends the rest where the oracle does', () => {
		const misroutes: string[] = [];
		const wronglyRefused: string[] = [];
		const unnamed: string[] = [];
		let ambiguous = 0;
		for (const home of homes)
			for (const { code, national } of destinations) {
				const input = `00 ${code} ${national}`;
				const expected = readings(`00${code}${national}`, home);
				const got = readPhoneNumber(input, home);
				if (expected.size > 1) ambiguous++;
				const label = `${home} "${input}" → ${got.e164 ?? got.reason} (oracle: ${[...expected].join(' or ') || 'none'})`;
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
		expect(ambiguous).toBeGreaterThan(0);
	});
});
