/**
 * Issue 10: hostile servers and hostile inputs. Each test runs the node through n8n-core's
 * WorkflowExecute, against the sandbox (idempotency, ledger) or a small programmable server
 * (redirects, malformed 2xx, trickled bodies, echoed keys). Its 4th part, a 400 for a whole chunk,
 * is with the rest of chunk narrowing in test/unit/nodes/SmsRoute/actions/message/sendChunk.test.ts.
 */
import '../../helpers/jsonLogs';
import { logged, restoreConsole } from '../../helpers/captureLogs';
import type { IDataObject } from 'n8n-workflow';

import { sendJson, startHostileServer, type HostileServer } from '../../helpers/hostileServer';
import { runSmsRoute } from '../../helpers/runWorkflow';

import {
	createSandbox,
	DEFAULT_TEST_KEY,
	DEFAULT_LIVE_KEY,
	type Sandbox,
} from '../../sandbox/server';

let sandbox: Sandbox;
let sandboxUrl: string;
let hostile: HostileServer;
let elsewhere: HostileServer;

// A key with characters that URL-encoding and base64 change, so every echoed form differs.
const HOSTILE_KEY = 'sk_test_Zq9+Xw/Lm=Rt7_hostile';

const SEND_PARAMS = { resource: 'message', to: '={{ $json.to }}', body: '={{ $json.body }}' };

function sandboxCredentials() {
	return {
		environment: 'test',
		testApiKey: DEFAULT_TEST_KEY,
		liveApiKey: DEFAULT_LIVE_KEY,
		baseUrl: sandboxUrl,
	};
}

function hostileCredentials() {
	return {
		environment: 'test',
		testApiKey: HOSTILE_KEY,
		liveApiKey: '',
		baseUrl: `${hostile.origin}/v1`,
	};
}

function makeItems(count: number, prefix = 'msg'): IDataObject[] {
	return Array.from({ length: count }, (_, i) => ({
		to: `+1201${String(2000000 + i).slice(-7)}`,
		body: `${prefix} ${i}`,
	}));
}

/** Every form of the key a server might echo: raw, URL-encoded, base64 at each alignment. */
function keyForms(key: string): string[] {
	const forms = [key, encodeURIComponent(key)];
	for (let offset = 0; offset < 3; offset++) {
		const encoded = Buffer.concat([Buffer.alloc(offset, 'a'), Buffer.from(key)]).toString('base64');
		forms.push(encoded.slice(4, -4));
	}
	return forms;
}

beforeAll(async () => {
	sandbox = createSandbox({ port: 0, seed: 11 });
	({ baseUrl: sandboxUrl } = await sandbox.start());
	hostile = await startHostileServer();
	elsewhere = await startHostileServer();
});

afterAll(async () => {
	await sandbox.stop();
	await hostile.stop();
	await elsewhere.stop();
	restoreConsole();
	const text = logged.join('\n');
	expect(text).toMatch(/smsroute request retried/);
	for (const form of keyForms(HOSTILE_KEY)) expect(text).not.toContain(form);
});

beforeEach(() => {
	sandbox.reset();
	hostile.requests.length = 0;
	elsewhere.requests.length = 0;
});

