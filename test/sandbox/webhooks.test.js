'use strict';
// Delivery webhooks. Every signature is checked with OpenSSL's CLI (opensslHmacSha256Hex), an
// HMAC computed independently of the sandbox's own signing code.

const {
	TEST,
	LIVE,
	useSandbox,
	startReceiver,
	opensslHmacSha256Hex,
	waitFor,
	parseSignatureHeader,
	sleep,
} = require('./helpers');

const APP_KEY = 'sendcloud_app_key_for_tests_123';
const ctx = useSandbox(
	() => ({
		stepMs: 60,
		webhook: {
			url: receiver.url,
			mode: 'smsroute',
			sendCloudAppKey: APP_KEY,
			sendCloudFormat: 'json',
			allNumbers: false,
			retries: 3,
			retryBackoffMs: 40,
		},
	}),
	{ stepMs: 60 },
);
// The receiver the sandbox posts its webhooks to (declared after the sandbox: stopped after it).
let receiver;
let respond; // per-test receiver behaviour

beforeAll(async () => {
	receiver = await startReceiver((entry, n) => (respond ? respond(entry, n) : 200));
});
afterAll(async () => {
	await receiver.close();
});
beforeEach(() => {
	receiver.received.length = 0;
	respond = undefined;
});

const send = (key, to, extra = {}) =>
	ctx.call('POST', '/v1/messages', { key, body: { to, body: 'webhook test', ...extra } });
const waitReceived = (n) =>
	waitFor(() => receiver.received.length >= n, { what: `${n} webhook(s)` });
const waitLogged = (n) =>
	waitFor(() => ctx.sb.webhookLog().length >= n, { what: `${n} webhook log entries` });

/** Verifies an smsroute delivery against `key` with OpenSSL; returns the parsed body. */
function verifySmsRoute(entry, key) {
	const { t, v1 } = parseSignatureHeader(entry.headers['x-smsroute-signature']);
	expect(t).toMatch(/^\d+$/);
	expect(Math.abs(Date.now() / 1000 - Number(t))).toBeLessThan(300);
	expect(v1).toMatch(/^[0-9a-f]{64}$/);
	expect(v1).toBe(opensslHmacSha256Hex(key, `${t}.${entry.raw}`));
	return JSON.parse(entry.raw);
}

function verifySendCloud(payload, appKey) {
	expect(payload.token).toMatch(/^[A-Za-z0-9]{50}$/);
	expect(payload.signature).toBe(
		opensslHmacSha256Hex(appKey, `${payload.timestamp}${payload.token}`),
	);
}

test('the independent HMAC (OpenSSL CLI) matches RFC 4231 test case 2', () => {
	expect(opensslHmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
		'5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
	);
});

