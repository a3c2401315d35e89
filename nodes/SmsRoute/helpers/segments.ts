/**
 * Local estimate of how a body is encoded and how many SMS segments (credits) it costs,
 * so users can price a campaign before sending (the Dry Run option) and see it per message.
 */

// GSM 03.38 basic set (one septet each) and extension table (escape + char: two septets).
const GSM7_BASIC = new Set(
	'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('^{}\\[~]|€\f');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentEstimate {
	encoding: SmsEncoding;
	/** Septets for GSM-7, UTF-16 code units for UCS-2. */
	units: number;
	segments: number;
}

export function estimateSegments(body: string): SegmentEstimate {
	let septets = 0;
	for (const char of body) {
		if (GSM7_BASIC.has(char)) septets += 1;
		else if (GSM7_EXTENDED.has(char)) septets += 2;
		else return ucs2Estimate(body);
	}
	return { encoding: 'GSM-7', units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

function ucs2Estimate(body: string): SegmentEstimate {
	// String length counts UTF-16 code units, which is what UCS-2/UTF-16 SMS carry (emoji = 2).
	const units = body.length;
	return { encoding: 'UCS-2', units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
