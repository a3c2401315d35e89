/**
 * Issue 25: n8n's Retry of a failed execution sends nothing twice. A retry is a new execution
 * (new id, mode "retry") that continues from the failed one's saved data, so keys made from the
 * execution id changed and smsroute sent every message again. Run by n8n-core's WorkflowExecute
 * against the sandbox, whose ledger counts the charges independently of what the node reports;
 * the retry is made the way n8n's cli makes it (test/helpers/runWorkflow.ts, retryOf).
 */
import { createHash } from 'node:crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { prepareMessages } from '../../../nodes/SmsRoute/actions/message/prepareMessages';
import { automaticKeys } from '../../../nodes/SmsRoute/sending/idempotency';
import { runSmsRoute } from '../../helpers/runWorkflow';
import { useSandboxRun } from '../../helpers/sandboxRun';

const { sandbox, credentials, charged } = useSandboxRun();

const recipients = (count: number) =>
	Array.from({ length: count }, (_, i) => ({
		to: `+447400${100001 + i}`,
		body: `Hello ${i + 1}`,
	}));

const params = (operation: string, options: IDataObject = {}, body = '={{ $json.body }}') => ({
	resource: 'message',
	operation,
	to: '={{ $json.to }}',
	body,
	// One attempt: the "down" recipient fails the run at once.
	options: { maxAttempts: 1, ...options },
});

/** How often the sandbox charged each number. */
function chargesPerNumber(): Map<string, number> {
	const counts = new Map<string, number>();
	for (const to of charged()) counts.set(to, (counts.get(to) ?? 0) + 1);
	return counts;
}

function expectEachChargedOnce(items: Array<{ to: string }>) {
	const counts = chargesPerNumber();
	expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
	expect(counts.size).toBe(items.length);
}

describe("n8n's Retry of a failed execution", () => {
	for (const [operation, options, down] of [
		['send', { concurrency: 1 }, 20],
		['sendBulk', { chunkSize: 10, concurrency: 1 }, 20],
	] as const) {
		it(`${operation}: the retry replays what the failed run sent and sends the rest, each charged once`, async () => {
			const items = recipients(30);
			sandbox().down({ to: [items[down].to] });
			const failed = await runSmsRoute({
				items,
				parameters: params(operation, options),
				credentials: credentials(),
				executionId: 'exec-failed',
			});
			expect(failed.error).toBeDefined();
			expect(charged()).toHaveLength(down);

			sandbox().heal();
			const retried = await runSmsRoute({
				items,
				parameters: params(operation, options),
				credentials: credentials(),
				executionId: 'exec-retry',
				retryOf: failed.run,
			});
			expect(retried.error).toBeUndefined();
			expectEachChargedOnce(items);
			expect(retried.output).toHaveLength(30);
			for (const item of retried.output!) expect(item.json.id).toEqual(expect.any(String));
			// Replayed items carry the original message ids.
			const ledgerIds = new Set(
				sandbox()
					.ledger()
					.map((entry) => entry.id),
			);
			for (const item of retried.output!) expect(ledgerIds.has(String(item.json.id))).toBe(true);
		});
	}

	it('a retry of a retry still charges each recipient once', async () => {
		const items = recipients(30);
		const options = { concurrency: 1 };
		sandbox().down({ to: [items[10].to] });
		const first = await runSmsRoute({
			items,
			parameters: params('send', options),
			credentials: credentials(),
			executionId: 'exec-1',
		});
		expect(first.error).toBeDefined();
		sandbox().heal();
		sandbox().down({ to: [items[20].to] });
		const second = await runSmsRoute({
			items,
			parameters: params('send', options),
			credentials: credentials(),
			executionId: 'exec-2',
			retryOf: first.run,
		});
		expect(second.error).toBeDefined();
		expect(chargesPerNumber().size).toBe(20);
		sandbox().heal();
		const third = await runSmsRoute({
			items,
			parameters: params('send', options),
			credentials: credentials(),
			executionId: 'exec-3',
			retryOf: second.run,
		});
		expect(third.error).toBeUndefined();
		expectEachChargedOnce(items);
	});

	it('"currently saved workflow": a message the user changed is a new message (sent), an unchanged one replays', async () => {
		const items = recipients(30);
		const options = { concurrency: 1 };
		sandbox().down({ to: [items[20].to] });
		const failed = await runSmsRoute({
			items,
			parameters: params('send', options),
			credentials: credentials(),
			executionId: 'exec-a',
		});
		expect(failed.error).toBeDefined();
		sandbox().heal();
		// The saved workflow now fixes a typo in the first ten messages only.
		const edited = '={{ $itemIndex < 10 ? $json.body + " (fixed)" : $json.body }}';
		const retried = await runSmsRoute({
			items,
			parameters: params('send', options, edited),
			credentials: credentials(),
			executionId: 'exec-b',
			retryOf: failed.run,
		});
		expect(retried.error).toBeUndefined();
		const counts = chargesPerNumber();
		expect(items.slice(0, 10).map((item) => counts.get(item.to))).toEqual(Array(10).fill(2));
		expect(items.slice(10).map((item) => counts.get(item.to))).toEqual(Array(20).fill(1));
	});
});

