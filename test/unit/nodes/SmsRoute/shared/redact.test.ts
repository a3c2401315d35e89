import { createRedactor, redactSecrets } from '../../../../../nodes/SmsRoute/shared/redact';

describe('redaction', () => {
	it('redacts API keys from any text', () => {
		expect(redactSecrets('key sk_live_abcDEF123_x and sk_test_zz')).toBe(
			'key sk_live_*** and sk_test_***',
		);
		expect(redactSecrets('xsk_live_glued9 sk%5Flive%5Fencoded')).toBe(
			'xsk_live_*** sk%5Flive%5F***',
		);
	});

	it('redacts the credential key values in every echoed form', () => {
		const key = 'sk_test_Zq9+Xw/Lm=Rt7_hostile';
		const redact = createRedactor([key, '', undefined]);
		const echoes = [
			`glued${key}`,
			encodeURIComponent(key),
			encodeURIComponent(key).toLowerCase(),
			Buffer.from(`Bearer ${key}`).toString('base64'),
			Buffer.from(`:${key}`).toString('base64url'),
			Buffer.from(`ab${key}`).toString('base64'),
			// Escaped in a JSON string, as a server that escapes "/" writes it.
			key.replace(/\//g, '\\/'),
		];
		for (const echo of echoes) {
			const text = redact(`before ${echo} after`);
			expect(text).not.toContain(key);
			expect(text).not.toContain(echo);
			expect(text).toMatch(/^before .*\*\*\*.* after$/);
		}
	});
});
