'use strict';
// The sandbox's HTTP API: auth, send/get, bulk validation, idempotency, credits, balance, ledger.

const { TEST, LIVE, useSandbox, sleep } = require('./helpers');
const { countSegments } = require('./segments');

const ctx = useSandbox(() => ({
	balance: null,
	idempotencyTtlMs: 24 * 3600 * 1000,
	stepMs: 100,
	balanceRoute: true,
}));

const send = (msg, opts = {}) =>
	ctx.call('POST', '/v1/messages', { key: TEST, body: msg, ...opts });
const bulk = (messages, opts = {}) =>
	ctx.call('POST', '/v1/messages/bulk', { key: TEST, body: { messages }, ...opts });

describe('auth', () => {
	test('no key -> 401 JSON error', async () => {
		const r = await ctx.call('GET', '/v1/balance');
		expect(r.status).toBe(401);
		expect(r.json).toEqual({ error: 'invalid API key' });
	});

	test('wrong key or wrong scheme -> 401, and the key is never echoed', async () => {
		const wrong = await ctx.call('POST', '/v1/messages', {
			key: 'sk_test_not_the_key',
			body: { to: '+15551234567', body: 'x' },
		});
		expect(wrong.status).toBe(401);
		expect(wrong.text).not.toContain('sk_test_not_the_key');
		const basic = await ctx.call('GET', '/v1/balance', {
			headers: { authorization: `Basic ${TEST}` },
		});
		expect(basic.status).toBe(401);
		expect(ctx.sb.ledger()).toHaveLength(0);
	});

	test('test key and live key are both accepted and recorded as the environment', async () => {
		const t = await ctx.call('GET', '/v1/balance', { key: TEST });
		expect(t.status).toBe(200);
		expect(t.json).toEqual({ environment: 'test', credits_remaining: null });
		const l = await ctx.call('GET', '/v1/balance', { key: LIVE });
		expect(l.json).toEqual({ environment: 'live', credits_remaining: null });

		await send({ to: '+15551234567', body: 'test env' });
		await ctx.call('POST', '/v1/messages', {
			key: LIVE,
			body: { to: '+15551234567', body: 'live env' },
		});
		expect(ctx.sb.ledger().map((m) => m.environment)).toEqual(['test', 'live']);
	});
});

