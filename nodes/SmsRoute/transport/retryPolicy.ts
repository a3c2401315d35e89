/**
 * Which failures are worth another attempt, and how long to wait before it.
 * Pure functions: the request loop in smsRouteRequest.ts applies them.
 */

import { networkCodeFields } from '../shared/n8nInternals';

export interface RetryOptions {
	/** Total attempts, the first one included. */
	maxAttempts: number;
	/** Longest single wait, in milliseconds (backoff cap, and the most a Retry-After may ask). */
	maxWaitMs: number;
	/** First backoff step, in milliseconds; doubles on each retry. */
	baseDelayMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
	maxAttempts: 5,
	maxWaitMs: 30_000,
	baseDelayMs: 500,
};

/** 400, 401, 402, 404 and the other 4xx describe the request itself: sending it again cannot help. */
export function isRetryableStatus(statusCode: number): boolean {
	return statusCode === 429 || statusCode >= 500;
}

/** Exponential backoff with full jitter, so that parallel chunks do not retry in lockstep. */
export function backoffDelayMs(
	retryNumber: number,
	options: RetryOptions,
	random = Math.random,
): number {
	const ceiling = Math.min(options.maxWaitMs, options.baseDelayMs * 2 ** (retryNumber - 1));
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Retry-After is either delta-seconds or an HTTP date; returns milliseconds, or undefined. */
export function parseRetryAfterMs(value: unknown, now = Date.now()): number | undefined {
	if (Array.isArray(value)) value = value[0];
	if (typeof value === 'number') return Math.max(0, value * 1000);
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Network failures after which the request may or may not have reached smsroute. */
const TRANSIENT_ERROR_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'EPIPE',
	'ETIMEDOUT',
	'ESOCKETTIMEDOUT',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'UND_ERR_SOCKET',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export function transientErrorCode(error: unknown): string | undefined {
	let current = error as { cause?: unknown; message?: unknown } | undefined;
	for (let depth = 0; current && depth < 4; depth++) {
		for (const code of networkCodeFields(current)) {
			if (typeof code === 'string' && TRANSIENT_ERROR_CODES.has(code)) return code;
		}
		if (typeof current.message === 'string') {
			if (/socket hang up/i.test(current.message)) return 'ECONNRESET';
			if (/timeout of \d+ms exceeded|timed out/i.test(current.message)) return 'ETIMEDOUT';
		}
		current = current.cause as typeof current;
	}
	return undefined;
}
