import { createSecretKey, type KeyObject } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

import { KeyCache } from './keyCache';
import type { SmsrouteKey } from './verify/smsrouteSignature';

/**
 * The keys each provider's signature is checked with, derived from the node's credential and
 * served from KeyCache. `fresh` says whether they were loaded by this call; a caller whose
 * signature failed with keys that were not fresh asks again with `reload`.
 */

export interface Keys<T> {
	keys: T;
	fresh: boolean;
}

const smsrouteCache = new KeyCache<SmsrouteKey[]>();
const sendcloudCache = new KeyCache<KeyObject | null>();

async function optionalCredentials(
	context: IWebhookFunctions,
	name: string,
): Promise<ICredentialDataDecryptedObject | undefined> {
	try {
		return await context.getCredentials<ICredentialDataDecryptedObject>(name);
	} catch {
		// n8n throws when the node has no credential of this type; the caller answers 401
		// naming the credential to add.
		return undefined;
	}
}

/** A KeyObject prints and serialises without its material, so a stray log cannot leak it. */
function keyField(
	credentials: ICredentialDataDecryptedObject | undefined,
	field: string,
): KeyObject | null {
	const value = credentials?.[field];
	// Trimmed like the action node does: a pasted newline must not break every signature.
	const text = typeof value === 'string' ? value.trim() : '';
	return text ? createSecretKey(Buffer.from(text, 'utf8')) : null;
}

/** Workflow + node + credential id: null (no caching) when the node names no credential. */
function cacheKeyFor(context: IWebhookFunctions, nodeKey: string, type: string): string | null {
	const id = context.getNode().credentials?.[type]?.id;
	return id ? `${nodeKey}:${type}:${id}` : null;
}

export async function smsrouteKeys(
	context: IWebhookFunctions,
	nodeKey: string,
	reload = false,
): Promise<Keys<SmsrouteKey[]>> {
	const { value, fresh } = await smsrouteCache.get(
		cacheKeyFor(context, nodeKey, 'smsRouteApi'),
		async () => {
			const credentials = await optionalCredentials(context, 'smsRouteApi');
			const keys: SmsrouteKey[] = [];
			const testKey = keyField(credentials, 'testApiKey');
			const liveKey = keyField(credentials, 'liveApiKey');
			if (testKey) keys.push({ key: testKey, livemode: false });
			if (liveKey) keys.push({ key: liveKey, livemode: true });
			return keys;
		},
		reload,
	);
	return { keys: value, fresh };
}

export async function sendcloudAppKey(
	context: IWebhookFunctions,
	nodeKey: string,
	reload = false,
): Promise<Keys<KeyObject | null>> {
	const { value, fresh } = await sendcloudCache.get(
		cacheKeyFor(context, nodeKey, 'sendCloudSmsHookApi'),
		async () => keyField(await optionalCredentials(context, 'sendCloudSmsHookApi'), 'appKey'),
		reload,
	);
	return { keys: value, fresh };
}
