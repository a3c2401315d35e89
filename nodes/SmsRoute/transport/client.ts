import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { SMSROUTE_DEFAULT_BASE_URL } from '../../../credentials/SmsRouteApi.credentials';
import { createRedactor } from './redact';
import { DEFAULT_RETRY_OPTIONS } from './retryPolicy';
import type { SmsRouteClient } from './smsRouteRequest';

export interface RunOptions {
	concurrency: number;
	chunkSize: number;
	dryRun: boolean;
}

function positiveInteger(value: unknown, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
	const number = Math.floor(Number(value));
	return Number.isFinite(number) && number >= 1 ? Math.min(number, max) : fallback;
}

/**
 * Reads the credential's environment and base URL and the node's options once per run.
 * n8n's credential helper adds the key to each request; the key values are read here only so
 * that any text echoing them can be masked.
 */
export async function createClient(
	fn: IExecuteFunctions,
	defaultConcurrency: number,
): Promise<{ client: SmsRouteClient; run: RunOptions }> {
	const credentials = await fn.getCredentials('smsRouteApi');
	const options = fn.getNodeParameter('options', 0, {}) as IDataObject;
	const baseUrl = String(credentials.baseUrl || SMSROUTE_DEFAULT_BASE_URL).replace(/\/+$/, '');
	return {
		client: {
			fn,
			baseUrl,
			environment: credentials.environment === 'live' ? 'live' : 'test',
			retry: {
				...DEFAULT_RETRY_OPTIONS,
				maxAttempts: positiveInteger(options.maxAttempts, DEFAULT_RETRY_OPTIONS.maxAttempts, 20),
				maxWaitMs:
					positiveInteger(options.maxRetryWaitSeconds, DEFAULT_RETRY_OPTIONS.maxWaitMs / 1000, 3600) * 1000,
			},
			timeoutMs: positiveInteger(options.timeoutSeconds, 30, 600) * 1000,
			redact: createRedactor([credentials.testApiKey, credentials.liveApiKey]),
		},
		run: {
			concurrency: positiveInteger(options.concurrency, defaultConcurrency, 50),
			chunkSize: positiveInteger(options.chunkSize, 1000, 1000),
			dryRun: options.dryRun === true,
		},
	};
}
