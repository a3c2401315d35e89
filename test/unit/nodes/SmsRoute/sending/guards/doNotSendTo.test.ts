/**
 * Issue 26, part 1: Do Not Send To reads opt-outs as people write them. libphonenumber-js/max is
 * the oracle: for the example number of every country, the message (To written nationally, with
 * that Default Country) goes to the number the oracle names, and an opt-out written in each form
 * below must hold it back, with the same Default Country and, for forms with "+", without one.
 *
 * 245 countries × 26 forms ("(0)" only where the trunk prefix is 0), with and without Default
 * Country: 9,781 opt-outs. Before the fix (commit 0c0cf82): 6,615 missed (each typographic dash,
 * a note, a pasted row, two numbers in one cell); after: 0.
 */
import examples from 'libphonenumber-js/examples.mobile.json';
import metadata from 'libphonenumber-js/metadata.max.json';
import { Metadata } from 'libphonenumber-js/core';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

import { verdictFor } from '../../../../../../nodes/SmsRoute/sending/guards/messageChecks';
import {
	doNotSendToCheck,
	readDoNotSendTo,
	readNationalOptOuts,
	readOptOuts,
} from '../../../../../../nodes/SmsRoute/sending/guards/doNotSendTo';
import { COUNTRY_PLANS } from '../../../../../../nodes/SmsRoute/sending/numbers/countryTable';
import type { OutgoingMessage } from '../../../../../../nodes/SmsRoute/sending/outgoingMessage';
import { readPhoneNumber } from '../../../../../../nodes/SmsRoute/sending/numbers/phoneNumber';
import { MAX_GROWTH_AT_4X, timeRatio } from '../../../../../helpers/growth';

const DASHES = ['-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212'];
const oracleMetadata = new Metadata(metadata);

interface Example {
	country: CountryCode;
	e164: string;
	national: string;
	international: string;
	nationalPrefix?: string;
	nsn: string;
	code: string;
}

const numbers: Example[] = (Object.entries(examples) as Array<[CountryCode, string]>).map(
	([country, nsn]) => {
		const parsed = parsePhoneNumberFromString(nsn, country)!;
		oracleMetadata.selectNumberingPlan(country);
		return {
			country,
			e164: parsed.number,
			national: parsed.formatNational(),
			international: parsed.formatInternational(),
			nationalPrefix: (
				oracleMetadata.numberingPlan as unknown as
					{ nationalPrefix(): string | undefined } | undefined
			)?.nationalPrefix(),
			nsn: parsed.nationalNumber,
			code: parsed.countryCallingCode,
		};
	},
);

