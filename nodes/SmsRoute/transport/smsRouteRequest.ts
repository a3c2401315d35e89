import type { IDataObject, IHttpRequestMethods, IN8nHttpFullResponse } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { DeadlineExceeded, requestWithDeadline, type RequestContext } from './deadline';
import { redactSecrets, type Redact } from '../shared/redact';
import type { Environment } from '../shared/smsRouteCredential';
import {
	backoffDelayMs,
	isRetryableStatus,
	parseRetryAfterMs,
	transientErrorCode,
	type RetryOptions,
} from './retryPolicy';

/** What every request of one node run shares: resolved once in execute(), not per item. */
export interface SmsRouteClient {
	context: RequestContext;
	baseUrl: string;
	environment: Environment;
	retry: RetryOptions;
	/** A hard deadline per attempt, whatever the server trickles. */
	timeoutMs: number;
	/** Masks the credential's keys (every form) in any text the node lets out. */
	redact: Redact;
}

export interface SmsRouteRequest {
	method: IHttpRequestMethods;
	path: string;
	body?: IDataObject;
	/** Sent as the Idempotency-Key header; the caller makes it once and reuses it on every attempt. */
	idempotencyKey?: string;
	/** Says what is wrong with a 2xx body the caller cannot use, or undefined when it is usable. */
	checkBody?: (body: unknown) => string | undefined;
	/**
	 * Told which attempt of this call was answered, and whether the answer carried
	 * `Idempotent-Replayed: true` (smsroute's sandbox does; the guide does not promise it).
	 */
	onAnswer?: (answer: { attempt: number; replayed: boolean }) => void;
}

/** What smsroute said, when it answered: the HTTP status and its own error text. */
export interface SmsRouteAnswer {
	statusCode?: number;
	apiError?: string;
}

/**
 * A failed call, already worded for the user. Its text comes from the status and smsroute's own
 * error text, redacted by the client's key values before it gets here; the pattern is a backstop.
 */
export class SmsRouteRequestError extends Error {
	readonly statusCode: number | undefined;

	readonly apiError: string | undefined;

	constructor(message: string, answer: SmsRouteAnswer = {}) {
		super(redactSecrets(message));
		this.name = 'SmsRouteRequestError';
		this.statusCode = answer.statusCode;
		this.apiError = answer.apiError;
	}
}

function requestError(
	client: SmsRouteClient,
	message: string,
	answer?: SmsRouteAnswer,
): SmsRouteRequestError {
	return new SmsRouteRequestError(client.redact(message), answer);
}

const ENVIRONMENT_LABEL: Record<Environment, string> = { test: 'Test', live: 'Live' };

function apiErrorText(body: unknown): string | undefined {
	if (body && typeof body === 'object' && typeof (body as IDataObject).error === 'string') {
		return (body as IDataObject).error as string;
	}
	if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
	return undefined;
}