describe('smsroute webhooks', () => {
	test('test-key message to +15005550002: sent then failed, signed with the test key', async () => {
		const id = (await send(TEST, '+15005550002', { metadata: { order: 42 } })).json.id;
		await waitReceived(2);
		const [sent, failed] = receiver.received.map((e) => verifySmsRoute(e, TEST));
		expect(receiver.received[0].headers['content-type']).toBe('application/json');
		expect(sent).toEqual({
			type: 'message.sent',
			message_id: id,
			status: 'sent',
			timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			to: '+15005550002',
			livemode: false,
			reason: null,
			metadata: { order: 42 },
		});
		expect(failed).toMatchObject({
			type: 'message.failed',
			status: 'failed',
			message_id: id,
			livemode: false,
		});
		expect(failed.reason).toEqual(expect.any(String));
		// The live key must NOT verify a test-mode event.
		const { t, v1 } = parseSignatureHeader(receiver.received[0].headers['x-smsroute-signature']);
		expect(opensslHmacSha256Hex(LIVE, `${t}.${receiver.received[0].raw}`)).not.toBe(v1);

		await waitLogged(2);
		const log = ctx.sb.webhookLog();
		expect(log.map((w) => [w.mode, w.environment, w.statusCode, w.attempts])).toEqual([
			['smsroute', 'test', 200, 1],
			['smsroute', 'test', 200, 1],
		]);
		expect(log[0].url).toBe(receiver.url);
		expect(log[0].body).toBe(receiver.received[0].raw);
	});

	test('live-key message to +15005550001: delivered, signed with the live key, livemode true', async () => {
		await send(LIVE, '+15005550001');
		await waitReceived(2);
		const bodies = receiver.received.map((e) => verifySmsRoute(e, LIVE));
		expect(bodies.map((b) => [b.status, b.livemode])).toEqual([
			['sent', true],
			['delivered', true],
		]);
	});

	test('+15005550003 ends undelivered; ordinary numbers fire nothing unless allNumbers', async () => {
		await send(TEST, '+15551234567');
		await send(TEST, '+15005550003');
		await waitReceived(2);
		await sleep(150);
		expect(receiver.received.map((e) => verifySmsRoute(e, TEST).status)).toEqual([
			'sent',
			'undelivered',
		]);

		receiver.received.length = 0;
		ctx.sb.configure({ webhook: { allNumbers: true } });
		await send(TEST, '+15551234567');
		await waitReceived(2);
		expect(receiver.received.map((e) => verifySmsRoute(e, TEST).status)).toEqual([
			'sent',
			'delivered',
		]);
	});

	test('bulk: every magic message fires both events, timestamps follow stepMs', async () => {
		const r = await ctx.call('POST', '/v1/messages/bulk', {
			key: TEST,
			body: {
				messages: ['+15005550001', '+15005550002', '+15005550003', '+15005550001'].map((to) => ({
					to,
					body: 'b',
				})),
			},
		});
		await waitReceived(8);
		const events = receiver.received.map((e) => verifySmsRoute(e, TEST));
		for (const id of r.json.ids) {
			const mine = events.filter((e) => e.message_id === id);
			expect(mine.map((e) => e.status)[0]).toBe('sent');
			expect(mine).toHaveLength(2);
			expect(Date.parse(mine[1].timestamp) - Date.parse(mine[0].timestamp)).toBe(60);
		}
		expect(ctx.sb.stats().webhooks.pendingEvents).toBe(0);
	});

	test('a failed delivery (404, as n8n answers right after activation) is retried', async () => {
		respond = (entry, n) => (n === 1 ? 404 : 200);
		await send(TEST, '+15005550001');
		await waitLogged(2);
		const log = ctx.sb.webhookLog();
		const sent = log.find((w) => w.status === 'sent');
		expect(sent).toMatchObject({ statusCode: 200, attempts: 2 });
		const first = JSON.parse(receiver.received[0].raw);
		const second = JSON.parse(receiver.received[1].raw);
		expect(second).toEqual(first);
		verifySmsRoute(receiver.received[1], TEST);
	});

	test('gives up after 3 retries and logs the last status', async () => {
		respond = () => 500;
		ctx.sb.configure({ webhook: { retryBackoffMs: 10 } });
		await send(TEST, '+15005550001');
		await waitLogged(2);
		expect(ctx.sb.webhookLog().map((w) => [w.statusCode, w.attempts])).toEqual([
			[500, 4],
			[500, 4],
		]);
		expect(ctx.sb.stats().webhooks.failed).toBe(2);
	});

	test('an unreachable receiver is retried and logged with the error', async () => {
		ctx.sb.configure({
			webhook: { url: 'http://127.0.0.1:1/nowhere', retries: 1, retryBackoffMs: 10 },
		});
		await send(TEST, '+15005550001');
		await waitLogged(2);
		const [w] = ctx.sb.webhookLog();
		expect(w.statusCode).toBeNull();
		expect(w.attempts).toBe(2);
		expect(w.error).toEqual(expect.any(String));
	});

	test('GET /__sandbox/webhooks lists what was sent', async () => {
		await send(TEST, '+15005550001');
		await waitLogged(2);
		const r = await ctx.call('GET', '/__sandbox/webhooks');
		expect(r.json.count).toBe(2);
		expect(r.json.webhooks[0]).toMatchObject({
			url: receiver.url,
			mode: 'smsroute',
			environment: 'test',
			statusCode: 200,
			attempts: 1,
		});
		expect(r.json.webhooks[0].headers['x-smsroute-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
	});
});

describe('SendCloud SMSHook webhooks', () => {
	test('JSON: Requested (1) then Failed (5), signed with the app key over timestamp+token', async () => {
		ctx.sb.configure({ webhook: { mode: 'sendcloud' } });
		const id = (await send(TEST, '+15005550002')).json.id;
		await waitReceived(2);
		expect(receiver.received[0].headers['content-type']).toBe('application/json');
		const [requested, failed] = receiver.received.map((e) => JSON.parse(e.raw));
		for (const p of [requested, failed]) verifySendCloud(p, APP_KEY);
		expect(requested).toEqual({
			event: 'Requested',
			eventType: 1,
			message: expect.any(String),
			userId: 19999,
			smsUser: 'sandbox',
			smsIds: [expect.stringMatching(new RegExp(`^\\d{13}_\\d+_${id}\\$\\+15005550002$`))],
			templateId: 0,
			phones: ['+15005550002'],
			timestamp: expect.any(Number),
			token: expect.any(String),
			signature: expect.stringMatching(/^[0-9a-f]{64}$/),
			customArgs: { message_id: id },
		});
		expect(Math.abs(Date.now() - requested.timestamp)).toBeLessThan(60000);
		expect(failed).toMatchObject({ event: 'Failed', eventType: 5, customArgs: { message_id: id } });
		expect(failed.token).not.toBe(requested.token);
		// A different app key must not verify.
		expect(opensslHmacSha256Hex('wrong_app_key', `${failed.timestamp}${failed.token}`)).not.toBe(
			failed.signature,
		);
		await waitLogged(2);
		expect(ctx.sb.webhookLog().map((w) => w.mode)).toEqual(['sendcloud', 'sendcloud']);
	});

	test('form-encoded: fields with arrays/objects JSON-encoded; Delivered (20) and Suppressed (4)', async () => {
		ctx.sb.configure({ webhook: { mode: 'sendcloud', sendCloudFormat: 'form' } });
		const delivered = (await send(TEST, '+15005550001')).json.id;
		const undelivered = (await send(LIVE, '+15005550003')).json.id;
		await waitReceived(4);
		const parsed = receiver.received.map((e) => {
			expect(e.headers['content-type']).toBe('application/x-www-form-urlencoded');
			const f = Object.fromEntries(new URLSearchParams(e.raw));
			return {
				...f,
				eventType: Number(f.eventType),
				userId: Number(f.userId),
				templateId: Number(f.templateId),
				timestamp: Number(f.timestamp),
				smsIds: JSON.parse(f.smsIds),
				phones: JSON.parse(f.phones),
				customArgs: JSON.parse(f.customArgs),
				raw: f,
			};
		});
		for (const p of parsed) {
			// The signature is over the timestamp exactly as it appears in the field.
			expect(p.raw.signature).toBe(
				opensslHmacSha256Hex(APP_KEY, `${p.raw.timestamp}${p.raw.token}`),
			);
			verifySendCloud(p, APP_KEY);
			expect(p.userId).toBe(19999);
			expect(p.smsUser).toBe('sandbox');
		}
		const byMessage = (id) =>
			parsed.filter((p) => p.customArgs.message_id === id).map((p) => [p.event, p.eventType]);
		expect(byMessage(delivered)).toEqual([
			['Requested', 1],
			['Delivered', 20],
		]);
		expect(byMessage(undelivered)).toEqual([
			['Requested', 1],
			['Suppressed', 4],
		]);
		expect(parsed.find((p) => p.customArgs.message_id === undelivered).phones).toEqual([
			'+15005550003',
		]);
	});
});

describe('POST /__sandbox/webhooks/emit', () => {
	const emit = (body) => ctx.call('POST', '/__sandbox/webhooks/emit', { body });

	test("smsroute: one signed event now, answering the receiver's status and body", async () => {
		respond = () => 202;
		const r = await emit({
			status: 'delivered',
			to: '+15550001111',
			messageId: 'msg_emitemitemitemit',
			environment: 'live',
		});
		expect(r.status).toBe(200);
		expect(r.json).toEqual({ statusCode: 202, body: JSON.stringify({ received: true }) });
		expect(receiver.received).toHaveLength(1);
		const body = verifySmsRoute(receiver.received[0], LIVE);
		expect(body).toMatchObject({
			type: 'message.delivered',
			status: 'delivered',
			message_id: 'msg_emitemitemitemit',
			to: '+15550001111',
			livemode: true,
		});
	});

	test('smsroute tamper: the body changes after signing, so the signature no longer verifies', async () => {
		await emit({ status: 'failed', tamper: true });
		const e = receiver.received[0];
		const { t, v1 } = parseSignatureHeader(e.headers['x-smsroute-signature']);
		expect(opensslHmacSha256Hex(TEST, `${t}.${e.raw}`)).not.toBe(v1);
		expect(JSON.parse(e.raw).status).toBe('failed');
	});

	test('sendcloud: valid, tampered, explicit eventType (8 Template Verify), url override', async () => {
		const other = await startReceiver(() => 200);
		try {
			await emit({ mode: 'sendcloud', status: 'delivered' });
			await emit({ mode: 'sendcloud', status: 'delivered', tamper: true });
			await emit({ mode: 'sendcloud', eventType: 8, url: other.url });
			const [good, bad] = receiver.received.map((e) => JSON.parse(e.raw));
			verifySendCloud(good, APP_KEY);
			expect(good).toMatchObject({ event: 'Delivered', eventType: 20 });
			expect(bad.signature).not.toBe(opensslHmacSha256Hex(APP_KEY, `${bad.timestamp}${bad.token}`));
			expect(other.received).toHaveLength(1);
			const tv = JSON.parse(other.received[0].raw);
			verifySendCloud(tv, APP_KEY);
			expect(tv).toMatchObject({ event: 'Template Verify', eventType: 8 });
		} finally {
			await other.close();
		}
	});

	test("emit uses a stored message's number and environment when messageId is known", async () => {
		ctx.sb.configure({ webhook: { url: null } }); // no scheduled events: only the emitted one
		const id = (await send(LIVE, '+15559990000', { metadata: { k: 'v' } })).json.id;
		await emit({ status: 'sent', messageId: id, url: receiver.url });
		const body = verifySmsRoute(receiver.received[0], LIVE);
		expect(body).toMatchObject({
			message_id: id,
			to: '+15559990000',
			livemode: true,
			metadata: { k: 'v' },
		});
	});

	test('errors: no url -> 400, unreachable receiver -> 502', async () => {
		ctx.sb.configure({ webhook: { url: null } });
		expect((await emit({ status: 'delivered' })).status).toBe(400);
		expect((await emit({ status: 'delivered', url: 'http://127.0.0.1:1/x' })).status).toBe(502);
		expect((await emit({ url: receiver.url })).status).toBe(400); // status missing
	});
});
