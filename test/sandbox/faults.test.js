'use strict';
// Fault injection: every knob (500, 503, 429 + Retry-After, drop after charge, stall, latency),
// the deterministic fault queue, and seeded probabilities.

const { TEST, useSandbox, waitFor } = require('./helpers');
const { NO_FAULTS } = require('./config');

const ctx = useSandbox(() => ({ latencyMs: 0, seed: 1, faults: { ...NO_FAULTS } }));

const MSG = { to: '+15551234567', body: 'fault test' };
const send = (opts = {}) => ctx.call('POST', '/v1/messages', { key: TEST, body: MSG, ...opts });

describe('queued faults (deterministic)', () => {
	test('500 and 503: JSON error, nothing charged, next request succeeds', async () => {
		ctx.sb.queueFaults(['500', '503']);
		const a = await send();
		expect(a.status).toBe(500);
		expect(a.json.error).toEqual(expect.any(String));
		const b = await send();
		expect(b.status).toBe(503);
		expect(b.json.error).toEqual(expect.any(String));
		expect(ctx.sb.ledger()).toHaveLength(0);
		expect((await send()).status).toBe(200);
		expect(ctx.sb.ledger()).toHaveLength(1);
		expect(ctx.sb.stats().responses).toEqual({ 200: 1, 500: 1, 503: 1 });
	});

	test('429 carries Retry-After = faults.retryAfterSeconds', async () => {
		ctx.sb.configure({ faults: { retryAfterSeconds: 7 } });
		ctx.sb.queueFaults(['429']);
		const r = await send();
		expect(r.status).toBe(429);
		expect(r.headers['retry-after']).toBe('7');
		expect(r.json).toEqual({ error: 'rate limit exceeded' });
		expect(ctx.sb.ledger()).toHaveLength(0);
	});

	test('drop: charged, no response; a retry with the same key gets the same id', async () => {
		ctx.sb.queueFaults(['drop']);
		const headers = { 'idempotency-key': 'drop-1' };
		await expect(send({ headers })).rejects.toThrow();
		const ledger = ctx.sb.ledger();
		expect(ledger).toHaveLength(1);
		expect(ledger[0].idempotencyKey).toBe('drop-1');
		const retry = await send({ headers });
		expect(retry.status).toBe(200);
		expect(retry.json.id).toBe(ledger[0].id);
		expect(ctx.sb.ledger()).toHaveLength(1);
		expect(ctx.sb.stats().responses.dropped).toBe(1);
	});

	test('drop on bulk: the chunk key replays the charged ids', async () => {
		ctx.sb.queueFaults(['drop']);
		const headers = { 'idempotency-key': 'chunk-drop' };
		const body = { messages: [MSG, { ...MSG, body: 'second' }] };
		await expect(
			ctx.call('POST', '/v1/messages/bulk', { key: TEST, body, headers }),
		).rejects.toThrow();
		expect(ctx.sb.ledger()).toHaveLength(2);
		const retry = await ctx.call('POST', '/v1/messages/bulk', { key: TEST, body, headers });
		expect(retry.json.ids).toEqual(ctx.sb.ledger().map((m) => m.id));
		expect(ctx.sb.ledger()).toHaveLength(2);
	});

	test('stall past the client timeout: charged, client times out, retry with the key is safe', async () => {
		ctx.sb.configure({ faults: { stallMs: 3000 } });
		ctx.sb.queueFaults(['stall']);
		const headers = { 'idempotency-key': 'stall-1' };
		const t0 = Date.now();
		await expect(send({ headers, headersTimeout: 150 })).rejects.toThrow();
		expect(Date.now() - t0).toBeLessThan(2000); // the client gave up before the stalled answer
		expect(ctx.sb.ledger()).toHaveLength(1);
		const retry = await send({ headers });
		expect(retry.status).toBe(200);
		expect(retry.json.id).toBe(ctx.sb.ledger()[0].id);
		await waitFor(() => ctx.sb.stats().responses.abandoned === 1, {
			what: 'stalled response to be abandoned',
		});
	});

	test('stall answers after stallMs when the client waits', async () => {
		ctx.sb.configure({ faults: { stallMs: 250 } });
		ctx.sb.queueFaults(['stall']);
		const t0 = Date.now();
		const r = await send();
		expect(r.status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
	});

	test('the queue applies in order, "ok" passes one request through, and it beats probabilities', async () => {
		ctx.sb.configure({ faults: { error503: 1 } });
		ctx.sb.queueFaults(['ok', '500', 429]);
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await send()).status);
		expect(statuses).toEqual([200, 500, 429, 503]);
	});

	test('faults apply to every /v1 route, not to admin endpoints', async () => {
		ctx.sb.queueFaults(['503']);
		expect((await ctx.call('GET', '/__sandbox/health')).status).toBe(200);
		expect((await ctx.call('GET', '/v1/balance', { key: TEST })).status).toBe(503);
	});

	test('POST /__sandbox/faults/queue queues faults; unknown kinds -> 400', async () => {
		const q = await ctx.call('POST', '/__sandbox/faults/queue', {
			body: { faults: ['429', '500'] },
		});
		expect(q.json).toEqual({ queued: 2 });
		expect((await send()).status).toBe(429);
		expect((await send()).status).toBe(500);
		expect((await send()).status).toBe(200);
		const bad = await ctx.call('POST', '/__sandbox/faults/queue', { body: { faults: ['404'] } });
		expect(bad.status).toBe(400);
		expect(() => ctx.sb.queueFaults(['nope'])).toThrow(/unknown fault/);
	});
});

