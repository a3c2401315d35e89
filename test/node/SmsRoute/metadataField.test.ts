/**
 * Issue 16, item 2: Metadata is a JSON field (n8n's JSON editor, type 'json'). It takes an object
 * typed as JSON, an expression that returns an object, or one that returns JSON text, and
 * workflows saved before (which wrote `{{ JSON.stringify({…}) }}`) run unchanged.
 *
 * The saved workflows are the examples as they were saved with 0.1.0 (test/fixtures/saved-0.1.0/),
 * their SMS Route nodes' parameters taken byte for byte, run by n8n-core's WorkflowExecute
 * (test/helpers/runWorkflow.ts) against the sandbox, whose ledger records what was sent.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, INode } from 'n8n-workflow';

import { messageFields } from '../../../nodes/SmsRoute/actions/message/fields';
import { runSmsRoute } from '../../helpers/runWorkflow';

import {
	createSandbox,
	DEFAULT_TEST_KEY,
	DEFAULT_LIVE_KEY,
	type Sandbox,
} from '../../sandbox/server';

let sandbox: Sandbox;
let baseUrl: string;

const ROOT = path.resolve(__dirname, '..', '..', '..');
const credentials = () => ({
	environment: 'test',
	testApiKey: DEFAULT_TEST_KEY,
	liveApiKey: DEFAULT_LIVE_KEY,
	baseUrl,
});

function workflowNode(file: string, name: string): INode {
	const workflow = JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as { nodes: INode[] };
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`${file} has no node "${name}"`);
	return node;
}

// What the bulk example's "Recipients" Code node returns (its codes are random; fixed here).
const RECIPIENTS: IDataObject[] = [
	{ name: 'Ada', phone: '+15005550001', code: '123456' },
	{ name: 'Grace', phone: '+15005550002', code: '234567' },
	{ name: 'Linus "Tux"', phone: '+15005550003', code: '345678' },
];

/** One run; what each item sent, in input order (the ledger is in charge order). */
async function sent(parameters: IDataObject, items = RECIPIENTS, workflowId = 'wf-metadata') {
	sandbox.reset();
	const { output, error } = await runSmsRoute({
		items,
		parameters,
		credentials: credentials(),
		workflowId,
		executionId: 'exec-1',
	});
	const byId = new Map(sandbox.ledger().map((entry) => [entry.id, entry]));
	return { error, output, ledger: (output ?? []).map((item) => byId.get(item.json.id as string)) };
}

beforeAll(async () => {
	sandbox = createSandbox({ port: 0, seed: 16 });
	({ baseUrl } = await sandbox.start());
});

afterAll(async () => {
	await sandbox.stop();
});

