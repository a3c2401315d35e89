/**
 * Issue 25, Send and Wait: the wait knows its own messages by the keys it kept (node context),
 * not by timestamps, and n8n's Retry of a failed wait charges nothing twice. Also Max Messages
 * per Execution in an n8n Retry. Run by n8n-core against the sandbox (its ledger counts charges).
 */
import type { IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';

import { runSmsRoute } from '../../helpers/runWorkflow';
import { useSandboxRun } from '../../helpers/sandboxRun';

const { sandbox, credentials, charged } = useSandboxRun();

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

const waitParams = (options: IDataObject = {}, additionalFields: IDataObject = {}) => ({
	resource: 'message',
	operation: 'sendAndWait',
	to: '={{ $json.to }}',
	body: '={{ $json.body }}',
	additionalFields,
	options: { maxAttempts: 1, concurrency: 1, ...options },
});

const recipients = (count: number) =>
	Array.from({ length: count }, (_, i) => ({ to: `+447400${500001 + i}`, body: `Code ${i + 1}` }));

/** The wait's outputs and the ids it waits for, as n8n saved them. */
function waitState(run: IRun) {
	const [entry] = run.data.executionData?.nodeExecutionStack ?? [];
	const [delivered, notDelivered, timedOut] = (entry?.data.main ?? []) as INodeExecutionData[][];
	const mark = (entry?.metadata as IDataObject | undefined)?.smsRouteWait as
		{ waitFor: string[] } | undefined;
	return { delivered, notDelivered, timedOut, waitFor: mark?.waitFor ?? [] };
}

afterEach(() => {
	jest.restoreAllMocks();
	sandbox().configure({ echoMetadata: true, stepMs: 200 });
});

describe('Send and Wait: its own messages, by the keys it kept', () => {
	it('a key another execution used seconds ago (double-submitted OTP form, no metadata) leaves at once instead of waiting until the limit', async () => {
		sandbox().configure({ echoMetadata: false, stepMs: 3_600_000 });
		const otp = waitParams({}, { idempotencyKey: 'otp-session-7' });
		const first = await runSmsRoute({
			items: recipients(1),
			parameters: otp,
			credentials: credentials(),
			executionId: 'form-1',
		});
		expect(first.run.status).toBe('waiting');
		const second = await runSmsRoute({
			items: recipients(1),
			parameters: otp,
			credentials: credentials(),
			executionId: 'form-2',
		});
		expect(charged()).toHaveLength(1);
		// Nothing of its own to wait for: the replayed message's events go to form-1's wait.
		expect(second.run.waitTill).toBeUndefined();
		const [, , timedOut] = second.run.data.resultData.runData['SMS Route'][0].data
			?.main as INodeExecutionData[][];
		expect(timedOut.map((item) => item.json.idempotencyReplay)).toEqual([true]);
	});

	it("Retry On Fail more than 300 s after the first try still waits for the first try's messages (no metadata)", async () => {
		sandbox().configure({ echoMetadata: false, stepMs: 3_600_000 });
		// The first try sends message 1, then smsroute fails message 2; n8n retries the node an
		// hour later (n8n's clock and smsroute's move on together).
		sandbox().queueFaults(['ok', '503']);
		const realNow = Date.now.bind(Date);
		jest
			.spyOn(Date, 'now')
			.mockImplementation(
				() => realNow() + ((sandbox().stats().responses['503'] ?? 0) > 0 ? 3_600_000 : 0),
			);
		const { run, error } = await runSmsRoute({
			items: recipients(2),
			parameters: waitParams(),
			credentials: credentials(),
			retryOnFail: { maxTries: 2, waitBetweenTries: 0 },
		});
		expect(error).toBeUndefined();
		expect(charged()).toHaveLength(2);
		const { timedOut, waitFor } = waitState(run);
		expect(timedOut.map((item) => item.json.idempotencyReplay)).toEqual([undefined, undefined]);
		expect(waitFor).toEqual(
			sandbox()
				.ledger()
				.map((entry) => entry.id),
		);
	});
});

describe('Send and Wait with Campaign ID', () => {
	it('two identical rows are one message: sent once, both wait for it, the second marked duplicateOf', async () => {
		sandbox().configure({ stepMs: 3_600_000 });
		const [row] = recipients(1);
		const { run, error } = await runSmsRoute({
			items: [row, row],
			parameters: waitParams({ campaignId: 'otp-2026' }),
			credentials: credentials(),
		});
		expect(error).toBeUndefined();
		expect(charged()).toHaveLength(1);
		const { timedOut, waitFor } = waitState(run);
		expect(waitFor).toEqual([sandbox().ledger()[0].id]);
		expect(timedOut.map((item) => [item.json.id, item.json.duplicateOf])).toEqual([
			[waitFor[0], undefined],
			[waitFor[0], 0],
		]);
	});
	it('rows whose metadata differ only in an integer beyond 2^53 are two messages; the same metadata reordered is one (issue 31)', async () => {
		sandbox().configure({ stepMs: 3_600_000 });
		const [row] = recipients(1);
		const { run, error } = await runSmsRoute({
			items: [
				{ ...row, meta: '{"order":9007199254740993,"shop":"eu"}' },
				{ ...row, meta: '{"order":9007199254740992,"shop":"eu"}' },
				{ ...row, meta: '{"shop":"eu","order":9007199254740993}' },
			],
			parameters: waitParams({ campaignId: 'otp-2026' }, { metadata: '={{ $json.meta }}' }),
			credentials: credentials(),
		});
		expect(error).toBeUndefined();
		expect(charged()).toHaveLength(2);
		const { timedOut, waitFor } = waitState(run);
		expect(waitFor).toEqual(
			sandbox()
				.ledger()
				.map((entry) => entry.id),
		);
		expect(timedOut.map((item) => [item.json.id, item.json.duplicateOf])).toEqual([
			[waitFor[0], undefined],
			[waitFor[1], undefined],
			[waitFor[0], 0],
		]);
	});
});

describe("Send and Wait: n8n's Retry of a failed wait", () => {
	it('charges each recipient once; what the failed run sent is settled at once, the rest is waited for', async () => {
		sandbox().configure({ echoMetadata: false, stepMs: 5 });
		const items = recipients(4);
		sandbox().down({ to: [items[2].to] });
		const failed = await runSmsRoute({
			items,
			parameters: waitParams(),
			credentials: credentials(),
			executionId: 'wait-failed',
		});
		expect(failed.error).toBeDefined();
		expect(charged()).toHaveLength(2);
		sandbox().heal();
		await sleep(50);
		sandbox().configure({ stepMs: 3_600_000 });
		const retried = await runSmsRoute({
			items,
			parameters: waitParams(),
			credentials: credentials(),
			executionId: 'wait-retry',
			retryOf: failed.run,
		});
		expect(retried.error).toBeUndefined();
		expect([...charged()].sort()).toEqual(items.map((item) => item.to).sort());
		const { delivered, timedOut, waitFor } = waitState(retried.run);
		// Their delivery events went to the failed execution's resume URL: looked up instead.
		expect(delivered.map((item) => [item.json.to, item.json.idempotencyReplay])).toEqual([
			[items[0].to, true],
			[items[1].to, true],
		]);
		expect(timedOut.map((item) => item.json.to)).toEqual([items[2].to, items[3].to]);
		expect(waitFor).toHaveLength(2);
	});
});

describe("Max Messages per Execution in n8n's Retry", () => {
	it('the retry of a run that was within the cap is within it too (replayed messages are not counted again)', async () => {
		const items = recipients(10);
		const params = {
			resource: 'message',
			operation: 'send',
			to: '={{ $json.to }}',
			body: '={{ $json.body }}',
			options: { maxAttempts: 1, concurrency: 1, maxMessagesPerExecution: 10 },
		};
		sandbox().down({ to: [items[6].to] });
		const failed = await runSmsRoute({
			items,
			parameters: params,
			credentials: credentials(),
			typeVersion: 1.1,
		});
		expect(failed.error).toBeDefined();
		sandbox().heal();
		const retried = await runSmsRoute({
			items,
			parameters: params,
			credentials: credentials(),
			typeVersion: 1.1,
			retryOf: failed.run,
		});
		expect(retried.error).toBeUndefined();
		expect(charged()).toHaveLength(10);
	});
});
