/**
 * Issue 33: every reader of user text runs in linear time. Each one is fed adversarial text
 * (unclosed brackets, long digit runs, alternating separators, long runs of spaces) at 100,000
 * and 400,000 characters, and the growth is checked, not the time: four times the text may cost
 * at most 8× (linear is 4×, n log n about 4.5×; a quadratic reader costs 16×, and 8× is halfway
 * on a log scale). Doubling with a 2.5× bound was too close: on a loaded CI machine, linear
 * readers measured 2.55–2.75× (garbage collection, and a larger text falling out of a cache
 * another process shares), and at 4× the text, under an install, up to 5.99×. A ratio of the
 * fastest of alternating rounds of CPU time (noise only ever adds time), so a busy machine cannot
 * fail it. The absolute times are in the bench (test/bench/linearTime.js, BENCHMARKS.md).
 *
 * Before the fix (9849172): an entry of Do Not Send To with an unclosed "(" took 10.2 s at
 * 100,000 characters and 41.8 s at 200,000; a form body with a field name of "[" runs, 23.5 s at
 * 100,000 characters (the trigger accepts 1 MiB); a Base URL with a run of slashes, 19.3 s.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { readOptOuts } from '../../../../nodes/SmsRoute/sending/guards/doNotSendTo';
import { readCodeList } from '../../../../nodes/SmsRoute/sending/guards/messageChecks';
import { campaignKey, headerIdempotencyKey } from '../../../../nodes/SmsRoute/sending/idempotency';
import {
	everyReading,
	readPhoneNumber,
} from '../../../../nodes/SmsRoute/sending/numbers/phoneNumber';
import { createParameterReader } from '../../../../nodes/SmsRoute/sending/parameterReader';
import { timeZonesForNumber } from '../../../../nodes/SmsRoute/sending/sendingWindow/recipientZones';
import { readTimeZoneName } from '../../../../nodes/SmsRoute/sending/sendingWindow/timeZoneName';
import { parseWindow } from '../../../../nodes/SmsRoute/sending/sendingWindow/windowClock';
import {
	listName,
	objectName,
	parseForm,
	parseRawBody,
	quoteUnsafeIntegers,
} from '../../../../nodes/SmsRoute/shared/events/parseBody';
import { parseSignatureHeader } from '../../../../nodes/SmsRoute/shared/events/smsRoute/signature';
import { withoutTrailingSlashes } from '../../../../nodes/SmsRoute/shared/urlText';
import { cpuMs, MAX_GROWTH_AT_4X } from '../../../helpers/growth';

const SMALL = 100_000;
const LARGE = 400_000;
const ROUNDS = 5;
/** Each timing repeats the call until the small text has taken this long (timer noise). */
const MIN_SAMPLE_MS = 10;
const MAX_REPEATS = 4096;
const MAX_GROWTH = MAX_GROWTH_AT_4X;
/** Measured again when over: another engineer's build can land on one side of a measurement. */
const ATTEMPTS = 3;

/**
 * How much longer `read` takes on `make(large)` than on `make(small)`: a ratio of the fastest of
 * alternating rounds. 1 for a reader that looks at a bounded part of the text only (a length
 * check first): even MAX_REPEATS calls on the small text stay under MIN_SAMPLE_MS.
 */
function measureGrowth(
	read: (text: string) => unknown,
	make: (length: number) => string,
	small: number,
	large: number,
): number {
	const texts = [make(small), make(large)];
	const time = (text: string, repeats: number): number => {
		const started = cpuMs();
		for (let i = 0; i < repeats; i++) read(text);
		return cpuMs() - started;
	};
	time(texts[0], 1);
	time(texts[1], 1);
	let repeats = 1;
	while (time(texts[0], repeats) < MIN_SAMPLE_MS) {
		if (repeats === MAX_REPEATS) return 1;
		repeats *= 2;
	}
	const times: [number[], number[]] = [[], []];
	for (let round = 0; round < ROUNDS; round++) {
		times[0].push(time(texts[0], repeats));
		times[1].push(time(texts[1], repeats));
	}
	return Math.min(...times[1]) / Math.min(...times[0]);
}

/** The growth, measured up to ATTEMPTS times until it is within bounds (a quadratic never is). */
function growth(
	read: (text: string) => unknown,
	make: (length: number) => string,
	small = SMALL,
	large = LARGE,
): number {
	let ratio = Infinity;
	for (let attempt = 0; attempt < ATTEMPTS && ratio > MAX_GROWTH; attempt++)
		ratio = Math.min(ratio, measureGrowth(read, make, small, large));
	return ratio;
}

/**
 * `unit` repeated to `length` characters, after an en dash (as documents write dashes): a
 * two-byte string, so that at both lengths it is a large object to V8 (over 128 kB). A one-byte
 * string of 100,000 characters is not and one of 200,000 is: every copy of it then costs 4× the
 * smaller one's, whatever the reader does.
 */
const repeat =
	(unit: string, prefix = '', suffix = '') =>
	(length: number) =>
		`\u2013${prefix}${unit.repeat(Math.ceil(length / unit.length))}`.slice(
			0,
			length - suffix.length,
		) + suffix;

