import type { IDataObject, INodeProperties } from 'n8n-workflow';

import type { ClientSettings } from '../transport/client';
import { DEFAULT_RETRY_OPTIONS } from '../transport/retryPolicy';

/**
 * The Options collection's run settings, with their defaults and limits in one place: the
 * editor shows them and the run reads them from here, so the two cannot disagree.
 */

interface Limit {
	default: number;
	min: number;
	max: number;
}

export const OPTION_LIMITS = {
	maxAttempts: { default: DEFAULT_RETRY_OPTIONS.maxAttempts, min: 1, max: 20 },
	maxRetryWaitSeconds: { default: DEFAULT_RETRY_OPTIONS.maxWaitMs / 1000, min: 1, max: 3600 },
	timeoutSeconds: { default: 30, min: 1, max: 600 },
	/** smsroute takes at most 1,000 messages per bulk request. */
	chunkSize: { default: 1000, min: 1, max: 1000 },
	concurrency: { min: 1, max: 50 },
} as const;

/** What each operation sets for itself. */
export interface OperationDefaults {
	/** Requests (or bulk chunks) in flight when the Concurrency option is not set. */
	concurrency: number;
}

/** The settings the operations read per run; the client's own are in ClientSettings. */
export interface RunOptions {
	concurrency: number;
	chunkSize: number;
	dryRun: boolean;
}

/** A whole number within the limit; anything else (empty, text, below the minimum) is the default. */
function withinLimit(value: unknown, limit: Limit): number {
	const number = Math.floor(Number(value));
	return Number.isFinite(number) && number >= limit.min
		? Math.min(number, limit.max)
		: limit.default;
}

export function readClientSettings(options: IDataObject): ClientSettings {
	return {
		maxAttempts: withinLimit(options.maxAttempts, OPTION_LIMITS.maxAttempts),
		maxWaitMs: withinLimit(options.maxRetryWaitSeconds, OPTION_LIMITS.maxRetryWaitSeconds) * 1000,
		timeoutMs: withinLimit(options.timeoutSeconds, OPTION_LIMITS.timeoutSeconds) * 1000,
	};
}

export function readRunOptions(options: IDataObject, defaults: OperationDefaults): RunOptions {
	return {
		concurrency: withinLimit(options.concurrency, {
			...OPTION_LIMITS.concurrency,
			default: defaults.concurrency,
		}),
		chunkSize: withinLimit(options.chunkSize, OPTION_LIMITS.chunkSize),
		dryRun: options.dryRun === true,
	};
}

function numberOption(
	limit: Limit,
	option: Omit<INodeProperties, 'type' | 'default'>,
): INodeProperties {
	return {
		...option,
		type: 'number',
		typeOptions: { minValue: limit.min, maxValue: limit.max },
		default: limit.default,
	};
}

export function concurrencyOption(
	defaults: OperationDefaults,
	description: string,
): INodeProperties {
	return numberOption(
		{ ...OPTION_LIMITS.concurrency, default: defaults.concurrency },
		{ displayName: 'Concurrency', name: 'concurrency', description },
	);
}

export const chunkSizeOption = numberOption(OPTION_LIMITS.chunkSize, {
	displayName: 'Chunk Size',
	name: 'chunkSize',
	description: 'Messages per bulk request (smsroute takes at most 1,000)',
});

/** Retries and timeouts: every operation talks to smsroute the same way. */
export const requestOptions: INodeProperties[] = [
	numberOption(OPTION_LIMITS.maxRetryWaitSeconds, {
		displayName: 'Longest Wait (Seconds)',
		name: 'maxRetryWaitSeconds',
		description:
			'Longest pause before a retry. A rate limit (429) asking for longer fails the item with a clear error.',
	}),
	numberOption(OPTION_LIMITS.maxAttempts, {
		displayName: 'Max Attempts',
		name: 'maxAttempts',
		description:
			'Attempts per request on 429, 5xx, timeouts and dropped connections (400, 401, 402 and 404 are never retried)',
	}),
	numberOption(OPTION_LIMITS.timeoutSeconds, {
		displayName: 'Timeout (Seconds)',
		name: 'timeoutSeconds',
		description: 'Longest time one attempt may take, whole response included, before it is retried',
	}),
];
