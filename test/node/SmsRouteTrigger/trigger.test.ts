import type { IDataObject } from 'n8n-workflow';

import { SmsRouteTrigger } from '../../../nodes/SmsRoute/SmsRouteTrigger.node';
import { NORMALIZED_EVENT_FIELDS } from '../../helpers/eventFields';
import {
	APP_KEY,
	LIVE_KEY,
	TEST_KEY,
	callWebhook,
	defaultCredentials,
	newToken,
	nowSeconds,
	sendCloudPayload,
	sendCloudSignature,
	smsRouteHeader,
	smsRoutePayload,
	smsRouteV1,
	toForm,
} from '../../helpers/triggerWebhook';

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

function signedSmsRoute(key: string, payload: IDataObject = smsRoutePayload(), t = nowSeconds()) {
	// Pretty-printed on purpose: verification must use these bytes, not a re-serialisation.
	const rawBody = JSON.stringify(payload, null, 2);
	return {
		rawBody,
		headers: { ...JSON_TYPE, 'x-smsroute-signature': smsRouteHeader(key, t, rawBody) },
	};
}

describe('SMS Route Trigger — description', () => {
	const { description } = new SmsRouteTrigger();

	it('has the public names and both webhooks on one path', () => {
		expect(description.name).toBe('smsRouteTrigger');
		expect(description.displayName).toBe('SMS Route Trigger');
		expect(description.group).toEqual(['trigger']);
		expect(description.webhooks).toEqual([
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				responseData: '',
				path: 'webhook',
			},
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'webhook' },
		]);
		expect(description.properties.map((p) => p.name)).toEqual([
			'notice',
			'testEventNotice',
			'testEventNoticeSendCloud',
			'provider',
			'events',
			'options',
		]);
	});

	it('offers every normalized status in the events filter', () => {
		const events = description.properties.find((p) => p.name === 'events');
		expect(events?.options?.map((o) => (o as { value: string }).value).sort()).toEqual(
			[
				'queued',
				'sent',
				'delivered',
				'failed',
				'undelivered',
				'suppressed',
				'requested',
				'replied',
				'template_verify',
			].sort(),
		);
	});

	it('offers both credentials, neither required, without hiding the Provider parameter', () => {
		expect(description.credentials).toEqual([
			{
				name: 'smsRouteApi',
				displayName: 'smsroute API Key (verifies smsroute webhooks)',
				required: false,
				testedBy: 'smsRouteApiTest',
			},
			{
				name: 'sendCloudSmsHookApi',
				displayName: 'SendCloud App Key (verifies SMSHook callbacks)',
				required: false,
				testedBy: 'sendCloudSmsHookApiTest',
			},
		]);
		// n8n's editor hides any parameter a credential keys its displayOptions on, taking it for
		// an authentication selector: Provider must stay out of every credential's displayOptions.
		const keyed = (description.credentials ?? []).flatMap((c) =>
			Object.keys(c.displayOptions?.show ?? {}),
		);
		expect(keyed).not.toContain('provider');
		expect(
			description.properties.find((p) => p.name === 'provider')?.displayOptions,
		).toBeUndefined();
	});
});

describe('SMS Route Trigger — credential test for sendCloudSmsHookApi', () => {
	const test = new SmsRouteTrigger().methods.credentialTest.sendCloudSmsHookApiTest;
	const run = async (appKey: unknown) =>
		await test.call(
			{} as never,
			{ id: '1', name: 'c', type: 'sendCloudSmsHookApi', data: { appKey } } as never,
		);

	it('accepts a present key without whitespace', async () => {
		expect(await run(APP_KEY)).toMatchObject({ status: 'OK' });
	});
	it('rejects empty and whitespace-containing keys without echoing them', async () => {
		expect(await run('')).toMatchObject({ status: 'Error' });
		expect(await run(undefined)).toMatchObject({ status: 'Error' });
		const result = await run(`${APP_KEY}\n`);
		expect(result).toMatchObject({ status: 'Error' });
		expect(result.message).not.toContain(APP_KEY);
	});
});

describe('SMS Route Trigger — webhook lifecycle', () => {
	it('registers nothing remotely (URLs are pasted in the dashboards)', async () => {
		const { default: hooks } = new SmsRouteTrigger().webhookMethods;
		expect(await hooks.checkExists.call({} as never)).toBe(true);
		expect(await hooks.create.call({} as never)).toBe(true);
		expect(await hooks.delete.call({} as never)).toBe(true);
	});
});

