/**
 * Guardrails (issue 21): Allowed Countries, Block Number Types, Do Not Send To and Max Messages
 * per Execution, first as the small functions in sending/guards/messageChecks.ts, then through the whole node
 * run by n8n-core against the sandbox, whose ledger shows what was charged independently of
 * what the node reports. Both node versions: 1 (saved workflows: every guard off) and 1.1.
 */
import {
	NodeHelpers,
	Workflow,
	type IDataObject,
	type IExecuteFunctions,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
} from 'n8n-workflow';

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { countSent, overCap } from '../../../nodes/SmsRoute/sending/guards/maxMessagesCap';
import { prepareMessages } from '../../../nodes/SmsRoute/actions/message/prepareMessages';
import {
	allowedCountriesCheck,
	blockNumberTypesCheck,
	guardReport,
	NUMBER_TYPE_LABELS,
	verdictFor,
	type MessageCheck,
} from '../../../nodes/SmsRoute/sending/guards/messageChecks';
import {
	doNotSendToCheck,
	readDoNotSendTo,
} from '../../../nodes/SmsRoute/sending/guards/doNotSendTo';
import countryTable from '../../../nodes/SmsRoute/sending/numbers/countryTable.generated.json';
import { SmsRoute } from '../../../nodes/SmsRoute/SmsRoute.node';
import { runSmsRoute } from '../../helpers/runWorkflow';
import { useSandboxRun } from '../../helpers/sandboxRun';
import { outgoingMessage } from '../../helpers/outgoingMessage';

const message = outgoingMessage;

const UK_PREMIUM = '+449012345678';
const UK_MOBILE = '+447400123456';
const FR_SHARED_COST = '+33810123456';
const US_LANDLINE_OR_MOBILE = '+12015550123';
const EGYPT = '+20155501234'; // what 0.2.0 made of US "(201) 555-0123 4"

describe('the guards, one message at a time', () => {
	it('Allowed Countries refuses every other country, naming number and country; empty allows all', () => {
		const check = allowedCountriesCheck(new Set(['US', 'GB']))!;
		expect(check.check(message(US_LANDLINE_OR_MOBILE))).toEqual({ action: 'send' });
		expect(check.check(message(UK_MOBILE))).toEqual({ action: 'send' });
		expect(check.check(message(EGYPT))).toEqual({
			action: 'refuse',
			guard: 'allowedCountries',
			problem: '+20155501234 is in Egypt (EG), not one of the Allowed Countries (GB, US)',
		});
		// +44 7624 is the Isle of Man: same calling code as GB, another country.
		expect(check.check(message('+447624369230'))).toMatchObject({
			action: 'refuse',
			problem: expect.stringContaining('Isle of Man (IM)'),
		});
		expect(check.check(message('+80012345678'))).toMatchObject({
			action: 'refuse',
			problem: expect.stringContaining('no country'),
		});
		expect(allowedCountriesCheck(new Set())).toBeUndefined();
	});

	it('Block Number Types refuses the types named, and "fixed line or mobile" only when both are', () => {
		const premium = blockNumberTypesCheck(new Set(['premiumRate', 'sharedCost']))!;
		expect(premium.check(message(UK_PREMIUM))).toEqual({
			action: 'refuse',
			guard: 'blockNumberTypes',
			problem:
				'+449012345678 is a premium rate number in United Kingdom (GB), blocked by Block Number Types',
		});
		expect(premium.check(message(FR_SHARED_COST))).toMatchObject({
			problem: expect.stringContaining('shared cost number in France (FR)'),
		});
		expect(premium.check(message(UK_MOBILE)).action).toBe('send');
		expect(premium.check(message('+19002345678')).action).toBe('refuse'); // US 900

		const landlines = blockNumberTypesCheck(new Set(['fixedLine']))!;
		expect(landlines.check(message('+442079460018')).action).toBe('refuse');
		expect(landlines.check(message(US_LANDLINE_OR_MOBILE)).action).toBe('send');
		const both = blockNumberTypesCheck(new Set(['fixedLine', 'mobile']))!;
		expect(both.check(message(US_LANDLINE_OR_MOBILE)).action).toBe('refuse');
	});

	it('Do Not Send To holds a listed number as skipped, not as an error', () => {
		const check = doNotSendToCheck(new Set([UK_MOBILE]))!;
		expect(check.check(message(UK_MOBILE))).toEqual({
			action: 'hold',
			guard: 'doNotSendTo',
			fields: { status: 'skipped', skipReason: 'doNotSendTo' },
		});
		expect(check.check(message('+447400123457')).action).toBe('send');
	});

	it('the first guard that objects decides; Dry Run reports every guard', () => {
		const checks = [
			allowedCountriesCheck(new Set(['FR'])),
			doNotSendToCheck(new Set([UK_MOBILE])),
		] as MessageCheck[];
		expect(verdictFor(message(UK_MOBILE), checks).action).toBe('refuse');
		expect(guardReport(message(UK_MOBILE), checks)).toEqual({
			allowedCountries: expect.stringMatching(/^refuse: .*United Kingdom \(GB\)/),
			doNotSendTo: 'skipped: doNotSendTo',
		});
		expect(guardReport(message('+33612345678'), checks)).toEqual({
			allowedCountries: 'pass',
			doNotSendTo: 'pass',
		});
	});
});

