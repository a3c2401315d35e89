import { createSecretKey, type KeyObject } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

import { KeyCache, type ReloadAfter } from './keyCache';
import {
	constructSendCloudEvent,
	type SendCloudEvents,
	type SendCloudWebhookRequest,
} from './sendCloud/constructEvent';
import {
	constructSmsRouteEvent,
	type SmsRouteEvents,
	type SmsRouteWebhookRequest,
} from './smsRoute/constructEvent';
import type { SmsRouteSigningKey } from './smsRoute/signature';
import type { Result } from '../result';
import type { Refusal } from '../webhookAnswers';
import { SIGNATURE_MISMATCH } from './hmacToolkit';

/**
 * The keys each provider's signature is checked with, derived from the node's credential and
 * served from KeyCache. `fresh` says whether they were loaded by this call; a caller whose
 * signature failed with keys that were not fresh asks again with `after` (see KeyCache).
 */

export interface Keys<T> {
	keys: T;
	fresh: boolean;
	generation: number;
}

const smsRouteCache = new KeyCache<SmsRouteSigningKey[]>();
const sendCloudCache = new KeyCache<KeyObject | null>();

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
function cacheKeyFor(context: IWebhookFunctions, nodeScope: string, type: string): string | null {
	const id = context.getNode().credentials?.[type]?.id;
	return id ? `${nodeScope}:${type}:${id}` : null;
}

export async function smsRouteKeys(
	context: IWebhookFunctions,
	nodeScope: string,
	after?: ReloadAfter,
): Promise<Keys<SmsRouteSigningKey[]>> {
	const { value, fresh, generation } = await smsRouteCache.get(
		cacheKeyFor(context, nodeScope, 'smsRouteApi'),
		async () => {
			const credentials = await optionalCredentials(context, 'smsRouteApi');
			const keys: SmsRouteSigningKey[] = [];
			const testKey = keyField(credentials, 'testApiKey');
			const liveKey = keyField(credentials, 'liveApiKey');
			if (testKey) keys.push({ key: testKey, livemode: false });
			if (liveKey) keys.push({ key: liveKey, livemode: true });
			return keys;
		},
		after,
	);
	return { keys: value, fresh, generation };
}

export async function sendCloudAppKey(
	context: IWebhookFunctions,
	nodeScope: string,
	after?: ReloadAfter,
): Promise<Keys<KeyObject | null>> {
	const { value, fresh, generation } = await sendCloudCache.get(
		cacheKeyFor(context, nodeScope, 'sendCloudSmsHookApi'),
		async () => keyField(await optionalCredentials(context, 'sendCloudSmsHookApi'), 'appKey'),
		after,
	);
	return { keys: value, fresh, generation };
}

/**
 * Runs `check` with the cached keys and, when those were not just loaded and could not verify
 * (no key, or a mismatch), once more with keys loaded after the request arrived: only a wrong
 * signature can be cured by newer keys (rotation), a stale timestamp cannot. KeyCache limits
 * and shares those reloads, so forged requests cannot force one each. Null means the credential
 * holds no key.
 */
async function checkWithKeys<K, R extends Result<object, Refusal>>(
	load: (after?: ReloadAfter) => Promise<Keys<K>>,
	check: (keys: K) => R | null,
	receivedAtMs: number,
): Promise<R | null> {
	const cached = await load();
	const result = check(cached.keys);
	const mismatch =
		result && !result.ok && 'reason' in result && result.reason === SIGNATURE_MISMATCH;
	if (cached.fresh || (result && !mismatch)) return result;
	return check((await load({ generation: cached.generation, receivedAtMs })).keys);
}

/**
 * An smsroute request verified with the node's SMS Route API keys, parsed and normalized; null
 * when the credential holds no key. With `livemode`, only the key of that environment counts (a
 * wait verifies with the key of the environment its messages were sent in).
 */
export async function smsRouteEventsOf(
	context: IWebhookFunctions,
	nodeScope: string,
	request: Omit<SmsRouteWebhookRequest, 'keys'> & { livemode?: boolean },
): Promise<SmsRouteEvents | null> {
	const { livemode, ...signed } = request;
	return await checkWithKeys(
		async (after) => await smsRouteKeys(context, nodeScope, after),
		(allKeys: SmsRouteSigningKey[]) => {
			const keys =
				livemode === undefined ? allKeys : allKeys.filter((key) => key.livemode === livemode);
			return keys.length === 0 ? null : constructSmsRouteEvent({ ...signed, keys });
		},
		request.now.getTime(),
	);
}

/** A SendCloud callback verified with the node's app key, then normalized; null without a key. */
export async function sendCloudEventsOf(
	context: IWebhookFunctions,
	nodeScope: string,
	request: Omit<SendCloudWebhookRequest, 'appKey'>,
): Promise<SendCloudEvents | null> {
	return await checkWithKeys(
		async (after) => await sendCloudAppKey(context, nodeScope, after),
		(appKey) => constructSendCloudEvent({ ...request, appKey }),
		request.now.getTime(),
	);
}
