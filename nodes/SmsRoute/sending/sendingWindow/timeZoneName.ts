/**
 * Which time-zone names the Sending Window takes. Intl accepts far more than IANA zones: ICU's
 * legacy abbreviations read `EST` as America/Panama (no clock changes) and `BST` as Bangladesh,
 * and `Etc/GMT+5` means UTC−5. A name is taken only as `Area/Location` in one of IANA's areas
 * (a canonical zone, or a link such as `US/Eastern` or `Asia/Calcutta`), or as `UTC`.
 */

/** IANA's areas: the continents and oceans, and the backward links' country areas. */
const IANA_AREAS = new Set([
	'africa',
	'america',
	'antarctica',
	'arctic',
	'asia',
	'atlantic',
	'australia',
	'europe',
	'indian',
	'pacific',
	'us',
	'canada',
	'brazil',
	'chile',
	'mexico',
]);

/** What a person most likely means by an abbreviation; ICU's own reading is often elsewhere. */
const MEANT: Readonly<Record<string, string>> = {
	EST: 'America/New_York',
	EDT: 'America/New_York',
	CST: 'America/Chicago',
	CDT: 'America/Chicago',
	MST: 'America/Denver (America/Phoenix for Arizona)',
	MDT: 'America/Denver',
	PST: 'America/Los_Angeles',
	PDT: 'America/Los_Angeles',
	AST: 'America/Halifax',
	AKST: 'America/Anchorage',
	HST: 'Pacific/Honolulu',
	GMT: 'Europe/London (or UTC for no clock changes)',
	BST: 'Europe/London',
	IST: 'Asia/Kolkata (Europe/Dublin for Ireland)',
	CET: 'Europe/Berlin',
	CEST: 'Europe/Berlin',
	MET: 'Europe/Berlin',
	EET: 'Europe/Athens',
	WET: 'Europe/Lisbon',
	JST: 'Asia/Tokyo',
	KST: 'Asia/Seoul',
	AEST: 'Australia/Sydney',
	AET: 'Australia/Sydney',
	NZST: 'Pacific/Auckland',
	NST: 'Pacific/Auckland (America/St_Johns for Newfoundland)',
};

const ETC_OFFSET = /^etc\/gmt([+-])(\d{1,2})$/i;

/** The name Intl resolves it to, or undefined when Intl does not know it. */
function intlZone(name: string): string | undefined {
	try {
		return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
	} catch {
		return undefined;
	}
}

const EXAMPLES = 'Europe/Berlin or America/New_York';

/**
 * The zone to judge a Sending Window Time Zone by (Intl's name for it, e.g. `America/New_York`
 * for `US/Eastern`), or the problem as text for an error naming the zone to use instead.
 * Costs an Intl formatter (tens of µs): call it once per distinct name.
 */
export function readTimeZoneName(given: string): { zone: string } | { problem: string } {
	const name = given.trim();
	const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
	const resolved = intlZone(name);
	if (resolved === undefined)
		return { problem: `must be an IANA time zone like ${EXAMPLES} (got "${shown}")` };
	const slash = name.indexOf('/');
	const area = slash > 0 ? name.slice(0, slash).toLowerCase() : '';
	if (IANA_AREAS.has(area)) return { zone: resolved };
	const resolvedArea = resolved.slice(0, Math.max(0, resolved.indexOf('/'))).toLowerCase();
	// UTC under any of its IANA names (Etc/UTC, Etc/GMT, Etc/Zulu); bare GMT is refused below:
	// said of a place, it usually means London's clock, summer time included.
	if (resolved === 'UTC' && (name.toUpperCase() === 'UTC' || area === 'etc'))
		return { zone: 'UTC' };

	const offset = ETC_OFFSET.exec(name);
	if (offset && Number(offset[2]) !== 0) {
		// POSIX signs: Etc/GMT+5 is five hours behind UTC.
		const utc = `UTC${offset[1] === '+' ? '−' : '+'}${offset[2].padStart(2, '0')}:00`;
		return {
			problem: `is "${shown}", a fixed offset (${utc}: Etc/GMT signs are inverted) that never follows a place's clock changes: give the recipient's place as an IANA zone (Area/City, like ${EXAMPLES}), or UTC`,
		};
	}
	const meant = MEANT[name.toUpperCase()];
	const instead =
		meant ?? (resolved === 'UTC' || IANA_AREAS.has(resolvedArea) ? resolved : undefined);
	return {
		problem: `is "${shown}", ${slash > 0 ? 'not an IANA Area/City name' : 'an abbreviation or legacy name, not an IANA Area/City zone'} (Intl reads it as ${resolved}, which may not be the place meant): give the IANA zone${instead ? `, e.g. ${instead}` : ` of the recipient's place, like ${EXAMPLES}`}`,
	};
}
