/**
 * Hostile review of the guardrails (issue 21): opt-out lists written the ways CRMs and phones
 * export numbers, and To values a CSV row or a form can send.
 */
import { readDoNotSendTo } from '../../nodes/SmsRoute/helpers/guards';
import { normalize } from '../../nodes/SmsRoute/helpers/phoneNumber';

const UK_MOBILE = '+447400123456';

describe('Do Not Send To matches the message a listed entry stands for', () => {
	// The message side: how each of these is sent (E.164 as given, or read with Default Country).
	it.each(['', 'GB', 'US'])(
		'an E.164 entry with the trunk prefix in brackets, "+44 (0)7400 123456" (Default Country "%s")',
		(defaultCountry) => {
			expect(normalize('+44 (0)7400 123456', 'GB').e164).toBe(UK_MOBILE);
			expect(readDoNotSendTo('+44 (0)7400 123456', defaultCountry).has(UK_MOBILE)).toBe(true);
			expect(readDoNotSendTo(['+44(0)7400123456'], defaultCountry).has(UK_MOBILE)).toBe(true);
		},
	);

	it.each([
		['a tel: URI (RFC 3966, vCard and CRM exports)', 'tel:+447400123456'],
		['a tel: URI with visual separators', 'tel:+44-7400-123456'],
		['a left-to-right mark pasted from a phone or a right-to-left page', '\u200e+447400123456'],
		["a spreadsheet's leading apostrophe", "'+447400123456"],
		['quotes from a CSV export', '"+447400123456"'],
	])('%s', (_, entry) => {
		expect(readDoNotSendTo(entry, '').has(UK_MOBILE)).toBe(true);
		expect(readDoNotSendTo([entry], 'GB').has(UK_MOBILE)).toBe(true);
	});
});

describe('a To that is no phone number', () => {
	it('a 200 kB CSV row with a slash in it is refused as too long, not parsed', () => {
		// The extension check's slash pattern backtracks quadratically: 16 kB took 0.1 s, 200 kB
		// some 16 s of n8n's main thread per item before this was refused.
		const row = `030 / 1234567;${'1'.repeat(200_000)}`;
		const read = normalize(row, 'DE');
		expect(read.e164).toBeNull();
		expect(read.reason).toMatch(/too long/);
		expect(normalize(`+4915123456789 /${' 1'.repeat(100_000)}`, '').reason).toMatch(/too long/);
		expect(readDoNotSendTo([row], 'DE').size).toBe(0);
	});

	it('a number with generous spacing is still read', () => {
		expect(normalize(`  +44 ${' '.repeat(30)}7400 123456  `, '').e164).toBe(UK_MOBILE);
	});
});
