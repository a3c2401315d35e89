import { createRedactor } from '../shared/redact';
import { SMSROUTE_DEFAULT_BASE_URL, environmentOf } from '../shared/smsRouteCredential';
import { withoutTrailingSlashes } from '../shared/urlText';
import type { RequestContext } from './deadline';
import { DEFAULT_RETRY_OPTIONS } from './retryPolicy';
import type { SmsRouteClient } from './smsRouteRequest';

/** How the client retries and how long one attempt may take (from the node's options). */
export interface ClientSettings {
	maxAttempts: number;
	maxWaitMs: number;
	timeoutMs: number;
}

/**
 * Reads the credential's environment and base URL once per run. n8n's credential helper adds
 * the key to each request; the key values are read here only so that any text echoing them
 * can be masked.
 */
export async function createClient(
	context: RequestContext,
	settings: ClientSettings,
): Promise<SmsRouteClient> {
	const credentials = await context.getCredentials('smsRouteApi');
	return {
		context,
		baseUrl: withoutTrailingSlashes(String(credentials.baseUrl || SMSROUTE_DEFAULT_BASE_URL)),
		environment: environmentOf(credentials),
		retry: {
			...DEFAULT_RETRY_OPTIONS,
			maxAttempts: settings.maxAttempts,
			maxWaitMs: settings.maxWaitMs,
		},
		timeoutMs: settings.timeoutMs,
		redact: createRedactor([credentials.testApiKey, credentials.liveApiKey]),
	};
}
