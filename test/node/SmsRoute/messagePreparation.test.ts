/**
 * Message preparation options (Default Country, Smart Encoding, Max Segments) through the whole
 * node, run by n8n-core against the sandbox. The sandbox ledger is what was actually charged:
 * it shows which numbers and bodies went out, independently of what the node reports.
 */
import type { IDataObject } from 'n8n-workflow';

import { runSmsRoute } from '../../helpers/runWorkflow';

import {
	createSandbox,
	DEFAULT_TEST_KEY,
	DEFAULT_LIVE_KEY,
	type Sandbox,
} from '../../sandbox/server';

let sandbox: Sandbox;
let baseUrl: string;

const SEND_PARAMS = { resource: 'message', to: '={{ $json.to }}', body: '={{ $json.body }}' };
const credentials = () => ({
	environment: 'test',
	testApiKey: DEFAULT_TEST_KEY,
	liveApiKey: DEFAULT_LIVE_KEY,
	baseUrl,
});
const json = (output: Array<{ json: IDataObject }> | undefined) =>
	(output ?? []).map((o) => o.json);

beforeAll(async () => {
	sandbox = createSandbox({ port: 0, seed: 11 });
	({ baseUrl } = await sandbox.start());
});
afterAll(async () => {
	await sandbox.stop();
});
beforeEach(() => sandbox.reset());