describe('down until healed (one chosen recipient)', () => {
	const DOWN = '+15550002101';
	const bulk = (tos, headers) =>
		ctx.call('POST', '/v1/messages/bulk', {
			key: TEST,
			headers,
			body: { messages: tos.map((to) => ({ to, body: 'hi', idempotency_key: `k-${to}` })) },
		});

	test('every send holding the recipient gets 503 until healed, uncharged; the rest pass', async () => {
		expect(ctx.sb.down({ to: [DOWN] })).toEqual([DOWN]);
		for (let i = 0; i < 5; i++) {
			expect((await bulk(['+15550002100', DOWN], { 'idempotency-key': `c${i}` })).status).toBe(503);
			expect((await send({ body: { to: DOWN, body: 'x' } })).status).toBe(503);
		}
		expect(ctx.sb.ledger()).toHaveLength(0);
		// Other chunks and other recipients are not affected, and reads of the recipient pass.
		const other = await bulk(['+15550002100', '+15550002102']);
		expect(other.status).toBe(200);
		expect((await send()).status).toBe(200);
		expect(ctx.sb.ledger()).toHaveLength(3);
		expect(ctx.sb.stats().faults).toEqual({ down: 10 });

		expect(ctx.sb.heal()).toBe(1);
		const healed = await bulk(['+15550002100', DOWN]);
		expect(healed.status).toBe(200);
		// The first message's key was charged by `other`, so only the healed one is new.
		expect(healed.json.ids[0]).toBe(other.json.ids[0]);
		expect(ctx.sb.ledger().map((m) => m.to)).toEqual([
			'+15550002100',
			'+15550002102',
			MSG.to,
			DOWN,
		]);
	});

	test('it beats queued faults and does not consume them; status 500 is available', async () => {
		ctx.sb.queueFaults(['429']);
		ctx.sb.down({ to: [DOWN], status: 500 });
		expect((await send({ body: { to: DOWN, body: 'x' } })).status).toBe(500);
		expect((await send()).status).toBe(429); // the queued fault is still there
		expect(() => ctx.sb.down({ to: [DOWN], status: 404 })).toThrow(/down.status/);
		expect(() => ctx.sb.down({ to: [] })).toThrow(/down.to/);
	});

	test('admin endpoints: POST /__sandbox/faults/down and /heal; reset() heals too', async () => {
		const d = await ctx.call('POST', '/__sandbox/faults/down', { body: { to: [DOWN] } });
		expect(d.json).toEqual({ down: [DOWN] });
		expect((await send({ body: { to: DOWN, body: 'x' } })).status).toBe(503);
		const bad = await ctx.call('POST', '/__sandbox/faults/down', { body: { to: 'nope' } });
		expect(bad.status).toBe(400);
		const h = await ctx.call('POST', '/__sandbox/faults/heal');
		expect(h.json).toEqual({ healed: 1 });
		expect((await send({ body: { to: DOWN, body: 'x' } })).status).toBe(200);
		ctx.sb.down({ to: [DOWN] });
		ctx.sb.reset();
		expect((await send({ body: { to: DOWN, body: 'x' } })).status).toBe(200);
	});
});