function describeFailure(
	client: SmsRouteClient,
	statusCode: number,
	apiError: string | undefined,
): string {
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

/** Only the origin of a redirect's target is named: its path or query could carry anything. */
function redirectTarget(location: unknown, requestUrl: string): string {
	const value = Array.isArray(location) ? location[0] : location;
	if (typeof value !== 'string' || !value) return 'no Location';
	try {
		return new URL(value, requestUrl).origin;
	} catch {
		return 'an unreadable Location';
	}
}

type Attempt<T> =
	| { done: T }
	| { failed: SmsRouteRequestError }
	| ({ retryInMs: number; reason: string } & SmsRouteAnswer);

/** The request on the wire: smsroute's answer, or why there is none (retried if transient). */
async function sendOnce(
	client: SmsRouteClient,
	request: SmsRouteRequest,
	headers: IDataObject,
	url: string,
	attempt: number,
): Promise<{ response: IN8nHttpFullResponse } | Attempt<never>> {
	try {
		const response = await requestWithDeadline(client.context, client.timeoutMs, {
			method: request.method,
			url,
			headers,
			body: request.body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// A redirect would carry the POST and the Authorization header to wherever it points.
			disableFollowRedirect: true,
		});
		return { response };
	} catch (error) {
		const code = transientErrorCode(error);
		if (!code) {
			// Not a network failure: e.g. the credential's own check of the key prefix.
			const message = error instanceof Error ? error.message : String(error);
			return { failed: requestError(client, message) };
		}
		// n8n rewrites error texts naming a code like ETIMEDOUT, so a missed deadline says it in words.
		const reason =
			error instanceof DeadlineExceeded
				? error.message
				: `Could not reach smsroute at ${client.baseUrl} (${code})`;
		return { retryInMs: backoffDelayMs(attempt, client.retry), reason };
	}
}

/** What smsroute's answer means: the body, a failure, or a retry and when. */
function judgeAnswer<T>(
	client: SmsRouteClient,
	request: SmsRouteRequest,
	response: IN8nHttpFullResponse,
	url: string,
	attempt: number,
): Attempt<T> {
	const { retry } = client;
	const { statusCode } = response;
	if (statusCode >= 200 && statusCode < 300) {
		const problem = request.checkBody?.(response.body);
		if (problem) return { failed: requestError(client, problem) };
		request.onAnswer?.({
			attempt,
			replayed: String(response.headers?.['idempotent-replayed'] ?? '').toLowerCase() === 'true',
		});
		return { done: response.body as T };
	}
	if (statusCode >= 300 && statusCode < 400) {
		const target = redirectTarget(response.headers?.location, url);
		const message = `smsroute's Base URL answered with a redirect (${statusCode}) to ${target}. The node does not follow redirects, so the request and the API key went nowhere else; set the Base URL in the SMS Route credential to the address that answers directly.`;
		return { failed: requestError(client, message, { statusCode }) };
	}
	const apiError = apiErrorText(response.body);
	const safeApiError = apiError === undefined ? undefined : client.redact(apiError);
	if (!isRetryableStatus(statusCode)) {
		return {
			failed: requestError(client, describeFailure(client, statusCode, safeApiError), {
				statusCode,
				apiError: safeApiError,
			}),
		};
	}
	const reason = `smsroute answered ${statusCode}${safeApiError ? `: ${safeApiError}` : ''}`;
	if (statusCode !== 429)
		return {
			retryInMs: backoffDelayMs(attempt, retry),
			reason,
			statusCode,
			apiError: safeApiError,
		};

	const retryAfterMs = parseRetryAfterMs(response.headers['retry-after']);
	if (retryAfterMs !== undefined && retryAfterMs > retry.maxWaitMs) {
		const message = `smsroute rate limit (429): Retry-After asks for ${Math.ceil(retryAfterMs / 1000)} s, more than the Longest Wait option (${Math.round(retry.maxWaitMs / 1000)} s)`;
		return { failed: requestError(client, message, { statusCode: 429, apiError: safeApiError }) };
	}
	return {
		retryInMs: retryAfterMs ?? backoffDelayMs(attempt, retry),
		reason,
		statusCode,
		apiError: safeApiError,
	};
}

async function attemptOnce<T>(
	client: SmsRouteClient,
	request: SmsRouteRequest,
	headers: IDataObject,
	attempt: number,
): Promise<Attempt<T>> {
	const url = `${client.baseUrl}${request.path}`;
	const sent = await sendOnce(client, request, headers, url, attempt);
	if (!('response' in sent)) return sent;
	return judgeAnswer<T>(client, request, sent.response, url, attempt);
}

/**
 * One smsroute call with retries: 429 waits for Retry-After (up to the longest wait), 5xx,
 * timeouts and dropped connections back off exponentially with jitter, other 4xx fail at once.
 * Resending is safe only because every send carries an idempotency key made before the first try.
 */
export async function smsRouteRequest<T>(
	client: SmsRouteClient,
	request: SmsRouteRequest,
): Promise<T> {
	const headers: IDataObject = { Accept: 'application/json' };
	if (request.idempotencyKey) headers['Idempotency-Key'] = request.idempotencyKey;

	for (let attempt = 1; ; attempt++) {
		const result = await attemptOnce<T>(client, request, headers, attempt);
		if ('done' in result) return result.done;
		if ('failed' in result) throw result.failed;
		if (attempt >= client.retry.maxAttempts) {
			const message = `${result.reason} — gave up after ${attempt} attempts`;
			throw requestError(client, message, result);
		}
		client.context.logger?.debug('smsroute request retried', {
			path: request.path,
			attempt,
			waitMs: result.retryInMs,
			reason: client.redact(result.reason),
		});
		await sleep(result.retryInMs);
	}
}
