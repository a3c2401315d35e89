/**
 * Segment counts at every part boundary, against two independent references:
 *
 * 1. Published calculator examples: Twilio's open-source segment calculator
 *    (github.com/TwilioDevEd/message-segment-calculator, tests/index.test.js and
 *    tests/segments.test.js) — the bodies below marked "Twilio" are the ones in those tests,
 *    with the encoding, segment count and message size in bits they expect.
 * 2. A reference packer written here from 3GPP TS 23.040 rather than from the 160/153/70/67
 *    constants: a part carries 140 octets of user data; a concatenated part spends 6 octets on
 *    the user data header (UDHL, IEI 00, IEDL 3, reference, total, sequence), and GSM-7 septets
 *    after the header start on a septet boundary (fill bits). Characters are packed whole.
 */
import { estimateSegments } from '../../../../../../nodes/SmsRoute/sending/encoding/segments';

const USER_DATA_BITS = 140 * 8;
const UDH_BITS = 6 * 8;

/** Reference: bits of each character, packed whole into parts of the size TS 23.040 allows. */
function referenceParts(body: string): number {
	const gsmBasic = new Set(
		'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
	);
	const gsmEscaped = new Set('\f^{}\\[~]|€');
	const chars = [...body];
	const isGsm = chars.every((c) => gsmBasic.has(c) || gsmEscaped.has(c));
	const bits = chars.map((c) => (isGsm ? (gsmEscaped.has(c) ? 14 : 7) : c.length * 16));
	const unit = isGsm ? 7 : 16;
	const total = bits.reduce((a, b) => a + b, 0);
	if (total <= Math.floor(USER_DATA_BITS / unit) * unit) return 1;
	// Header, then padding to the next septet (GSM-7) so the text starts on a character boundary.
	const headerWithFill = Math.ceil(UDH_BITS / unit) * unit;
	const capacity = Math.floor((USER_DATA_BITS - headerWithFill) / unit) * unit;
	let parts = 1;
	let used = 0;
	for (const b of bits) {
		if (used + b > capacity) {
			parts += 1;
			used = 0;
		}
		used += b;
	}
	return parts;
}

const a = (n: number) => 'a'.repeat(n);
const zh = (n: number) => 'ж'.repeat(n);
const digits = (n: number) => Array.from({ length: n }, (_, i) => String((i + 2) % 10)).join('');

const cases: Array<[name: string, body: string, encoding: 'GSM-7' | 'UCS-2', segments: number]> = [
	// GSM-7: 160 in one part, then 153 per part.
	['GSM-7 160', a(160), 'GSM-7', 1],
	['GSM-7 161', a(161), 'GSM-7', 2],
	['GSM-7 306 (2 × 153)', a(306), 'GSM-7', 2],
	['GSM-7 307 (Twilio segments.test.js: third part holds 1 character)', a(307), 'GSM-7', 3],
	['GSM-7 459 (3 × 153)', a(459), 'GSM-7', 3],
	['GSM-7 460', a(460), 'GSM-7', 4],
	// GSM-7 with escapes: "{" costs two septets.
	['Twilio: "{" + 158 → 160 septets, one part', `{${digits(158)}`, 'GSM-7', 1],
	['Twilio: "{" + 159 → 161 septets, two parts', `{${digits(159)}`, 'GSM-7', 2],
	['80 × € = 160 septets', '€'.repeat(80), 'GSM-7', 1],
	['escape pair would straddle parts 1/2: 152 + € + 152', `${a(152)}€${a(152)}`, 'GSM-7', 3],
	['escape pair ends part 1 exactly: 151 + € + 153', `${a(151)}€${a(153)}`, 'GSM-7', 2],
	['escape pair would straddle parts 2/3', `${a(153)}${a(152)}[${a(10)}`, 'GSM-7', 3],
	['76 € fill a part (152), the 77th starts the next', '€'.repeat(153), 'GSM-7', 3],
	// UCS-2: 70 in one part, then 67 per part, counted in UTF-16 units.
	['UCS-2 70', zh(70), 'UCS-2', 1],
	['UCS-2 71', zh(71), 'UCS-2', 2],
	['UCS-2 134 (2 × 67)', zh(134), 'UCS-2', 2],
	['UCS-2 135', zh(135), 'UCS-2', 3],
	['UCS-2 201 (3 × 67)', zh(201), 'UCS-2', 3],
	['UCS-2 202', zh(202), 'UCS-2', 4],
	// Emoji: a surrogate pair is two units and is never split.
	['Twilio: 😜 + 68 → 70 units, one part', `😜${digits(68)}`, 'UCS-2', 1],
	['Twilio: 😜 + 69 → 71 units, two parts', `😜${digits(69)}`, 'UCS-2', 2],
	['Twilio segments.test.js: 😜 + 133 → third part holds "4"', `😜${digits(133)}`, 'UCS-2', 3],
	['35 emoji = 70 units', '😀'.repeat(35), 'UCS-2', 1],
	['surrogate pair would straddle parts 1/2: 66 + 😀 + 66', `${zh(66)}😀${zh(66)}`, 'UCS-2', 3],
	['surrogate pair ends part 1 exactly: 65 + 😀 + 67', `${zh(65)}😀${zh(67)}`, 'UCS-2', 2],
	['67 emoji: 33 per part (66 units)', '😀'.repeat(67), 'UCS-2', 3],
];

