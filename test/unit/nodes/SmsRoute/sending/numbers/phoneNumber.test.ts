/**
 * Default Country: spreadsheet numbers → E.164.
 *
 * The expected E.164 in each row is written by hand from the country's published numbering
 * plan (calling code, trunk prefix, national number length), not read from the package's
 * table. libphonenumber-js (dev dependency, full "max" metadata) is a second, independent
 * oracle: every accepted row must parse to the same E.164 there, every refused row must be
 * invalid there. Sources for the plans: ITU-T E.164 list of assigned country codes and each
 * regulator's plan — Ofcom (GB), BNetzA (DE), ARCEP (FR), AGCOM (IT), CNMC (ES), Rossvyaz (RU),
 * NANPA (US/CA), IFT (MX, trunk prefixes abolished 2019), Anatel (BR, carrier selection codes),
 * ENACOM (AR, mobile "0 11 15" → "+54 9 11"), TRAI (IN), MIC (JP), MIIT (CN), IMDA (SG),
 * NCC (NG), ICASA (ZA), CA Kenya (KE), ACMA (AU, 0491 570 xxx fictional-use mobiles), NZ TCF.
 */
import {
	parsePhoneNumberFromString,
	isValidPhoneNumber,
	type CountryCode,
} from 'libphonenumber-js/max';

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	isKnownCountry,
	readPhoneNumber,
	normalizePhone,
} from '../../../../../../nodes/SmsRoute/sending/numbers/phoneNumber';

/**
 * The oracle parses the input as typed with the country, except where this package reads a form
 * libphonenumber does not (a foreign number without "+", "00" where it is not the country's
 * IDD): there the row gives the oracle the number written with "+".
 */
type Row = [country: string, input: string, expected: string | null, oracleInput?: string];

