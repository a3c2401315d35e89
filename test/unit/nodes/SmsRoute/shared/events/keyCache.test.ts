import { inspect } from 'node:util';
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { SmsRouteTrigger } from '../../../../../../nodes/SmsRoute/SmsRouteTrigger.node';
import {
	KEY_CACHE_TTL_MS,
	KeyCache,
} from '../../../../../../nodes/SmsRoute/shared/events/keyCache';
import {
	sendCloudAppKey,
	smsRouteKeys,
} from '../../../../../../nodes/SmsRoute/shared/events/eventsFromWebhook';
import {
	APP_KEY,
	LIVE_KEY,
	TEST_KEY,
	callWebhook,
	defaultCredentials,
	nowSeconds,
	sendCloudPayload,
	smsRouteHeader,
	smsRoutePayload,
} from '../../../../../helpers/triggerWebhook';

/**
 * Issue 11: verification keys come from a per-process cache instead of a credential load (a
 * database read and an expression isolate in n8n 2.41) per request.
 */

const JSON_TYPE = { 'content-type': 'application/json' };
const ROTATED_KEY = 'sk_test_rotated_0000000000000000';

let messageCounter = 0;
function signed(key: string) {
	messageCounter += 1;
	const rawBody = JSON.stringify(smsRoutePayload({ message_id: `msg_cache_${messageCounter}` }));
	return {
		rawBody,
		headers: { ...JSON_TYPE, 'x-smsroute-signature': smsRouteHeader(key, nowSeconds(), rawBody) },
	};
}

describe('KeyCache', () => {
	it('serves a value for the TTL, then reloads; a reload after failed keys and a null key load', async () => {
		let now = 1_000_000;
		const cache = new KeyCache<number>(KEY_CACHE_TTL_MS, () => now, 0);
		let loads = 0;
		const load = async () => ++loads;
		expect(await cache.get('a', load)).toMatchObject({ value: 1, fresh: true });
		now += KEY_CACHE_TTL_MS - 1;
		expect(await cache.get('a', load)).toMatchObject({ value: 1, fresh: false });
		now += 1;
		const second = await cache.get('a', load);
		expect(second).toMatchObject({ value: 2, fresh: true });
		now += 1;
		const after = { generation: second.generation, receivedAtMs: now };
		expect(await cache.get('a', load, after)).toMatchObject({ value: 3, fresh: true });
		// Keys loaded after those a request tried are what it asked for: no further load.
		expect(await cache.get('a', load, after)).toMatchObject({ value: 3, fresh: false });
		expect(await cache.get(null, load)).toMatchObject({ value: 4, fresh: true });
		expect(await cache.get(null, load)).toMatchObject({ value: 5, fresh: true });
	});

	it('shares one reload among concurrent failed requests and starts reloads at most once per interval', async () => {
		const cache = new KeyCache<number>(KEY_CACHE_TTL_MS, () => Date.now(), 200);
		let loads = 0;
		const load = async () => ++loads;
		const first = await cache.get('a', load);
		const forged = async () =>
			await cache.get('a', load, { generation: first.generation, receivedAtMs: Date.now() });
		const burst = await Promise.all(Array.from({ length: 1000 }, forged));
		expect(loads).toBe(2);
		expect(new Set(burst.map((r) => r.value))).toEqual(new Set([2]));
		// A request arriving after that reload started waits for the next slot, shared again.
		const startedAt = Date.now();
		const second = await Promise.all(
			Array.from(
				{ length: 100 },
				async () =>
					await cache.get('a', load, { generation: burst[0].generation, receivedAtMs: Date.now() }),
			),
		);
		expect(loads).toBe(3);
		expect(second[0].value).toBe(3);
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
	});

	it('documents a 60 s window', () => {
		expect(KEY_CACHE_TTL_MS).toBe(60_000);
	});
});