/** Each way an opt-out of this number is written; `plus`: it carries its country code. */
function forms(n: Example, other: Example): Array<{ form: string; text: string; plus: boolean }> {
	const list = [
		{ form: 'E.164', text: n.e164, plus: true },
		{ form: 'national', text: n.national, plus: false },
		{ form: 'international, spaces', text: n.international, plus: true },
		...DASHES.map((dash) => ({
			form: `dash U+${dash.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
			text: n.international.replace(/ /g, dash),
			plus: true,
		})),
		{ form: 'national, en dash', text: n.national.replace(/ /g, '\u2013'), plus: false },
		{ form: 'tabs between groups', text: n.international.replace(/ /g, '\t'), plus: true },
		{ form: 'pasted row', text: `Jane Doe\t${n.international}\tmobile`, plus: true },
		{ form: 'trailing note', text: `${n.e164} (mobile)`, plus: true },
		{ form: 'trailing word', text: `${n.international} mobile`, plus: true },
		{ form: 'tel:', text: `tel:${n.international.replace(/ /g, '-')}`, plus: true },
		{ form: 'two in a cell, + after digits', text: `${other.e164} ${n.international}`, plus: true },
		{ form: 'two in a cell, no space', text: `${other.e164}${n.e164}`, plus: true },
		{ form: 'two in a cell, tab', text: `${other.international}\t${n.national}`, plus: false },
		{ form: 'two in a cell, semicolon', text: `${n.national}; ${other.e164}`, plus: false },
		{ form: 'two in a cell, spaces', text: `${n.national} ${n.national}`, plus: false },
	];
	if (n.nationalPrefix === '0')
		list.push({ form: 'with (0)', text: `+${n.code} (0)${n.nsn}`, plus: true });
	return list;
}

function message(to: string, defaultCountry?: string): OutgoingMessage {
	return { to, defaultCountry } as OutgoingMessage;
}

describe('Do Not Send To: every form of every example number (libphonenumber-js/max as the oracle)', () => {
	it('reads each message as the oracle does (the numbers the opt-outs must match)', () => {
		const wrong = numbers
			.map((n) => [n, readPhoneNumber(n.national, n.country).e164] as const)
			.filter(([n, e164]) => e164 !== n.e164)
			.map(([n, e164]) => `${n.country} ${n.national} → ${e164} (oracle ${n.e164})`);
		expect(wrong).toEqual([]);
		expect(numbers.length).toBeGreaterThanOrEqual(240);
	});

	it('holds back every message whose number is on the list, in every form', () => {
		const missed: Record<string, string[]> = {};
		let tried = 0;
		numbers.forEach((n, i) => {
			const other = numbers[(i + 1) % numbers.length];
			for (const { form, text, plus } of forms(n, other))
				for (const country of plus ? [n.country, ''] : [n.country]) {
					tried++;
					const listed = readDoNotSendTo([text], country);
					const check = doNotSendToCheck(listed);
					const verdict = verdictFor(message(n.e164, country || undefined), check ? [check] : []);
					if (verdict.action !== 'hold')
						(missed[form] ??= []).push(`${n.country}/${country || '-'} ${JSON.stringify(text)}`);
				}
		});
		expect(missed).toEqual({});
		expect(tried).toBeGreaterThan(240 * 25);
	});

	it('lists the second number of a two-number cell too', () => {
		const missed = numbers
			.map((n, i) => [n, numbers[(i + 1) % numbers.length]] as const)
			.filter(
				([n, other]) => !readDoNotSendTo(`${other.e164} ${n.international}`, '').has(other.e164),
			)
			.map(([n]) => n.country);
		expect(missed).toEqual([]);
	});
});

describe('Do Not Send To: ambiguous and unreadable entries', () => {
	it('lists an ambiguous entry under every reading ("4915123456789" under DE)', () => {
		const listed = readDoNotSendTo('4915123456789', 'DE');
		expect(readPhoneNumber('0 4915123456789', 'DE').e164).toBe('+494915123456789');
		expect(readPhoneNumber('+49 15123456789', 'DE').e164).toBe('+4915123456789');
		expect(listed.has('+494915123456789')).toBe(true);
		expect(listed.has('+4915123456789')).toBe(true);
	});

	it('lists a 00 entry under both readings where the home country has a 00x prefix (SG)', () => {
		const listed = readDoNotSendTo('00 1 201 555 0123', 'SG');
		expect(listed.has('+12015550123')).toBe(true);
		expect(listed.has('+2015550123')).toBe(true);
	});

	it('keeps "+44 7911 123408" one number', () => {
		expect([...readOptOuts('+44 7911 123408', '').listed]).toEqual(['+447911123408']);
	});

	it('returns what reads as no number, shortened, and lists the rest', () => {
		const read = readOptOuts(
			['+447400123456', 'n/a', 'John Smith', '12', { phone: '+447400123457' }, '', ' ', null],
			'GB',
		);
		expect([...read.listed]).toEqual(['+447400123456']);
		expect(read.unreadable).toEqual(['n/a', 'John Smith', '12', '{"phone":"+447400123457"}']);
		// Text: each line or comma-separated entry; a label column next to a number is no entry.
		const text = readOptOuts('07400 123456\nunknown\nJane\t07400 123457\t(home)\n0740', 'GB');
		expect([...text.listed]).toEqual(['+447400123456', '+447400123457']);
		expect(text.unreadable).toEqual(['unknown', '0740']);
		// A pasted row with a customer number: the phone is listed, the other column reported.
		const row = readOptOuts('C-12345\t07400 123456\t2024', 'GB');
		expect([...row.listed]).toEqual(['+447400123456']);
		expect(row.unreadable).toEqual(['C-12345', '2024']);
	});

	it('reads a column of something else (IBANs, runs of digits) in linear time, reporting it', async () => {
		// The search for several numbers in one entry has a budget over the whole list: before
		// it, 20,000 such entries took some 17 s on the shared test machine.
		const column = (size: number) => [
			...Array.from(
				{ length: size },
				(_, i) => `DE89 3704 0044 0532 ${1000 + (i % 9000)} ${10 + (i % 90)}`,
			),
			...Array.from({ length: size }, (_, i) => `1 2 3 4 5 6 7 8 9 10 ${i % 100}`),
			'+447400123456',
		];
		const read = readOptOuts(column(20_000), 'DE');
		expect(read.listed.has('+447400123456')).toBe(true);
		// Every entry is listed under some reading or reported: none is dropped silently.
		expect(read.unreadable.length).toBeGreaterThan(30_000);
		// Four times the entries cost about four times the time (the budget keeps the search from
		// growing).
		const small = column(2_500);
		const large = column(10_000);
		expect(await timeRatio((list) => readOptOuts(list, 'DE'), small, large, 3)).toBeLessThan(
			MAX_GROWTH_AT_4X,
		);
	});
});

describe('Do Not Send To: notes may hold commas (issue 33)', () => {
	it('reads "+44 7400 123456 (mobile, John)" as one number with a note, in text and in a list', () => {
		const text = '+44 7400 123456 (mobile, John)\n07400 123457 [work; Jane, desk 2]';
		for (const value of [text, text.split('\n')]) {
			const read = readOptOuts(value, 'GB');
			expect([...read.listed].sort()).toEqual(['+447400123456', '+447400123457']);
			expect(read.unreadable).toEqual([]);
		}
	});

	it('reports none of 100,000 rows with a comma in the note unreadable', () => {
		const rows = Array.from(
			{ length: 100_000 },
			(_, i) => `+44 7400 ${String(100_000 + i).slice(-6)} (mobile, John)`,
		);
		const read = readOptOuts(rows.join('\n'), 'GB');
		expect(read.unreadable).toEqual([]);
		expect(read.listed.size).toBe(100_000);
	});

	it('lists a number written inside a note, and reports no part of the note', () => {
		const read = readOptOuts('+44 7400 123456 (or 07400 123457, since 2019)', 'GB');
		expect(read.listed).toEqual(new Set(['+447400123456', '+447400123457']));
		expect(read.unreadable).toEqual([]);
	});

	it('never takes a bracket left open across a line break for a note (the next line is read)', () => {
		const read = readOptOuts('07400 123456 (mobile, John\n07400 123457 work)', 'GB');
		expect(read.listed).toEqual(new Set(['+447400123456', '+447400123457']));
	});

	it('splits "(201) 555-0123, (202) 555-0199": brackets without a letter are no note', () => {
		const read = readOptOuts('(201) 555-0123, (202) 555-0199', 'US');
		expect([...read.listed]).toEqual(expect.arrayContaining(['+12015550123', '+12025550199']));
		expect(read.unreadable).toEqual([]);
	});
});

describe('Do Not Send To: the list is read once per run (issue 33)', () => {
	const list = [
		'+44 7400 123456',
		'+1 201 555 0123 (mobile, John)',
		'447400123458',
		'07400 123457',
		'0033 6 12 34 56 78',
		'(201) 555-0124',
		'030 1234567',
		'+49 151 2345 6789 07400 123459',
		'Jane\t+44 7400 123460\t2024',
	];

	it('keeps for other Default Countries only the entries without "+": those with one read alike everywhere', () => {
		const read = readOptOuts(list, 'GB');
		expect(read.national).toEqual([
			'447400123458',
			'07400 123457',
			'0033 6 12 34 56 78',
			'(201) 555-0124',
			'030 1234567',
			'+49 151 2345 6789 07400 123459',
			'Jane\t+44 7400 123460\t2024',
		]);
		expect([...read.everywhere].sort()).toEqual(['+12015550123', '+447400123456']);
	});

	it('matches under every Default Country exactly what reading the whole list there would', () => {
		const first = readOptOuts(list, 'GB');
		const differ: string[] = [];
		for (const country of Object.keys(COUNTRY_PLANS)) {
			const whole = readDoNotSendTo(list, country);
			const once = new Set([...first.everywhere, ...readNationalOptOuts(first, country)]);
			const missing = [...whole].filter((e164) => !once.has(e164));
			const extra = [...once].filter((e164) => !whole.has(e164));
			if (missing.length + extra.length > 0) differ.push(`${country}: -${missing} +${extra}`);
		}
		expect(differ).toEqual([]);
	});
});
