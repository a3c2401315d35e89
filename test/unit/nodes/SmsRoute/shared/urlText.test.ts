import { withoutTrailingSlashes } from '../../../../../nodes/SmsRoute/shared/urlText';

describe('withoutTrailingSlashes', () => {
	test.each([
		['https://api.smsroute.cc/v1/', 'https://api.smsroute.cc/v1'],
		['https://api.smsroute.cc/v1///', 'https://api.smsroute.cc/v1'],
		['https://api.smsroute.cc/v1', 'https://api.smsroute.cc/v1'],
		['///', ''],
		['', ''],
		['http://127.0.0.1:5055/v1/?q=/', 'http://127.0.0.1:5055/v1/?q='],
	])('%j → %j', (input, expected) => {
		expect(withoutTrailingSlashes(input)).toBe(expected);
	});

	test('keeps slashes inside the text, and a backslash at the end', () => {
		expect(withoutTrailingSlashes('a//b//\\')).toBe('a//b//\\');
		expect(withoutTrailingSlashes(`${'/'.repeat(100_000)}x/`)).toBe(`${'/'.repeat(100_000)}x`);
	});
});