describe('SMS Route Trigger — verification keys without a credential load per request', () => {
	afterEach(() => {
		jest.useRealTimers();
	});

	it('loads the credential once for many requests', async () => {
		const loads: string[] = [];
		const staticData: IDataObject = {};
		for (let i = 0; i < 5; i++) {
			const out = await callWebhook({ ...signed(TEST_KEY), staticData, credentialLoads: loads });
			expect(out.items).toHaveLength(1);
		}
		expect(loads).toEqual(['smsRouteApi']);
	});

	it('verifies a rotated key on its first event', async () => {
		const loads: string[] = [];
		const staticData: IDataObject = {};
		const credentials = defaultCredentials();
		const first = await callWebhook({
			...signed(TEST_KEY),
			staticData,
			credentials,
			credentialLoads: loads,
		});
		expect(first.items).toHaveLength(1);
		credentials.smsRouteApi = { ...credentials.smsRouteApi, testApiKey: ROTATED_KEY };
		const rotated = await callWebhook({
			...signed(ROTATED_KEY),
			staticData,
			credentials,
			credentialLoads: loads,
		});
		expect(rotated.httpStatus).toBe(200);
		expect(rotated.items).toHaveLength(1);
		expect(loads).toEqual(['smsRouteApi', 'smsRouteApi']);
	});

	it('verifies a rotated SendCloud app key on its first callback', async () => {
		const staticData: IDataObject = {};
		const credentials = defaultCredentials();
		const first = await callWebhook({
			rawBody: JSON.stringify(sendCloudPayload()),
			headers: JSON_TYPE,
			staticData,
			credentials,
		});
		expect(first.items).toHaveLength(1);
		const newAppKey = 'sc_appkey_rotated_000000000000000000000000';
		credentials.sendCloudSmsHookApi = { appKey: newAppKey };
		const payload = sendCloudPayload({ smsIds: ['rotated$1'], phones: ['1'] }, newAppKey);
		const rotated = await callWebhook({
			rawBody: JSON.stringify(payload),
			headers: JSON_TYPE,
			staticData,
			credentials,
		});
		expect(rotated.httpStatus).toBe(200);
		expect(rotated.items).toHaveLength(1);
	});

	it('1,000 forged requests cost a handful of credential loads, and a key rotated during the flood verifies on its first event (issue 19)', async () => {
		const loads: string[] = [];
		const staticData: IDataObject = {};
		const credentials = defaultCredentials();
		const call = async (key: string) =>
			await callWebhook({ ...signed(key), staticData, credentials, credentialLoads: loads });
		expect((await call(TEST_KEY)).httpStatus).toBe(200);
		const forged = await Promise.all(
			Array.from({ length: 1000 }, async () => await call('sk_test_forged_000000000000000000')),
		);
		expect(forged.every((out) => out.httpStatus === 401)).toBe(true);
		expect(loads.length).toBeLessThanOrEqual(3);
		// Rotated right after the flood's reload: the first event signed with the new key waits
		// for the next reload slot instead of being refused.
		credentials.smsRouteApi = { ...credentials.smsRouteApi, testApiKey: ROTATED_KEY };
		const rotated = await call(ROTATED_KEY);
		expect(rotated.httpStatus).toBe(200);
		expect(rotated.items).toHaveLength(1);
		expect(loads.length).toBeLessThanOrEqual(4);
	});

	it('stops verifying a removed key once the 60 s window has passed', async () => {
		jest.useFakeTimers({
			now: new Date('2026-01-01T00:00:00Z'),
			doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
		});
		const staticData: IDataObject = {};
		const credentials = defaultCredentials();
		const loads: string[] = [];
		const call = async (key: string) =>
			await callWebhook({ ...signed(key), staticData, credentials, credentialLoads: loads });
		expect((await call(TEST_KEY)).httpStatus).toBe(200);
		// The test key is removed; the cache still holds it until its entry is 60 s old.
		credentials.smsRouteApi = { ...credentials.smsRouteApi, testApiKey: '' };
		jest.setSystemTime(Date.now() + KEY_CACHE_TTL_MS - 1000);
		expect((await call(TEST_KEY)).httpStatus).toBe(200);
		jest.setSystemTime(Date.now() + 1000);
		const after = await call(TEST_KEY);
		expect(after.httpStatus).toBe(401);
		expect(after.responseBody).toEqual({ error: 'signature mismatch' });
		// The live key, still in the credential, verifies throughout.
		expect((await call(LIVE_KEY)).httpStatus).toBe(200);
		expect(loads.length).toBeLessThanOrEqual(3);
	});

	it('does not reload for a request whose signature verified but whose timestamp is stale', async () => {
		const loads: string[] = [];
		const staticData: IDataObject = {};
		await callWebhook({ ...signed(TEST_KEY), staticData, credentialLoads: loads });
		const rawBody = JSON.stringify(smsRoutePayload({ message_id: 'msg_stale' }));
		const stale = await callWebhook({
			rawBody,
			headers: {
				...JSON_TYPE,
				'x-smsroute-signature': smsRouteHeader(TEST_KEY, nowSeconds() - 3600, rawBody),
			},
			staticData,
			credentialLoads: loads,
		});
		expect(stale.httpStatus).toBe(401);
		expect(loads).toEqual(['smsRouteApi']);
	});

	it('keeps the cached keys out of anything printed or serialised', async () => {
		const credentials = defaultCredentials();
		const context = {
			getNode: () => ({
				id: 'n',
				name: 'n',
				credentials: {
					smsRouteApi: { id: 'c1', name: 'c' },
					sendCloudSmsHookApi: { id: 'c2', name: 'c' },
				},
			}),
			getCredentials: async (name: string) => credentials[name],
		} as unknown as IWebhookFunctions;
		const smsroute = await smsRouteKeys(context, 'wf-print:n');
		const sendcloud = await sendCloudAppKey(context, 'wf-print:n');
		for (const value of [smsroute, sendcloud]) {
			const printed = `${inspect(value, { depth: 10 })} ${JSON.stringify(value)} ${String(value)}`;
			for (const secret of [TEST_KEY, LIVE_KEY, APP_KEY]) expect(printed).not.toContain(secret);
		}
		expect(smsroute.keys).toHaveLength(2);
	});
});