describe('Default Country', () => {
	const spreadsheet = [
		{ to: '07400 123456', body: 'national with trunk prefix' },
		{ to: '7400123456', body: 'leading zero eaten' },
		{ to: '447400123456', body: 'plus missing' },
		{ to: '0033 6 12 34 56 78', body: 'French, 00 prefix' },
		{ to: '+44 7400 123456', body: 'already E.164 with spaces' },
		{ to: '+447400123457', body: 'already E.164' },
	];
	const e164 = [
		'+447400123456',
		'+447400123456',
		'+447400123456',
		'+33612345678',
		'+447400123456',
		'+447400123457',
	];

	it.each(['send', 'sendBulk'])(
		'%s sends spreadsheet numbers as E.164 and shows what came in',
		async (operation) => {
			const { output, error } = await runSmsRoute({
				items: spreadsheet,
				parameters: { ...SEND_PARAMS, operation, options: { defaultCountry: 'GB' } },
				credentials: credentials(),
			});
			expect(error).toBeUndefined();
			expect(json(output).map((j) => j.to)).toEqual(e164);
			expect(json(output).map((j) => j.toInput)).toEqual([
				...spreadsheet.slice(0, 5).map((i) => i.to),
				undefined,
			]);
			const sentTo = new Map(sandbox.ledger().map((entry) => [entry.body, entry.to]));
			expect(spreadsheet.map((item) => sentTo.get(item.body))).toEqual(e164);
		},
	);

	it('without it, national numbers stay errors as before', async () => {
		const { error } = await runSmsRoute({
			items: [
				{ to: '+447400123456', body: 'ok' },
				{ to: '07400 123456', body: 'national' },
			],
			parameters: { ...SEND_PARAMS, operation: 'sendBulk' },
			credentials: credentials(),
		});
		expect(error?.message).toMatch(/Item 1: 'To' must be an E\.164 phone number/);
		expect(sandbox.ledger()).toHaveLength(0);
	});

	it('an invalid number stops the run before anything is sent, naming item, value and reason', async () => {
		const { error } = await runSmsRoute({
			items: [
				{ to: '07400 123456', body: 'fine' },
				{ to: '07400 12345', body: 'one digit short' },
			],
			parameters: { ...SEND_PARAMS, operation: 'send', options: { defaultCountry: 'GB' } },
			credentials: credentials(),
		});
		expect(error?.message).toBe(
			'Item 1: \'To\' is not a valid GB number (10 digits; GB numbers have 7, 9 or 10 digits after the trunk prefix 0) nor an international number with its country code (got "07400 12345")',
		);
		expect(sandbox.ledger()).toHaveLength(0);
	});

	it('with Continue On Fail the invalid number is an error item and the rest go out', async () => {
		const { output } = await runSmsRoute({
			items: [
				{ to: '07400 12345', body: 'short' },
				{ to: '07400 123456', body: 'fine' },
			],
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', options: { defaultCountry: 'GB' } },
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(json(output)[0]).toMatchObject({
			itemIndex: 0,
			error: expect.stringContaining("Item 0: 'To' is not a valid GB number"),
		});
		expect(json(output)[1]).toMatchObject({ to: '+447400123456', status: 'queued' });
		expect(sandbox.ledger().map((entry) => entry.to)).toEqual(['+447400123456']);
	});

	it('can come from each item (expression), and an unknown code is an error naming the field', async () => {
		const { output } = await runSmsRoute({
			items: [
				{ to: '06 12 34 56 78', country: 'FR', body: 'a' },
				{ to: '(201) 555-0123', country: 'US', body: 'b' },
				{ to: '0612345678', country: 'France', body: 'c' },
			],
			parameters: {
				...SEND_PARAMS,
				operation: 'send',
				options: { defaultCountry: '={{ $json.country }}' },
			},
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(json(output).map((j) => j.to ?? j.error)).toEqual([
			'+33612345678',
			'+12015550123',
			'Item 2: \'Default Country\' must be an ISO 3166-1 alpha-2 country code like GB, US or DE (got "France")',
		]);
	});
});

describe('encoding on every output', () => {
	it('Send, Send in Bulk and Dry Run report encoding, segments and the characters that forced UCS-2', async () => {
		const items = [
			{ to: '+15005550001', body: 'plain' },
			{ to: '+15005550001', body: 'It’s “done” 😀' },
		];
		for (const [operation, dryRun] of [
			['send', false],
			['sendBulk', false],
			['sendBulk', true],
		] as const) {
			const { output } = await runSmsRoute({
				items,
				parameters: { ...SEND_PARAMS, operation, options: { dryRun } },
				credentials: credentials(),
			});
			expect(json(output).map((j) => [j.encoding, j.segments, j.nonGsmCharacters])).toEqual([
				['GSM-7', 1, []],
				['UCS-2', 1, ['’', '“', '”', '😀']],
			]);
		}
	});
});

describe('Smart Encoding', () => {
	const pasted = `${'Your parcel is on its way. '.repeat(4)}We’ll text you “before” we arrive – thanks…`;

	it('sends look-alikes as GSM-7 and charges fewer parts, reporting how many were replaced', async () => {
		const plain = await runSmsRoute({
			items: [{ to: '+15005550001', body: pasted }],
			parameters: { ...SEND_PARAMS, operation: 'send' },
			credentials: credentials(),
		});
		const smart = await runSmsRoute({
			items: [{ to: '+15005550001', body: pasted }],
			parameters: { ...SEND_PARAMS, operation: 'send', options: { smartEncoding: true } },
			credentials: credentials(),
		});
		expect(json(plain.output)[0]).toMatchObject({ encoding: 'UCS-2', segments: 3 });
		expect(json(plain.output)[0].replacedCharacters).toBeUndefined();
		expect(json(smart.output)[0]).toMatchObject({
			encoding: 'GSM-7',
			segments: 1,
			replacedCharacters: 5,
			nonGsmCharacters: [],
		});
		const [charged, chargedSmart] = sandbox.ledger();
		expect(charged.credits).toBe(3);
		expect(chargedSmart.credits).toBe(1);
		expect(chargedSmart.body).toContain('We\'ll text you "before" we arrive - thanks...');
	});

	it('leaves a message with an emoji as written (UCS-2 carries it at no extra cost)', async () => {
		const { output } = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'It’s here 😀' }],
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', options: { smartEncoding: true } },
			credentials: credentials(),
		});
		expect(json(output)[0]).toMatchObject({ encoding: 'UCS-2', replacedCharacters: 0 });
		expect(sandbox.ledger()[0].body).toBe('It’s here 😀');
	});
});