const rows: Row[] = [
	// Europe
	['GB', '07400 123456', '+447400123456'],
	['GB', '7400123456', '+447400123456'], // leading zero eaten by the spreadsheet
	['GB', '447400123456', '+447400123456'], // plus missing
	['GB', '00447400123456', '+447400123456'],
	['GB', '+44 (0)7400 123456', '+447400123456'],
	['GB', '020 7946 0018', '+442079460018'],
	['GB', '07400 12345', null], // 9 digits after the trunk prefix: no GB mobile is that short
	['DE', '030 1234567', '+49301234567'],
	['DE', '030/1234567', '+49301234567'],
	['DE', '0151 23456789', '+4915123456789'],
	['DE', '004915123456789', '+4915123456789'],
	['DE', '49301234567', '+49301234567'],
	['FR', '06 12 34 56 78', '+33612345678'],
	['FR', '612345678', '+33612345678'],
	['FR', '33612345678', '+33612345678'],
	['FR', '0033 6 12 34 56 78', '+33612345678'],
	['FR', '06 12 34 56 7', null],
	['IT', '06 1234 5678', '+390612345678'], // Italy keeps the leading 0 in E.164
	['IT', '312 345 6789', '+393123456789'],
	['IT', '390612345678', '+390612345678'],
	['IT', '0039 06 1234 5678', '+390612345678'],
	['IT', '393123456789', '+393123456789'],
	['ES', '612 34 56 78', '+34612345678'], // no trunk prefix in Spain
	['ES', '34612345678', '+34612345678'],
	['ES', '0034 612 34 56 78', '+34612345678'],
	['ES', '6123 4567', null],
	['RU', '8 (912) 345-67-89', '+79123456789'], // trunk prefix 8
	['RU', '9123456789', '+79123456789'],
	['RU', '79123456789', '+79123456789'],
	['RU', '810 7 912 345 67 89', '+79123456789'], // IDD 8~10
	['RU', '+7 912 345 67 8', null],
	// North America
	['US', '(201) 555-0123', '+12015550123'],
	['US', '201.555.0123', '+12015550123'],
	['US', '1 201 555 0123', '+12015550123'], // trunk prefix 1 = country code
	['US', '011 44 7400 123456', '+447400123456'], // US IDD 011
	['US', '00 44 7400 123456', '+447400123456', '+44 7400 123456'], // "00" from a European sheet
	// A foreign number without its plus is read in the default country only (issue 21: read as
	// "another country's code" a US number with a digit too many went to Egypt).
	['US', '447400123456', null],
	['US', '201 555 012', null],
	['CA', '(416) 555-0123', '+14165550123'],
	['CA', '14165550123', '+14165550123'],
	['MX', '55 1234 5678', '+525512345678'],
	['MX', '525512345678', '+525512345678'],
	['MX', '55 1234 5', null],
	// South America
	['BR', '(11) 91234-5678', '+5511912345678'],
	['BR', '011 91234-5678', '+5511912345678'],
	['BR', '0 21 11 91234 5678', '+5511912345678'], // trunk 0 + carrier code 21
	['BR', '5511912345678', '+5511912345678'],
	['BR', '11 9123 456', null],
	['AR', '011 15-2345-6789', '+5491123456789'], // national mobile form → +54 9
	['AR', '+54 9 11 2345-6789', '+5491123456789'],
	['AR', '5491123456789', '+5491123456789'],
	['AR', '011 4123-4567', '+541141234567'],
	['AR', '11 4123 456', null],
	// Asia
	['IN', '98765 43210', '+919876543210'],
	['IN', '098765 43210', '+919876543210'],
	['IN', '919876543210', '+919876543210'],
	['IN', '0091 98765 43210', '+919876543210'],
	['IN', '98765 432', null],
	['JP', '090-1234-5678', '+819012345678'],
	['JP', '03-1234-5678', '+81312345678'],
	['JP', '9012345678', '+819012345678'],
	['JP', '819012345678', '+819012345678'],
	['JP', '010 44 7400 123456', '+447400123456'], // Japan IDD 010
	['JP', '090-1234-56', null],
	['CN', '138 0013 8000', '+8613800138000'],
	['CN', '010 1234 5678', '+861012345678'],
	['CN', '8613800138000', '+8613800138000'],
	['CN', '0086 138 0013 8000', '+8613800138000'],
	['CN', '138 0013 80', null],
	['SG', '9123 4567', '+6591234567'], // no trunk prefix
	['SG', '6591234567', '+6591234567'],
	['SG', '001 65 9123 4567', '+6591234567'],
	['SG', '9123 456', null],
	// Africa
	['NG', '0803 123 4567', '+2348031234567'],
	['NG', '8031234567', '+2348031234567'],
	['NG', '2348031234567', '+2348031234567'],
	['NG', '009 234 803 123 4567', '+2348031234567'], // Nigeria IDD 009
	['NG', '0803 123 456', null],
	['ZA', '082 123 4567', '+27821234567'],
	['ZA', '821234567', '+27821234567'],
	['ZA', '27821234567', '+27821234567'],
	['ZA', '0027 82 123 4567', '+27821234567'],
	['ZA', '082 123 456 789', null],
	['KE', '0712 345678', '+254712345678'],
	['KE', '712345678', '+254712345678'],
	['KE', '254712345678', '+254712345678'],
	['KE', '000 254 712 345678', '+254712345678'], // Kenya IDD 000
	['KE', '0712 34567', null],
	['EG', '010 1234 5678', '+201012345678'],
	['EG', '201012345678', '+201012345678'],
	// Oceania
	['AU', '0491 570 156', '+61491570156'],
	['AU', '(02) 5550 1234', '+61255501234'],
	['AU', '491570156', '+61491570156'],
	['AU', '61491570156', '+61491570156'],
	['AU', '0011 44 7400 123456', '+447400123456'], // Australia IDD 0011
	['AU', '0491 570 15', null],
	['NZ', '021 123 4567', '+64211234567'],
	['NZ', '211234567', '+64211234567'],
	['NZ', '64211234567', '+64211234567'],
	['NZ', '00 64 21 123 4567', '+64211234567'],
];