describe('SMS Route Trigger — nothing per request that is not needed', () => {
	it('does not write static data when a request only repeats what the record holds', async () => {
		const stored: IDataObject = {};
		// What n8n's observable static data sees: every assignment (one marks it for saving).
		const assigned: string[] = [];
		const staticData = new Proxy(stored, {
			set: (target, name, value) => {
				assigned.push(String(name));
				return Reflect.set(target, name, value);
			},
		});
		const request = signed(TEST_KEY);
		await callWebhook({ ...request, staticData });
		expect(String(stored.eventKeys).split(',')).toHaveLength(1);
		assigned.length = 0;
		const again = await callWebhook({ ...request, staticData });
		expect(again.responseBody).toEqual({ received: 1, emitted: 0 });
		// No assignment: n8n's observable static data is not marked, so n8n saves nothing.
		expect(assigned).toEqual([]);
	});
});

describe('SMS Route Trigger — typeVersion 1.1', () => {
	it('offers 1 and 1.1, 1.1 for new nodes', () => {
		const { description } = new SmsRouteTrigger();
		expect(description.version).toEqual([1, 1.1]);
		expect(description.defaultVersion).toBe(1.1);
	});

	it('reads the raw body itself when n8n has not (1.1 and an unparsed content type)', async () => {
		const { rawBody, headers } = signed(TEST_KEY);
		const out = await callWebhook({
			rawBody,
			headers: { 'x-smsroute-signature': headers['x-smsroute-signature'] },
			lazyRawBody: true,
		});
		expect(out.httpStatus).toBe(200);
		expect(out.items).toHaveLength(1);
	});
});
