import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, IN8nHttpFullResponse } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import {
	backoffDelayMs,
	isRetryableStatus,
	parseRetryAfterMs,
	transientErrorCode,
	type RetryOptions,
} from './retryPolicy';

export type Environment = 'test' | 'live';

/** What every request of one node run shares: resolved once in execute(), not per item. */
export interface SmsRouteClient {
	fn: IExecuteFunctions;
	baseUrl: string;
	environment: Environment;
	retry: RetryOptions;
	timeoutMs: number;
}

export interface SmsRouteRequest {
	method: IHttpRequestMethods;
	path: string;
	body?: IDataObject;
	/** Sent as the Idempotency-Key header; the caller makes it once and reuses it on every attempt. */
	idempotencyKey?: string;
}

/**
 * A failed call, already worded for the user. It never carries a key: messages are built
 * here from the status and smsroute's own error text, then passed through redactSecrets.
 */
export class SmsRouteRequestError extends Error {
	constructor(
		message: string,
		readonly statusCode: number | undefined,
		readonly apiError: string | undefined,
		readonly attempts: number,
	) {
		super(redactSecrets(message));
		this.name = 'SmsRouteRequestError';
	}
}

const SECRET_PATTERN = /\b(sk_(?:test|live)_)[A-Za-z0-9_-]+/g;

/** Belt and braces: an API key echoed back by a proxy or an error must not reach the output. */
export function redactSecrets(text: string): string {
	return text.replace(SECRET_PATTERN, '$1***');
}

const ENVIRONMENT_LABEL: Record<Environment, string> = { test: 'Test', live: 'Live' };

function apiErrorText(body: unknown): string | undefined {
	if (body && typeof body === 'object' && typeof (body as IDataObject).error === 'string') {
		return (body as IDataObject).error as string;
	}
	if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
	return undefined;
}

function describeFailure(client: SmsRouteClient, statusCode: number, apiError: string | undefined): string {
	const label = ENVIRONMENT_LABEL[client.environment];
	const detail = apiError ? `: ${apiError}` : '';
	switch (statusCode) {
		case 400:
			return `smsroute rejected the request as invalid (400)${detail}`;
		case 401:
			return `smsroute rejected the ${label} API key (401). Check the ${label} API Key in the SMS Route credential, or switch its Environment.`;
		case 402:
			return `The smsroute ${label.toLowerCase()} balance is spent (402): top up the account, then run again${detail}`;
		case 404:
			return `Not found (404)${detail}`;
		default:
			return `smsroute answered ${statusCode}${detail}`;
	}
}

type Attempt<T> = { done: T } | { failed: SmsRouteRequestError } | { retryInMs: number; reason: string; statusCode?: number; apiError?: string };

async function attemptOnce<T>(
	client: SmsRouteClient,
	request: SmsRouteRequest,
	headers: IDataObject,
	attempt: number,
): Promise<Attempt<T>> {
	const { retry } = client;
	let response: IN8nHttpFullResponse;
	try {
		response = (await client.fn.helpers.httpRequestWithAuthentication.call(client.fn, 'smsRouteApi', {
			method: request.method,
			url: `${client.baseUrl}${request.path}`,
			headers,
			body: request.body,
			json: true,
			timeout: client.timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		const code = transientErrorCode(error);
		if (!code) {
			// Not a network failure: e.g. the credential's own check of the key prefix.
			const message = error instanceof Error ? error.message : String(error);
			return { failed: new SmsRouteRequestError(message, undefined, undefined, attempt) };
		}
		return { retryInMs: backoffDelayMs(attempt, retry), reason: `Could not reach smsroute at ${client.baseUrl} (${code})` };
	}

	const { statusCode } = response;
	if (statusCode >= 200 && statusCode < 300) return { done: response.body as T };
	const apiError = apiErrorText(response.body);
	if (!isRetryableStatus(statusCode)) {
		return { failed: new SmsRouteRequestError(describeFailure(client, statusCode, apiError), statusCode, apiError, attempt) };
	}
	const reason = `smsroute answered ${statusCode}${apiError ? `: ${apiError}` : ''}`;
	if (statusCode !== 429) return { retryInMs: backoffDelayMs(attempt, retry), reason, statusCode, apiError };

	const retryAfterMs = parseRetryAfterMs(response.headers['retry-after']);
	if (retryAfterMs !== undefined && retryAfterMs > retry.maxWaitMs) {
		const message = `smsroute rate limit (429): Retry-After asks for ${Math.ceil(retryAfterMs / 1000)} s, more than the Longest Wait option (${Math.round(retry.maxWaitMs / 1000)} s)`;
		return { failed: new SmsRouteRequestError(message, 429, apiError, attempt) };
	}
	return { retryInMs: retryAfterMs ?? backoffDelayMs(attempt, retry), reason, statusCode, apiError };
}

/**
 * One smsroute call with retries: 429 waits for Retry-After (up to the longest wait), 5xx,
 * timeouts and dropped connections back off exponentially with jitter, other 4xx fail at once.
 * Resending is safe only because every send carries an idempotency key made before the first try.
 */
export async function smsRouteRequest<T>(client: SmsRouteClient, request: SmsRouteRequest): Promise<T> {
	const headers: IDataObject = { Accept: 'application/json' };
	if (request.idempotencyKey) headers['Idempotency-Key'] = request.idempotencyKey;

	for (let attempt = 1; ; attempt++) {
		const result = await attemptOnce<T>(client, request, headers, attempt);
		if ('done' in result) return result.done;
		if ('failed' in result) throw result.failed;
		if (attempt >= client.retry.maxAttempts) {
			const message = `${result.reason} — gave up after ${attempt} attempts`;
			throw new SmsRouteRequestError(message, result.statusCode, result.apiError, attempt);
		}
		client.fn.logger.debug('smsroute request retried', {
			path: request.path,
			attempt,
			waitMs: result.retryInMs,
			reason: result.reason,
		});
		await sleep(result.retryInMs);
	}
}