describe('the number types', () => {
	it('Block Number Types offers every type the generated metadata has, and "fixed line or mobile"', () => {
		expect(Object.keys(NUMBER_TYPE_LABELS).sort()).toEqual(
			[...countryTable.numberTypes, 'fixedLineOrMobile'].sort(),
		);
	});
});

describe('reading a Do Not Send To list', () => {
	it('takes an array (from an expression) or text, read with the Default Country', () => {
		const fromExpression = readDoNotSendTo(
			['07400 123456', '+44 7400 123457', 447400123458, null, { phone: 'x' }, ['+33612345678']],
			'GB',
		);
		for (const number of ['+447400123456', '+447400123457', '+447400123458', '+33612345678'])
			expect(fromExpression.has(number)).toBe(true);
		const fromText = readDoNotSendTo('07400 123456, 07400-123457\n\n0033 6 12 34 56 78;', 'GB');
		for (const number of ['+447400123456', '+447400123457', '+33612345678'])
			expect(fromText.has(number)).toBe(true);
	});

	it('lists every reading of an unclear entry, so an opt-out is never missed', () => {
		// Under US a foreign number without "+" is not sent as such, but an opt-out written that
		// way must still match the message that has the "+".
		expect(readDoNotSendTo('447400123456', 'US').has('+447400123456')).toBe(true);
		expect(readDoNotSendTo('(201) 555-0123', 'US').has('+12015550123')).toBe(true);
	});

	it('is empty for nothing, and ignores what cannot be a number', () => {
		expect(readDoNotSendTo('', 'GB').size).toBe(0);
		expect(readDoNotSendTo(undefined, 'GB').size).toBe(0);
		expect(readDoNotSendTo(' , \n', 'GB').size).toBe(0);
	});
});

describe('Max Messages per Execution across runs of the node (the loop pattern)', () => {
	/** The node context n8n keeps for one execution: the same object on every run. */
	function execution(): IExecuteFunctions {
		const nodeContext: IDataObject = {};
		return { getContext: () => nodeContext } as unknown as IExecuteFunctions;
	}

	const keys = (prefix: string, count: number) =>
		Array.from({ length: count }, (_, i) => `${prefix}${i}`);

	it('counts every run of the node in one execution, and starts from 0 in the next', () => {
		const first = execution();
		expect(overCap(first, 5, keys('a', 3))).toBeUndefined();
		countSent(first, keys('a', 3)); // loop, run 1
		expect(overCap(first, 5, keys('b', 2))).toBeUndefined();
		countSent(first, keys('b', 2)); // loop, run 2
		expect(overCap(first, 5, keys('c', 1))).toBe(
			'1 messages to send after 5 sent by earlier runs of this node in this execution: more than Max Messages per Execution (5)',
		);
		expect(overCap(execution(), 5, keys('a', 5))).toBeUndefined();
		expect(overCap(execution(), 0, keys('a', 100))).toBeUndefined();
	});

	it('does not count a message again whose key was already counted (a replay: Retry, Retry On Fail, a re-run round)', () => {
		const context = execution();
		countSent(context, keys('a', 3));
		// The same three again (replayed by smsroute, nothing charged) plus two new ones.
		expect(overCap(context, 5, [...keys('a', 3), ...keys('b', 2)])).toBeUndefined();
		countSent(context, [...keys('a', 3), ...keys('b', 2)]);
		expect(overCap(context, 5, keys('a', 3))).toBeUndefined();
		expect(overCap(context, 5, keys('c', 1))).toMatch(/^1 messages to send after 5 sent/);
	});
});

