/**
 * The SMS Route node run by n8n-core's WorkflowExecute against the real sandbox over HTTP.
 * The ledger is the sandbox's record of every charged message: it is how lost and duplicated
 * sends are counted, independently of what the node reports.
 */
import { logged, restoreConsole } from '../../helpers/captureLogs';
import type { IDataObject } from 'n8n-workflow';

import { runSmsRoute } from '../../helpers/runWorkflow';

// The sandbox is plain CommonJS (it runs without a build step).
import {
	createSandbox,
	DEFAULT_TEST_KEY,
	DEFAULT_LIVE_KEY,
	type Sandbox,
} from '../../sandbox/server';

interface LedgerEntry {
	id: string;
	to: string;
	body: string;
	idempotencyKey: string | null;
	environment: string;
}

let sandbox: Sandbox;
let baseUrl: string;

const SEND_PARAMS = {
	resource: 'message',
	to: '={{ $json.to }}',
	body: '={{ $json.body }}',
};

function testCredentials(overrides: IDataObject = {}) {
	return {
		environment: 'test',
		testApiKey: DEFAULT_TEST_KEY,
		liveApiKey: DEFAULT_LIVE_KEY,
		baseUrl,
		...overrides,
	};
}

function makeItems(count: number, prefix = 'msg'): IDataObject[] {
	return Array.from({ length: count }, (_, i) => ({
		to: `+1201${String(2000000 + i).slice(-7)}`,
		body: `${prefix} ${i}`,
	}));
}

/** Every output item carries the id the ledger charged for its own body, in input order. */
function expectOutputMatchesLedger(
	output: IDataObject[],
	items: IDataObject[],
	ledger: LedgerEntry[],
) {
	const idByBody = new Map(ledger.map((entry) => [entry.body, entry.id]));
	expect(output).toHaveLength(items.length);
	output.forEach((json, i) => {
		expect(json.to).toBe(items[i].to);
		expect(json.id).toBe(idByBody.get(items[i].body as string));
	});
}

function expectChargedOnceEach(ledger: LedgerEntry[], items: IDataObject[]) {
	const bodies = ledger.map((entry) => entry.body);
	expect(new Set(bodies).size).toBe(bodies.length);
	expect(bodies.sort()).toEqual(items.map((item) => item.body as string).sort());
}

beforeAll(async () => {
	sandbox = createSandbox({ port: 0, seed: 7 });
	({ baseUrl } = await sandbox.start());
});

afterAll(async () => {
	await sandbox.stop();
	restoreConsole();
	// Every key these tests used: none may appear in what n8n and the node logged.
	const text = logged.join('\n');
	expect(logged.length).toBeGreaterThan(0);
	expect(text).toMatch(/smsroute request retried/);
	for (const secret of [DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY, 'sk_live_this_key_is_not_known_0001']) {
		expect(text).not.toContain(secret);
	}
});

beforeEach(() => {
	sandbox.reset();
	sandbox.configure({
		balance: null,
		latencyMs: 0,
		optedOut: [],
		optOutNamesIndex: true,
		faults: {
			error500: 0,
			error503: 0,
			rateLimit: 0,
			dropAfterCharge: 0,
			stall: 0,
			retryAfterSeconds: 1,
		},
	});
});