describe('send and get', () => {
	test('POST /v1/messages answers the queued message', async () => {
		const r = await send({
			to: '+15551234567',
			body: 'Hello from smsroute!',
			from: 'ACME',
			metadata: { order: 42 },
		});
		expect(r.status).toBe(200);
		expect(r.headers['content-type']).toMatch(/^application\/json/);
		expect(r.json).toEqual({
			id: expect.stringMatching(/^msg_[a-z0-9]{16}$/),
			to: '+15551234567',
			body: 'Hello from smsroute!',
			from: 'ACME',
			status: 'queued',
			created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			credits_used: 1,
			metadata: { order: 42 },
		});
		const plain = await send({ to: '+15551234567', body: 'no from' });
		expect(plain.json.from).toBeNull();
		expect(plain.json.metadata).toEqual({});
	});

	test('GET /v1/messages/:id: queued -> sent -> final, derived from stepMs', async () => {
		// Statuses depend on wall time, so each check accepts exactly the statuses possible between
		// the moment the request left and the moment the answer came back (robust on a loaded CI box).
		const step = 100;
		const expectStatusAt = async (id, created, final) => {
			const phase = (t) =>
				t - created < step ? 'queued' : t - created < 2 * step ? 'sent' : final;
			const before = Date.now();
			const g = await ctx.call('GET', `/v1/messages/${id}`, { key: TEST });
			const possible = new Set([phase(before), phase(Date.now())]);
			expect(possible).toContain(g.json.status);
			return g.json;
		};
		const t0 = Date.now();
		const failed = (await send({ to: '+15005550002', body: 'will fail' })).json.id;
		const created = Date.parse(
			(await ctx.call('GET', `/v1/messages/${failed}`, { key: TEST })).json.created_at,
		);
		expect(created).toBeGreaterThanOrEqual(t0 - 5);
		const g1 = await expectStatusAt(failed, created, 'failed');
		expect(g1).toMatchObject({ id: failed, livemode: false });
		await sleep(Math.max(0, created + 1.5 * step - Date.now()));
		await expectStatusAt(failed, created, 'failed');
		await sleep(Math.max(0, created + 2 * step + 10 - Date.now()));
		const g3 = await expectStatusAt(failed, created, 'failed');
		expect(g3.status).toBe('failed');
		expect(g3.reason).toEqual(expect.any(String));
		expect(g3.updated_at).toBe(new Date(created + 2 * step).toISOString());
		const ok = (await send({ to: '+15551234567', body: 'will deliver' })).json.id;
		await sleep(2 * step + 10);
		expect((await ctx.call('GET', `/v1/messages/${ok}`, { key: TEST })).json.status).toBe(
			'delivered',
		);
	});

	test('a fresh message is queued, with no reason yet', async () => {
		ctx.sb.configure({ stepMs: 60000 });
		const id = (await send({ to: '+15005550002', body: 'x' })).json.id;
		const g = await ctx.call('GET', `/v1/messages/${id}`, { key: TEST });
		expect(g.json).toMatchObject({ status: 'queued', reason: null });
	});

	test('magic numbers end delivered / failed / undelivered', async () => {
		ctx.sb.configure({ stepMs: 0 });
		const r = await bulk(
			['+15005550001', '+15005550002', '+15005550003'].map((to) => ({ to, body: 'magic' })),
		);
		const statuses = [];
		for (const id of r.json.ids)
			statuses.push((await ctx.call('GET', `/v1/messages/${id}`, { key: TEST })).json.status);
		expect(statuses).toEqual(['delivered', 'failed', 'undelivered']);
	});

	test("unknown id and the other environment's id -> 404", async () => {
		const id = (await send({ to: '+15551234567', body: 'x' })).json.id;
		const unknown = await ctx.call('GET', '/v1/messages/msg_0000000000000000', { key: TEST });
		expect(unknown.status).toBe(404);
		expect(unknown.json).toEqual({ error: 'message not found' });
		const otherEnv = await ctx.call('GET', `/v1/messages/${id}`, { key: LIVE });
		expect(otherEnv.status).toBe(404);
	});

	test('validation errors are 400 JSON and charge nothing', async () => {
		const cases = [
			[{ to: '15551234567', body: 'x' }, 'to: invalid phone number'],
			[{ to: '+05551234567', body: 'x' }, 'to: invalid phone number'],
			[{ to: '+1555', body: 'x' }, 'to: invalid phone number'],
			[{ body: 'x' }, 'to: invalid phone number'],
			[{ to: '+15551234567', body: '' }, 'body: must be a non-empty string'],
			[{ to: '+15551234567', body: 'x'.repeat(1601) }, 'body: must be at most 1600 characters'],
			[{ to: '+15551234567', body: 'x', from: 5 }, 'from: must be a string'],
			[{ to: '+15551234567', body: 'x', metadata: [1] }, 'metadata: must be an object'],
		];
		for (const [msg, error] of cases) {
			const r = await send(msg);
			expect({ status: r.status, json: r.json }).toEqual({ status: 400, json: { error } });
		}
		const badJson = await send('{"to": ');
		expect(badJson.status).toBe(400);
		expect(badJson.json.error).toMatch(/JSON/);
		expect(ctx.sb.ledger()).toHaveLength(0);
	});

	test('unknown route -> 404, wrong method -> 405 (JSON)', async () => {
		const r = await ctx.call('GET', '/v1/nope', { key: TEST });
		expect(r.status).toBe(404);
		expect(r.json).toEqual({ error: 'not found' });
		const m = await ctx.call('DELETE', '/v1/messages', { key: TEST });
		expect(m.status).toBe(405);
		expect(m.json.error).toBe('method not allowed');
	});
});

