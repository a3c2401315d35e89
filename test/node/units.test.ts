import type { IExecuteFunctions } from 'n8n-workflow';

import { automaticKeys, chunkIdempotencyKey, headerIdempotencyKey } from '../../nodes/SmsRoute/helpers/idempotency';
import { estimateSegments } from '../../nodes/SmsRoute/helpers/segments';
import { normalizePhone } from '../../nodes/SmsRoute/helpers/outgoingMessage';
import { chunk, mapWithConcurrency } from '../../nodes/SmsRoute/helpers/concurrency';
import {
	DEFAULT_RETRY_OPTIONS,
	backoffDelayMs,
	isRetryableStatus,
	parseRetryAfterMs,
	transientErrorCode,
} from '../../nodes/SmsRoute/transport/retryPolicy';
import { createRedactor } from '../../nodes/SmsRoute/transport/redact';
import { redactSecrets } from '../../nodes/SmsRoute/transport/smsRouteRequest';

describe('retry policy', () => {
	it('retries 429 and 5xx only', () => {
		expect([400, 401, 402, 404, 409, 422].map(isRetryableStatus)).toEqual([false, false, false, false, false, false]);
		expect([429, 500, 502, 503, 504].map(isRetryableStatus)).toEqual([true, true, true, true, true]);
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
		expect(transientErrorCode({ message: 'x', cause: { code: 'ECONNREFUSED' } })).toBe('ECONNREFUSED');
		expect(transientErrorCode(new Error('socket hang up'))).toBe('ECONNRESET');
		expect(transientErrorCode(new Error('timeout of 100ms exceeded'))).toBe('ETIMEDOUT');
		// n8n 1.x keeps the code only as the NodeApiError's httpCode, under a reworded message.
		expect(transientErrorCode({ httpCode: 'ECONNRESET', message: 'The connection to the server was closed unexpectedly' })).toBe('ECONNRESET');
		expect(transientErrorCode(new Error('The Test API Key must start with "sk_test_"'))).toBeUndefined();
	});

	it('redacts API keys from any text', () => {
		expect(redactSecrets('key sk_live_abcDEF123_x and sk_test_zz')).toBe('key sk_live_*** and sk_test_***');
		expect(redactSecrets('xsk_live_glued9 sk%5Flive%5Fencoded')).toBe('xsk_live_*** sk%5Flive%5F***');
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
		];
		for (const echo of echoes) {
			const text = redact(`before ${echo} after`);
			expect(text).not.toContain(key);
			expect(text).not.toContain(echo);
			expect(text).toMatch(/^before .*\*\*\*.* after$/);
		}
	});
});

describe('segment estimate', () => {
	it('counts GSM-7 septets, extension characters twice', () => {
		expect(estimateSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
		expect(estimateSegments('a'.repeat(161))).toMatchObject({ encoding: 'GSM-7', units: 161, segments: 2 });
		expect(estimateSegments('a'.repeat(306)).segments).toBe(2);
		expect(estimateSegments('a'.repeat(307)).segments).toBe(3);
		expect(estimateSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
		expect(estimateSegments('€'.repeat(81)).segments).toBe(2);
	});

	it('switches to UCS-2 for any other character', () => {
		expect(estimateSegments('é'.repeat(70)).encoding).toBe('GSM-7');
		expect(estimateSegments('ж'.repeat(70))).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 });
		expect(estimateSegments('ж'.repeat(71))).toMatchObject({ encoding: 'UCS-2', units: 71, segments: 2 });
		expect(estimateSegments('😀'.repeat(35))).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 });
		expect(estimateSegments('😀'.repeat(36)).segments).toBe(2);
	});
});

describe('concurrency and chunks', () => {
	it('keeps task order and never exceeds the limit', async () => {
		let inFlight = 0;
		let peak = 0;
		const results = await mapWithConcurrency([30, 5, 20, 1, 10, 2, 8], 3, async (delay, index) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			await new Promise((resolve) => setTimeout(resolve, delay));
			inFlight--;
			return index;
		});
		expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
		expect(peak).toBe(3);
	});

	it('rejects after in-flight tasks settle and starts no new ones', async () => {
		const started: number[] = [];
		let settled = 0;
		await expect(
			mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (n) => {
				started.push(n);
				await new Promise((resolve) => setTimeout(resolve, 10));
				settled++;
				if (n === 1) throw new Error('boom');
				return n;
			}),
		).rejects.toThrow('boom');
		expect(settled).toBe(started.length);
		expect(started.length).toBeLessThan(6);
	});

	it('chunks at the edges', () => {
		expect(chunk([1, 2, 3], 1)).toEqual([[1], [2], [3]]);
		expect(chunk(Array.from({ length: 2500 }, (_, i) => i), 1000).map((c) => c.length)).toEqual([1000, 1000, 500]);
		expect(chunk([], 1000)).toEqual([]);
	});
});

describe('idempotency keys and phone numbers', () => {
	it('derives the same key from the same instance, workflow, execution, node, run, item and message, and another otherwise', () => {
		const context = (executionId: string, nodeId: string, runIndex: number, workflowId = 'wf-1', instanceId = 'inst-1') =>
			({
				getExecutionId: () => executionId,
				getNode: () => ({ id: nodeId, name: 'SMS Route' }),
				getRunIndex: () => runIndex,
				getWorkflow: () => ({ id: workflowId }),
				getInstanceId: () => instanceId,
			}) as unknown as IExecuteFunctions;
		const message = { to: '+15551234567', body: 'hi', from: 'ACME', metadata: { order: 1 } };
		const key = automaticKeys(context('exec-1', 'node-a', 0))(3, message);
		expect(automaticKeys(context('exec-1', 'node-a', 0))(3, { ...message })).toBe(key);
		expect(automaticKeys(context('exec-2', 'node-a', 0))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-b', 0))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 1))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 0, 'wf-2'))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 0, 'wf-1', 'inst-2'))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 0))(4, message)).not.toBe(key);
		for (const change of [{ to: '+15551234568' }, { body: 'hi!' }, { from: undefined }, { metadata: { order: 2 } }]) {
			expect(automaticKeys(context('exec-1', 'node-a', 0))(3, { ...message, ...change })).not.toBe(key);
		}
		expect(key).toMatch(/^n8n_[0-9a-f]{32}$/);
		expect(chunkIdempotencyKey(['a', 'b'])).toBe(chunkIdempotencyKey(['a', 'b']));
		expect(chunkIdempotencyKey(['a', 'b'])).not.toBe(chunkIdempotencyKey(['a']));
	});

	it('makes user keys header-safe: plain ASCII as given, anything else encoded, never colliding', () => {
		expect(headerIdempotencyKey('A-17 order')).toBe('A-17 order');
		const ivan = headerIdempotencyKey('Иван-17');
		const wang = headerIdempotencyKey('王伟-17');
		for (const key of [ivan, wang]) expect(key).toMatch(/^[\x21-\x7e]+$/);
		expect(ivan).not.toBe(wang);
		expect(headerIdempotencyKey('Иван-17')).toBe(ivan);
		expect(headerIdempotencyKey(ivan)).not.toBe(ivan);
		expect(headerIdempotencyKey('王'.repeat(200))).toMatch(/^sha256:[0-9a-f]{64}$/);
		expect(headerIdempotencyKey('王'.repeat(200)).length).toBeLessThanOrEqual(255);
	});

	it('strips the punctuation people paste into numbers', () => {
		expect(normalizePhone('+1 (555) 123-4567')).toBe('+15551234567');
		expect(normalizePhone(' +44.20.7946.0958 ')).toBe('+442079460958');
	});
});