describe('Metadata field', () => {
	it('is a JSON field (n8n JSON editor) under its public name, metadata', () => {
		const additional = messageFields.find((p) => p.name === 'additionalFields');
		const metadata = (additional?.options as Array<{ name: string; type: string }>).find(
			(o) => o.name === 'metadata',
		);
		expect(metadata?.type).toBe('json');
	});

	it('a bulk workflow saved with 0.1.0 (JSON.stringify expression) runs unchanged and sends the same metadata', async () => {
		const saved = workflowNode('test/fixtures/saved-0.1.0/bulk-otp-send.json', 'Send in Bulk');
		expect((saved.parameters.additionalFields as IDataObject).metadata).toBe(
			'={{ JSON.stringify({ campaign: "example-otp", name: $json.name }) }}',
		);
		const { error, ledger } = await sent(saved.parameters as IDataObject);
		expect(error).toBeUndefined();
		expect(ledger.map((entry) => entry?.metadata)).toEqual(
			RECIPIENTS.map((r) => ({ campaign: 'example-otp', name: r.name })),
		);
	});

	it('a send workflow saved with 0.1.0 runs unchanged: same metadata, same idempotency key', async () => {
		const saved = workflowNode(
			'test/fixtures/saved-0.1.0/retry-failed-sms.json',
			'Send fresh message',
		);
		const items = [{ id: 'msg_original0000001', to: '+15005550001', body: 'hello again' }];
		const { error, ledger } = await sent(saved.parameters as IDataObject, items);
		expect(error).toBeUndefined();
		expect(ledger[0]).toMatchObject({
			metadata: { retryOf: 'msg_original0000001' },
			idempotencyKey: 'retry-msg_original0000001',
		});
	});

	it('an expression returning an object sends the same metadata and the same automatic keys as the saved JSON text', async () => {
		const saved = workflowNode('test/fixtures/saved-0.1.0/bulk-otp-send.json', 'Send in Bulk');
		const before = await sent(saved.parameters as IDataObject);
		const parameters = {
			...saved.parameters,
			additionalFields: { metadata: '={{ { campaign: "example-otp", name: $json.name } }}' },
		};
		const after = await sent(parameters);
		expect(after.error).toBeUndefined();
		expect(after.ledger.map((e) => e?.metadata)).toEqual(before.ledger.map((e) => e?.metadata));
		// Keys are made from the message's metadata object, not from how it was written: a retry
		// after switching to the object form is still the same message, charged once.
		expect(after.ledger.map((e) => e?.idempotencyKey)).toEqual(
			before.ledger.map((e) => e?.idempotencyKey),
		);
	});

	it.each([
		['bulk-otp-send', 'Send in Bulk', RECIPIENTS],
		[
			'retry-failed-sms',
			'Send fresh message',
			[{ id: 'msg_original0000002', to: '+15005550002', body: 'again' }],
		],
	])(
		'the example %s as shipped now (object form) sends what its 0.1.0 version sent',
		async (name, node, items) => {
			const saved = workflowNode(`test/fixtures/saved-0.1.0/${name}.json`, node);
			const current = workflowNode(`examples/${name}.json`, node);
			expect((current.parameters.additionalFields as IDataObject).metadata).not.toMatch(
				/JSON\.stringify/,
			);
			const before = await sent(saved.parameters as IDataObject, items);
			const after = await sent(current.parameters as IDataObject, items);
			expect(after.error).toBeUndefined();
			expect(after.ledger.map((e) => [e?.metadata, e?.idempotencyKey])).toEqual(
				before.ledger.map((e) => [e?.metadata, e?.idempotencyKey]),
			);
		},
	);

	it.each([
		[
			'JSON typed in the editor',
			'{\n  "campaign": "spring",\n  "tier": 2\n}',
			{ campaign: 'spring', tier: 2 },
		],
		[
			'an object from an expression',
			'={{ { campaign: "spring", tier: 2 } }}',
			{ campaign: 'spring', tier: 2 },
		],
		[
			'JSON text from an expression',
			'={{ JSON.stringify({ campaign: "spring", tier: 2 }) }}',
			{ campaign: 'spring', tier: 2 },
		],
		[
			'JSON with an inline expression',
			'={"campaign": "{{ $json.campaign }}", "tier": 2}',
			{ campaign: 'spring', tier: 2 },
		],
		['an input field holding an object', '={{ $json.meta }}', { campaign: 'spring', tier: 2 }],
		['an input field holding JSON text', '={{ $json.metaText }}', { campaign: 'spring', tier: 2 }],
	])('accepts %s', async (_what, metadata, expected) => {
		const items = [
			{
				to: '+15005550001',
				body: 'hi',
				campaign: 'spring',
				meta: { campaign: 'spring', tier: 2 },
				metaText: '{"campaign":"spring","tier":2}',
			},
		];
		const { error, ledger } = await sent(
			{
				resource: 'message',
				operation: 'send',
				to: '={{ $json.to }}',
				body: '={{ $json.body }}',
				additionalFields: { metadata },
			},
			items,
		);
		expect(error).toBeUndefined();
		expect(ledger[0]?.metadata).toEqual(expected);
	});

	it.each([
		['an array', '={{ [1, 2] }}', /got an array/],
		['a number', '={{ 42 }}', /got a number/],
		['text that is not JSON', '={{ "campaign: spring" }}', /not valid JSON/],
		['JSON text of an array', '[1, 2]', /got an array/],
	])(
		'refuses %s before sending, naming the item and the field',
		async (_what, metadata, detail) => {
			const items = [
				{ to: '+15005550001', body: 'first' },
				{ to: '+15005550001', body: 'second' },
			];
			const parameters = {
				resource: 'message',
				operation: 'sendBulk',
				to: '={{ $json.to }}',
				body: '={{ $json.body }}',
				additionalFields: {
					metadata: `={{ $itemIndex === 1 ? ${metadata.startsWith('=') ? metadata.slice(4, -3) : JSON.stringify(metadata)} : {} }}`,
				},
			};
			const { error } = await sent(parameters, items);
			expect(error?.message).toMatch(/^Item 1: 'Metadata' must be a JSON object/);
			expect(error?.message).toMatch(detail);
			expect(sandbox.ledger()).toHaveLength(0);
		},
	);
});