describe('probabilistic faults', () => {
	test.each([
		['error500', 500],
		['error503', 503],
		['rateLimit', 429],
	])('%s = 1 -> every request is %i and nothing is charged', async (knob, status) => {
		ctx.sb.configure({ faults: { [knob]: 1 } });
		for (let i = 0; i < 3; i++) expect((await send()).status).toBe(status);
		expect(ctx.sb.ledger()).toHaveLength(0);
	});

	test('dropAfterCharge = 1 -> charged, never answered', async () => {
		ctx.sb.configure({ faults: { dropAfterCharge: 1 } });
		await expect(send()).rejects.toThrow();
		await expect(send()).rejects.toThrow();
		expect(ctx.sb.ledger()).toHaveLength(2);
	});

	test('stall = 1 with a short stallMs -> charged, answered late', async () => {
		ctx.sb.configure({ faults: { stall: 1, stallMs: 100 } });
		const t0 = Date.now();
		expect((await send()).status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(95);
		expect(ctx.sb.ledger()).toHaveLength(1);
	});

	test('the same seed gives the same fault sequence', async () => {
		const run = async (seed) => {
			ctx.sb.reset();
			ctx.sb.configure({ seed, faults: { error500: 0.25, error503: 0.25, rateLimit: 0.1 } });
			const out = [];
			for (let i = 0; i < 30; i++) out.push((await send()).status);
			return out;
		};
		const a = await run(42);
		const b = await run(42);
		const c = await run(7);
		expect(b).toEqual(a);
		expect(c).not.toEqual(a);
		expect(new Set(a)).toEqual(new Set([200, 500, 503, 429]));
		// reset() re-seeds, so the sequence restarts too
		ctx.sb.reset();
		const again = [];
		for (let i = 0; i < 30; i++) again.push((await send()).status);
		expect(again).toEqual(c);
	});
});

describe('latency', () => {
	// Only lower bounds are exact; upper bounds are loose so a busy CI machine doesn't flake.
	test('latencyMs delays every /v1 request but not the admin endpoints', async () => {
		ctx.sb.configure({ latencyMs: 400 });
		let t0 = Date.now();
		expect((await send()).status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(395);
		t0 = Date.now();
		expect((await ctx.call('GET', '/v1/balance', { key: TEST })).status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(395);
		t0 = Date.now();
		await ctx.call('GET', '/__sandbox/health');
		expect(Date.now() - t0).toBeLessThan(395);
	});

	test('latency applies to concurrent requests in parallel, not in series', async () => {
		ctx.sb.configure({ latencyMs: 300 });
		const t0 = Date.now();
		await Promise.all(Array.from({ length: 5 }, () => send()));
		const elapsed = Date.now() - t0;
		expect(elapsed).toBeGreaterThanOrEqual(295);
		expect(elapsed).toBeLessThan(1200); // in series it would be >= 1500
		expect(ctx.sb.ledger()).toHaveLength(5);
	});
});
