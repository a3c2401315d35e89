/**
 * Local estimate of how a body is encoded and how many SMS segments (credits) it costs,
 * so users can price a campaign before sending (the Dry Run option) and see it per message.
 */

// GSM 03.38 basic set (one septet each) and extension table (escape + char: two septets).
const GSM7_BASIC = new Set(
	'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('^{}\\[~]|€\f');

// One part carries 140 octets. Alone, that is 160 septets or 70 UCS-2 units; in a long message
// each part gives 6 octets to the concatenation header (3GPP TS 23.040 §9.2.3.24.1), leaving
// 153 septets or 67 units.
const GSM7_SINGLE = 160;
const GSM7_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentEstimate {
	encoding: SmsEncoding;
	/** Septets for GSM-7, UTF-16 code units for UCS-2. */
	units: number;
	segments: number;
	/** The distinct characters that forced UCS-2, in order of first appearance (empty for GSM-7). */
	nonGsmCharacters: string[];
}

/** Septets one character takes in GSM-7 (1, or 2 for an escape pair), 0 when it has none. */
export function gsm7Septets(char: string): 0 | 1 | 2 {
	if (GSM7_BASIC.has(char)) return 1;
	if (GSM7_EXTENDED.has(char)) return 2;
	return 0;
}

/**
 * Parts needed for characters of the given sizes: a character is never split across two parts
 * (an escape pair or a surrogate pair goes whole into the next part), as phones and SMSCs do.
 */
function countParts(sizes: number[], total: number, single: number, part: number): number {
	if (total <= single) return 1;
	let parts = 1;
	let used = 0;
	for (const size of sizes) {
		if (used + size > part) {
			parts += 1;
			used = 0;
		}
		used += size;
	}
	return parts;
}

export function estimateSegments(body: string): SegmentEstimate {
	const sizes: number[] = [];
	const nonGsm = new Set<string>();
	let septets = 0;
	for (const char of body) {
		const size = gsm7Septets(char);
		if (size === 0) nonGsm.add(char);
		sizes.push(size);
		septets += size;
	}
	if (nonGsm.size === 0) {
		return {
			encoding: 'GSM-7',
			units: septets,
			segments: countParts(sizes, septets, GSM7_SINGLE, GSM7_PART),
			nonGsmCharacters: [],
		};
	}
	// UCS-2 parts count UTF-16 code units; a character outside the BMP (most emoji) takes two.
	const unitSizes: number[] = [];
	for (const char of body) unitSizes.push(char.length);
	return {
		encoding: 'UCS-2',
		units: body.length,
		segments: countParts(unitSizes, body.length, UCS2_SINGLE, UCS2_PART),
		nonGsmCharacters: [...nonGsm],
	};
}