describe('readPhoneNumber with a default country', () => {
	it('covers at least 15 countries on every inhabited continent', () => {
		expect(new Set(rows.map(([country]) => country)).size).toBeGreaterThanOrEqual(15);
	});

	// Objects, not arrays: with array rows of three, jest would pass its done callback as the fourth.
	const table = rows.map(([country, input, expected, oracleInput]) => ({
		country,
		input,
		expected,
		oracleInput,
	}));
	it.each(table)('$country $input → $expected', ({ country, input, expected, oracleInput }) => {
		const got = readPhoneNumber(input, country);
		expect({ e164: got.e164, changed: got.changed }).toEqual({
			e164: expected,
			changed: expected !== null,
		});
		if (expected === null) {
			expect(got.reason).toMatch(new RegExp(`not a valid (${country}|\\+\\d+) number`));
			expect(isValidPhoneNumber(input, country as CountryCode)).toBe(false);
			return;
		}
		const parsed = oracleInput
			? parsePhoneNumberFromString(oracleInput)
			: parsePhoneNumberFromString(input, country as CountryCode);
		expect(parsed?.number).toBe(expected);
	});
});

describe('readPhoneNumber: what is refused, and why', () => {
	it('refuses a number that reads two valid ways instead of guessing', () => {
		// 49 15123456789 (Germany's code, plus missing) and 0 4915 123456789 (a Leer number) are
		// both valid German numbers; the oracle confirms both exist.
		const got = readPhoneNumber('4915123456789', 'DE');
		expect(got.e164).toBeNull();
		expect(got.reason).toContain('ambiguous');
		expect(got.reason).toContain('+4915123456789');
		expect(got.reason).toContain('+494915123456789');
		expect(isValidPhoneNumber('+4915123456789')).toBe(true);
		expect(isValidPhoneNumber('+494915123456789')).toBe(true);
	});

	it('refuses "00" where the home country has a 00x prefix of its own and both readings are valid (issue 26)', () => {
		// Under SG, HK and KR "001" is an international prefix too: 0.3.0 before the fix sent
		// this US number to Egypt (+20 15550123).
		for (const home of ['SG', 'HK', 'KR']) {
			const got = readPhoneNumber('00 1 201 555 0123', home);
			expect(got.e164).toBeNull();
			expect(got.reason).toContain('+12015550123 (international (prefix 00))');
			expect(got.reason).toContain('+2015550123 (international (prefix 001))');
		}
		expect(isValidPhoneNumber('+2015550123')).toBe(true);
		expect(readPhoneNumber('00 58 412 1234567', 'CO').reason).toMatch(
			/\+584121234567.*\+84121234567/,
		);
		expect(readPhoneNumber('00 1 649 231 1234', 'AU').e164).toBeNull();
		// One valid reading: sent there, whichever prefix gave it.
		expect(readPhoneNumber('00 44 7400 123456', 'SG').e164).toBe('+447400123456');
		expect(readPhoneNumber('001 44 7400 123456', 'SG').e164).toBe('+447400123456');
		// Australia's own 0011 is not "00 1 (1) 501…": the NANP trunk 1 is read only as a last resort.
		expect(readPhoneNumber('0011 501 622 1234', 'AU').e164).toBe('+5016221234');
	});

	it('never reads a short national number as a foreign one', () => {
		// Read as "country code without +", 98765432 fits Iran's general pattern (+98 765432): a
		// digit missing from an Indian number must not turn it into a message to Iran. (Iran's
		// full metadata does not know +98765432 either, so it is refused even with "+".)
		expect(readPhoneNumber('+98 765432', 'IN').e164).toBeNull();
		expect(isValidPhoneNumber('+98765432')).toBe(false);
		expect(readPhoneNumber('98765 432', 'IN')).toMatchObject({ e164: null });
		expect(readPhoneNumber('98765432', 'IN').reason).toContain('not a valid IN number');
	});

	it('names the lengths a country uses when the length is wrong', () => {
		expect(readPhoneNumber('06 12 34 56 7', 'FR').reason).toContain('FR numbers have 9 digits');
	});

	it('validates numbers given with + against the plan of their calling code', () => {
		expect(readPhoneNumber('+44 7400 12345', 'FR')).toMatchObject({ e164: null });
		expect(readPhoneNumber('+999 1234567', 'FR').reason).toContain('known country calling code');
		expect(readPhoneNumber('+800 1234 5678', 'FR').e164).toBe('+80012345678'); // non-geographic freephone
	});

	it('refuses letters and empty values', () => {
		expect(readPhoneNumber('call 0612345678', 'FR').reason).toContain('only digits');
		expect(readPhoneNumber('', 'FR').reason).toBe('is empty');
		expect(readPhoneNumber(undefined, 'FR').reason).toBe('is empty');
	});

	it('accepts numbers that came in as JSON numbers and lower-case country codes', () => {
		expect(readPhoneNumber(447400123456, 'gb')).toMatchObject({
			e164: '+447400123456',
			changed: true,
		});
	});

	it('reports no change when the input already is the E.164 it sends', () => {
		expect(readPhoneNumber('+33612345678', 'FR')).toMatchObject({
			e164: '+33612345678',
			changed: false,
		});
	});

	it('refuses an unknown default country naming it', () => {
		expect(readPhoneNumber('0612345678', 'XX').reason).toContain('"XX"');
		expect(isKnownCountry('fr')).toBe(true);
		expect(isKnownCountry('XX')).toBe(false);
	});
});

