'use strict';
/**
 * Wall-clock helpers for the Sending Window tests, straight from Intl (independent of the node's
 * own arithmetic): the expected decisions are worked out with these.
 */

/** Minutes since local midnight in `zone` at `instant` (ms since the epoch). */
function localMinute(zone, instant) {
	const parts = new Intl.DateTimeFormat('en-GB', {
		timeZone: zone,
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23',
	}).formatToParts(instant);
	const get = (type) => Number(parts.find((part) => part.type === type).value);
	return get('hour') * 60 + get('minute');
}

/** "HH:MM" of a minute of the day (any integer, taken modulo a day). */
function hhmm(minutes) {
	const m = ((minutes % 1440) + 1440) % 1440;
	return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** Whether a minute of the day is inside [start, end), the window crossing midnight if start > end. */
function insideWindow(window, minute) {
	return window.start < window.end
		? minute >= window.start && minute < window.end
		: minute >= window.start || minute < window.end;
}

module.exports = { localMinute, hhmm, insideWindow };