describe('SMS Route Trigger — GET setup', () => {
	it('answers 200 with a short JSON and starts no execution', async () => {
		const out = await callWebhook({ webhookName: 'setup', rawBody: null });
		expect(out.httpStatus).toBe(200);
		expect(out.result.workflowData).toBeUndefined();
		expect(out.result.noWebhookResponse).toBeUndefined();
		expect(out.responseBody).toEqual({ ok: true, service: 'SMS Route Trigger' });
	});
});

describe('SMS Route Trigger — smsroute', () => {
	it('emits the normalized event for a test-key signature (livemode false)', async () => {
		const out = await callWebhook(signedSmsRoute(TEST_KEY));
		expect(out.httpStatus).toBe(200);
		expect(out.responseBody).toEqual({ received: 1, emitted: 1 });
		expect(out.items).toHaveLength(1);
		const item = out.items[0];
		expect(Object.keys(item).sort()).toEqual(['eventId', ...NORMALIZED_EVENT_FIELDS].sort());
		expect(item).toMatchObject({
			provider: 'smsroute',
			event: 'message.delivered',
			status: 'delivered',
			final: true,
			messageId: 'msg_1a2b3c4d5e6f7g8h',
			to: '+15005550001',
			occurredAt: '2024-01-15T10:30:00.000Z',
			livemode: false,
			reason: null,
			metadata: { orderId: 'A-17' },
			raw: smsRoutePayload(),
		});
		expect(Number.isNaN(Date.parse(item.receivedAt as string))).toBe(false);
	});

	it('sets livemode true when the live key verifies', async () => {
		const payload = smsRoutePayload({ livemode: true, message_id: 'msg_live_1' });
		const out = await callWebhook(signedSmsRoute(LIVE_KEY, payload));
		expect(out.httpStatus).toBe(200);
		expect(out.items[0]).toMatchObject({ livemode: true, messageId: 'msg_live_1' });
	});

	it('takes livemode from the verifying key, not from the body', async () => {
		const payload = smsRoutePayload({ livemode: true, message_id: 'msg_claims_live' });
		const out = await callWebhook(signedSmsRoute(TEST_KEY, payload));
		expect(out.items[0]).toMatchObject({ livemode: false });
	});

	it('refuses a tampered body with 401 and no execution', async () => {
		const { rawBody, headers } = signedSmsRoute(TEST_KEY);
		const tampered = rawBody.replace('delivered', 'failed');
		const out = await callWebhook({ rawBody: tampered, headers });
		expect(out.httpStatus).toBe(401);
		expect(out.responseBody).toEqual({ error: 'signature mismatch' });
		expect(out.result).toEqual({ noWebhookResponse: true });
	});

	it('refuses a signature made with another key', async () => {
		const out = await callWebhook(signedSmsRoute('sk_test_someone_else'));
		expect(out.httpStatus).toBe(401);
		expect(out.responseBody).toEqual({ error: 'signature mismatch' });
	});

	it('refuses stale and future timestamps (default tolerance 300 s)', async () => {
		const stale = await callWebhook(
			signedSmsRoute(TEST_KEY, smsRoutePayload(), nowSeconds() - 301),
		);
		expect(stale.httpStatus).toBe(401);
		expect(stale.responseBody).toEqual({ error: 'timestamp too old' });
		const future = await callWebhook(
			signedSmsRoute(TEST_KEY, smsRoutePayload(), nowSeconds() + 301),
		);
		expect(future.httpStatus).toBe(401);
		expect(future.responseBody).toEqual({ error: 'timestamp in the future' });
	});

	it('honours the tolerance option', async () => {
		const request = signedSmsRoute(TEST_KEY, smsRoutePayload(), nowSeconds() - 400);
		const out = await callWebhook({ ...request, options: { toleranceSeconds: 600 } });
		expect(out.httpStatus).toBe(200);
		const strict = await callWebhook({
			...signedSmsRoute(TEST_KEY, smsRoutePayload({ message_id: 'm2' }), nowSeconds() - 20),
			options: { toleranceSeconds: 10 },
		});
		expect(strict.httpStatus).toBe(401);
	});

	it('accepts several v1 entries (rotation) and ignores other schemes', async () => {
		const rawBody = JSON.stringify(smsRoutePayload());
		const t = nowSeconds();
		const header = `t=${t},v0=deadbeef,v1=${smsRouteV1('sk_test_old', t, rawBody)},v1=${smsRouteV1(TEST_KEY, t, rawBody)}`;
		const out = await callWebhook({
			rawBody,
			headers: { ...JSON_TYPE, 'x-smsroute-signature': header },
		});
		expect(out.httpStatus).toBe(200);
		expect(out.items).toHaveLength(1);
	});

	it('refuses when only other schemes carry the valid signature', async () => {
		const rawBody = JSON.stringify(smsRoutePayload());
		const t = nowSeconds();
		const header = `t=${t},v0=${smsRouteV1(TEST_KEY, t, rawBody)}`;
		const out = await callWebhook({
			rawBody,
			headers: { ...JSON_TYPE, 'x-smsroute-signature': header },
		});
		expect(out.httpStatus).toBe(401);
	});

	it('refuses missing and garbage headers', async () => {
		const rawBody = JSON.stringify(smsRoutePayload());
		const missing = await callWebhook({ rawBody, headers: JSON_TYPE, provider: 'smsroute' });
		expect(missing.httpStatus).toBe(401);
		expect(missing.responseBody).toEqual({ error: 'missing x-smsroute-signature header' });
		for (const garbage of ['garbage', 't=,v1=', 'v1=abc', 't=now,v1=abc', ',,,']) {
			const out = await callWebhook({
				rawBody,
				headers: { ...JSON_TYPE, 'x-smsroute-signature': garbage },
			});
			expect(out.httpStatus).toBe(401);
			expect(out.items).toHaveLength(0);
		}
	});

	it('auto mode: a body with no header and no SendCloud fields is refused with 401', async () => {
		const out = await callWebhook({
			rawBody: JSON.stringify({ hello: 'world' }),
			headers: JSON_TYPE,
		});
		expect(out.httpStatus).toBe(401);
	});

	it('fails verification when the raw body is unavailable (never re-serialises)', async () => {
		const { headers } = signedSmsRoute(TEST_KEY);
		const out = await callWebhook({ rawBody: null, headers });
		expect(out.httpStatus).toBe(401);
		expect(out.responseBody).toEqual({
			error: 'raw request body unavailable; cannot verify signature',
		});
	});

	it('answers 401 naming the credential when smsRouteApi is missing, and never leaks keys', async () => {
		const creds = defaultCredentials();
		delete creds.smsRouteApi;
		const out = await callWebhook({ ...signedSmsRoute(TEST_KEY), credentials: creds });
		expect(out.httpStatus).toBe(401);
		expect((out.responseBody as { error: string }).error).toMatch(/SMS Route API credential/);
		const wrong = await callWebhook(signedSmsRoute('sk_test_other'));
		expect(JSON.stringify(wrong.responseBody)).not.toContain(TEST_KEY);
		expect(JSON.stringify(wrong.responseBody)).not.toContain(LIVE_KEY);
	});

	it('trims a pasted newline around the key', async () => {
		const creds = defaultCredentials();
		creds.smsRouteApi.testApiKey = `${TEST_KEY}\n`;
		const out = await callWebhook({ ...signedSmsRoute(TEST_KEY), credentials: creds });
		expect(out.httpStatus).toBe(200);
	});

	it('accepts unix seconds and milliseconds timestamps, and error/error_message as reason', async () => {
		const seconds = await callWebhook(
			signedSmsRoute(
				TEST_KEY,
				smsRoutePayload({
					status: 'failed',
					type: 'message.failed',
					timestamp: 1705314600,
					reason: undefined,
					error: 'invalid number',
				}),
			),
		);
		expect(seconds.items[0]).toMatchObject({
			status: 'failed',
			final: true,
			occurredAt: '2024-01-15T10:30:00.000Z',
			reason: 'invalid number',
		});
		const ms = await callWebhook(
			signedSmsRoute(
				TEST_KEY,
				smsRoutePayload({
					status: 'undelivered',
					type: 'message.undelivered',
					timestamp: 1705314600123,
					reason: undefined,
					error_message: 'carrier timeout',
				}),
			),
		);
		expect(ms.items[0]).toMatchObject({
			event: 'message.undelivered',
			final: false,
			occurredAt: '2024-01-15T10:30:00.123Z',
			reason: 'carrier timeout',
		});
	});

	it('answers 400 to a verified body that is not valid JSON or misses fields', async () => {
		const t = nowSeconds();
		const bad = '{"message_id": "x", ';
		const out = await callWebhook({
			rawBody: bad,
			headers: { ...JSON_TYPE, 'x-smsroute-signature': smsRouteHeader(TEST_KEY, t, bad) },
		});
		expect(out.httpStatus).toBe(400);
		expect(out.responseBody).toEqual({ error: 'invalid JSON' });
		const missing = await callWebhook(
			signedSmsRoute(TEST_KEY, { status: 'sent', timestamp: 1705314600 }),
		);
		expect(missing.httpStatus).toBe(400);
		expect(missing.responseBody).toEqual({ error: 'missing message_id' });
	});

	it('answers 400 to oversized and non-UTF-8 bodies', async () => {
		const t = nowSeconds();
		const huge = Buffer.from(
			JSON.stringify(smsRoutePayload({ metadata: { pad: 'x'.repeat(1024 * 1024) } })),
			'utf8',
		);
		const tooBig = await callWebhook({
			rawBody: huge,
			headers: { ...JSON_TYPE, 'x-smsroute-signature': smsRouteHeader(TEST_KEY, t, huge) },
		});
		expect(tooBig.httpStatus).toBe(400);
		expect(tooBig.responseBody).toEqual({ error: 'body too large' });

		const latin1 = Buffer.concat([
			Buffer.from('{"message_id":"m","status":"sent","timestamp":1705314600,"to":"caf', 'utf8'),
			Buffer.from([0xe9]), // "é" in Latin-1: not UTF-8
			Buffer.from('"}', 'utf8'),
		]);
		const notUtf8 = await callWebhook({
			rawBody: latin1,
			headers: { ...JSON_TYPE, 'x-smsroute-signature': smsRouteHeader(TEST_KEY, t, latin1) },
		});
		expect(notUtf8.httpStatus).toBe(400);
		expect(notUtf8.responseBody).toEqual({ error: 'body is not valid UTF-8' });
	});

	it('emits a re-delivered event once and still answers 200', async () => {
		const staticData: IDataObject = {};
		const request = signedSmsRoute(TEST_KEY);
		const first = await callWebhook({ ...request, staticData });
		const again = await callWebhook({ ...request, staticData });
		// A retry re-signed with a new t is the same provider event too.
		const resigned = await callWebhook({
			...signedSmsRoute(TEST_KEY, smsRoutePayload(), nowSeconds() - 5),
			staticData,
		});
		expect(first.items).toHaveLength(1);
		for (const out of [again, resigned]) {
			expect(out.httpStatus).toBe(200);
			expect(out.responseBody).toEqual({ received: 1, emitted: 0 });
			expect(out.result.workflowData).toBeUndefined();
		}
		// A later status of the same message is a new event.
		const sent = await callWebhook({
			...signedSmsRoute(TEST_KEY, smsRoutePayload({ status: 'sent', type: 'message.sent' })),
			staticData,
		});
		expect(sent.items).toHaveLength(1);
	});

	it('remembers events in memory when n8n does not save static data, and seeds from saved static data', async () => {
		const request = signedSmsRoute(TEST_KEY, smsRoutePayload({ message_id: 'msg_memory_0000001' }));
		// n8n hands every request a fresh static-data object and may not have saved the last one.
		const first = await callWebhook({ ...request, staticData: {}, workflowId: 'wf-memory' });
		const again = await callWebhook({ ...request, staticData: {}, workflowId: 'wf-memory' });
		expect(first.items).toHaveLength(1);
		expect(again.responseBody).toEqual({ received: 1, emitted: 0 });
		// After a restart (no memory for this workflow yet), what static data saved still counts.
		const saved: IDataObject = {};
		await callWebhook({ ...request, staticData: saved, workflowId: 'wf-before-restart' });
		const afterRestart = await callWebhook({
			...request,
			staticData: { ...saved },
			workflowId: 'wf-after-restart',
		});
		expect(afterRestart.responseBody).toEqual({ received: 1, emitted: 0 });
	});

	it('acknowledges events outside the events filter without an execution', async () => {
		const out = await callWebhook({ ...signedSmsRoute(TEST_KEY), events: ['failed'] });
		expect(out.httpStatus).toBe(200);
		expect(out.responseBody).toEqual({ received: 1, emitted: 0 });
		expect(out.result.workflowData).toBeUndefined();
		const kept = await callWebhook({
			...signedSmsRoute(TEST_KEY),
			events: ['delivered', 'failed'],
		});
		expect(kept.items).toHaveLength(1);
	});

	it('provider fixed to sendcloud refuses smsroute requests', async () => {
		const out = await callWebhook({ ...signedSmsRoute(TEST_KEY), provider: 'sendcloud' });
		expect(out.httpStatus).toBe(401);
	});
});