describe("The Sending Window in n8n's Retry", () => {
	it('a deferred item keeps its key in the retry (the Wait loop sends it later with that key)', async () => {
		const hour = new Date().getUTCHours();
		const pad = (h: number) => String(h % 24).padStart(2, '0');
		// A one-hour window two hours from now (UTC): every item is deferred but the one pinned.
		const guardrails = {
			sendingWindow: `${pad(hour + 2)}:00-${pad(hour + 3)}:00`,
			sendingWindowTimeZone: 'UTC',
		};
		const items = recipients(3);
		const run = async (extra: IDataObject) =>
			await runSmsRoute({
				items,
				parameters: {
					...params('send', { concurrency: 1 }),
					guardrails,
					...extra,
				},
				credentials: credentials(),
				typeVersion: 1.1,
			});
		const failed = await run({ body: '={{ $itemIndex === 2 ? $json.nope.fail : $json.body }}' });
		expect(failed.error).toBeDefined();
		const retry = async (executionId: string) =>
			await runSmsRoute({
				items,
				parameters: { ...params('send', { concurrency: 1 }), guardrails },
				credentials: credentials(),
				typeVersion: 1.1,
				executionId,
				retryOf: failed.run,
			});
		// Two retries of the failed execution (new ids both) and another execution.
		const [first, second, fresh] = [await retry('qh-r1'), await retry('qh-r2'), await run({})];
		expect(first.output!.map((item) => item.json.status)).toEqual(Array(3).fill('deferred'));
		const keys = (result: typeof first) => result.output!.map((item) => item.json.idempotencyKey);
		expect(keys(second)).toEqual(keys(first));
		expect(keys(fresh)).not.toEqual(keys(first));
		expect(charged()).toHaveLength(0);
	});
});

describe('automatic keys outside a retry', () => {
	it('are byte for byte what 0.2.0 made (instance, workflow, execution, node, run, item, message)', () => {
		const context = {
			getExecutionId: () => 'exec-1',
			getNode: () => ({ id: 'node-a', name: 'SMS Route' }),
			runIndex: 2,
			getWorkflow: () => ({ id: 'wf-1' }),
			getInstanceId: () => 'inst-1',
			getContext: () => ({}),
		} as unknown as IExecuteFunctions;
		const message = { to: '+15551234567', body: 'hi', from: 'ACME', metadata: { order: 1 } };
		// 0.2.0's formula, written out independently.
		const seedHash = createHash('sha256');
		for (const part of ['inst-1', 'wf-1', 'exec-1', 'node-a', '2'])
			seedHash.update(part).update('\u0000');
		const seed = seedHash.digest('hex').slice(0, 32);
		const content = JSON.stringify([3, message.to, message.body, message.from, message.metadata]);
		const expected = `n8n_${createHash('sha256').update(seed).update(content).digest('hex').slice(0, 32)}`;
		expect(automaticKeys(context)(3, message)).toBe(expected);
	});

	it('an n8n that does not give the run index stops the run once, before any item (Continue On Fail too)', () => {
		const context = {
			getExecutionId: () => 'exec-1',
			getNode: () => ({ id: 'node-a', name: 'SMS Route', typeVersion: 1 }),
			getWorkflow: () => ({ id: 'wf-1' }),
			getInstanceId: () => 'inst-1',
			getContext: () => ({}),
			continueOnFail: () => true,
			getNodeParameter: (name: string, _i: number, fallback: unknown) =>
				({ to: '+447400100001', body: 'hi' })[name] ?? fallback,
		} as unknown as IExecuteFunctions;
		expect(() => prepareMessages(context, [{ json: {} }, { json: {} }])).toThrow(/run index/);
	});
});
