import {
	environmentOf,
	selectApiKey,
} from '../../../../../nodes/SmsRoute/shared/smsRouteCredential';

describe('shared/smsRouteCredential: what the SMS Route API credential holds', () => {
	it('anything but "live" is the test environment', () => {
		expect(environmentOf({ environment: 'live' })).toBe('live');
		for (const environment of ['test', 'LIVE', '', 'constructor'])
			expect(environmentOf({ environment })).toBe('test');
		expect(environmentOf({})).toBe('test');
	});

	it('picks the chosen environment’s key, trimmed', () => {
		const credentials = { testApiKey: ' sk_test_abc ', liveApiKey: 'sk_live_xyz' };
		expect(selectApiKey({ ...credentials, environment: 'test' })).toBe('sk_test_abc');
		expect(selectApiKey({ ...credentials, environment: 'live' })).toBe('sk_live_xyz');
	});

	it('a key in the wrong field or an empty one fails naming the field, never the key', () => {
		const live = 'sk_live_secret_value_123';
		expect(() => selectApiKey({ environment: 'test', testApiKey: live })).toThrow(
			'The Test API Key must start with "sk_test_"',
		);
		try {
			selectApiKey({ environment: 'test', testApiKey: live });
		} catch (error) {
			expect((error as Error).message).not.toContain('secret_value');
		}
		expect(() => selectApiKey({ environment: 'live', liveApiKey: '  ' })).toThrow(
			`The Live API Key is empty: the credential's Environment is "Live"`,
		);
		expect(() => selectApiKey({ environment: 'live', liveApiKey: 42 })).toThrow(/is empty/);
	});
});
