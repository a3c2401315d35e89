/**
 * Sending Window Time Zone names (issue 26, section 3): IANA Area/City names and their links
 * are taken; what Intl also accepts but reads as another place or a fixed offset is refused with
 * the zone to use. Intl itself is the oracle of which names exist.
 */
import { readTimeZoneName } from '../../../../../../nodes/SmsRoute/sending/sendingWindow/timeZoneName';
import { zoneClock } from '../../../../../../nodes/SmsRoute/sending/sendingWindow/windowClock';

function intlZone(name: string): string | undefined {
	try {
		return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
	} catch {
		return undefined;
	}
}

function problemOf(name: string): string {
	const read = readTimeZoneName(name);
	if ('zone' in read) throw new Error(`"${name}" was taken as ${read.zone}`);
	return read.problem;
}

/** The first Area/City name the problem offers as the one to use. */
function suggested(problem: string): string | undefined {
	return /e\.g\. ([A-Za-z_]+\/[A-Za-z_/]+|UTC)/.exec(problem)?.[1];
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Every name of one to three letters Intl takes as a time zone: ICU's abbreviations. */
const ABBREVIATIONS = (() => {
	const names: string[] = [];
	const visit = (prefix: string) => {
		if (prefix && intlZone(prefix)) names.push(prefix);
		if (prefix.length < 3) for (const letter of LETTERS) visit(prefix + letter);
	};
	visit('');
	return names;
})();

/** One offset per hour through 2026 and 2027, to compare two names of one zone. */
function offsets(zone: string): number[] {
	const clock = zoneClock(zone);
	const start = Date.UTC(2026, 0, 1, 12) / 60_000;
	const result: number[] = [];
	// Noon UTC each day: a clock change shows on its day (2026 and 2027).
	for (let minute = start; minute < start + 2 * 365 * 1440; minute += 1440)
		result.push(clock.offsetAt(minute));
	return result;
}

describe('readTimeZoneName', () => {
	it('takes every zone Intl lists, as itself', () => {
		// ES2022 (Node 18+); the project's TypeScript lib is older.
		const listed = (
			Intl as unknown as { supportedValuesOf(key: string): string[] }
		).supportedValuesOf('timeZone');
		expect(listed.length).toBeGreaterThan(400);
		const notTaken = listed.filter((zone) => {
			const read = readTimeZoneName(zone);
			return !('zone' in read) || read.zone !== zone;
		});
		expect(notTaken).toEqual([]);
	});

	it.each([
		['US/Eastern', 'America/New_York'],
		['US/Central', 'America/Chicago'],
		['US/Mountain', 'America/Denver'],
		['US/Arizona', 'America/Phoenix'],
		['US/Pacific', 'America/Los_Angeles'],
		['US/Alaska', 'America/Anchorage'],
		['US/Hawaii', 'Pacific/Honolulu'],
		['Canada/Eastern', 'America/Toronto'],
		['Canada/Newfoundland', 'America/St_Johns'],
		['Brazil/East', 'America/Sao_Paulo'],
		['Mexico/General', 'America/Mexico_City'],
		['Chile/Continental', 'America/Santiago'],
		['Asia/Calcutta', 'Asia/Kolkata'],
		['Asia/Saigon', 'Asia/Ho_Chi_Minh'],
		['Asia/Katmandu', 'Asia/Kathmandu'],
		['Europe/Kiev', 'Europe/Kyiv'],
		['America/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
		['us/eastern', 'America/New_York'],
		[' Europe/Berlin ', 'Europe/Berlin'],
	])('takes the alias %j, on the clock of %s', (alias, canonical) => {
		const read = readTimeZoneName(alias);
		expect('zone' in read).toBe(true);
		if (!('zone' in read)) return;
		expect(offsets(read.zone)).toEqual(offsets(canonical));
	});

	it('takes UTC under its IANA names', () => {
		for (const name of [
			'UTC',
			'utc',
			'Etc/UTC',
			'Etc/GMT',
			'Etc/GMT0',
			'Etc/Zulu',
			'Etc/Universal',
		])
			expect(readTimeZoneName(name)).toEqual({ zone: 'UTC' });
	});

	it('refuses every abbreviation Intl accepts (one to three letters, either case) but UTC', () => {
		// 1–3 letters exhaustively (17,576 names); longer ones are below.
		expect(ABBREVIATIONS.length).toBeGreaterThan(30);
		const refused = ABBREVIATIONS.filter((name) => name !== 'UTC');
		for (const name of [...refused, ...refused.map((name) => name.toLowerCase())]) {
			const problem = problemOf(name);
			expect(problem).toContain(`"${name}"`);
			expect(problem).toContain(`Intl reads it as ${intlZone(name)}`);
			// The zone to use is itself one the option takes.
			const instead = suggested(problem);
			if (instead !== undefined) expect('zone' in readTimeZoneName(instead)).toBe(true);
		}
	});

	it.each([
		['EST', 'America/Panama', 'America/New_York'],
		['MST', 'America/Phoenix', 'America/Denver'],
		['PST', 'America/Los_Angeles', 'America/Los_Angeles'],
		['CST', 'America/Chicago', 'America/Chicago'],
		['BST', 'Asia/Dhaka', 'Europe/London'],
		['AST', 'America/Anchorage', 'America/Halifax'],
		['GMT', 'UTC', 'Europe/London'],
	])('refuses %s (Intl: %s), naming %s', (name, intl, meant) => {
		expect(intlZone(name)).toBe(intl);
		const problem = problemOf(name);
		expect(suggested(problem)).toBe(meant);
	});

	it('refuses the longer legacy names Intl accepts, naming the zone to use', () => {
		const names = [
			'EST5EDT',
			'CST6CDT',
			'MST7MDT',
			'PST8PDT',
			'Cuba',
			'Eire',
			'Iran',
			'Zulu',
			'Japan',
			'Singapore',
			'GB',
			'GB-Eire',
			'NZ',
			'NZ-CHAT',
			'W-SU',
			'Navajo',
			'Greenwich',
			'Universal',
			'GMT0',
			'GMT+0',
			'GMT-0',
		].filter((name) => intlZone(name) !== undefined);
		expect(names.length).toBeGreaterThan(15);
		for (const name of names) {
			const instead = suggested(problemOf(name));
			expect(instead).toBeDefined();
			expect('zone' in readTimeZoneName(instead!)).toBe(true);
		}
		// ICU's own SystemV names, not IANA's: refused, with examples of the Area/City form.
		for (const name of ['SystemV/EST5EDT', 'SystemV/AST4'].filter((n) => intlZone(n)))
			expect(problemOf(name)).toContain('like Europe/Berlin or America/New_York');
		expect(suggested(problemOf('Japan'))).toBe('Asia/Tokyo');
		expect(suggested(problemOf('EST5EDT'))).toBe('America/New_York');
	});

	it('refuses every Etc/GMT±N with its real offset (the sign is inverted)', () => {
		let refused = 0;
		for (let hours = -14; hours <= 14; hours++) {
			if (hours === 0) continue;
			const name = `Etc/GMT${hours > 0 ? '+' : '-'}${Math.abs(hours)}`;
			if (intlZone(name) === undefined) continue;
			refused++;
			const problem = problemOf(name);
			// Etc/GMT+5 is UTC−05:00: five hours behind.
			const offset = -offsets(name)[0] / 60;
			expect(offset).toBe(hours);
			expect(problem).toContain(
				`UTC${hours > 0 ? '−' : '+'}${String(Math.abs(hours)).padStart(2, '0')}:00`,
			);
			expect(problem).toContain('IANA zone');
		}
		expect(refused).toBe(26);
	});

	it.each([
		['empty', ''],
		['blank', '   '],
		['unknown', 'Mars/Olympus'],
		['with a space', 'America/New York'],
		['with a command', 'EST5EDT; rm -rf'],
		['5,000 characters', 'x'.repeat(5000)],
	])('refuses %s as no time zone, quoting at most 60 characters', (_label, name) => {
		const problem = problemOf(name);
		expect(problem).toMatch(/^must be an IANA time zone like/);
		expect(problem.length).toBeLessThan(160);
	});
});