describe('bulk', () => {
	test('ids come back in input order, one per message', async () => {
		const tos = ['+15550000001', '+15550000002', '+15550000003', '+15550000004', '+15550000005'];
		const r = await bulk(tos.map((to, i) => ({ to, body: `m${i}` })));
		expect(r.status).toBe(200);
		expect(r.json.count).toBe(5);
		expect(r.json.ids).toHaveLength(5);
		expect(new Set(r.json.ids).size).toBe(5);
		for (let i = 0; i < 5; i++) {
			const g = await ctx.call('GET', `/v1/messages/${r.json.ids[i]}`, { key: TEST });
			expect(g.json.to).toBe(tos[i]);
			expect(g.json.body).toBe(`m${i}`);
		}
		expect(ctx.sb.ledger().map((m) => m.id)).toEqual(r.json.ids);
	});

	test('one invalid message rejects the whole request, naming its index', async () => {
		const msgs = Array.from({ length: 20 }, (_, i) => ({
			to: `+1555000${String(i).padStart(4, '0')}`,
			body: 'ok',
		}));
		msgs[17].to = '555-1234';
		const r = await bulk(msgs);
		expect(r.status).toBe(400);
		expect(r.json).toEqual({ error: 'messages[17].to: invalid phone number' });

		const msgs2 = msgs.map((m) => ({ ...m, to: '+15551234567' }));
		msgs2[3].body = '';
		expect((await bulk(msgs2)).json).toEqual({
			error: 'messages[3].body: must be a non-empty string',
		});
		msgs2[3] = 'not an object';
		expect((await bulk(msgs2)).json).toEqual({ error: 'messages[3]: must be an object' });
		expect(ctx.sb.ledger()).toHaveLength(0);
	});

	test('0 and 1001 messages -> 400; 1000 -> 200', async () => {
		const zero = await bulk([]);
		expect(zero.status).toBe(400);
		const many = Array.from({ length: 1001 }, () => ({ to: '+15551234567', body: 'x' }));
		const tooMany = await bulk(many);
		expect(tooMany.status).toBe(400);
		expect(tooMany.json.error).toMatch(/1000/);
		const noArray = await ctx.call('POST', '/v1/messages/bulk', {
			key: TEST,
			body: { messages: 'x' },
		});
		expect(noArray.status).toBe(400);
		expect(ctx.sb.ledger()).toHaveLength(0);
		const max = await bulk(many.slice(0, 1000));
		expect(max.status).toBe(200);
		expect(max.json.count).toBe(1000);
		expect(ctx.sb.ledger()).toHaveLength(1000);
	});
});