/** The adversarial shapes every reader of free text gets. */
const SHAPES: Record<string, (length: number) => string> = {
	'an unclosed "(" with words and no separator': repeat('mobile ', '+44 7400 123456 ('),
	'an unclosed "[" with words': repeat('note ', '07400 123456 ['),
	'"(" runs': repeat('(a'),
	'"[" runs': repeat('['),
	'a long digit run': repeat('7'),
	'digits after a +': repeat('4', '+'),
	'alternating digits and dashes': repeat('1-'),
	'alternating separators': repeat('1 ,;\t'),
	'a long run of spaces, then a letter': repeat(' ', '1', 'x'),
	'a run of slashes, then a letter': repeat('/', 'https://a', 'b'),
	'space-separated groups': repeat('07400 '),
	'notes with commas': repeat('(a, b) '),
	'an extension marker on digits': repeat('1 ', 'x', 'ext'),
};

const READERS: Record<string, (text: string) => unknown> = {
	'To (readPhoneNumber, Default Country GB)': (text) => readPhoneNumber(text, 'GB'),
	'To (readPhoneNumber, no Default Country)': (text) => readPhoneNumber(text),
	'an opt-out (everyReading)': (text) => everyReading(text, 'DE'),
	'Do Not Send To, one entry': (text) => readOptOuts([text], 'GB'),
	'Do Not Send To, as text': (text) => readOptOuts(text, 'US'),
	'Allowed Countries': (text) => readCodeList(text),
	'Sending Window': (text) => parseWindow(text),
	'Sending Window Time Zone': (text) => readTimeZoneName(text),
	"the recipient's zone": (text) => timeZonesForNumber(text),
	'Campaign ID and metadata (campaignKey)': (text) =>
		campaignKey(text, { to: '+447400123456', body: text, metadata: { note: text } }),
	'the Idempotency-Key header': (text) => headerIdempotencyKey(text),
	'a To expression (parameter reader)': (text) =>
		createParameterReader(
			{ getNodeParameter: () => `={{ $json${text} }}` } as unknown as IExecuteFunctions,
			[],
			'to',
			'',
		),
	'a form webhook body': (text) => parseForm(`${text}=1&b=${text}`),
	'a JSON webhook body': (text) => parseRawBody(Buffer.from(`{"a":${JSON.stringify(text)}}`), ''),
	'unsafe integers in JSON': (text) => quoteUnsafeIntegers(text),
	'the X-SmsRoute-Signature header': (text) => parseSignatureHeader(text),
	'the Base URL': (text) => withoutTrailingSlashes(text),
};

describe('every reader of user text runs in linear time (issue 33)', () => {
	it('the check tells a quadratic reader from a linear one', () => {
		// The pattern Do Not Send To had before (a letter between two stars), on smaller text.
		const quadratic = /[([][^()[\]]*\p{L}[^()[\]]*[)\]]/gu;
		const unclosed = repeat('mobile ', '(');
		expect(growth((text) => text.replace(quadratic, ''), unclosed, 2_000, 8_000)).toBeGreaterThan(
			10,
		);
		expect(growth((text) => text.replace(/\(/g, ''), unclosed)).toBeLessThan(MAX_GROWTH);
	});

	for (const [reader, read] of Object.entries(READERS)) {
		it(`${reader}: 400,000 characters cost at most ${MAX_GROWTH}× 100,000, in every shape`, () => {
			const grew = Object.fromEntries(
				Object.entries(SHAPES).map(([shape, make]) => [shape, growth(read, make)]),
			);
			const superLinear = Object.entries(grew).filter(([, ratio]) => ratio > MAX_GROWTH);
			expect(superLinear).toEqual([]);
		});
	}
});

describe('the form field names read without a pattern give what the patterns gave', () => {
	it('on every name of up to 6 characters from "a", "[", "]" and a line break', () => {
		const alphabet = ['a', '[', ']', '\n'];
		let names = [''];
		const differ: string[] = [];
		for (let length = 1; length <= 6; length++) {
			names = names.flatMap((name) => alphabet.map((char) => name + char));
			for (const name of names) {
				const list = /^(.+)\[\]$/.exec(name)?.[1];
				const object = /^(.+)\[([^\]]+)\]$/.exec(name);
				if (listName(name) !== list) differ.push(`list ${JSON.stringify(name)}`);
				const read = objectName(name);
				if (JSON.stringify(read ?? null) !== JSON.stringify(object ? [object[1], object[2]] : null))
					differ.push(`object ${JSON.stringify(name)}`);
			}
		}
		expect(differ).toEqual([]);
	});

	it('a form body still reads lists and objects', () => {
		const parsed = parseForm('smsIds[]=a&smsIds[]=b&customArgs[k]=v&x[a[b]=1');
		expect(parsed).toEqual({
			ok: true,
			format: 'form',
			body: { smsIds: ['a', 'b'], customArgs: { k: 'v' }, 'x[a': { b: '1' } },
		});
	});
});

describe('the Base URL without trailing slashes', () => {
	it.each([
		['https://api.smsroute.test/v1///', 'https://api.smsroute.test/v1'],
		['https://a//b', 'https://a//b'],
		['///', ''],
		['', ''],
	])('%j → %j', (given, expected) => {
		expect(withoutTrailingSlashes(given)).toBe(expected);
		expect(withoutTrailingSlashes(given)).toBe(given.replace(/\/+$/, ''));
	});
});