describe('SMS Route Trigger — SendCloud', () => {
	it('accepts a signed JSON callback and normalizes it', async () => {
		const payload = sendCloudPayload();
		const out = await callWebhook({ rawBody: JSON.stringify(payload), headers: JSON_TYPE });
		expect(out.httpStatus).toBe(200);
		expect(out.responseBody).toEqual({ received: 1, emitted: 1 });
		expect(out.items[0]).toMatchObject({
			provider: 'sendcloud',
			event: 'message.delivered',
			status: 'delivered',
			final: true,
			messageId: '1652150994014_9373_14466_36735_99drnc$13888888888',
			to: '13888888888',
			occurredAt: new Date(payload.timestamp as number).toISOString(),
			livemode: null,
			reason: null,
			metadata: { campaign: 'spring' },
			raw: payload,
		});
	});

	it('accepts a signed form-urlencoded callback with JSON-encoded arrays and objects', async () => {
		const payload = sendCloudPayload({ eventType: 5, event: 'Failed', message: 'invalid number' });
		const out = await callWebhook({ rawBody: toForm(payload), headers: FORM_TYPE });
		expect(out.httpStatus).toBe(200);
		expect(out.items[0]).toMatchObject({
			status: 'failed',
			event: 'message.failed',
			final: true,
			reason: 'invalid number',
			metadata: { campaign: 'spring' },
			messageId: '1652150994014_9373_14466_36735_99drnc$13888888888',
		});
		expect((out.items[0].raw as IDataObject).smsIds).toEqual(payload.smsIds);
	});

	it('accepts bracketed form arrays (smsIds[]=…)', async () => {
		const payload = sendCloudPayload({
			eventType: 1,
			event: 'Requested',
			smsIds: ['a$1', 'b$2'],
			phones: ['1', '2'],
		});
		const form = Object.entries(payload)
			.flatMap(([k, v]) =>
				Array.isArray(v)
					? v.map((x) => `${k}[]=${encodeURIComponent(String(x))}`)
					: [`${k}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`],
			)
			.join('&');
		const out = await callWebhook({ rawBody: form, headers: FORM_TYPE });
		expect(out.items.map((i) => [i.messageId, i.to])).toEqual([
			['a$1', '1'],
			['b$2', '2'],
		]);
	});

	it('fans a Requested event with 3 smsIds out to 3 items, pairing smsIds[i] with phones[i]', async () => {
		const payload = sendCloudPayload({
			event: 'Requested',
			eventType: 1,
			message: 'request',
			smsIds: ['1_1$13800000001', '1_2$13800000002', '1_3$13800000003'],
			phones: ['13800000001', '13800000002', '13800000003'],
		});
		const out = await callWebhook({ rawBody: JSON.stringify(payload), headers: JSON_TYPE });
		expect(out.responseBody).toEqual({ received: 3, emitted: 3 });
		expect(out.items.map((i) => [i.messageId, i.to, i.status, i.event, i.final])).toEqual([
			['1_1$13800000001', '13800000001', 'requested', 'message.requested', false],
			['1_2$13800000002', '13800000002', 'requested', 'message.requested', false],
			['1_3$13800000003', '13800000003', 'requested', 'message.requested', false],
		]);
		// raw: the payload with smsIds/phones cut to this item's message (fan-out stays linear).
		out.items.forEach((item, i) => {
			const lists = payload as { smsIds: string[]; phones: string[] };
			expect(item.raw).toEqual({
				...payload,
				smsIds: [lists.smsIds[i]],
				phones: [lists.phones[i]],
			});
		});
	});

	it('maps every event code, including legacy deliver=2 and reply=6', async () => {
		const cases: Array<[number, string, string]> = [
			[1, 'requested', 'message.requested'],
			[2, 'delivered', 'message.delivered'],
			[20, 'delivered', 'message.delivered'],
			[4, 'suppressed', 'message.suppressed'],
			[5, 'failed', 'message.failed'],
			[6, 'replied', 'message.replied'],
			[8, 'template_verify', 'template.verified'],
		];
		for (const [eventType, status, event] of cases) {
			const payload = sendCloudPayload({
				eventType,
				replyContent: eventType === 6 ? 'STOP' : undefined,
			});
			const out = await callWebhook({ rawBody: JSON.stringify(payload), headers: JSON_TYPE });
			expect(out.items[0]).toMatchObject({
				status,
				event,
				final: ['delivered', 'failed', 'suppressed'].includes(status),
			});
			if (eventType === 6) expect(out.items[0].reason).toBe('STOP');
		}
	});

	it('refuses a token replayed with another body (401), and acknowledges a redelivery without emitting', async () => {
		const staticData: IDataObject = {};
		const rawBody = JSON.stringify(sendCloudPayload());
		const first = await callWebhook({ rawBody, headers: JSON_TYPE, staticData });
		expect(first.httpStatus).toBe(200);
		expect(first.items).toHaveLength(1);
		// The body is not signed: the genuine token with a forged body is a replay.
		const forged = JSON.parse(rawBody) as IDataObject;
		forged.smsIds = ['forged$1'];
		const forgedOut = await callWebhook({
			rawBody: JSON.stringify(forged),
			headers: JSON_TYPE,
			staticData,
		});
		expect(forgedOut.httpStatus).toBe(401);
		expect(forgedOut.responseBody).toEqual({ error: 'token already used' });
		expect(forgedOut.items).toHaveLength(0);
		// The same bytes again is SendCloud redelivering: 200 so it stops retrying, nothing emitted.
		const again = await callWebhook({ rawBody, headers: JSON_TYPE, staticData });
		expect(again.httpStatus).toBe(200);
		expect(again.responseBody).toEqual({ received: 1, emitted: 0 });
		expect(again.items).toHaveLength(0);
	});

	it('emits a re-sent event (new token) once', async () => {
		const staticData: IDataObject = {};
		const first = await callWebhook({
			rawBody: JSON.stringify(sendCloudPayload()),
			headers: JSON_TYPE,
			staticData,
		});
		const retry = await callWebhook({
			rawBody: JSON.stringify(sendCloudPayload()),
			headers: JSON_TYPE,
			staticData,
		});
		expect(first.items).toHaveLength(1);
		expect(retry.httpStatus).toBe(200);
		expect(retry.responseBody).toEqual({ received: 1, emitted: 0 });
		expect(retry.result.workflowData).toBeUndefined();
	});

	it('refuses a wrong app key, a tampered token and stale or future timestamps', async () => {
		const wrong = sendCloudPayload({}, 'another_app_key');
		expect(
			(await callWebhook({ rawBody: JSON.stringify(wrong), headers: JSON_TYPE })).httpStatus,
		).toBe(401);

		const tampered = sendCloudPayload();
		tampered.token = newToken();
		const out = await callWebhook({ rawBody: JSON.stringify(tampered), headers: JSON_TYPE });
		expect(out.httpStatus).toBe(401);
		expect(out.responseBody).toEqual({ error: 'signature mismatch' });

		const stale = await callWebhook({
			rawBody: JSON.stringify(sendCloudPayload({ timestamp: Date.now() - 301_000 })),
			headers: JSON_TYPE,
		});
		expect(stale.responseBody).toEqual({ error: 'timestamp too old' });
		const future = await callWebhook({
			rawBody: JSON.stringify(sendCloudPayload({ timestamp: Date.now() + 301_000 })),
			headers: JSON_TYPE,
		});
		expect(future.responseBody).toEqual({ error: 'timestamp in the future' });
	});

	it('the seed example payload, re-signed with openssl, verifies within tolerance of its time', async () => {
		const token = 'VDymF6ihuJkKZjHiJZkLKGmY6q9qAQ2WGopLh7mBsDeAO6GKV5';
		const timestamp = 1652150994087;
		// Independently: python3 hmac.new(APP_KEY, b"1652150994087" + token, sha256).hexdigest()
		const signature = 'aaeead65c390f687394666d4670bddb76a5f0fc94bbbea4bdeff53c8caf4eb04';
		expect(sendCloudSignature(APP_KEY, timestamp, token)).toBe(signature);
		jest.useFakeTimers({ now: timestamp + 2000 });
		try {
			const payload = {
				event: 'Requested',
				eventType: 1,
				message: 'request',
				userId: 19999,
				smsUser: 'App',
				smsIds: ['1652150994014_9373_14466_36735_99drnc$13888888888'],
				templateId: 29999,
				phones: ['13888888888'],
				timestamp,
				token,
				signature,
				customArgs: {},
			};
			const out = await callWebhook({ rawBody: JSON.stringify(payload), headers: JSON_TYPE });
			expect(out.httpStatus).toBe(200);
			expect(out.items[0]).toMatchObject({
				occurredAt: '2022-05-10T02:49:54.087Z',
				status: 'requested',
				to: '13888888888',
			});
		} finally {
			jest.useRealTimers();
		}
	});

	it('answers 401 for missing signing fields and for a missing credential', async () => {
		const payload = sendCloudPayload();
		delete payload.signature;
		const out = await callWebhook({ rawBody: JSON.stringify(payload), headers: JSON_TYPE });
		expect(out.httpStatus).toBe(401);
		const creds = defaultCredentials();
		delete creds.sendCloudSmsHookApi;
		const noCred = await callWebhook({
			rawBody: JSON.stringify(sendCloudPayload()),
			headers: JSON_TYPE,
			credentials: creds,
		});
		expect(noCred.httpStatus).toBe(401);
		expect((noCred.responseBody as { error: string }).error).toMatch(
			/SendCloud SMSHook API credential/,
		);
		expect(JSON.stringify(noCred.responseBody)).not.toContain(APP_KEY);
	});

	it('answers 400 for a signed callback with an unknown event code', async () => {
		const out = await callWebhook({
			rawBody: JSON.stringify(sendCloudPayload({ eventType: 99 })),
			headers: JSON_TYPE,
		});
		expect(out.httpStatus).toBe(400);
		expect(out.responseBody).toEqual({ error: 'unknown or missing eventType' });
	});

	it('answers 400 for bad JSON, oversized and non-UTF-8 bodies before anything else', async () => {
		const bad = await callWebhook({ rawBody: '{"token": ', headers: JSON_TYPE });
		expect(bad.httpStatus).toBe(400);
		const huge = await callWebhook({
			rawBody: JSON.stringify(sendCloudPayload({ message: 'x'.repeat(1024 * 1024 + 1) })),
			headers: JSON_TYPE,
		});
		expect(huge.httpStatus).toBe(400);
		expect(huge.responseBody).toEqual({ error: 'body too large' });
		const nonUtf8 = await callWebhook({
			rawBody: Buffer.concat([
				Buffer.from(toForm(sendCloudPayload()) + '&note='),
				Buffer.from([0xff, 0xfe]),
			]),
			headers: FORM_TYPE,
		});
		expect(nonUtf8.httpStatus).toBe(400);
		expect(nonUtf8.responseBody).toEqual({ error: 'body is not valid UTF-8' });
		const badEscape = await callWebhook({
			rawBody: `${toForm(sendCloudPayload())}&note=%FF`,
			headers: FORM_TYPE,
		});
		expect(badEscape.httpStatus).toBe(400);
		expect(badEscape.responseBody).toEqual({ error: 'malformed form body' });
	});

	it('applies the events filter per item', async () => {
		const payload = sendCloudPayload({ eventType: 4, event: 'Suppressed' });
		const out = await callWebhook({
			rawBody: JSON.stringify(payload),
			headers: JSON_TYPE,
			events: ['delivered'],
		});
		expect(out.httpStatus).toBe(200);
		expect(out.result.workflowData).toBeUndefined();
	});

	it('provider fixed to smsroute refuses SendCloud callbacks', async () => {
		const out = await callWebhook({
			rawBody: JSON.stringify(sendCloudPayload()),
			headers: JSON_TYPE,
			provider: 'smsroute',
		});
		expect(out.httpStatus).toBe(401);
		expect(out.responseBody).toEqual({ error: 'missing x-smsroute-signature header' });
	});
});