describe('estimateSegments at part boundaries', () => {
	it.each(cases.map(([name, body, encoding, segments]) => ({ name, body, encoding, segments })))(
		'$name → $encoding, $segments',
		({ body, encoding, segments }) => {
			const estimate = estimateSegments(body);
			expect({ encoding: estimate.encoding, segments: estimate.segments }).toEqual({
				encoding,
				segments,
			});
			expect(referenceParts(body)).toBe(segments);
		},
	);

	it('matches the Twilio examples sizes in bits (7 per septet, 16 per UCS-2 unit)', () => {
		// tests/index.test.js: messageSize 1120 and 1127 for the "{" bodies, 1120 and 1136 for 😜.
		expect(estimateSegments(`{${digits(158)}`).units * 7).toBe(1120);
		expect(estimateSegments(`{${digits(159)}`).units * 7).toBe(1127);
		expect(estimateSegments(`😜${digits(68)}`).units * 16).toBe(1120);
		expect(estimateSegments(`😜${digits(69)}`).units * 16).toBe(1136);
	});

	it('agrees with the reference on random bodies mixing escapes, emoji and plain text', () => {
		const alphabet = ['a', 'b', ' ', '€', '[', '{', 'ж', '😀', '“'];
		let seed = 7;
		const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
		for (let i = 0; i < 400; i++) {
			const gsmOnly = i % 2 === 0;
			const pool = gsmOnly ? alphabet.slice(0, 6) : alphabet;
			const length = 100 + (next() % 500);
			const body = Array.from({ length }, () => pool[next() % pool.length]).join('');
			expect(estimateSegments(body).segments).toBe(referenceParts(body));
		}
	});
});

describe('nonGsmCharacters', () => {
	it('lists each character that forced UCS-2 once, in order of appearance', () => {
		expect(estimateSegments('“Hello” 😀 – “again”').nonGsmCharacters).toEqual([
			'“',
			'”',
			'😀',
			'–',
		]);
	});

	it('is empty for GSM-7, including escape characters', () => {
		expect(estimateSegments('Price: 5€ [ok] {x}')).toMatchObject({
			encoding: 'GSM-7',
			nonGsmCharacters: [],
		});
	});
});

describe('segment estimate', () => {
	it('counts GSM-7 septets, extension characters twice', () => {
		expect(estimateSegments('a'.repeat(160))).toMatchObject({
			encoding: 'GSM-7',
			units: 160,
			segments: 1,
		});
		expect(estimateSegments('a'.repeat(161))).toMatchObject({
			encoding: 'GSM-7',
			units: 161,
			segments: 2,
		});
		expect(estimateSegments('a'.repeat(306)).segments).toBe(2);
		expect(estimateSegments('a'.repeat(307)).segments).toBe(3);
		expect(estimateSegments('€'.repeat(80))).toMatchObject({
			encoding: 'GSM-7',
			units: 160,
			segments: 1,
		});
		expect(estimateSegments('€'.repeat(81)).segments).toBe(2);
	});

	it('switches to UCS-2 for any other character', () => {
		expect(estimateSegments('é'.repeat(70)).encoding).toBe('GSM-7');
		expect(estimateSegments('ж'.repeat(70))).toMatchObject({
			encoding: 'UCS-2',
			units: 70,
			segments: 1,
		});
		expect(estimateSegments('ж'.repeat(71))).toMatchObject({
			encoding: 'UCS-2',
			units: 71,
			segments: 2,
		});
		expect(estimateSegments('😀'.repeat(35))).toMatchObject({
			encoding: 'UCS-2',
			units: 70,
			segments: 1,
		});
		expect(estimateSegments('😀'.repeat(36)).segments).toBe(2);
	});
});
