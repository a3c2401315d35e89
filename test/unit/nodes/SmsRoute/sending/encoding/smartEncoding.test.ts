/**
 * Smart Encoding: look-alikes are replaced only when that makes the whole message GSM-7.
 * Segment counts come from estimateSegments, whose boundaries segments.test.ts checks.
 */
import {
	estimateSegments,
	gsm7Septets,
} from '../../../../../../nodes/SmsRoute/sending/encoding/segments';
import {
	LOOK_ALIKES,
	applySmartEncoding,
} from '../../../../../../nodes/SmsRoute/sending/encoding/smartEncoding';

describe('applySmartEncoding', () => {
	it('turns pasted document punctuation into GSM-7 and counts each replaced character', () => {
		const pasted = '“Your order’s ready” – pick it up\u00A0today…';
		const out = applySmartEncoding(pasted);
		expect(out.body).toBe('"Your order\'s ready" - pick it up today...');
		expect(out.replacedCharacters).toBe(6);
		expect(estimateSegments(pasted).encoding).toBe('UCS-2');
		expect(estimateSegments(out.body)).toMatchObject({ encoding: 'GSM-7', nonGsmCharacters: [] });
	});

	it('saves parts: one curly apostrophe in a 150-character text costs 3 parts, smart-encoded 1', () => {
		const body = `${'a'.repeat(140)} it’s here`;
		expect(body.length).toBe(150);
		expect(estimateSegments(body).segments).toBe(3);
		expect(estimateSegments(applySmartEncoding(body).body).segments).toBe(1);
	});

	it('leaves the text as written when something without a look-alike keeps it UCS-2', () => {
		for (const body of ['“Thanks” 😀', '“Danke” – 谢谢', 'Olá “amigo”']) {
			expect(applySmartEncoding(body)).toEqual({ body, replacedCharacters: 0 });
		}
	});

	it('does not touch text that already is GSM-7', () => {
		const body = 'Plain text with € and [brackets] and "quotes"';
		expect(applySmartEncoding(body)).toEqual({ body, replacedCharacters: 0 });
	});

	it('removes invisible characters (zero-width space, soft hyphen, byte order mark)', () => {
		expect(applySmartEncoding('\uFEFFab\u200Bc\u00ADd')).toEqual({
			body: 'abcd',
			replacedCharacters: 3,
		});
	});

	it('counts replacements that land on escape characters as two septets', () => {
		const out = applySmartEncoding('x\u02C6y\u02DCz'); // modifier circumflex and small tilde
		expect(out.body).toBe('x^y~z');
		expect(estimateSegments(out.body)).toMatchObject({ encoding: 'GSM-7', units: 7 });
	});
});

describe('the look-alike table', () => {
	const entries = LOOK_ALIKES.flatMap(([chars, replacement, what]) =>
		[...chars].map((char) => ({
			code: `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
			char,
			replacement,
			what,
		})),
	);

	it.each(entries)(
		'$code ($what) is outside GSM-7 and becomes GSM-7 only',
		({ char, replacement }) => {
			expect(gsm7Septets(char)).toBe(0);
			for (const out of replacement) expect(gsm7Septets(out)).toBeGreaterThan(0);
		},
	);

	it('covers the characters the issue names: curly quotes, dashes, ellipsis, non-breaking and other spaces', () => {
		const covered = new Set(entries.map((e) => e.char));
		for (const char of '‘’“”–—…\u00A0\u2009\u202F') expect(covered.has(char)).toBe(true);
	});

	it('touches no ASCII character: the backtick in a code or URL stays (issue 21)', () => {
		expect(entries.filter((e) => e.char.charCodeAt(0) < 0x80).map((e) => e.code)).toEqual([]);
		// 0.2.0 sent "Xk'9!pQ2": a code the recipient could no longer type back. The backtick is
		// not GSM-7, so the message goes UCS-2 as written, curly quote and all.
		expect(applySmartEncoding('Code Xk`9!pQ2')).toEqual({
			body: 'Code Xk`9!pQ2',
			replacedCharacters: 0,
		});
		const mixed = 'Code Xk`9!pQ2 \u2019 https://x.io/a`b';
		expect(applySmartEncoding(mixed).body).toBe(mixed);
	});

	it('maps no character twice', () => {
		const seen = entries.map((e) => e.char);
		expect(new Set(seen).size).toBe(seen.length);
	});
});
