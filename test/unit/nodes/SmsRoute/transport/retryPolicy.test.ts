import {
	DEFAULT_RETRY_OPTIONS,
	backoffDelayMs,
	isRetryableStatus,
	parseRetryAfterMs,
	transientErrorCode,
} from '../../../../../nodes/SmsRoute/transport/retryPolicy';

describe('retry policy', () => {
	it('retries 429 and 5xx only', () => {
		expect([400, 401, 402, 404, 409, 422].map(isRetryableStatus)).toEqual([
			false,
			false,
			false,
			false,
			false,
			false,
		]);
		expect([429, 500, 502, 503, 504].map(isRetryableStatus)).toEqual([
			true,
			true,
			true,
			true,
			true,
		]);
	});

	it('reads Retry-After as seconds or as an HTTP date', () => {
		expect(parseRetryAfterMs('3')).toBe(3000);
		expect(parseRetryAfterMs(['2'])).toBe(2000);
		expect(parseRetryAfterMs('0.5')).toBe(500);
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:07 GMT', now)).toBe(7000);
		expect(parseRetryAfterMs('soon')).toBeUndefined();
		expect(parseRetryAfterMs(undefined)).toBeUndefined();
	});

	it('backs off exponentially, with jitter, never past the cap', () => {
		const options = { ...DEFAULT_RETRY_OPTIONS, baseDelayMs: 100, maxWaitMs: 1000 };
		expect(backoffDelayMs(1, options, () => 0)).toBe(50);
		expect(backoffDelayMs(1, options, () => 1)).toBe(100);
		expect(backoffDelayMs(3, options, () => 1)).toBe(400);
		expect(backoffDelayMs(10, options, () => 1)).toBe(1000);
		const spread = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3, options)));
		expect(spread.size).toBeGreaterThan(5);
	});

	it('tells network failures apart from other errors', () => {
		expect(transientErrorCode({ code: 'ECONNRESET' })).toBe('ECONNRESET');
		expect(transientErrorCode({ message: 'x', cause: { code: 'ECONNREFUSED' } })).toBe(
			'ECONNREFUSED',
		);
		expect(transientErrorCode(new Error('socket hang up'))).toBe('ECONNRESET');
		expect(transientErrorCode(new Error('timeout of 100ms exceeded'))).toBe('ETIMEDOUT');
		// n8n 1.x keeps the code only as the NodeApiError's httpCode, under a reworded message.
		expect(
			transientErrorCode({
				httpCode: 'ECONNRESET',
				message: 'The connection to the server was closed unexpectedly',
			}),
		).toBe('ECONNRESET');
		expect(
			transientErrorCode(new Error('The Test API Key must start with "sk_test_"')),
		).toBeUndefined();
	});
});