describe('idempotency', () => {
	test('same Idempotency-Key on /messages -> same response, charged once', async () => {
		const headers = { 'idempotency-key': 'order-1' };
		const a = await send({ to: '+15551234567', body: 'once' }, { headers });
		const b = await send({ to: '+15551234567', body: 'once' }, { headers });
		expect(b.status).toBe(200);
		expect(b.json).toEqual(a.json);
		expect(b.headers['idempotent-replayed']).toBe('true');
		expect(ctx.sb.ledger()).toHaveLength(1);
		expect(ctx.sb.ledger()[0].idempotencyKey).toBe('order-1');
		const other = await send(
			{ to: '+15551234567', body: 'once' },
			{ headers: { 'idempotency-key': 'order-2' } },
		);
		expect(other.json.id).not.toBe(a.json.id);
		expect(ctx.sb.ledger()).toHaveLength(2);
	});

	test('keys are scoped per API key', async () => {
		const headers = { 'idempotency-key': 'shared' };
		const t = await send({ to: '+15551234567', body: 'x' }, { headers });
		const l = await ctx.call('POST', '/v1/messages', {
			key: LIVE,
			body: { to: '+15551234567', body: 'x' },
			headers,
		});
		expect(l.json.id).not.toBe(t.json.id);
		expect(ctx.sb.ledger()).toHaveLength(2);
	});

	test('bulk chunk Idempotency-Key replays the stored {ids,count}', async () => {
		const headers = { 'idempotency-key': 'chunk-1' };
		const msgs = [
			{ to: '+15551234567', body: 'a' },
			{ to: '+15557654321', body: 'b' },
		];
		const a = await bulk(msgs, { headers });
		const b = await bulk(msgs, { headers });
		expect(b.text).toBe(a.text);
		expect(b.headers['idempotent-replayed']).toBe('true');
		expect(ctx.sb.ledger()).toHaveLength(2);
	});

	test('per-message idempotency_key: a retried chunk with a new chunk key charges nothing twice', async () => {
		const msgs = [0, 1, 2].map((i) => ({
			to: '+15551234567',
			body: `m${i}`,
			idempotency_key: `row-${i}`,
		}));
		const first = await bulk(msgs, { headers: { 'idempotency-key': 'chunk-A' } });
		const retry = await bulk(
			[...msgs, { to: '+15551234567', body: 'new', idempotency_key: 'row-3' }],
			{
				headers: { 'idempotency-key': 'chunk-B' },
			},
		);
		expect(retry.json.ids.slice(0, 3)).toEqual(first.json.ids);
		expect(retry.json.count).toBe(4);
		expect(ctx.sb.ledger()).toHaveLength(4);
		expect(ctx.sb.stats().charged).toBe(4);
	});

	test('duplicate per-message keys inside one request share one id and one charge', async () => {
		const r = await bulk([
			{ to: '+15551234567', body: 'dup', idempotency_key: 'same' },
			{ to: '+15551234567', body: 'other' },
			{ to: '+15551234567', body: 'dup', idempotency_key: 'same' },
		]);
		expect(r.json.ids[2]).toBe(r.json.ids[0]);
		expect(r.json.ids[1]).not.toBe(r.json.ids[0]);
		expect(ctx.sb.ledger()).toHaveLength(2);
	});

	test('a /messages Idempotency-Key and a bulk idempotency_key share the message-key namespace', async () => {
		const one = await send(
			{ to: '+15551234567', body: 'x' },
			{ headers: { 'idempotency-key': 'k1' } },
		);
		const b = await bulk([{ to: '+15551234567', body: 'x', idempotency_key: 'k1' }]);
		expect(b.json.ids).toEqual([one.json.id]);
		expect(ctx.sb.ledger()).toHaveLength(1);
	});

	test('keys expire after idempotencyTtlMs', async () => {
		ctx.sb.configure({ idempotencyTtlMs: 80 });
		const headers = { 'idempotency-key': 'short-lived' };
		const a = await send({ to: '+15551234567', body: 'x' }, { headers });
		await sleep(120);
		const b = await send({ to: '+15551234567', body: 'x' }, { headers });
		expect(b.json.id).not.toBe(a.json.id);
		expect(ctx.sb.ledger()).toHaveLength(2);
	});
});

describe('credits from SMS segments', () => {
	const credits = async (body) => (await send({ to: '+15551234567', body })).json.credits_used;

	test('GSM-7: 160 chars = 1, 161 = 2, 306 = 2, 307 = 3', async () => {
		expect(await credits('a'.repeat(160))).toBe(1);
		expect(await credits('a'.repeat(161))).toBe(2);
		expect(await credits('a'.repeat(306))).toBe(2);
		expect(await credits('a'.repeat(307))).toBe(3);
		expect(await credits('@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&\'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà')).toBe(
			1,
		);
	});

	test('GSM-7 extension characters count two septets', async () => {
		expect(await credits('€'.repeat(80))).toBe(1); // 160 septets
		expect(await credits('€'.repeat(81))).toBe(2); // 162 septets
		expect(await credits(`${'a'.repeat(159)}{`)).toBe(2); // 161 septets
		expect(countSegments('^{}\\[~]|€\f')).toEqual({ encoding: 'GSM-7', units: 20, segments: 1 });
	});

	test('UCS-2: 70 = 1, 71 = 2, 134 = 2, 135 = 3', async () => {
		expect(await credits('ж'.repeat(70))).toBe(1);
		expect(await credits('ж'.repeat(71))).toBe(2);
		expect(await credits('ж'.repeat(134))).toBe(2);
		expect(await credits('ж'.repeat(135))).toBe(3);
		expect(await credits(`${'a'.repeat(69)}ç`)).toBe(1); // lower-case ç is not GSM-7
	});

	test('emoji are two UTF-16 units and force UCS-2', async () => {
		expect(await credits('😀'.repeat(35))).toBe(1); // 70 units
		expect(await credits('😀'.repeat(36))).toBe(2); // 72 units
		expect(await credits(`${'a'.repeat(159)}😀`)).toBe(3); // 161 units -> ceil(161/67)
	});

	test('ledger and stats carry the credits; bulk prices each message', async () => {
		const r = await bulk([
			{ to: '+15551234567', body: 'a'.repeat(161) },
			{ to: '+15551234567', body: '😀' },
		]);
		expect(r.status).toBe(200);
		expect(ctx.sb.ledger().map((m) => m.credits)).toEqual([2, 1]);
		expect(ctx.sb.stats().creditsCharged).toBe(3);
	});
});