describe('reading the Guardrails', () => {
	it('evaluates the Guardrails collection (and so a Do Not Send To expression) once per run, not per item', () => {
		const options = { defaultCountry: 'US' };
		const guardrails = { doNotSendTo: "={{ $('Opt-outs').all().map(i => i.json.phone) }}" };
		const evaluated: Array<[string, number]> = [];
		const node = { id: 'n', name: 'SMS Route', typeVersion: 1.1 };
		const parameters: IDataObject = {
			to: '={{ $json.to }}',
			body: 'hi',
			additionalFields: {},
			options,
			guardrails,
		};
		const context = {
			getNode: () => node,
			getExecutionId: () => 'e',
			getWorkflow: () => ({ id: 'w' }),
			getInstanceId: () => 'i',
			runIndex: 0,
			continueOnFail: () => false,
			getContext: () => ({}),
			getNodeParameter(name: string, itemIndex: number, fallback: unknown, opts?: IDataObject) {
				const [head, key] = name.split('.');
				const raw = key ? ((parameters[head] as IDataObject)?.[key] ?? fallback) : parameters[head];
				if (opts?.rawExpressions) return raw;
				evaluated.push([name, itemIndex]);
				if (name === 'guardrails') return { ...guardrails, doNotSendTo: ['+12015550101'] };
				return raw;
			},
		} as unknown as IExecuteFunctions;
		const items = [0, 1, 2].map((i) => ({ json: { to: `+1201555010${i}` } }));
		const { valid } = prepareMessages(context, items);
		expect(valid.map((m) => m.to)).toEqual(['+12015550100', '+12015550102']);
		expect(evaluated.filter(([name]) => name === 'guardrails')).toEqual([['guardrails', 0]]);
		expect(evaluated.filter(([name]) => name === 'options')).toEqual([]);
	});
});

describe('the node versions', () => {
	it('is version 1.1 when added now, and still runs version 1', () => {
		const { description } = new SmsRoute();
		expect(description.version).toEqual([1, 1.1]);
		expect(description.defaultVersion).toBe(1.1);
	});
});