describe('1. user idempotency keys beyond Latin-1', () => {
	it('Иван-17 and 王伟-17 are two messages, each sent once, and the same key gives the same header', async () => {
		const items = [
			{ to: '+15005550001', body: 'for Ivan', key: 'Иван-17' },
			{ to: '+15005550001', body: 'for Wang', key: '王伟-17' },
		];
		const params = {
			...SEND_PARAMS,
			operation: 'send',
			additionalFields: { idempotencyKey: '={{ $json.key }}' },
		};
		const first = await runSmsRoute({
			items,
			parameters: params,
			credentials: sandboxCredentials(),
		});
		expect(first.error).toBeUndefined();
		const ledger = sandbox.ledger();
		expect(ledger).toHaveLength(2);
		const ids = first.output!.map((o) => o.json.id);
		expect(ids).toEqual(items.map((item) => ledger.find((e) => e.body === item.body)!.id));
		for (const entry of ledger) expect(entry.idempotencyKey).toMatch(/^[\x21-\x7e]+$/);
		expect(first.output!.map((o) => o.json.idempotencyKey)).toEqual(['Иван-17', '王伟-17']);

		const again = await runSmsRoute({
			items,
			parameters: params,
			credentials: sandboxCredentials(),
		});
		expect(again.output!.map((o) => o.json.id)).toEqual(ids);
		expect(sandbox.ledger()).toHaveLength(2);
	});

	it('an ASCII key that looks like an encoded one does not collide with it', async () => {
		const params = {
			...SEND_PARAMS,
			operation: 'send',
			additionalFields: { idempotencyKey: '={{ $json.key }}' },
		};
		const first = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'unicode', key: 'Иван-17' }],
			parameters: params,
			credentials: sandboxCredentials(),
		});
		const sentKey = sandbox.ledger()[0].idempotencyKey;
		await runSmsRoute({
			items: [{ to: '+15005550001', body: 'ascii lookalike', key: sentKey }],
			parameters: params,
			credentials: sandboxCredentials(),
		});
		expect(sandbox.ledger()).toHaveLength(2);
		expect(first.error).toBeUndefined();
	});

	it('Bulk Send keeps user keys as given, in the JSON body', async () => {
		const items = [
			{ to: '+15005550001', body: 'bulk Ivan', key: 'Иван-17' },
			{ to: '+15005550001', body: 'bulk Wang', key: '王伟-17' },
		];
		const { output, error } = await runSmsRoute({
			items,
			parameters: {
				...SEND_PARAMS,
				operation: 'sendBulk',
				additionalFields: { idempotencyKey: '={{ $json.key }}' },
			},
			credentials: sandboxCredentials(),
		});
		expect(error).toBeUndefined();
		expect(
			sandbox
				.ledger()
				.map((e) => e.idempotencyKey)
				.sort(),
		).toEqual(['Иван-17', '王伟-17'].sort());
		expect(output!.map((o) => o.json.idempotencyKey)).toEqual(['Иван-17', '王伟-17']);
	});
});

describe('2. automatic keys follow the message and the workflow', () => {
	it('a second run under the same execution id with other messages sends them, not replays', async () => {
		const params = { ...SEND_PARAMS, operation: 'send' };
		const first = await runSmsRoute({
			items: makeItems(2, 'first'),
			parameters: params,
			credentials: sandboxCredentials(),
			executionId: '17',
		});
		const second = await runSmsRoute({
			items: makeItems(2, 'second'),
			parameters: params,
			credentials: sandboxCredentials(),
			executionId: '17',
		});
		expect(first.error).toBeUndefined();
		expect(second.error).toBeUndefined();
		const ledger = sandbox.ledger();
		expect(ledger).toHaveLength(4);
		const idByBody = new Map(ledger.map((e) => [e.body, e.id]));
		expect(second.output!.map((o) => o.json.id)).toEqual(
			['second 0', 'second 1'].map((b) => idByBody.get(b)),
		);
	});

	it('the same message, execution id and node in another workflow is another message', async () => {
		const items = makeItems(1, 'same');
		const params = { ...SEND_PARAMS, operation: 'sendBulk' };
		await runSmsRoute({
			items,
			parameters: params,
			credentials: sandboxCredentials(),
			executionId: '18',
			workflowId: 'wf-a',
		});
		await runSmsRoute({
			items,
			parameters: params,
			credentials: sandboxCredentials(),
			executionId: '18',
			workflowId: 'wf-b',
		});
		expect(sandbox.ledger()).toHaveLength(2);
	});

	it('the same message in the same execution, node and run keeps its key', async () => {
		const items = makeItems(3, 'stable');
		const params = { ...SEND_PARAMS, operation: 'send' };
		const first = await runSmsRoute({
			items,
			parameters: params,
			credentials: sandboxCredentials(),
			executionId: '19',
		});
		const second = await runSmsRoute({
			items,
			parameters: params,
			credentials: sandboxCredentials(),
			executionId: '19',
		});
		expect(second.output!.map((o) => o.json.idempotencyKey)).toEqual(
			first.output!.map((o) => o.json.idempotencyKey),
		);
		expect(sandbox.ledger()).toHaveLength(3);
	});
});