describe('balance', () => {
	test('402 once the balance is spent; nothing charged by a rejected request', async () => {
		ctx.sb.configure({ balance: 5 });
		expect((await send({ to: '+15551234567', body: 'a'.repeat(307) })).json.credits_used).toBe(3);
		expect((await ctx.call('GET', '/v1/balance', { key: TEST })).json.credits_remaining).toBe(2);

		const over = await bulk([
			{ to: '+15551234567', body: 'x' },
			{ to: '+15551234567', body: 'a'.repeat(161) },
		]);
		expect(over.status).toBe(402);
		expect(over.json).toEqual({ error: 'insufficient balance' });
		expect(ctx.sb.ledger()).toHaveLength(1);

		expect((await send({ to: '+15551234567', body: 'a'.repeat(161) })).status).toBe(200);
		const empty = await send({ to: '+15551234567', body: 'x' });
		expect(empty.status).toBe(402);
		expect(empty.json).toEqual({ error: 'insufficient balance' });
		expect((await ctx.call('GET', '/v1/balance', { key: LIVE })).json).toEqual({
			environment: 'live',
			credits_remaining: 0,
		});
	});

	test('balance can be set through POST /__sandbox/config; reset restores it', async () => {
		const r = await ctx.call('POST', '/__sandbox/config', { body: { balance: 1 } });
		expect(r.status).toBe(200);
		await send({ to: '+15551234567', body: 'x' });
		expect((await send({ to: '+15551234567', body: 'x' })).status).toBe(402);
		ctx.sb.reset();
		expect((await send({ to: '+15551234567', body: 'x' })).status).toBe(200);
	});
});

describe('what the credential test relies on', () => {
	test('the key is checked before the lookup: an unknown id is 404 with a good key, 401 with a bad one', async () => {
		const path = '/v1/messages/msg_0000000000000000';
		for (const key of [TEST, LIVE]) {
			expect(await ctx.call('GET', path, { key })).toMatchObject({
				status: 404,
				json: { error: 'message not found' },
			});
		}
		for (const key of ['sk_test_not_the_key', undefined]) {
			expect(await ctx.call('GET', path, { key })).toMatchObject({
				status: 401,
				json: { error: 'invalid API key' },
			});
		}
	});

	test('balanceRoute false: GET /v1/balance is an unknown path, as on an account without it', async () => {
		ctx.sb.configure({ balanceRoute: false });
		expect(await ctx.call('GET', '/v1/balance', { key: TEST })).toMatchObject({
			status: 404,
			json: { error: 'not found' },
		});
		expect((await ctx.call('GET', '/v1/balance', { key: 'sk_test_not_the_key' })).status).toBe(401);
		expect(() => ctx.sb.configure({ balanceRoute: 'no' })).toThrow(
			'balanceRoute must be a boolean',
		);
	});
});