describe('as an AI agent tool', () => {
	/** The tool variant n8n makes of a usableAsTool node: the same properties, name + "Tool". */
	function toolDescriptionFor(guardrails: IDataObject, typeVersion = 1.1): string {
		const base = new SmsRoute();
		const tool = {
			...base,
			description: { ...base.description, name: 'smsRouteTool', inputs: [], outputs: ['ai_tool'] },
		} as unknown as INodeType;
		const nodeTypes = {
			getByName: () => tool,
			getByNameAndVersion: () => tool,
			getKnownTypes: () => ({}),
		} as unknown as INodeTypes;
		const workflow = new Workflow({
			nodes: [
				{
					id: 'tool',
					name: 'Send SMS',
					type: 'n8n-nodes-smsroute.smsRouteTool',
					typeVersion,
					position: [0, 0],
					parameters: {
						resource: 'message',
						operation: 'send',
						to: '+15005550001',
						body: 'x',
						guardrails: guardrails as INodeParameters,
					},
				},
			],
			connections: {},
			active: false,
			nodeTypes,
		});
		// The Workflow fills in defaults, as n8n does before it builds the tool.
		const node = workflow.getNode('Send SMS')!;
		return String(
			NodeHelpers.getToolDescriptionForNode(node, tool, () =>
				String(
					workflow.expression.getParameterValue(
						node.parameters.toolDescription as string,
						null,
						0,
						0,
						node.name,
						[],
						'manual',
						{},
					),
				),
			),
		);
	}

	it('tells the agent which countries it may send to', () => {
		const described = toolDescriptionFor({ allowedCountries: ['GB', 'IE'] });
		expect(described).toContain('It can only send to numbers in these countries (ISO codes');
		expect(described).toContain('): GB, IE. Any other number is refused.');
		expect(described).toContain('GB does not include Guernsey, Jersey or the Isle of Man');
		expect(toolDescriptionFor({})).not.toContain('only send to');
		expect(toolDescriptionFor({})).toContain('E.164');
	});

	// Issue 26: it said premium rate and shared cost were refused on every node, but version 1
	// blocks nothing unless Block Number Types says so.
	it('names the blocked number types the node really blocks, by version', () => {
		const blocks = 'Numbers of these types are refused';
		expect(toolDescriptionFor({}, 1)).not.toContain(blocks);
		expect(toolDescriptionFor({}, 1)).not.toContain('premium');
		expect(toolDescriptionFor({}, 1.1)).toContain(`${blocks}: premium rate, shared cost.`);
		expect(toolDescriptionFor({ blockNumberTypes: ['tollFree'] }, 1)).toContain(
			`${blocks}: toll-free.`,
		);
		expect(toolDescriptionFor({ blockNumberTypes: [] }, 1.1)).not.toContain(blocks);
	});

	it('mentions opt-outs, the cap and the Sending Window only when set', () => {
		const none = toolDescriptionFor({});
		expect(none).not.toMatch(/opt-out|At most|Sending Window/);
		const all = toolDescriptionFor({
			doNotSendTo: '+447400123456',
			maxMessagesPerExecution: 5,
			sendingWindow: '08:00-21:00',
		});
		expect(all).toContain('A number on the opt-out list is skipped, not sent.');
		expect(all).toContain('At most 5 messages per workflow execution');
		expect(all).toContain("Sending Window (08:00-21:00 in the recipient's local time)");
	});

	it('has the Guardrails collection on every sending operation, the tool variant included', () => {
		const { properties } = new SmsRoute().description;
		const guardrails = properties.filter((p) => p.name === 'guardrails');
		expect(guardrails.map((p) => p.displayOptions?.show?.operation)).toEqual([
			['send'],
			['sendAndWait'],
			['sendBulk'],
		]);
		// Nothing hides it from the tool (n8n's tool variant keeps the node's properties).
		expect(guardrails.every((p) => p.displayOptions?.hide === undefined)).toBe(true);
		const names = (p: (typeof guardrails)[number]) => (p.options ?? []).map((o) => o.name);
		const guards = [
			'allowedCountries',
			'blockNumberTypes',
			'doNotSendTo',
			'maxMessagesPerExecution',
		];
		expect(names(guardrails[0])).toEqual([...guards, 'sendingWindow', 'sendingWindowTimeZone']);
		expect(names(guardrails[1])).toEqual(guards);
		expect(names(guardrails[2])).toEqual(names(guardrails[0]));
		// Options keeps its 0.1.0 and 0.2.0 entries and none of the guards.
		const options = properties.filter((p) => p.name === 'options');
		for (const collection of options)
			expect(names(collection as never)).not.toEqual(
				expect.arrayContaining([
					expect.stringMatching(
						/^(allowedCountries|blockNumberTypes|doNotSendTo|maxMessagesPerExecution|sendingWindow)/,
					),
				]),
			);
	});

	it('is shown only on the tool variant, one default per node version', () => {
		const properties = new SmsRoute().description.properties.filter(
			(p) => p.name === 'toolDescription',
		);
		expect(properties.map((p) => p.displayOptions?.show?.['@tool'])).toEqual([[true], [true]]);
		expect(properties.map((p) => p.displayOptions?.show?.['@version'])).toEqual([
			[1],
			[{ _cnd: { gte: 1.1 } }],
		]);
	});
});

