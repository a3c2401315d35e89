/**
 * Issue 25: the Campaign ID option. A re-run of the whole workflow (after a crash, a stopped
 * execution, or when n8n can no longer retry) is a new execution with an empty node context, so
 * only keys made from the campaign and the message survive it. Checked against the sandbox's
 * ledger, independently of what the node reports.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { prepareMessages } from '../../../nodes/SmsRoute/actions/message/prepareMessages';
import { runSmsRoute } from '../../helpers/runWorkflow';
import { useSandboxRun } from '../../helpers/sandboxRun';

const { sandbox, credentials, charged } = useSandboxRun();

const recipients = (count: number) =>
	Array.from({ length: count }, (_, i) => ({ to: `+447400${200001 + i}`, body: `Hi ${i + 1}` }));

const params = (operation: string, options: IDataObject = {}) => ({
	resource: 'message',
	operation,
	to: '={{ $json.to }}',
	body: '={{ $json.body }}',
	options: { maxAttempts: 1, ...options },
});

describe('Campaign ID: running the workflow again', () => {
	for (const operation of ['send', 'sendBulk']) {
		it(`${operation}: a stopped campaign run again (a new execution) sends only what had not gone out`, async () => {
			const items = recipients(30);
			const options = { campaignId: 'newsletter-2026-12', concurrency: 1, chunkSize: 10 };
			sandbox().down({ to: [items[20].to] });
			const stopped = await runSmsRoute({
				items,
				parameters: params(operation, options),
				credentials: credentials(),
				executionId: 'exec-crashed',
			});
			expect(stopped.error).toBeDefined();
			expect(charged()).toHaveLength(20);
			sandbox().heal();
			const again = await runSmsRoute({
				items,
				parameters: params(operation, options),
				credentials: credentials(),
				executionId: 'exec-rerun',
			});
			expect(again.error).toBeUndefined();
			expect([...charged()].sort()).toEqual(items.map((item) => item.to).sort());
			expect(again.output!.map((item) => item.json.campaignId)).toEqual(
				Array(30).fill('newsletter-2026-12'),
			);
			expect(again.output!.every((item) => typeof item.json.id === 'string')).toBe(true);
		});
	}

	it('without Campaign ID the same re-run sends everything again (the keys come from the execution)', async () => {
		const items = recipients(5);
		await runSmsRoute({ items, parameters: params('send'), credentials: credentials() });
		await runSmsRoute({ items, parameters: params('send'), credentials: credentials() });
		expect(charged()).toHaveLength(10);
	});

	it('another campaign, or a changed message, is a new message', async () => {
		const items = recipients(2);
		await runSmsRoute({
			items,
			parameters: params('send', { campaignId: 'a' }),
			credentials: credentials(),
		});
		await runSmsRoute({
			items,
			parameters: params('send', { campaignId: 'b' }),
			credentials: credentials(),
		});
		await runSmsRoute({
			items: items.map((item) => ({ ...item, body: `${item.body}!` })),
			parameters: params('send', { campaignId: 'a' }),
			credentials: credentials(),
		});
		expect(charged()).toHaveLength(6);
	});

	for (const operation of ['send', 'sendBulk']) {
		it(`${operation}: two identical rows in one campaign are sent once; the second is marked duplicateOf, not an error`, async () => {
			const items = [
				{ to: '+447400300001', body: 'Sale!' },
				{ to: '+447400300002', body: 'Sale!' },
				{ to: '07400 300001', body: 'Sale!' },
			];
			const { output, error } = await runSmsRoute({
				items,
				parameters: params(operation, {
					campaignId: 'sale',
					defaultCountry: 'GB',
					maxMessagesPerExecution: 2,
				}),
				credentials: credentials(),
				typeVersion: 1.1,
			});
			expect(error).toBeUndefined();
			expect(charged()).toEqual(['+447400300001', '+447400300002']);
			const [first, , third] = output!.map((item) => item.json);
			expect(third).toMatchObject({
				id: first.id,
				status: first.status,
				to: '+447400300001',
				toInput: '07400 300001',
				idempotencyKey: first.idempotencyKey,
				duplicateOf: 0,
			});
			expect(third.error).toBeUndefined();
			expect(output![2].pairedItem).toEqual({ item: 2 });
			expect(first.duplicateOf).toBeUndefined();
		});
	}

	it('the Idempotency Key field still wins over the Campaign ID', async () => {
		const { output } = await runSmsRoute({
			items: recipients(1),
			parameters: {
				...params('send', { campaignId: 'c' }),
				additionalFields: { idempotencyKey: 'order-1' },
			},
			credentials: credentials(),
		});
		expect(output![0].json.idempotencyKey).toBe('order-1');
	});

	it('a Campaign ID that is not text names the item and the field', async () => {
		const { error } = await runSmsRoute({
			items: recipients(1),
			parameters: params('send', { campaignId: '={{ { a: 1 } }}' }),
			credentials: credentials(),
		});
		expect(error?.message).toMatch(/^Item 0: 'Campaign ID' must be text/);
		expect(charged()).toHaveLength(0);
	});
});

describe('as an AI agent tool with Retry On Fail', () => {
	/** What n8n-core's tool invocation hands the node: a new run index for every try. */
	function toolTry(runIndex: number, nodeContext: IDataObject): IExecuteFunctions {
		const parameters: IDataObject = {
			to: '+447400400001',
			body: 'Your table is ready',
			additionalFields: {},
			options: { maxMessagesPerExecution: 1 },
		};
		return {
			getNode: () => ({ id: 'sms', name: 'SMS Route', typeVersion: 1.1 }),
			getExecutionId: () => 'exec-agent',
			getWorkflow: () => ({ id: 'wf' }),
			getInstanceId: () => 'inst',
			runIndex,
			isToolExecution: () => true,
			continueOnFail: () => false,
			getContext: () => nodeContext,
			getNodeParameter: (name: string, _itemIndex: number, fallback: unknown) =>
				parameters[name] ?? fallback,
		} as unknown as IExecuteFunctions;
	}

	it('a retry (new run index) makes the same key, and is not refused by Max Messages 1 as "Nothing was sent"', () => {
		const nodeContext: IDataObject = {};
		const items = [{ json: {} }];
		const first = prepareMessages(toolTry(0, nodeContext), items);
		expect(first.valid).toHaveLength(1);
		// The first try's answer was lost; n8n-core tries again with the next run index.
		const retry = prepareMessages(toolTry(1, nodeContext), items);
		expect(retry.valid.map((m) => m.idempotencyKey)).toEqual(
			first.valid.map((m) => m.idempotencyKey),
		);
	});
});

