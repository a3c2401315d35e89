/**
 * Smart Encoding: characters pasted from documents that have a GSM-7 look-alike are replaced so
 * the message stays GSM-7 (160/153 characters a part instead of UCS-2's 70/67).
 *
 * The table below is the whole rule set. It follows the lists carriers publish for the same
 * feature (Twilio "List of characters replaced by Smart Encoding", Telnyx and Bird smart
 * encoding) restricted to characters that look the same; letters with other accents are not
 * touched, because that would change words. Replacement happens only when it makes the whole
 * message GSM-7: with an emoji or a non-Latin script left in, UCS-2 carries the original
 * characters at no extra cost, so the text is sent as written (Bird documents the same rule).
 */
import { gsm7Septets } from './segments';

/**
 * [characters, replacement, what they are]. An empty replacement removes an invisible character.
 * Only characters outside ASCII: an ASCII one (the backtick or tab in a code or URL) was typed on
 * purpose, and a cheaper encoding is no reason to change what the recipient must type back.
 */
export const LOOK_ALIKES: ReadonlyArray<readonly [string, string, string]> = [
	[
		'\u2018\u2019\u201A\u201B\u2032\u2035\u02B9\u02BB\u02BC\u02BD\u02C8\u02CA\u02CB\u00B4\u2039\u203A\u275B\u275C\uFF07',
		"'",
		'single quotes, apostrophes, primes, acute and grave accents',
	],
	[
		'\u201C\u201D\u201E\u201F\u2033\u2036\u00AB\u00BB\u02BA\u02EE\u275D\u275E\u301D\u301E\uFF02',
		'"',
		'double quotes, double primes, guillemets',
	],
	[
		'\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\uFE58\uFE63\uFF0D',
		'-',
		'hyphens, en and em dashes, minus sign',
	],
	['\u2026', '...', 'horizontal ellipsis'],
	[
		'\u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000',
		' ',
		'non-breaking, narrow, thin, en, em and other spaces',
	],
	['\u2028\u2029\u0085', '\n', 'line and paragraph separators'],
	[
		'\u00AD\u200B\u200C\u200D\u2060\uFEFF',
		'',
		'soft hyphen, zero-width spaces and joiners, byte order mark',
	],
	['\u2044\u2215\uFF0F', '/', 'fraction and division slashes'],
	['\u2216\uFF3C', '\\', 'set minus, fullwidth backslash'],
	['\u02C6\u2038', '^', 'modifier circumflex, caret'],
	['\u02DC\u223C\uFF5E', '~', 'small tilde, tilde operator'],
	['\u2024\uFF0E', '.', 'one-dot leader, fullwidth full stop'],
	['\uFF0C', ',', 'fullwidth comma'],
	['\uFF1A', ':', 'fullwidth colon'],
	['\uFF1B', ';', 'fullwidth semicolon'],
	['\uFF01', '!', 'fullwidth exclamation mark'],
	['\uFF1F', '?', 'fullwidth question mark'],
	// 3GPP TS 23.038 shows these Greek capitals with the Latin glyph they look like.
	['\u0391', 'A', 'Greek capital alpha'],
	['\u0392', 'B', 'Greek capital beta'],
	['\u0395', 'E', 'Greek capital epsilon'],
	['\u0396', 'Z', 'Greek capital zeta'],
	['\u0397', 'H', 'Greek capital eta'],
	['\u0399', 'I', 'Greek capital iota'],
	['\u039A', 'K', 'Greek capital kappa'],
	['\u039C', 'M', 'Greek capital mu'],
	['\u039D', 'N', 'Greek capital nu'],
	['\u039F', 'O', 'Greek capital omicron'],
	['\u03A1', 'P', 'Greek capital rho'],
	['\u03A4', 'T', 'Greek capital tau'],
	['\u03A5', 'Y', 'Greek capital upsilon'],
	['\u03A7', 'X', 'Greek capital chi'],
];

const REPLACEMENTS = new Map<string, string>();
for (const [chars, replacement] of LOOK_ALIKES) {
	for (const char of chars) REPLACEMENTS.set(char, replacement);
}

/** Whether Smart Encoding has a GSM-7 look-alike for this character. */
export function hasLookAlike(char: string): boolean {
	return REPLACEMENTS.has(char);
}

export interface SmartEncodingResult {
	/** The body to send: replaced when that makes it GSM-7, otherwise the body as given. */
	body: string;
	/** How many characters were replaced (or removed, for invisible ones). */
	replacedCharacters: number;
}

export function applySmartEncoding(body: string): SmartEncodingResult {
	let out = '';
	let replaced = 0;
	for (const char of body) {
		if (gsm7Septets(char) > 0) {
			out += char;
			continue;
		}
		const replacement = REPLACEMENTS.get(char);
		if (replacement === undefined) return { body, replacedCharacters: 0 };
		out += replacement;
		replaced += 1;
	}
	return { body: out, replacedCharacters: replaced };
}
