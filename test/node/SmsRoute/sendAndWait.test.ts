/**
 * Send and Wait for Delivery, the sending half, run by n8n-core's WorkflowExecute against the
 * sandbox: what is sent (the resume URL in each message's metadata), what the waiting execution
 * keeps (the Timed Out output and forwardAllOutputs on its stack entry), and the refusals.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import {
	REPLAY_NOT_FINAL_REASON,
	limitWaitMs,
} from '../../../nodes/SmsRoute/waitForDelivery/outputDecision';
import { runSmsRoute } from '../../helpers/runWorkflow';
import { createSandbox, DEFAULT_TEST_KEY, type Sandbox } from '../../sandbox/server';

let sandbox: Sandbox;
let baseUrl: string;

const PARAMS = {
	resource: 'message',
	operation: 'sendAndWait',
	to: '={{ $json.to }}',
	body: 'Your code is 123456',
	additionalFields: { metadata: '={{ JSON.stringify({ orderId: $json.orderId }) }}' },
};

beforeAll(async () => {
	sandbox = createSandbox({ port: 0 });
	({ baseUrl } = await sandbox.start());
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

const credentials = () => ({
	environment: 'test',
	testApiKey: DEFAULT_TEST_KEY,
	liveApiKey: '',
	baseUrl,
});

describe('Send and Wait for Delivery: sending', () => {
	it('sends each item with the signed resume URL added to its own metadata, then waits until the limit', async () => {
		const before = Date.now();
		const { run, error } = await runSmsRoute({
			executionId: '4711',
			items: [
				{ to: '+15005550001', orderId: 'A-1' },
				{ to: '+15005550002', orderId: 'A-2' },
			],
			parameters: { ...PARAMS, options: { limitWaitTime: 5, limitWaitTimeUnit: 'minutes' } },
			credentials: credentials(),
		});
		expect(error).toBeUndefined();
		const ledger = sandbox.ledger();
		expect(ledger.map((m) => m.metadata.orderId)).toEqual(['A-1', 'A-2']);
		for (const message of ledger) {
			expect(message.metadata.n8nResumeUrl).toMatch(
				/^http:\/\/127\.0\.0\.1:5678\/webhook-waiting\/4711\/sms\?signature=[0-9a-f]{64}$/,
			);
		}
		// Paused: n8n resumes it at the limit at the latest.
		const waitTill = new Date(run.waitTill as Date).getTime();
		expect(waitTill).toBeGreaterThanOrEqual(before + 5 * 60_000);
		expect(waitTill).toBeLessThan(Date.now() + 5 * 60_000 + 1000);
		expect(run.status).toBe('waiting');

		// What a timeout will produce: every sent message on Timed Out, all outputs forwarded.
		const [entry] = run.data.executionData?.nodeExecutionStack ?? [];
		expect(entry.node.name).toBe('SMS Route');
		expect(entry.metadata?.forwardAllOutputs).toBe(true);
		// Two inputs: n8n's own lineage (one source) stays, see the next test.
		expect(entry.source?.main.map((source) => source?.previousNode)).toEqual(['Items']);
		const [delivered, notDelivered, timedOut] = entry.data.main as INodeExecutionData[][];
		expect(delivered).toEqual([]);
		expect(notDelivered).toEqual([]);
		expect(
			timedOut.map((i) => [i.json.id, i.json.outcome, i.json.status, i.json.delivery]),
		).toEqual(ledger.map((m) => [m.id, 'timedOut', 'queued', null]));
	});

	it('for a single input item every output traces back to it (n8n re-pairs "item k of input j" on resume)', async () => {
		const { run } = await runSmsRoute({
			items: [{ to: '+15005550001', orderId: 'A-1' }],
			parameters: { ...PARAMS, options: {} },
			credentials: credentials(),
		});
		const [entry] = run.data.executionData?.nodeExecutionStack ?? [];
		expect(entry.source?.main.map((source) => source?.previousNode)).toEqual([
			'Items',
			'Items',
			'Items',
		]);
	});

	it('with Continue On Fail, an item that cannot be sent waits on Not Delivered and the others are sent', async () => {
		const { run, error } = await runSmsRoute({
			items: [
				{ to: 'not a number', orderId: 'A-1' },
				{ to: '+15005550001', orderId: 'A-2' },
			],
			parameters: { ...PARAMS, options: {} },
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(sandbox.ledger()).toHaveLength(1);
		const [, notDelivered, timedOut] = run.data.executionData?.nodeExecutionStack[0].data
			.main as INodeExecutionData[][];
		expect(notDelivered.map((i) => [i.json.itemIndex, String(i.json.error)])).toEqual([
			[0, expect.stringContaining("'To'")],
		]);
		expect(timedOut.map((i) => i.json.to)).toEqual(['+15005550001']);
	});

	it('refuses more than 100 messages before sending any, pointing to Send in Bulk and the trigger', async () => {
		const items = Array.from({ length: 101 }, (_, i) => ({
			to: '+15005550001',
			orderId: `A-${i}`,
		}));
		const { error, run } = await runSmsRoute({
			items,
			parameters: { ...PARAMS, options: {} },
			credentials: credentials(),
		});
		expect(error?.message).toBe(
			'Send and Wait for Delivery takes at most 100 messages per execution; this one has 101',
		);
		expect(error?.description).toMatch(/Send in Bulk.*SMS Route Trigger/);
		expect(sandbox.ledger()).toHaveLength(0);
		expect(run.waitTill).toBeUndefined();
	});

	it('does not wait when nothing could be sent', async () => {
		const { run } = await runSmsRoute({
			items: [{ to: 'nope', orderId: 'A-1' }],
			parameters: { ...PARAMS, options: {} },
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(run.waitTill).toBeUndefined();
		expect(run.data.resultData.runData['SMS Route'][0].data?.main[1]).toHaveLength(1);
	});
});

describe('Send and Wait: a reused Idempotency Key (issue 19)', () => {
	const withKey = (idempotencyKey: string) => ({
		...PARAMS,
		additionalFields: { ...PARAMS.additionalFields, idempotencyKey },
		options: {},
	});
	const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

	it('a replayed message already final leaves at once on its output, and the node does not wait', async () => {
		sandbox.configure({ stepMs: 5 });
		try {
			const first = await runSmsRoute({
				executionId: '1',
				items: [{ to: '+15005550002', orderId: 'A-1' }],
				parameters: withKey('order-42'),
				credentials: credentials(),
			});
			expect(first.run.status).toBe('waiting');
			await sleep(50);
			const { run } = await runSmsRoute({
				executionId: '2',
				items: [{ to: '+15005550002', orderId: 'A-1' }],
				parameters: withKey('order-42'),
				credentials: credentials(),
			});
			expect(run.waitTill).toBeUndefined();
			expect(sandbox.ledger()).toHaveLength(1);
			const [delivered, notDelivered, timedOut] = run.data.resultData.runData['SMS Route'][0].data
				?.main as INodeExecutionData[][];
			expect(delivered).toEqual([]);
			expect(timedOut).toEqual([]);
			expect(notDelivered.map((i) => [i.json.id, i.json.status, i.json.outcome])).toEqual([
				[sandbox.ledger()[0].id, 'failed', 'notDelivered'],
			]);
			expect(notDelivered[0].json).toMatchObject({
				idempotencyReplay: true,
				delivery: { source: 'status endpoint', final: true },
			});
		} finally {
			sandbox.configure({ stepMs: 200 });
		}
	});

	it('a replayed message not final yet leaves at once on Timed Out with the reason; fresh messages of the same run still wait', async () => {
		sandbox.configure({ stepMs: 3_600_000 });
		try {
			await runSmsRoute({
				executionId: '1',
				items: [{ to: '+15005550001', orderId: 'A-1' }],
				parameters: withKey('order-43'),
				credentials: credentials(),
			});
			const { run } = await runSmsRoute({
				executionId: '2',
				items: [
					{ to: '+15005550001', orderId: 'A-1' },
					{ to: '+15005550001', orderId: 'A-2' },
				],
				parameters: {
					...withKey('={{ $json.orderId === "A-1" ? "order-43" : "order-44" }}'),
				},
				credentials: credentials(),
			});
			expect(run.status).toBe('waiting');
			const [entry] = run.data.executionData?.nodeExecutionStack ?? [];
			const [, , timedOut] = entry.data.main as INodeExecutionData[][];
			const [replayed, fresh] = timedOut;
			expect(replayed.json).toMatchObject({
				outcome: 'timedOut',
				idempotencyReplay: true,
				reason: REPLAY_NOT_FINAL_REASON,
			});
			expect(fresh.json.idempotencyReplay).toBeUndefined();
			// Only the fresh message is waited for; the replayed one is already decided.
			expect((entry.metadata as IDataObject).smsRouteWait).toMatchObject({
				waitFor: [fresh.json.id],
				livemode: false,
			});
		} finally {
			sandbox.configure({ stepMs: 200 });
		}
	});

	it('with the answer the guide documents (no metadata), a message created long before this send is a replay and leaves at once', async () => {
		sandbox.configure({ stepMs: 5, echoMetadata: false });
		try {
			await runSmsRoute({
				executionId: '1',
				items: [{ to: '+15005550002', orderId: 'A-1' }],
				parameters: withKey('order-45'),
				credentials: credentials(),
			});
			await sleep(50);
			// An hour later (n8n's clock; smsroute's created_at stays what it was).
			jest.useFakeTimers({
				doNotFake: [
					'nextTick',
					'setImmediate',
					'setTimeout',
					'setInterval',
					'clearTimeout',
					'clearInterval',
					'clearImmediate',
					'queueMicrotask',
					'hrtime',
					'performance',
				],
				now: Date.now() + 3_600_000,
			});
			const { run } = await runSmsRoute({
				executionId: '2',
				items: [{ to: '+15005550002', orderId: 'A-1' }],
				parameters: withKey('order-45'),
				credentials: credentials(),
			});
			jest.useRealTimers();
			expect(run.waitTill).toBeUndefined();
			expect(sandbox.ledger()).toHaveLength(1);
			const [, notDelivered] = run.data.resultData.runData['SMS Route'][0].data
				?.main as INodeExecutionData[][];
			expect(
				notDelivered.map((i) => [i.json.id, i.json.outcome, i.json.idempotencyReplay]),
			).toEqual([[sandbox.ledger()[0].id, 'notDelivered', true]]);
		} finally {
			jest.useRealTimers();
			sandbox.configure({ stepMs: 200, echoMetadata: true });
		}
	});

	it('with the answer the guide documents (no metadata), a fresh message is waited for', async () => {
		sandbox.configure({ echoMetadata: false });
		try {
			const { run } = await runSmsRoute({
				items: [{ to: '+15005550001', orderId: 'A-1' }],
				parameters: withKey('order-46'),
				credentials: credentials(),
			});
			expect(run.status).toBe('waiting');
			const [entry] = run.data.executionData?.nodeExecutionStack ?? [];
			const [, , timedOut] = entry.data.main as INodeExecutionData[][];
			expect(timedOut.map((i) => i.json.idempotencyReplay)).toEqual([undefined]);
		} finally {
			sandbox.configure({ echoMetadata: true });
		}
	});

	it('a fresh message whose own metadata has an n8nRunIndex field is still waited for on the first run', async () => {
		const { run } = await runSmsRoute({
			items: [{ to: '+15005550001', orderId: 'A-1' }],
			parameters: {
				...PARAMS,
				additionalFields: { metadata: '{"orderId":"A-1","n8nRunIndex":3}' },
				options: {},
			},
			credentials: credentials(),
		});
		expect(run.status).toBe('waiting');
		const [entry] = run.data.executionData?.nodeExecutionStack ?? [];
		const [, , timedOut] = entry.data.main as INodeExecutionData[][];
		expect(timedOut.map((i) => i.json.idempotencyReplay)).toEqual([undefined]);
		expect(sandbox.ledger()[0].metadata.n8nRunIndex).toBeUndefined();
	});

	it('every wait gets its own id (a loop or a fallback node is another wait)', async () => {
		const waitIds = [];
		for (const executionId of ['7', '7']) {
			const { run } = await runSmsRoute({
				executionId,
				items: [{ to: '+15005550001', orderId: 'A-1' }],
				parameters: { ...PARAMS, options: {} },
				credentials: credentials(),
			});
			const [entry] = run.data.executionData?.nodeExecutionStack ?? [];
			waitIds.push(((entry.metadata as IDataObject).smsRouteWait as IDataObject).waitId);
		}
		expect(new Set(waitIds).size).toBe(2);
	});
});

describe('Send and Wait: Limit Wait Time', () => {
	it('defaults to 30 minutes and reads amount and unit', () => {
		expect(limitWaitMs({})).toBe(30 * 60_000);
		expect(limitWaitMs({ limitWaitTime: 3, limitWaitTimeUnit: 'seconds' })).toBe(3000);
		expect(limitWaitMs({ limitWaitTime: 2, limitWaitTimeUnit: 'hours' })).toBe(7_200_000);
		expect(limitWaitMs({ limitWaitTime: -1 })).toBe(30 * 60_000);
		expect(limitWaitMs({ limitWaitTime: 400, limitWaitTimeUnit: 'days' })).toBe(31 * 86_400_000);
		expect(limitWaitMs({ limitWaitTime: 2, limitWaitTimeUnit: 'constructor' })).toBe(2 * 60_000);
		expect(limitWaitMs({ limitWaitTime: 2, limitWaitTimeUnit: 'weeks' })).toBe(2 * 60_000);
	});
});