/**
 * Issue 31, section 3: a campaign key means the message, not how its metadata was spelt. The
 * metadata comes from the items (`{{ $json.meta }}`): JSON text, read as written, or an object.
 */
describe('Campaign ID: keys mean the message, not its JSON spelling', () => {
	const withMetadata = (operation: string, options: IDataObject = {}) => ({
		...params(operation, { campaignId: 'spring-orders', concurrency: 1, ...options }),
		additionalFields: { metadata: '={{ $json.meta }}' },
	});
	const orders = (count: number, spell: (i: number) => string | IDataObject): IDataObject[] =>
		Array.from({ length: count }, (_, i) => ({
			to: `+447400${600001 + i}`,
			body: `Order ${i + 1} shipped`,
			meta: spell(i),
		}));

	for (const operation of ['send', 'sendBulk']) {
		it(`${operation}: the campaign run again with its metadata keys in another order (every depth) charges nothing twice`, async () => {
			const typed = orders(3, (i) =>
				JSON.stringify({ order: `A-${i}`, customer: { id: i, tier: 'gold', tags: ['vip', 'eu'] } }),
			);
			const first = await runSmsRoute({
				items: typed,
				parameters: withMetadata(operation),
				credentials: credentials(),
				executionId: 'orders-1',
			});
			expect(first.error).toBeUndefined();
			// The same orders, their metadata an object with every object's keys reversed.
			const reordered = orders(3, (i) => ({
				customer: { tags: ['vip', 'eu'], tier: 'gold', id: i },
				order: `A-${i}`,
			}));
			const again = await runSmsRoute({
				items: reordered,
				parameters: withMetadata(operation),
				credentials: credentials(),
				executionId: 'orders-2',
			});
			expect(again.error).toBeUndefined();
			expect(charged()).toHaveLength(3);
			expect(again.output!.map((item) => item.json.idempotencyKey)).toEqual(
				first.output!.map((item) => item.json.idempotencyKey),
			);
		});

		it(`${operation}: two orders that differ only in an integer beyond 2^53 are both sent; the same metadata reordered is one message`, async () => {
			const row = { to: '+447400610001', body: 'Your order shipped' };
			const items = [
				{ ...row, meta: '{"order":9007199254740993,"shop":"eu"}' },
				{ ...row, meta: '{"order":9007199254740992,"shop":"eu"}' },
				{ ...row, meta: '{"shop":"eu","order":9007199254740993}' },
			];
			const { output, error } = await runSmsRoute({
				items,
				parameters: withMetadata(operation),
				credentials: credentials(),
			});
			expect(error).toBeUndefined();
			expect(charged()).toHaveLength(2);
			const [first, second, third] = output!.map((item) => item.json);
			expect(second.duplicateOf).toBeUndefined();
			expect(second.idempotencyKey).not.toBe(first.idempotencyKey);
			expect(third).toMatchObject({ duplicateOf: 0, id: first.id });
		});
	}

	it('an integer beyond 2^53 - 1 that reached the node as a number is refused before anything is sent, naming the item and the field', async () => {
		// The Items node hands these over as numbers, as n8n does with any parsed JSON.
		const items = orders(3, (i) => ({ order: i === 1 ? 2 ** 53 + 2 : i }));
		const stopped = await runSmsRoute({
			items,
			parameters: withMetadata('sendBulk'),
			credentials: credentials(),
		});
		expect(stopped.error?.message).toBe(
			'Item 1: \'Metadata\' holds the number 9007199254740994 at order, beyond 9007199254740991 (2^53 - 1): it reached this node as a number, whose last digits may already be lost, and two different values could then be taken for one message. Send such numbers as text, e.g. {"orderId": "9007199254740993"}, taken from where they are still exact (a number n8n read from JSON has already lost them)',
		);
		expect(charged()).toHaveLength(0);
		const { output } = await runSmsRoute({
			items,
			parameters: withMetadata('sendBulk'),
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(charged()).toEqual([items[0].to, items[2].to]);
		expect(output![1].json.error).toMatch(/^Item 1: 'Metadata' holds the number 9007199254740994/);
	});
});