describe('the guards in a run (n8n-core and the sandbox ledger)', () => {
	const { sandbox, credentials, charged } = useSandboxRun(21);
	const params = (operation: string, guardrails: IDataObject = {}, options: IDataObject = {}) => ({
		resource: 'message',
		operation,
		to: '={{ $json.to }}',
		body: '={{ $json.body }}',
		guardrails,
		options,
	});

	const mixed = [
		{ to: '+15005550001', body: 'a' },
		{ to: UK_PREMIUM, body: 'premium' },
		{ to: FR_SHARED_COST, body: 'shared cost' },
		{ to: '+15005550003', body: 'b' },
	];

	it.each(['send', 'sendBulk'])(
		'%s, version 1.1: premium rate and shared cost are refused by default, the rest sent',
		async (operation) => {
			const { output } = await runSmsRoute({
				items: mixed,
				parameters: params(operation),
				credentials: credentials(),
				typeVersion: 1.1,
				continueOnFail: true,
			});
			const json = output!.map((item) => item.json);
			expect(json[1]).toMatchObject({
				itemIndex: 1,
				to: UK_PREMIUM,
				country: 'GB',
				numberType: 'premiumRate',
				refusedBy: 'blockNumberTypes',
				error:
					"Item 1: 'To' +449012345678 is a premium rate number in United Kingdom (GB), blocked by Block Number Types",
			});
			expect(json[2]).toMatchObject({ numberType: 'sharedCost', refusedBy: 'blockNumberTypes' });
			expect(output!.map((item) => item.pairedItem)).toEqual(
				[0, 1, 2, 3].map((item) => ({ item })),
			);
			expect(charged()).toEqual(['+15005550001', '+15005550003']);
		},
	);

	it('version 1 (a saved 0.2.0 workflow) sends them as before: every new option is off', async () => {
		const { output, error } = await runSmsRoute({
			items: mixed,
			parameters: params('sendBulk'),
			credentials: credentials(),
			typeVersion: 1,
		});
		expect(error).toBeUndefined();
		expect(output!.map((item) => item.json.status)).toEqual([
			'queued',
			'queued',
			'queued',
			'queued',
		]);
		expect(output![1].json).not.toHaveProperty('numberType');
		expect(charged()).toHaveLength(4);
	});

	it('the saved 0.1.0 bulk example (fixture) still sends a premium-rate number: every new option is off', async () => {
		const saved = JSON.parse(
			readFileSync(join(__dirname, '../../fixtures/saved-0.1.0/bulk-otp-send.json'), 'utf8'),
		) as { nodes: Array<{ name: string; typeVersion: number; parameters: IDataObject }> };
		const node = saved.nodes.find((n) => n.name === 'Send in Bulk')!;
		const { output, error } = await runSmsRoute({
			items: [
				{ name: 'Ada', phone: '+15005550001', code: '123456' },
				{ name: 'Prem', phone: UK_PREMIUM, code: '654321' },
			],
			parameters: node.parameters,
			credentials: credentials(),
			typeVersion: node.typeVersion,
		});
		expect(node.typeVersion).toBe(1);
		expect(error).toBeUndefined();
		expect(output!.map((item) => item.json.status)).toEqual(['queued', 'queued']);
		expect(charged()).toEqual(['+15005550001', UK_PREMIUM]);
	});

	it('version 1 with Block Number Types set blocks what it names', async () => {
		const { error } = await runSmsRoute({
			items: mixed,
			parameters: params('send', { blockNumberTypes: ['sharedCost'] }),
			credentials: credentials(),
		});
		expect(error?.message).toContain("Item 2: 'To' +33810123456 is a shared cost number");
		expect(charged()).toEqual([]);
	});

	it('Allowed Countries without Continue On Fail stops the run before anything is sent', async () => {
		const { error } = await runSmsRoute({
			items: [
				{ to: '+15005550001', body: 'US' },
				{ to: '(201) 555-0123', body: 'US national' },
				{ to: UK_MOBILE, body: 'GB' },
			],
			parameters: params('sendBulk', { allowedCountries: ['US', 'CA'] }, { defaultCountry: 'US' }),
			credentials: credentials(),
			typeVersion: 1.1,
		});
		expect(error?.message).toBe(
			"Item 2: 'To' +447400123456 is in United Kingdom (GB), not one of the Allowed Countries (CA, US)",
		);
		expect(charged()).toEqual([]);
	});

	it('a number with a digit too many is refused, not sent abroad, even in version 1', async () => {
		const { error } = await runSmsRoute({
			items: [{ to: '(201) 555-0123 4', body: 'typo' }],
			parameters: params('send', {}, { defaultCountry: 'US' }),
			credentials: credentials(),
		});
		expect(error?.message).toMatch(/^Item 0: 'To' is not a valid US number/);
		expect(charged()).toEqual([]);
	});

	it.each(['send', 'sendBulk'])(
		'%s: Do Not Send To from an expression skips the listed recipients, in order, charging nothing for them',
		async (operation) => {
			const { output, error } = await runSmsRoute({
				items: [
					{
						to: '07400 123456',
						body: 'opted out (national)',
						optOuts: ['+447400123456', '07400 123458'],
					},
					{ to: '+447400123457', body: 'sent' },
					{ to: '+44 7400 123458', body: 'opted out' },
				],
				parameters: params(
					operation,
					{ doNotSendTo: "={{ $('Items').first().json.optOuts }}" },
					{ defaultCountry: 'GB' },
				),
				credentials: credentials(),
				typeVersion: 1.1,
			});
			expect(error).toBeUndefined();
			expect(output!.map((item) => [item.json.to, item.json.status, item.json.skipReason])).toEqual(
				[
					['+447400123456', 'skipped', 'doNotSendTo'],
					['+447400123457', 'queued', undefined],
					['+447400123458', 'skipped', 'doNotSendTo'],
				],
			);
			expect(output![0].json).not.toHaveProperty('error');
			expect(output![0].json).not.toHaveProperty('id');
			expect(charged()).toEqual(['+447400123457']);
		},
	);

	it('Do Not Send To as text, one number per line', async () => {
		const { output } = await runSmsRoute({
			items: [
				{ to: '+15005550001', body: 'skipped' },
				{ to: '+15005550003', body: 'sent' },
			],
			parameters: params('sendBulk', { doNotSendTo: '+1 500 555 0001\n+1 500 555 0002' }),
			credentials: credentials(),
		});
		expect(output!.map((item) => item.json.status)).toEqual(['skipped', 'queued']);
		expect(charged()).toEqual(['+15005550003']);
	});

	it('Max Messages per Execution refuses a run that would go over before anything is sent', async () => {
		const items = Array.from({ length: 4 }, (_, i) => ({ to: `+1201555010${i}`, body: `m${i}` }));
		const over = await runSmsRoute({
			items,
			parameters: params('send', { maxMessagesPerExecution: 3 }),
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(over.output!.map((item) => [item.json.error, item.json.refusedBy])).toEqual(
			items.map(() => [
				'This run has 4 messages to send: more than Max Messages per Execution (3)',
				'maxMessagesPerExecution',
			]),
		);
		const thrown = await runSmsRoute({
			items,
			parameters: params('sendBulk', { maxMessagesPerExecution: 3 }),
			credentials: credentials(),
		});
		expect(thrown.error?.message).toBe(
			'This run has 4 messages to send: more than Max Messages per Execution (3)',
		);
		expect(charged()).toEqual([]);

		// Skipped and refused items are not counted: 4 items, 1 opted out, 3 sent.
		const atCap = await runSmsRoute({
			items,
			parameters: params('sendBulk', {
				maxMessagesPerExecution: 3,
				doNotSendTo: '+12015550100',
			}),
			credentials: credentials(),
		});
		expect(atCap.error).toBeUndefined();
		expect(charged()).toHaveLength(3);
	});

	it('Dry Run reports, per item, what each guard would do, and sends nothing', async () => {
		const items = [
			{ to: '+15005550001', body: 'fine' },
			{ to: UK_PREMIUM, body: 'premium' },
			{ to: '+33612345678', body: 'France' },
			{ to: '+15005550003', body: 'opted out' },
		];
		const { output, error } = await runSmsRoute({
			items,
			parameters: params(
				'sendBulk',
				{ allowedCountries: ['US', 'GB'], doNotSendTo: '+15005550003', maxMessagesPerExecution: 1 },
				{ dryRun: true },
			),
			credentials: credentials(),
			typeVersion: 1.1,
		});
		expect(error).toBeUndefined();
		const json = output!.map((item) => item.json);
		expect(json.map((j) => [j.dryRun, j.wouldSend, j.country, j.numberType])).toEqual([
			[true, true, 'US', 'personalNumber'],
			[true, false, 'GB', 'premiumRate'],
			[true, false, 'FR', 'mobile'],
			[true, false, 'US', 'personalNumber'],
		]);
		expect(json[1].guards).toEqual({
			allowedCountries: 'pass',
			blockNumberTypes: expect.stringMatching(/^refuse: .*premium rate/),
			doNotSendTo: 'pass',
		});
		expect(json[2].guards).toMatchObject({ allowedCountries: expect.stringMatching(/^refuse/) });
		expect(json[3].guards).toMatchObject({ doNotSendTo: 'skipped: doNotSendTo' });
		expect(json[0].guards).toMatchObject({ maxMessagesPerExecution: 'pass' });
		expect(charged()).toEqual([]);
	});

	it('Send and Wait applies the guards before sending; a skipped item leaves on Not Delivered', async () => {
		const { run, error } = await runSmsRoute({
			items: [
				{ to: '+15005550001', body: 'sent' },
				{ to: '+15005550003', body: 'opted out' },
			],
			parameters: params('sendAndWait', { doNotSendTo: '+15005550003' }),
			credentials: credentials(),
			typeVersion: 1.1,
		});
		expect(error).toBeUndefined();
		expect(charged()).toEqual(['+15005550001']);
		const [entry] = run.data.executionData?.nodeExecutionStack ?? [];
		const notDelivered = (entry.data.main[1] ?? []).map((item) => item.json);
		expect(notDelivered).toEqual([
			expect.objectContaining({ to: '+15005550003', status: 'skipped', skipReason: 'doNotSendTo' }),
		]);

		sandbox().reset();
		const refused = await runSmsRoute({
			items: [{ to: UK_MOBILE, body: 'GB' }],
			parameters: params('sendAndWait', { allowedCountries: ['US'] }),
			credentials: credentials(),
		});
		expect(refused.error?.message).toContain('not one of the Allowed Countries (US)');
		expect(charged()).toEqual([]);
	});

	it('a 200 kB CSV row in To or Default Country is quoted as a short prefix, not echoed whole', async () => {
		const row = `07400 123456;${'x'.repeat(200_000)}`;
		const { output } = await runSmsRoute({
			items: [
				{ to: row, body: 'a', country: 'GB' },
				{ to: '07400 123456', body: 'b', country: row },
			],
			parameters: params('send', {}, { defaultCountry: '={{ $json.country }}' }),
			credentials: credentials(),
			continueOnFail: true,
		});
		for (const item of output!) {
			expect(String(item.json.error).length).toBeLessThan(300);
			expect(item.json.error).toContain('(200013 characters)');
		}
		expect(charged()).toEqual([]);
	});

	it('an Allowed Countries code that is not a country stops the run, naming it', async () => {
		const { error } = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'x' }],
			parameters: params('send', { allowedCountries: 'US, Germany' }),
			credentials: credentials(),
		});
		expect(error?.message).toBe(
			'\'Allowed Countries\' has "GERMANY", not an ISO 3166-1 alpha-2 code like GB',
		);
		expect(charged()).toEqual([]);
	});

	describe('with the Sending Window (issues 22, 26): the guards first, then the window', () => {
		// A window open now in UTC (an hour either side) is closed twelve hours east of it
		// (Tarawa: UTC+12 all year).
		const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
		const window = `${hhmm(Date.now() - 3_600_000)}-${hhmm(Date.now() + 3_600_000)}`;
		const items = [
			{ to: '+15005550001', body: 'open', zone: 'UTC' },
			{ to: UK_PREMIUM, body: 'premium', zone: 'Pacific/Tarawa' },
			{ to: '+15005550003', body: 'closed', zone: 'Pacific/Tarawa' },
			{ to: '+15005550002', body: 'opted out', zone: 'Pacific/Tarawa' },
		];
		const guardrails = {
			sendingWindow: window,
			sendingWindowTimeZone: '={{ $json.zone }}',
			doNotSendTo: '+15005550002',
			maxMessagesPerExecution: 1,
		};

		it('a refused or skipped item stays so; a deferred one is not counted against the cap', async () => {
			const { output, error } = await runSmsRoute({
				items,
				parameters: params('sendBulk', guardrails),
				credentials: credentials(),
				typeVersion: 1.1,
				continueOnFail: true,
			});
			expect(error).toBeUndefined();
			const json = output!.map((item) => item.json);
			expect(
				json.map((j) => j.status ?? (j.refusedBy ? `refused: ${j.refusedBy}` : j.error)),
			).toEqual(['queued', 'refused: blockNumberTypes', 'deferred', 'skipped']);
			expect(json[2].sendAfter).toEqual(
				expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00(\.000)?Z$/),
			);
			expect(json[3].skipReason).toBe('doNotSendTo');
			expect(charged()).toEqual(['+15005550001']);
		});

		it('Dry Run reports the Sending Window among the guards', async () => {
			const { output } = await runSmsRoute({
				items,
				parameters: params('send', guardrails, { dryRun: true }),
				credentials: credentials(),
				typeVersion: 1.1,
			});
			const json = output!.map((item) => item.json);
			expect(json.map((j) => [j.dryRun, j.wouldSend, j.status === 'deferred'])).toEqual([
				[true, true, false],
				[true, false, false],
				[true, false, true],
				[true, false, false],
			]);
			expect(json[2].guards).toMatchObject({
				blockNumberTypes: 'pass',
				doNotSendTo: 'pass',
				sendingWindow: 'deferred: sendingWindow',
			});
			expect(json[1].guards).toMatchObject({ blockNumberTypes: expect.stringMatching(/^refuse/) });
			expect(charged()).toEqual([]);
		});
	});
});
