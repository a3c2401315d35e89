import { PREFIX_TABLE, ZONE_NAMES, ZONE_SETS } from './timeZoneTable.generated';

/**
 * The Sending Window's zones of a recipient: the IANA zones libphonenumber maps the number's
 * prefix to (scripts/generate-time-zones.js makes the table).
 */

interface PrefixTable {
	/**
	 * Keyed by the prefix read as a number: a prefix starts with its country code, never with 0,
	 * so the number names one prefix, and a lookup builds no string.
	 */
	zonesByPrefix: Map<number, readonly string[]>;
	longest: number;
}

let table: PrefixTable | undefined;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Decodes the generated table (format: scripts/generate-time-zones.js) on first use. */
function prefixTable(): PrefixTable {
	if (table) return table;
	const names = ZONE_NAMES.split(' ');
	const sets = ZONE_SETS.split(' ').map((set) =>
		Object.freeze(set.split('.').map((index) => names[Number(index)])),
	);
	const zonesByPrefix = new Map<number, readonly string[]>();
	let previous = '';
	let longest = 0;
	for (const [, shared, digits, set] of PREFIX_TABLE.matchAll(/(\d)(\d*)([a-zA-Z]{2})/g)) {
		const prefix = previous.slice(0, Number(shared)) + digits;
		zonesByPrefix.set(
			Number(prefix),
			sets[LETTERS.indexOf(set[0]) * LETTERS.length + LETTERS.indexOf(set[1])],
		);
		longest = Math.max(longest, prefix.length);
		previous = prefix;
	}
	table = { zonesByPrefix, longest };
	return table;
}

const NONE: readonly string[] = Object.freeze([]);

/**
 * The IANA zones of an E.164 number by libphonenumber's map: those of its longest listed
 * prefix (area code or exchange; a number with an unlisted area code gets its country's zones).
 * Empty when the map has none, as for +800 and satellite numbers. Called once per message: the
 * leading digits are read once as a number and shortened a digit at a time, no strings made.
 */
export function timeZonesForNumber(e164: string): readonly string[] {
	const { zonesByPrefix, longest } = prefixTable();
	const start = e164.charCodeAt(0) === 43 /* + */ ? 1 : 0;
	// No prefix starts with 0 (it would read as a shorter one).
	if (e164.charCodeAt(start) === 48) return NONE;
	let value = 0;
	let length = 0;
	while (length < longest) {
		const digit = e164.charCodeAt(start + length) - 48;
		if (!(digit >= 0 && digit <= 9)) break;
		value = value * 10 + digit;
		length++;
	}
	for (; length > 0; length--, value = Math.floor(value / 10)) {
		const zones = zonesByPrefix.get(value);
		if (zones) return zones;
	}
	return NONE;
}
