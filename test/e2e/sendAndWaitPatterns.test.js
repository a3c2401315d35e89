'use strict';
/**
 * Send and Wait for Delivery in the patterns users build after the first one (issue 19), in real
 * n8n 2.41.0 against the sandbox: a fallback Send and Wait after Not Delivered, the same node
 * waiting three times in a loop, a reused Idempotency Key, and a final event that reaches the
 * trigger a minute before the execution waits. Needs `npm run build` first.
 *
 * Prints the fallback's resume latency (its delivery webhook → "Fallback Delivered" started) as
 * a `[send-and-wait]` line.
 */
const crypto = require('node:crypto');

const { ensureN8nInstalled, startN8n } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const {
	createTriggerWorkflow,
	createWaitWorkflow,
	createFallbackWorkflow,
	createLoopWorkflow,
} = require('./sendAndWaitWorkflows');
const { createWaitHarness, itemsOn, runsOf } = require('./waitHarness');

const VERSION = '2.41.0';
const DELIVERED = '+15005550001';
const FAILED = '+15005550002';

jest.setTimeout(5 * 60_000);

describe(`Send and Wait for Delivery patterns in n8n ${VERSION}`, () => {
	let sandbox;
	let n8n;
	let credentialRef;
	let triggerUrl;
	let harness;
	const fallbackLatencies = [];

	beforeAll(async () => {
		await ensureN8nInstalled(VERSION);
		const { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('../sandbox/server');
		sandbox = createSandbox({ port: 0, stepMs: 300 });
		const { baseUrl } = await sandbox.start();
		n8n = await startN8n({ version: VERSION });
		const { smsRouteApi } = await createSandboxCredentials(n8n, {
			baseUrl,
			keys: { test: DEFAULT_TEST_KEY, live: DEFAULT_LIVE_KEY },
		});
		credentialRef = { id: smsRouteApi.id, name: smsRouteApi.name };
		const trigger = await createTriggerWorkflow(n8n, credentialRef, 'patterns: trigger');
		triggerUrl = `${n8n.url}/webhook/${trigger.webhookPath}`;
		sandbox.configure({ webhook: { url: triggerUrl } });
		harness = createWaitHarness(n8n);
	}, 30 * 60_000);

	afterAll(async () => {
		if (fallbackLatencies.length > 0) {
			process.stderr.write(
				`[send-and-wait] n8n ${VERSION}: fallback resume latency (fallback's delivery webhook fired → "Fallback Delivered" started): ${fallbackLatencies.join(' ms, ')} ms\n`,
			);
		}
		if (n8n) await n8n.stop();
		if (sandbox) await sandbox.stop();
	}, 60_000);

	const finalWebhookOf = (messageId) =>
		sandbox.webhookLog().find((w) => w.messageId === messageId && w.status === 'delivered');

	test('fallback: a failed OTP leaves on Not Delivered, the fallback Send and Wait to a delivered number leaves on Delivered within seconds', async () => {
		for (let run = 0; run < 3; run++) {
			const flow = await createFallbackWorkflow(n8n, credentialRef, {
				name: `patterns: fallback ${run}`,
				// Twice the test's patience: a fallback that misses its events cannot pass by timing out.
				fallbackOptions: { limitWaitTime: 2, limitWaitTimeUnit: 'minutes' },
			});
			const executionId = await harness.start(flow, { to: [FAILED], fallback: DELIVERED });
			const execution = await harness.waitForStatus(executionId, ['success', 'error'], 60_000);
			expect(execution.status).toBe('success');
			expect(itemsOn(execution, 'Send and Wait', 1).map((i) => i.json.status)).toEqual(['failed']);
			const [fallback] = itemsOn(execution, 'Fallback', 0);
			expect(fallback.json).toMatchObject({ to: DELIVERED, outcome: 'delivered' });
			expect(runsOf(execution, 'Fallback Delivered')).toHaveLength(1);
			expect(runsOf(execution, 'Fallback Timed Out')).toHaveLength(0);
			expect(runsOf(execution, 'Delivered')).toHaveLength(0);
			const firedAt = Date.parse(JSON.parse(finalWebhookOf(fallback.json.id).body).timestamp);
			const leftAt = runsOf(execution, 'Fallback Delivered')[0].startTime;
			fallbackLatencies.push(leftAt - firedAt);
			expect(leftAt - firedAt).toBeLessThan(15_000);
		}
	});

	test('loop: the same Send and Wait waits three times in one execution and resumes each time on its own message', async () => {
		const flow = await createLoopWorkflow(n8n, credentialRef, { name: 'patterns: loop' });
		const executionId = await harness.start(flow, { to: [DELIVERED] });
		const execution = await harness.waitForStatus(executionId, ['success', 'error'], 90_000);
		expect(execution.status).toBe('success');
		const runs = runsOf(execution, 'Send and Wait');
		expect(runs).toHaveLength(3);
		const delivered = runs.map((_run, index) => itemsOn(execution, 'Send and Wait', 0, index));
		expect(
			delivered.map((items) => items.map((i) => [i.json.outcome, i.json.metadata.round])),
		).toEqual([[['delivered', 1]], [['delivered', 2]], [['delivered', 3]]]);
		expect(new Set(delivered.map(([item]) => item.json.id)).size).toBe(3);
		expect(runsOf(execution, 'Next Round')).toHaveLength(3);
		expect(runsOf(execution, 'Timed Out')).toHaveLength(0);
	});

	test("loop with a reused Idempotency Key: the second round gets the first round's message back (same resume URL) and leaves at once on its output", async () => {
		const idempotencyKey = `loop-${crypto.randomUUID()}`;
		const flow = await createLoopWorkflow(n8n, credentialRef, {
			name: 'patterns: loop, reused key',
			rounds: 2,
			additionalFields: { idempotencyKey },
			// Longer than the test's patience: a round that waits for the replay cannot pass.
			options: { limitWaitTime: 3, limitWaitTimeUnit: 'minutes' },
		});
		const executionId = await harness.start(flow, { to: [DELIVERED] });
		const execution = await harness.waitForStatus(executionId, ['success', 'error'], 60_000);
		expect(execution.status).toBe('success');
		const runs = runsOf(execution, 'Send and Wait');
		expect(runs).toHaveLength(2);
		const [[first], [second]] = runs.map((_run, index) =>
			itemsOn(execution, 'Send and Wait', 0, index),
		);
		expect(first.json.outcome).toBe('delivered');
		expect(second.json).toMatchObject({
			id: first.json.id,
			outcome: 'delivered',
			idempotencyReplay: true,
		});
		expect(runsOf(execution, 'Timed Out')).toHaveLength(0);
		expect(sandbox.ledger().filter((m) => m.idempotencyKey === idempotencyKey)).toHaveLength(1);
	});

	test('reused Idempotency Key, message already final: the second execution leaves at once on its output, without a second charge', async () => {
		const idempotencyKey = `order-${crypto.randomUUID()}`;
		const flow = await createWaitWorkflow(n8n, credentialRef, {
			name: 'patterns: reused key (final)',
			additionalFields: { idempotencyKey },
		});
		const first = await harness.start(flow, { to: [DELIVERED] });
		const firstRun = await harness.waitForStatus(first, ['success', 'error'], 60_000);
		const [original] = itemsOn(firstRun, 'Send and Wait', 0);
		expect(original.json.outcome).toBe('delivered');

		const second = await harness.start(flow, { to: [DELIVERED] });
		const execution = await harness.waitForStatus(second, ['success', 'error'], 15_000);
		const [replayed] = itemsOn(execution, 'Send and Wait', 0);
		expect(replayed.json).toMatchObject({
			id: original.json.id,
			outcome: 'delivered',
			status: 'delivered',
			idempotencyReplay: true,
		});
		expect(replayed.json.delivery).toMatchObject({ source: 'status endpoint', final: true });
		expect(runsOf(execution, 'Delivered')).toHaveLength(1);
		expect(sandbox.ledger().filter((m) => m.idempotencyKey === idempotencyKey)).toHaveLength(1);
	});

	describe('with delivery events sent one by one', () => {
		beforeAll(() => sandbox.configure({ webhook: { url: null }, stepMs: 3_600_000 }));
		afterAll(() => sandbox.configure({ webhook: { url: triggerUrl }, stepMs: 300 }));

		test('reused Idempotency Key, message not final yet: the second execution leaves at once on Timed Out, saying why', async () => {
			const idempotencyKey = `order-${crypto.randomUUID()}`;
			const flow = await createWaitWorkflow(n8n, credentialRef, {
				name: 'patterns: reused key (in flight)',
				additionalFields: { idempotencyKey },
			});
			const first = await harness.start(flow, { to: [DELIVERED] });
			const waiting = await harness.waitForStatus(first, ['waiting']);
			const [pending] = itemsOn(waiting, 'Send and Wait', 2);

			const second = await harness.start(flow, { to: [DELIVERED] });
			const execution = await harness.waitForStatus(second, ['success', 'error'], 15_000);
			const [replayed] = itemsOn(execution, 'Send and Wait', 2);
			expect(replayed.json).toMatchObject({
				id: pending.json.id,
				outcome: 'timedOut',
				idempotencyReplay: true,
			});
			expect(replayed.json.reason).toMatch(/Idempotency Key reused/);
			expect(runsOf(execution, 'Timed Out')).toHaveLength(1);

			// The first execution still gets its message's event.
			const answer = await sandbox.emitWebhook({
				messageId: pending.json.id,
				status: 'delivered',
				url: triggerUrl,
			});
			expect(answer.statusCode).toBe(200);
			const firstRun = await harness.waitForStatus(first, ['success', 'error']);
			expect(itemsOn(firstRun, 'Send and Wait', 0)).toHaveLength(1);
		});
	});

	test('a final event the trigger accepted a minute before the execution waits still resumes it', async () => {
		// The sandbox creates the message (final 40 ms later) and holds the answer 60 s: the trigger
		// accepts the final event while the sending execution runs (n8n answers its relay 409).
		sandbox.configure({ stepMs: 20, faults: { stallMs: 60_000 } });
		sandbox.queueFaults(['stall']);
		try {
			const flow = await createWaitWorkflow(n8n, credentialRef, {
				name: 'patterns: late wait',
				options: { timeoutSeconds: 120 },
			});
			const executionId = await harness.start(flow, { to: [DELIVERED] }, { timeoutMs: 150_000 });
			const execution = await harness.waitForStatus(executionId, ['success', 'error'], 60_000);
			const [item] = itemsOn(execution, 'Send and Wait', 0);
			expect(item.json.outcome).toBe('delivered');
			const final = finalWebhookOf(item.json.id);
			expect(final.statusCode).toBe(200);
			const leftAt = runsOf(execution, 'Delivered')[0].startTime;
			expect(leftAt - Date.parse(final.sentAt)).toBeGreaterThanOrEqual(59_000);
		} finally {
			sandbox.configure({ stepMs: 300, faults: { stallMs: 30000 } });
		}
	});
});