describe('Max Segments', () => {
	const long = `Dear customer – ${'x'.repeat(80)}`; // the en dash makes it UCS-2: 96 units, 2 parts

	it.each(['send', 'sendBulk', 'sendAndWait'])(
		'%s: a message over the limit stops the node before anything is sent',
		async (operation) => {
			const { error } = await runSmsRoute({
				items: [
					{ to: '+15005550001', body: 'short' },
					{ to: '+15005550001', body: long },
				],
				parameters: { ...SEND_PARAMS, operation, options: { maxSegments: 1 } },
				credentials: credentials(),
			});
			expect(error?.message).toBe(
				"Item 1: 'Body' needs 2 parts as UCS-2 (96 UTF-16 units), more than Max Segments 1; UCS-2 because of – (Smart Encoding replaces look-alikes such as curly quotes and dashes)",
			);
			expect(sandbox.ledger()).toHaveLength(0);
			expect(sandbox.stats().requests['POST /v1/messages'] ?? 0).toBe(0);
		},
	);

	it('with Continue On Fail it is an error item with encoding, parts and characters; the rest go out', async () => {
		const { output } = await runSmsRoute({
			items: [
				{ to: '+15005550001', body: long },
				{ to: '+15005550001', body: 'short' },
			],
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', options: { maxSegments: 1 } },
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(json(output)[0]).toMatchObject({
			itemIndex: 0,
			encoding: 'UCS-2',
			segments: 2,
			nonGsmCharacters: ['–'],
			error: expect.stringContaining("Item 0: 'Body' needs 2 parts as UCS-2"),
		});
		expect(sandbox.ledger().map((entry) => entry.body)).toEqual(['short']);
	});

	it('points to Smart Encoding only when it is off and would help', async () => {
		const { error } = await runSmsRoute({
			items: [{ to: '+15005550001', body: `“Party” ${'🎉'.repeat(40)}` }],
			parameters: {
				...SEND_PARAMS,
				operation: 'send',
				options: { maxSegments: 1, smartEncoding: true },
			},
			credentials: credentials(),
		});
		expect(error?.message).toBe(
			"Item 0: 'Body' needs 2 parts as UCS-2 (88 UTF-16 units), more than Max Segments 1; UCS-2 because of “ ” 🎉",
		);
	});

	it('counts after Smart Encoding, so the same message passes with it', async () => {
		const { output, error } = await runSmsRoute({
			items: [{ to: '+15005550001', body: long }],
			parameters: {
				...SEND_PARAMS,
				operation: 'send',
				options: { maxSegments: 1, smartEncoding: true },
			},
			credentials: credentials(),
		});
		expect(error).toBeUndefined();
		expect(json(output)[0]).toMatchObject({
			encoding: 'GSM-7',
			segments: 1,
			replacedCharacters: 1,
		});
	});
});

describe('Dry Run over a 10,000-row list: what Smart Encoding would save', () => {
	// A list as it comes from a document-based template: some rows pasted with typographic
	// punctuation, some plain, some with an emoji (which Smart Encoding cannot help).
	const templates = [
		(name: string) =>
			`Hi ${name}, your appointment is confirmed for Monday 10:30. Reply STOP to opt out.`,
		(name: string) =>
			`Hi ${name}, we’ve moved your appointment – it’s now Tuesday 14:00. See you then!`,
		(name: string) =>
			`Hello ${name}! “Spring sale” starts today… 20% off everything in store and online until Sunday – don’t miss it. Reply STOP to opt out.`,
		(name: string) => `${name}, your order has shipped 📦 and arrives tomorrow.`,
	];
	const rows = Array.from({ length: 10_000 }, (_, i) => ({
		to: `07400 ${String(100000 + i).slice(-6)}`,
		body: templates[i % templates.length](`Customer${i}`),
	}));

	it('reports segments before → after per row, and sends nothing', async () => {
		const started = Date.now();
		const { output, error } = await runSmsRoute({
			items: rows,
			parameters: {
				...SEND_PARAMS,
				operation: 'sendBulk',
				options: { dryRun: true, smartEncoding: true, defaultCountry: 'GB' },
			},
			credentials: credentials(),
		});
		const seconds = (Date.now() - started) / 1000;
		expect(error).toBeUndefined();
		const out = json(output);
		expect(out).toHaveLength(10_000);
		const before = out.reduce((sum, j) => sum + (j.segmentsWithoutSmartEncoding as number), 0);
		const after = out.reduce((sum, j) => sum + (j.segments as number), 0);
		const replaced = out.reduce((sum, j) => sum + (j.replacedCharacters as number), 0);
		// Per 4 rows: plain 1 → 1, pasted 2 → 1, sale 3 → 1, emoji 1 → 1 (UCS-2 either way).
		expect({ before, after }).toEqual({ before: 17_500, after: 10_000 });
		expect(
			out.every((j) => typeof j.to === 'string' && (j.to as string).startsWith('+447400')),
		).toBe(true);
		expect(sandbox.ledger()).toHaveLength(0);
		console.log(
			`Dry Run, 10,000 rows: ${before} segments as written → ${after} with Smart Encoding (${replaced} characters replaced) in ${seconds.toFixed(1)} s`,
		);
	});
});
