/**
 * The Sending Window: whether a message may go out now in its recipient's local time, and if
 * not, the next minute it may. Time zones come from Node's own Intl (ICU's tz data), no library.
 */

const MINUTES_PER_DAY = 1440;
const MINUTE_MS = 60_000;
/**
 * How far ahead the next opening is looked for. A daily window opens within a day in any one
 * zone (25 hours across a clock change); three days leave room for several zones. No opening in
 * that time means the zones' windows never overlap, e.g. Guam and Hawaii for a 13-hour window.
 */
export const SEARCH_MINUTES = 3 * MINUTES_PER_DAY;

/** A daily window in local wall-clock minutes since midnight: start included, end excluded. */
export interface DailyWindow {
	start: number;
	end: number;
	/** The window as "HH:MM-HH:MM". */
	text: string;
}

const WINDOW_PATTERN = /^\s*(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})\s*$/;

function clock(minutes: number): string {
	return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * Reads "08:00-21:00" (a dash or en dash between, 24:00 allowed as the end). The window is
 * always when sending is allowed: a start after the end crosses midnight, so "21:00-08:00"
 * allows the night. Returns the problem as text when the window cannot be read.
 */
export function parseWindow(value: unknown): DailyWindow | string {
	if (typeof value !== 'string') {
		return `must be a daily window like 08:00-21:00 (got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`})`;
	}
	const text = value;
	const match = text.length <= 100 ? WINDOW_PATTERN.exec(text) : null;
	if (!match) {
		return `must be a daily window like 08:00-21:00 (got "${text.length > 100 ? `${text.slice(0, 100)}…` : text}")`;
	}
	const [startHour, startMinute, endHour, endMinute] = match.slice(1).map(Number);
	const start = startHour * 60 + startMinute;
	const end = endHour * 60 + endMinute;
	if (startHour > 23 || startMinute > 59 || endMinute > 59 || end > MINUTES_PER_DAY) {
		return `has a time that does not exist (got "${text}"; hours 00-23, minutes 00-59, 24:00 only as the end)`;
	}
	if (start === end % MINUTES_PER_DAY) {
		return `starts and ends at the same time, so it is never open or always open (got "${text}"); remove the option to send at any time`;
	}
	return { start, end: end % MINUTES_PER_DAY, text: `${clock(start)}-${clock(end)}` };
}

export function isOpenAt(window: DailyWindow, localMinute: number): boolean {
	return window.start < window.end
		? localMinute >= window.start && localMinute < window.end
		: localMinute >= window.start || localMinute < window.end;
}

interface HourOffsets {
	before: number;
	after: number;
	/** First minute of the hour with `after`: a clock change inside the hour, else Infinity. */
	changeAt: number;
}

/**
 * One zone's UTC offset at any minute, from Intl. Offsets are measured once per UTC hour, and
 * where the two ends of an hour differ, the changing minute is found by bisection: about 1.5
 * Intl calls per hour instead of 60, exact to the minute across clock changes.
 */
export class ZoneClock {
	private readonly formatter: Intl.DateTimeFormat;
	private readonly hours = new Map<number, HourOffsets>();

	constructor(readonly zone: string) {
		this.formatter = new Intl.DateTimeFormat('en-US', {
			timeZone: zone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
		});
	}

	/** Local wall-clock minutes since midnight at a UTC minute (minutes since the epoch). */
	localMinuteOfDay(utcMinute: number): number {
		const local = utcMinute + this.offsetAt(utcMinute);
		return ((local % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
	}

	offsetAt(utcMinute: number): number {
		const hour = Math.floor(utcMinute / 60);
		let offsets = this.hours.get(hour);
		if (!offsets) {
			// Bounded: a long-lived n8n process keeps one clock per zone for every run.
			if (this.hours.size > 20_000) this.hours.clear();
			offsets = this.measureHour(hour * 60);
			this.hours.set(hour, offsets);
		}
		return utcMinute < offsets.changeAt ? offsets.before : offsets.after;
	}

	private measureHour(start: number): HourOffsets {
		const before = this.measure(start);
		const after = this.measure(start + 60);
		if (before === after) return { before, after, changeAt: Infinity };
		let low = start;
		let high = start + 60;
		while (high - low > 1) {
			const middle = Math.floor((low + high) / 2);
			if (this.measure(middle) === before) low = middle;
			else high = middle;
		}
		return { before, after, changeAt: high };
	}

	/** Offset in minutes: the local wall clock read as if it were UTC, minus the instant. */
	private measure(utcMinute: number): number {
		const parts: Record<string, number> = {};
		for (const part of this.formatter.formatToParts(utcMinute * MINUTE_MS)) {
			if (part.type !== 'literal') parts[part.type] = Number(part.value);
		}
		const local = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute);
		return Math.round(local / MINUTE_MS) - utcMinute;
	}
}

const clocks = new Map<string, ZoneClock>();

/** The shared clock of a zone Intl knows (check a given name with readTimeZoneName first). */
export function zoneClock(zone: string): ZoneClock {
	let found = clocks.get(zone);
	if (!found) {
		found = new ZoneClock(zone);
		clocks.set(zone, found);
	}
	return found;
}

export type WindowVerdict =
	{ send: true } | { send: false; sendAfter: string } | { send: false; never: true };

/** "2026-03-08T07:00:00Z": ISO 8601 in UTC, to the minute. */
export function isoMinute(utcMinute: number): string {
	return new Date(utcMinute * MINUTE_MS).toISOString().replace('.000Z', 'Z');
}

/**
 * Send now when the window is open at `nowMs` in every zone; otherwise the first later minute
 * at which it is open in all of them at once. Judged by each zone's wall clock: on a day the
 * clocks go forward past the start, the window opens at the first minute that exists after it.
 */
export function judge(
	window: DailyWindow,
	zoneClocks: readonly ZoneClock[],
	nowMs: number,
): WindowVerdict {
	const now = Math.floor(nowMs / MINUTE_MS);
	const openAt = (minute: number) =>
		zoneClocks.every((zone) => isOpenAt(window, zone.localMinuteOfDay(minute)));
	if (openAt(now)) return { send: true };
	for (let minute = now + 1; minute <= now + SEARCH_MINUTES; minute++) {
		if (openAt(minute)) return { send: false, sendAfter: isoMinute(minute) };
	}
	return { send: false, never: true };
}