describe('Send', () => {
	it('sends one POST /messages per item, several at once, with ids, credits and keys', async () => {
		const items = [
			{ to: '+15005550001', body: 'hello' },
			{ to: '+1 (201) 555-1234', body: 'ж'.repeat(71) },
			{ to: '+15005550003', body: 'x'.repeat(161) },
		];
		const { output, error } = await runSmsRoute({
			items,
			parameters: { ...SEND_PARAMS, operation: 'send' },
			credentials: testCredentials(),
		});
		expect(error).toBeUndefined();
		const json = output!.map((item) => item.json);
		expect(output!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(json.map((j) => j.to)).toEqual(['+15005550001', '+12015551234', '+15005550003']);
		expect(json.map((j) => j.status)).toEqual(['queued', 'queued', 'queued']);
		expect(json.map((j) => j.creditsUsed)).toEqual([1, 2, 2]);
		expect(json.map((j) => [j.encoding, j.segments])).toEqual([
			['GSM-7', 1],
			['UCS-2', 2],
			['GSM-7', 2],
		]);
		const ledger = sandbox.ledger();
		expect(ledger).toHaveLength(3);
		expect(sandbox.stats().requests['POST /v1/messages']).toBe(3);
		expect(json.map((j) => j.idempotencyKey)).toEqual(
			items.map((item) => ledger.find((e) => e.body === item.body)!.idempotencyKey),
		);
		expect(JSON.stringify(output)).not.toContain(DEFAULT_TEST_KEY);
	});

	it('uses a key given as an expression, so the same order is never sent twice', async () => {
		const items = [{ to: '+15005550001', body: 'order A-17 shipped', orderId: 'A-17' }];
		const params = {
			...SEND_PARAMS,
			operation: 'send',
			additionalFields: { idempotencyKey: '={{ $json.orderId }}' },
		};
		const first = await runSmsRoute({ items, parameters: params, credentials: testCredentials() });
		const second = await runSmsRoute({ items, parameters: params, credentials: testCredentials() });
		expect(first.output![0].json.id).toBe(second.output![0].json.id);
		expect(first.output![0].json.idempotencyKey).toBe('A-17');
		expect(sandbox.ledger()).toHaveLength(1);
	});

	it('Get Status returns the message with its current status', async () => {
		const sent = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'status please' }],
			parameters: { ...SEND_PARAMS, operation: 'send' },
			credentials: testCredentials(),
		});
		const id = sent.output![0].json.id as string;
		const got = await runSmsRoute({
			items: [{ id }, { id: 'msg_doesnotexist00000' }],
			parameters: { resource: 'message', operation: 'get', messageId: '={{ $json.id }}' },
			credentials: testCredentials(),
			continueOnFail: true,
		});
		expect(got.output![0].json).toMatchObject({ id, to: '+15005550001', body: 'status please' });
		expect(['queued', 'sent', 'delivered']).toContain(got.output![0].json.status);
		expect(got.output![1].json.error).toMatch(/Not found \(404\)/);
		expect(got.output![1].pairedItem).toEqual({ item: 1 });
	});
});

