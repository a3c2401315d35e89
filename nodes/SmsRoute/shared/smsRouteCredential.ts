import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

/**
 * What the SMS Route API credential holds, read the same way by its `authenticate`
 * (credentials/SmsRouteApi.credentials.ts), the nodes' client and the credential test. Kept in
 * shared/ so that the node's layers never import credentials/; the credential imports this.
 */

export const SMSROUTE_DEFAULT_BASE_URL = 'https://api.smsroute.cc/v1';

/** The credential's Environment option values. */
export type Environment = 'test' | 'live';

const KEY_FIELD: Record<Environment, { field: string; prefix: string; label: string }> = {
	test: { field: 'testApiKey', prefix: 'sk_test_', label: 'Test' },
	live: { field: 'liveApiKey', prefix: 'sk_live_', label: 'Live' },
};

/** The credential's Environment; anything but "live" is the test environment. */
export function environmentOf(credentials: ICredentialDataDecryptedObject): Environment {
	return credentials.environment === 'live' ? 'live' : 'test';
}

/**
 * The key of the chosen environment, checked for its prefix so that a live key pasted
 * into the test field (or the reverse) fails loudly instead of sending real SMS.
 * The message names the field, never the key.
 */
export function selectApiKey(credentials: ICredentialDataDecryptedObject): string {
	const { field, prefix, label } = KEY_FIELD[environmentOf(credentials)];
	const key = typeof credentials[field] === 'string' ? (credentials[field] as string).trim() : '';
	if (!key) {
		throw new Error(`The ${label} API Key is empty: the credential's Environment is "${label}"`);
	}
	if (!key.startsWith(prefix)) {
		throw new Error(`The ${label} API Key must start with "${prefix}"`);
	}
	return key;
}