describe('3. redirects', () => {
	it.each([307, 302])(
		'a %i to another origin is an error naming that origin; the key never leaves',
		async (status) => {
			elsewhere.handle = (_req, res) => sendJson(res, 200, { id: 'msg_stolen', status: 'queued' });
			hostile.handle = (_req, res) => {
				res.writeHead(status, { location: `${elsewhere.origin}/v1/messages` });
				res.end();
			};
			const { output, error } = await runSmsRoute({
				items: [{ to: '+15005550001', body: 'redirect me' }],
				parameters: { ...SEND_PARAMS, operation: 'send' },
				credentials: hostileCredentials(),
				continueOnFail: true,
			});
			expect(error).toBeUndefined();
			expect(elsewhere.requests).toHaveLength(0);
			expect(hostile.requests).toHaveLength(1);
			expect(output![0].json.id).toBeUndefined();
			expect(output![0].json.error).toContain(elsewhere.origin);
			expect(output![0].json.error).toMatch(new RegExp(`redirect.*\\(${status}\\)`, 'i'));
			expect(JSON.stringify(output)).not.toContain(HOSTILE_KEY);
		},
	);
});

describe('5. malformed 2xx bodies', () => {
	it.each([
		['{}', '{}'],
		['HTML', '<html><body>Welcome</body></html>'],
		['empty', ''],
		['null', 'null'],
		['an id that is not a string', '{"id": 17, "status": "queued"}'],
	])(
		'Send: a 200 with %s is an error that says the message may have been accepted',
		async (_label, text) => {
			hostile.handle = (_req, res) => {
				res.writeHead(200, {
					'content-type': text.startsWith('<') ? 'text/html' : 'application/json',
				});
				res.end(text);
			};
			const { output, error } = await runSmsRoute({
				items: [{ to: '+15005550001', body: 'hello' }],
				parameters: { ...SEND_PARAMS, operation: 'send' },
				credentials: hostileCredentials(),
				continueOnFail: true,
			});
			expect(error).toBeUndefined();
			expect(output![0].json.id).toBeUndefined();
			expect(output![0].json.status).toBeUndefined();
			expect(output![0].json.error).toMatch(/may have been accepted/);
			expect(output![0].json.error).toMatch(/same idempotency key/i);
			expect(output![0].json.error).not.toMatch(/TypeError|Cannot read/);
		},
	);

	it.each([
		['null, number and object ids', { ids: [null, 5, { id: 'x' }], count: 3 }],
		['too few ids', { ids: ['msg_a'], count: 1 }],
		['no ids at all', { count: 3 }],
	])('Bulk: %s fail every message, saying they may have been charged', async (_label, body) => {
		hostile.handle = (_req, res) => sendJson(res, 200, body);
		const { output, error } = await runSmsRoute({
			items: makeItems(3),
			parameters: { ...SEND_PARAMS, operation: 'sendBulk' },
			credentials: hostileCredentials(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(hostile.requests).toHaveLength(1);
		for (const item of output!) {
			expect(item.json.id).toBeUndefined();
			expect(item.json.error).toMatch(/may have been accepted/);
			expect(item.json.error).toMatch(/same idempotency keys?/i);
		}
	});

	it('Get Status: a 200 that is not a message is an error', async () => {
		hostile.handle = (_req, res) => sendJson(res, 200, { ok: true });
		const { output } = await runSmsRoute({
			items: [{ id: 'msg_abc' }],
			parameters: { resource: 'message', operation: 'get', messageId: '={{ $json.id }}' },
			credentials: hostileCredentials(),
			continueOnFail: true,
		});
		expect(output![0].json.ok).toBeUndefined();
		expect(output![0].json.error).toMatch(/not a message/);
	});
});

describe('6. the timeout is a deadline', () => {
	it('a server trickling one byte every 200 ms cannot hold an attempt past Timeout', async () => {
		const timers: NodeJS.Timeout[] = [];
		const heldMs: number[] = [];
		hostile.handle = (_req, res) => {
			const opened = Date.now();
			res.on('close', () => heldMs.push(Date.now() - opened));
			res.writeHead(200, { 'content-type': 'application/json' });
			const text = JSON.stringify({ id: 'msg_slow', status: 'queued', pad: ' '.repeat(40) });
			let sent = 0;
			const timer = setInterval(() => {
				if (res.destroyed || sent >= text.length) {
					clearInterval(timer);
					if (!res.destroyed) res.end();
					return;
				}
				res.write(text[sent++]);
			}, 200);
			timers.push(timer);
		};
		const started = Date.now();
		const { output, error } = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'slowly' }],
			parameters: {
				...SEND_PARAMS,
				operation: 'send',
				options: { timeoutSeconds: 1, maxAttempts: 2, maxRetryWaitSeconds: 1 },
			},
			credentials: hostileCredentials(),
			continueOnFail: true,
		});
		const elapsed = Date.now() - started;
		timers.forEach(clearInterval);
		expect(error).toBeUndefined();
		expect(hostile.requests).toHaveLength(2);
		expect(output![0].json.error).toMatch(/gave up after 2 attempts/);
		expect(elapsed).toBeLessThan(4500);
		// The deadline aborts the request itself: the server sees each connection closed on time.
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(heldMs).toHaveLength(2);
		for (const ms of heldMs) expect(ms).toBeLessThan(1600);
	});
});