describe('Bulk Send', () => {
	it('sends 2,500 items as 3 bulk requests, ids in input order', async () => {
		const items = makeItems(2500);
		const { output, error } = await runSmsRoute({
			items,
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', options: { concurrency: 3 } },
			credentials: testCredentials(),
		});
		expect(error).toBeUndefined();
		expect(sandbox.stats().requests['POST /v1/messages/bulk']).toBe(3);
		const ledger = sandbox.ledger();
		expectChargedOnceEach(ledger, items);
		expectOutputMatchesLedger(
			output!.map((o) => o.json),
			items,
			ledger,
		);
		expect(output!.every((o, i) => (o.pairedItem as { item: number }).item === i)).toBe(true);
	});

	it.each([
		[5, 1, 5],
		[1000, 1000, 1],
		[1001, 1000, 2],
	])('%i items with chunk size %i → %i requests', async (count, chunkSize, requests) => {
		const items = makeItems(count);
		const { output } = await runSmsRoute({
			items,
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', options: { chunkSize } },
			credentials: testCredentials(),
		});
		expect(sandbox.stats().requests['POST /v1/messages/bulk']).toBe(requests);
		expectOutputMatchesLedger(
			output!.map((o) => o.json),
			items,
			sandbox.ledger(),
		);
	});

	it('loses nothing and charges nothing twice through 503s, 429s and connections dropped after the charge', async () => {
		sandbox.configure({
			faults: { error503: 0.1, rateLimit: 0.05, retryAfterSeconds: 0, dropAfterCharge: 0.05 },
		});
		const items = makeItems(5000, 'soak');
		const { output, error } = await runSmsRoute({
			items,
			parameters: {
				...SEND_PARAMS,
				operation: 'sendBulk',
				options: { chunkSize: 100, concurrency: 5, maxAttempts: 10, timeoutSeconds: 10 },
			},
			credentials: testCredentials(),
		});
		expect(error).toBeUndefined();
		const ledger = sandbox.ledger();
		expect(ledger).toHaveLength(5000);
		expectChargedOnceEach(ledger, items);
		expectOutputMatchesLedger(
			output!.map((o) => o.json),
			items,
			ledger,
		);
		// The faults really happened: otherwise this test would prove nothing.
		const { responses, requests } = sandbox.stats();
		expect(responses['503']).toBeGreaterThan(0);
		expect(responses['429']).toBeGreaterThan(0);
		expect(requests['POST /v1/messages/bulk']).toBeGreaterThan(50 + (responses['503'] ?? 0));
	}, 120_000);

	it('one invalid number in a chunk of 1,000: 999 sent and 1 error item', async () => {
		const items = makeItems(1000);
		items[417] = { to: '555-CALL-NOW', body: 'msg 417' };
		const { output, error } = await runSmsRoute({
			items,
			parameters: { ...SEND_PARAMS, operation: 'sendBulk' },
			credentials: testCredentials(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output).toHaveLength(1000);
		expect(sandbox.ledger()).toHaveLength(999);
		expect(output![417].json.error).toMatch(/Item 417: 'To' must be an E\.164 phone number/);
		expect(output![417].pairedItem).toEqual({ item: 417 });
		expect(output!.filter((o) => o.json.id)).toHaveLength(999);
	});

	it('without Continue On Fail, an invalid item fails the node naming it, and nothing is sent', async () => {
		const items = makeItems(1000);
		items[417] = { to: '555-CALL-NOW', body: 'msg 417' };
		const { error } = await runSmsRoute({
			items,
			parameters: { ...SEND_PARAMS, operation: 'sendBulk' },
			credentials: testCredentials(),
		});
		expect(error?.message).toMatch(/Item 417: 'To' must be an E\.164 phone number/);
		expect(sandbox.ledger()).toHaveLength(0);
	});

	it('reads plain $json references straight from items, the same as n8n evaluating them', async () => {
		const items = [
			{ contact: { 'mobile phone': '+1 201 555 0001' }, text: 'hello', meta: { a: 1 } },
			{ contact: { 'mobile phone': 12015550002 }, text: 'ж', meta: { a: 2 } },
			{ contact: {}, text: 'no number' },
		];
		const run = (to: string, body: string) =>
			runSmsRoute({
				items,
				parameters: {
					resource: 'message',
					operation: 'sendBulk',
					to,
					body,
					options: { dryRun: true },
				},
				credentials: testCredentials(),
				continueOnFail: true,
				executionId: 'same-execution',
			});
		const direct = await run('={{ $json.contact["mobile phone"] }}', '={{ $json.text }}');
		const evaluated = await run(
			'={{ String($json.contact["mobile phone"] ?? "") }}',
			'={{ $json.text + "" }}',
		);
		const fixed = await run('+15005550001', 'same for all');
		expect(direct.output!.map((o) => o.json)).toEqual(evaluated.output!.map((o) => o.json));
		expect(direct.output!.map((o) => o.json.to)).toEqual(['+12015550001', undefined, undefined]);
		expect(direct.output![1].json.error).toMatch(/Item 1: 'To' must be an E\.164/);
		expect(direct.output![2].json.error).toMatch(/Item 2: 'To' must be an E\.164/);
		expect(fixed.output!.map((o) => o.json.to)).toEqual([
			'+15005550001',
			'+15005550001',
			'+15005550001',
		]);
	});

	it('Dry Run estimates encoding and segments and sends nothing', async () => {
		const { output } = await runSmsRoute({
			items: [
				{ to: '+15005550001', body: '😀 hi' },
				{ to: '+15005550002', body: 'a'.repeat(200) },
			],
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', options: { dryRun: true } },
			credentials: testCredentials(),
		});
		expect(output!.map((o) => [o.json.dryRun, o.json.encoding, o.json.segments])).toEqual([
			[true, 'UCS-2', 1],
			[true, 'GSM-7', 2],
		]);
		expect(sandbox.stats().requests['POST /v1/messages/bulk'] ?? 0).toBe(0);
	});
});

describe('errors and retries', () => {
	it('401 names the environment whose key was rejected, and never the key', async () => {
		const wrongKey = 'sk_live_this_key_is_not_known_0001';
		const { error } = await runSmsRoute({
			items: makeItems(2),
			parameters: { ...SEND_PARAMS, operation: 'sendBulk' },
			credentials: testCredentials({ environment: 'live', liveApiKey: wrongKey }),
		});
		expect(error?.message).toMatch(/rejected the Live API key \(401\)/);
		expect(JSON.stringify(error)).not.toContain(wrongKey);
		expect(
			JSON.stringify({ message: error?.message, description: error?.description }),
		).not.toContain('sk_live_this');
		expect(sandbox.stats().requests['POST /v1/messages/bulk']).toBe(1);
	});

	it('a live key pasted into the test field fails before any request', async () => {
		const { error } = await runSmsRoute({
			items: makeItems(1),
			parameters: { ...SEND_PARAMS, operation: 'send' },
			credentials: testCredentials({ testApiKey: DEFAULT_LIVE_KEY }),
		});
		expect(error?.message).toMatch(/Test API Key must start with "sk_test_"/);
		expect(JSON.stringify(error)).not.toContain(DEFAULT_LIVE_KEY);
	});

	it('402 says the balance is spent, per item with Continue On Fail', async () => {
		sandbox.configure({ balance: 2 });
		const { output } = await runSmsRoute({
			items: makeItems(3),
			parameters: { ...SEND_PARAMS, operation: 'send', options: { concurrency: 1 } },
			credentials: testCredentials(),
			continueOnFail: true,
		});
		expect(output!.slice(0, 2).every((o) => typeof o.json.id === 'string')).toBe(true);
		expect(output![2].json.error).toMatch(/balance is spent \(402\)/);
		expect(output![2].json.statusCode).toBe(402);
		expect(sandbox.ledger()).toHaveLength(2);
	});

	it('without Continue On Fail, a spent balance in Bulk Send fails the node naming an item', async () => {
		sandbox.configure({ balance: 150 });
		const { error, output } = await runSmsRoute({
			items: makeItems(300),
			parameters: {
				...SEND_PARAMS,
				operation: 'sendBulk',
				options: { chunkSize: 100, concurrency: 1 },
			},
			credentials: testCredentials(),
		});
		expect(output).toBeUndefined();
		expect(error?.message).toMatch(/balance is spent \(402\)/);
		expect((error as unknown as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(100);
		// The second chunk failed; the third was never started.
		expect(sandbox.stats().requests['POST /v1/messages/bulk']).toBe(2);
		expect(sandbox.ledger()).toHaveLength(100);
	});

	it('honours Retry-After on 429', async () => {
		sandbox.configure({ faults: { retryAfterSeconds: 1 } });
		sandbox.queueFaults(['429']);
		const started = Date.now();
		const { output, error } = await runSmsRoute({
			items: makeItems(1),
			parameters: { ...SEND_PARAMS, operation: 'send' },
			credentials: testCredentials(),
		});
		expect(error).toBeUndefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		expect(output![0].json.id).toEqual(expect.any(String));
		expect(sandbox.stats().requests['POST /v1/messages']).toBe(2);
	});

	it('fails clearly when Retry-After asks for more than the longest wait', async () => {
		sandbox.configure({ faults: { retryAfterSeconds: 120 } });
		sandbox.queueFaults(['429']);
		const { error } = await runSmsRoute({
			items: makeItems(1),
			parameters: { ...SEND_PARAMS, operation: 'send', options: { maxRetryWaitSeconds: 5 } },
			credentials: testCredentials(),
		});
		expect(error?.message).toMatch(
			/Retry-After asks for 120 s, more than the Longest Wait option \(5 s\)/,
		);
		expect(sandbox.stats().requests['POST /v1/messages']).toBe(1);
	});

	it('never retries a 400', async () => {
		const { error } = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'ok' }],
			parameters: {
				...SEND_PARAMS,
				operation: 'send',
				additionalFields: { from: '', metadata: '[1,2]' },
			},
			credentials: testCredentials(),
		});
		expect(error?.message).toMatch(/Item 0: 'Metadata' must be a JSON object/);
		expect(sandbox.stats().requests['POST /v1/messages'] ?? 0).toBe(0);
	});

	it('a response stalled past the timeout is retried with the same key: charged once', async () => {
		sandbox.configure({ faults: { stallMs: 4000 } });
		sandbox.queueFaults(['stall']);
		const { output, error } = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'stalled once' }],
			parameters: { ...SEND_PARAMS, operation: 'send', options: { timeoutSeconds: 1 } },
			credentials: testCredentials(),
		});
		expect(error).toBeUndefined();
		expect(sandbox.stats().requests['POST /v1/messages']).toBe(2);
		expect(sandbox.ledger()).toHaveLength(1);
		expect(output![0].json.id).toBe(sandbox.ledger()[0].id);
	});

	it("n8n's Retry On Fail reruns the node with the same keys: charged once", async () => {
		// Every attempt of the first node run is charged but its answer lost; the node fails,
		// n8n runs it again, and smsroute recognises the keys.
		sandbox.queueFaults(['drop', 'drop']);
		const items = makeItems(2);
		const { output, error } = await runSmsRoute({
			items,
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', options: { maxAttempts: 2 } },
			credentials: testCredentials(),
			retryOnFail: { maxTries: 2, waitBetweenTries: 0 },
		});
		expect(error).toBeUndefined();
		expect(sandbox.stats().requests['POST /v1/messages/bulk']).toBe(3);
		expect(sandbox.ledger()).toHaveLength(2);
		expectOutputMatchesLedger(
			output!.map((o) => o.json),
			items,
			sandbox.ledger(),
		);
	});
});
