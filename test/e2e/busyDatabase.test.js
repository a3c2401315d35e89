'use strict';
/**
 * Issue 32: a resend of an event whose first delivery is still pending is never answered 2xx on
 * that delivery's word. Real n8n 2.x, its SQLite database made busy the way a long write makes
 * it: another connection holds the write lock (BEGIN EXCLUSIVE) for LOCK_MS, so n8n cannot
 * create the execution of request A in time.
 *
 *   A   the event; its sender gives up after 3 s (SendCloud's deadline), or after 300 ms
 *   B   the same event again while A is in flight (the provider's resend), 3 s timeout
 *   —   the lock is released; n8n creates A's execution or fails (SQLITE_BUSY)
 *   C…  resends until one is answered 200, as a provider keeps resending
 *
 * Checked from outside: every 2xx the sender saw is for an event an execution carries, C's
 * 200 comes with an execution carrying the event (emitted by C, or A's), and exactly one
 * execution carries it. n8n 1.x answers before it creates the execution (for its own Webhook
 * node too, see docs/verification.md), so this runs on 2.x only. Needs `npm run build` first.
 */
const crypto = require('node:crypto');
const nodeHttp = require('node:http');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startN8n, resolveVersion, N8N_VERSIONS } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { signedEvent, headersFor, executionsPerEvent } = require('./crash');

const TRIGGER = 'n8n-nodes-smsroute.smsRouteTrigger';
const LOCK_MS = 6000;
const CLIENT_TIMEOUT_MS = 3000;
/**
 * A's sender waits 3 s (SendCloud) or gives up early (its client leaves while n8n is still
 * trying); B is sent while A is in flight.
 */
const SCENARIOS = [
	{ name: 'resend while A is in flight', firstTimeoutMs: CLIENT_TIMEOUT_MS, resendAfterMs: 300 },
	{ name: "A's client leaves, then the resend", firstTimeoutMs: 300, resendAfterMs: 400 },
];
const VERSIONS = (
	process.env.SMSROUTE_E2E_N8N_VERSIONS
		? process.env.SMSROUTE_E2E_N8N_VERSIONS.split(',')
				.filter(Boolean)
				.map((v) => resolveVersion(v))
		: N8N_VERSIONS
).filter((version) => Number(version.split('.')[0]) >= 2);

jest.setTimeout(5 * 60_000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** POST with a client timeout: { status, body } or { status: 'timeout' } (the sender gave up). */
function post(url, body, timeoutMs = CLIENT_TIMEOUT_MS) {
	return new Promise((resolve) => {
		const req = nodeHttp.request(url, {
			method: 'POST',
			headers: headersFor(body),
			agent: false,
		});
		const timer = setTimeout(() => {
			req.destroy();
			resolve({ status: 'timeout' });
		}, timeoutMs);
		req.on('response', (res) => {
			let text = '';
			res.on('data', (chunk) => (text += chunk));
			res.on('end', () => {
				clearTimeout(timer);
				resolve({ status: res.statusCode, body: text, retryAfter: res.headers['retry-after'] });
			});
		});
		req.on('error', () => {
			clearTimeout(timer);
			resolve({ status: 'timeout' });
		});
		req.end(body);
	});
}

/** Holds SQLite's write lock on `file` for `ms` (python3's sqlite3); resolves once held. */
function holdWriteLock(file, ms) {
	const script = [
		'import sqlite3, sys, time',
		'c = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)',
		'c.execute("BEGIN EXCLUSIVE")',
		'print("locked", flush=True)',
		'time.sleep(float(sys.argv[2]) / 1000)',
		'c.execute("COMMIT")',
		'print("released", flush=True)',
	].join('\n');
	const child = spawn('python3', ['-c', script, file, String(ms)], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let out = '';
	const released = new Promise((resolve, reject) => {
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`lock: exit ${code}`))));
	});
	const held = new Promise((resolve) => {
		child.stdout.on('data', (chunk) => {
			out += chunk;
			if (out.includes('locked')) resolve();
		});
	});
	return { held, released };
}

describe.each(VERSIONS)('n8n %s: database busy while the first delivery is pending', (version) => {
	let n8n;
	afterAll(async () => {
		if (n8n) await n8n.stop();
	}, 60_000);

	test('no 2xx for an event no execution carries; a later resend is emitted, once', async () => {
		n8n = await startN8n({ version });
		const { smsRouteApi } = await createSandboxCredentials(n8n, {
			baseUrl: 'http://127.0.0.1:9/v1',
		});
		const webhookId = crypto.randomUUID();
		const trigger = await n8n.createWorkflow({
			name: 'busy database: SMS Route Trigger',
			nodes: [
				{
					id: crypto.randomUUID(),
					name: 'SMS Route Trigger',
					type: TRIGGER,
					typeVersion: 1.1,
					position: [0, 0],
					webhookId,
					parameters: { provider: 'smsroute', events: [] },
					credentials: { smsRouteApi },
				},
			],
			connections: {},
		});
		await n8n.activateWorkflow(trigger.id);
		const url = `${n8n.url}/webhook/${webhookId}/webhook`;
		// Warm: the workflow and the trigger's keys are loaded before the database is locked.
		const warm = signedEvent(`msg_busy_warm_${crypto.randomUUID().slice(0, 8)}`);
		const warmed = await n8n.callWebhook('POST', `${webhookId}/webhook`, {
			body: warm.body,
			headers: headersFor(warm.body),
		});
		expect(warmed.status).toBe(200);

		for (const scenario of SCENARIOS) {
			const event = signedEvent(`msg_busy_${crypto.randomUUID().slice(0, 8)}`);
			const lock = holdWriteLock(path.join(n8n.userFolder, '.n8n', 'database.sqlite'), LOCK_MS);
			await lock.held;
			const started = Date.now();
			const timed = async (promise) => ({ ...(await promise), ms: Date.now() - started });
			const a = timed(post(url, event.body, scenario.firstTimeoutMs));
			await sleep(scenario.resendAfterMs);
			const b = await timed(post(url, event.body));
			const answers = [await a, b];
			await lock.released;
			// n8n's outcome for A (created or SQLITE_BUSY) is known within moments of the release.
			await sleep(2000);
			// A provider stops at the first 2xx: it resends only while it has none.
			const is2xx = (answer) => typeof answer.status === 'number' && answer.status < 300;
			for (let i = 0; i < 10 && !answers.some(is2xx); i++) {
				const c = await timed(post(url, event.body, 30_000));
				answers.push(c);
				if (is2xx(c)) break;
				await sleep(Number(c.retryAfter ?? 1) * 1000);
			}
			process.stderr.write(
				`[busy-db ${version}] ${scenario.name}: ${JSON.stringify(answers.map((x) => [x.status, x.ms, x.body ?? '']))}\n`,
			);
			expect(answers.filter(is2xx)).toHaveLength(1);
			expect(answers.at(-1).status).toBe(200);
			// Executions are saved when they finish: wait for the one carrying the event.
			let executions = [];
			for (let i = 0; i < 30; i++) {
				executions = await n8n.listExecutions(trigger.id, { includeData: true });
				const done = executions.every((e) => e.status !== 'running' && e.status !== 'new');
				if (done && executionsPerEvent(executions, [event.messageId]).get(event.messageId) > 0)
					break;
				await sleep(1000);
			}
			// Every 2xx the sender saw is for an event an execution carries, and it is carried once
			// (a 200 on the word of a pending A that then failed would leave it carried by none).
			expect(executionsPerEvent(executions, [event.messageId]).get(event.messageId)).toBe(1);
		}
	});
});