describe('the 0.2.0 defects of issue 21', () => {
	it('a digit too many never becomes a number abroad', () => {
		expect(readPhoneNumber('(201) 555-0123 4', 'US')).toMatchObject({ e164: null }); // was Egypt
		expect(readPhoneNumber('11 96123-45670', 'BR')).toMatchObject({ e164: null }); // was +1 961…
	});

	it.each(['JP', 'KR', 'ID'])('under %s, "00" + a foreign number is international', (country) => {
		expect(readPhoneNumber('0044 7400 123456', country).e164).toBe('+447400123456');
	});

	it('extension digits are refused, never glued on', () => {
		expect(readPhoneNumber('+1 (201) 555-0123 45', 'US').e164).toBeNull();
		expect(readPhoneNumber('+1 (201) 555-0123 45', '').e164).toBeNull();
		const slash = readPhoneNumber('+49 151 2345 6789 / 12', 'DE');
		expect(slash).toMatchObject({ e164: null });
		expect(slash.reason).toContain('extension');
		expect(readPhoneNumber('+1 201 555 0123 ext. 45', '').reason).toContain('extension');
		// An area code before the slash is no extension.
		expect(readPhoneNumber('030 / 1234567', 'DE').e164).toBe('+49301234567');
	});

	it('names the country and type of every number it accepts', () => {
		expect(readPhoneNumber('+449012345678', '')).toMatchObject({
			country: 'GB',
			type: 'premiumRate',
		});
		expect(readPhoneNumber('07624 369230', 'GB')).toMatchObject({
			e164: '+447624369230',
			country: 'IM',
			type: 'mobile',
		});
	});
});

describe('readPhoneNumber without a default country (behaviour before the option)', () => {
	it('accepts E.164 with punctuation and nothing else', () => {
		expect(readPhoneNumber('+1 (201) 555-0123', '')).toMatchObject({
			e164: '+12015550123',
			changed: true,
		});
		expect(readPhoneNumber('+12015550123', undefined)).toMatchObject({
			e164: '+12015550123',
			changed: false,
		});
		for (const national of ['07400 123456', '447400123456', '00447400123456']) {
			expect(readPhoneNumber(national, '')).toMatchObject({ e164: null });
			expect(readPhoneNumber(national, '').reason).toContain('E.164');
		}
	});
});

describe('the country table', () => {
	it('is exactly what scripts/generate-country-table.js makes from the installed metadata', () => {
		const dir = mkdtempSync(join(tmpdir(), 'country-table-'));
		try {
			const out = join(dir, 'table.json');
			execFileSync(process.execPath, [
				join(__dirname, '../../../../../../scripts/generate-country-table.js'),
				out,
			]);
			const committed = readFileSync(
				join(
					__dirname,
					'../../../../../../nodes/SmsRoute/sending/numbers/countryTable.generated.json',
				),
				'utf8',
			);
			expect(readFileSync(out, 'utf8')).toBe(committed);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('normalizePhone', () => {
	it('strips the punctuation people paste into numbers', () => {
		expect(normalizePhone('+1 (555) 123-4567')).toBe('+15551234567');
		expect(normalizePhone(' +44.20.7946.0958 ')).toBe('+442079460958');
	});
});