describe('ledger, stats and admin endpoints', () => {
	test('GET /__sandbox/ledger lists every charged message', async () => {
		await send(
			{ to: '+15551234567', body: 'one', from: 'ME', metadata: { a: 1 } },
			{ headers: { 'idempotency-key': 'L1' } },
		);
		await ctx.call('POST', '/v1/messages', {
			key: LIVE,
			body: { to: '+15557654321', body: 'two' },
		});
		const r = await ctx.call('GET', '/__sandbox/ledger');
		expect(r.status).toBe(200);
		expect(r.json.count).toBe(2);
		expect(r.json.messages[0]).toEqual({
			id: expect.stringMatching(/^msg_/),
			to: '+15551234567',
			body: 'one',
			from: 'ME',
			idempotencyKey: 'L1',
			credits: 1,
			environment: 'test',
			chargedAt: expect.any(String),
			metadata: { a: 1 },
		});
		expect(r.json.messages[1]).toMatchObject({
			to: '+15557654321',
			environment: 'live',
			idempotencyKey: null,
		});
		expect(r.json).toEqual({ count: 2, messages: ctx.sb.ledger() });
		const page = await ctx.call('GET', '/__sandbox/ledger?offset=1&limit=1');
		expect(page.json.count).toBe(2);
		expect(page.json.messages).toHaveLength(1);
		expect(page.json.messages[0].body).toBe('two');
	});

	test('stats count requests per route and responses per status', async () => {
		await send({ to: '+15551234567', body: 'x' });
		await send({ to: 'bad', body: 'x' });
		await bulk([{ to: '+15551234567', body: 'x' }]);
		await ctx.call('GET', '/v1/messages/msg_missing', { key: TEST });
		const s = (await ctx.call('GET', '/__sandbox/stats')).json;
		expect(s.requests).toEqual({
			'POST /v1/messages': 2,
			'POST /v1/messages/bulk': 1,
			'GET /v1/messages/:id': 1,
		});
		expect(s.responses).toEqual({ 200: 2, 400: 1, 404: 1 });
		expect(s.charged).toBe(2);
		expect(s.creditsCharged).toBe(2);
		expect(ctx.sb.stats()).toEqual(s);
	});

	test('health, config (keys never shown), reset', async () => {
		const h = await ctx.call('GET', '/__sandbox/health');
		expect(h.json).toMatchObject({ ok: true, baseUrl: ctx.baseUrl });
		const c = await ctx.call('GET', '/__sandbox/config');
		expect(c.text).not.toContain(TEST);
		expect(c.text).not.toContain(LIVE);
		expect((await ctx.call('POST', '/__sandbox/config', { body: { nope: 1 } })).status).toBe(400);
		expect(
			(await ctx.call('POST', '/__sandbox/config', { body: { faults: { error500: 2 } } })).status,
		).toBe(400);
		expect((await ctx.call('POST', '/__sandbox/config', { body: '{' })).status).toBe(400);

		await send({ to: '+15551234567', body: 'x' }, { headers: { 'idempotency-key': 'R' } });
		const reset = await ctx.call('POST', '/__sandbox/reset');
		expect(reset.json).toEqual({ ok: true });
		expect(ctx.sb.ledger()).toHaveLength(0);
		expect(ctx.sb.stats().requests).toEqual({});
		await send({ to: '+15551234567', body: 'x' }, { headers: { 'idempotency-key': 'R' } });
		expect(ctx.sb.ledger()).toHaveLength(1); // the idempotency store was cleared too
	});
});

describe('opted-out recipients', () => {
	const { createSandbox, DEFAULT_TEST_KEY } = require('./server');
	const { request } = require('undici');
	let sb;
	let baseUrl;
	beforeAll(async () => {
		sb = createSandbox({ port: 0, optedOut: ['+15550009999'] });
		({ baseUrl } = await sb.start());
	});
	afterAll(async () => {
		await sb.stop();
	});
	const bulk = async (messages) => {
		const res = await request(`${baseUrl}/messages/bulk`, {
			method: 'POST',
			headers: { authorization: `Bearer ${DEFAULT_TEST_KEY}`, 'content-type': 'application/json' },
			body: JSON.stringify({ messages }),
		});
		return { status: res.statusCode, body: await res.body.json() };
	};
	const three = [
		{ to: '+15550000001', body: 'a' },
		{ to: '+15550009999', body: 'b' },
		{ to: '+15550000003', body: 'c' },
	];

	it('refuses the whole bulk request naming the opted-out index, charging nothing', async () => {
		expect(await bulk(three)).toEqual({
			status: 400,
			body: { error: 'messages[1].to: recipient has opted out' },
		});
		expect(sb.ledger()).toHaveLength(0);
	});

	it('can refuse without naming the index', async () => {
		sb.configure({ optOutNamesIndex: false });
		expect(await bulk(three)).toEqual({
			status: 400,
			body: { error: 'a recipient has opted out' },
		});
		sb.configure({ optOutNamesIndex: true });
	});
});