describe('7. keys echoed by the server', () => {
	const echo = () =>
		[
			`bad token x${HOSTILE_KEY}`,
			`url=${encodeURIComponent(HOSTILE_KEY)}`,
			`b64=${Buffer.from(`Bearer ${HOSTILE_KEY}`).toString('base64')}`,
			`b64b=${Buffer.from(`:${HOSTILE_KEY}`).toString('base64')}`,
		].join(' ');

	function expectNoKey(text: string) {
		for (const form of keyForms(HOSTILE_KEY)) expect(text).not.toContain(form);
	}

	it('never reaches output items, node errors, error details or saved run data', async () => {
		hostile.handle = (_req, res) => sendJson(res, 400, { error: echo() });
		const withItems = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'echo' }],
			parameters: { ...SEND_PARAMS, operation: 'send' },
			credentials: hostileCredentials(),
			continueOnFail: true,
		});
		expect(withItems.output![0].json.error).toMatch(/\(400\)/);
		expectNoKey(JSON.stringify(withItems.output));

		const failing = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'echo' }],
			parameters: { ...SEND_PARAMS, operation: 'send' },
			credentials: hostileCredentials(),
		});
		expect(failing.error).toBeDefined();
		const err = failing.error as unknown as IDataObject;
		expectNoKey(
			JSON.stringify({
				...err,
				message: failing.error!.message,
				description: failing.error!.description,
			}),
		);
		expectNoKey(JSON.stringify(failing.run.data.resultData));
	});

	it('never reaches the output of a 2xx that echoes it', async () => {
		hostile.handle = (req, res) =>
			req.url.endsWith('/bulk')
				? sendJson(res, 200, { ids: [`msg_${HOSTILE_KEY}`], count: 1 })
				: sendJson(res, 200, { id: 'msg_abc', status: 'queued', note: echo(), [HOSTILE_KEY]: 1 });
		const got = await runSmsRoute({
			items: [{ id: 'msg_abc' }],
			parameters: { resource: 'message', operation: 'get', messageId: '={{ $json.id }}' },
			credentials: hostileCredentials(),
		});
		expect(got.output![0].json.status).toBe('queued');
		const sent = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'echo' }],
			parameters: { ...SEND_PARAMS, operation: 'send' },
			credentials: hostileCredentials(),
		});
		const bulk = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'echo' }],
			parameters: { ...SEND_PARAMS, operation: 'sendBulk' },
			credentials: hostileCredentials(),
		});
		expect(bulk.output![0].json.id).toMatch(/^msg_/);
		expectNoKey(JSON.stringify([got.output, sent.output, bulk.output]));
	});

	it('never reaches the retry log line', async () => {
		let calls = 0;
		hostile.handle = (_req, res) => {
			calls++;
			if (calls === 1) sendJson(res, 503, { error: echo() });
			else sendJson(res, 200, { id: 'msg_after_retry', status: 'queued' });
		};
		const { output } = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'echo' }],
			parameters: { ...SEND_PARAMS, operation: 'send', options: { maxRetryWaitSeconds: 1 } },
			credentials: hostileCredentials(),
		});
		expect(output![0].json.id).toBe('msg_after_retry');
		expect(logged.join('\n')).toMatch(/smsroute request retried/);
		expect(logged.join('\n')).toMatch(/"waitMs"/);
		expectNoKey(logged.join('\n'));
	});
});

describe('8. Get Status ids', () => {
	it.each(['.', '..', 'a/b', 'msg_1?x=1'])('refuses %j before any request', async (id) => {
		hostile.handle = (_req, res) => sendJson(res, 200, { id: 'msg_x', status: 'delivered' });
		const { output } = await runSmsRoute({
			items: [{ id }],
			parameters: { resource: 'message', operation: 'get', messageId: '={{ $json.id }}' },
			credentials: hostileCredentials(),
			continueOnFail: true,
		});
		expect(hostile.requests).toHaveLength(0);
		expect(output![0].json.error).toMatch(/Item 0: 'Message ID'/);
	});
});
