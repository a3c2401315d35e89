import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	readGuardrails,
	type RefuseItem,
	type Slot,
} from '../../../../../../nodes/SmsRoute/sending/guards/guardrails';
import {
	InvalidMessageError,
	type OutgoingMessage,
} from '../../../../../../nodes/SmsRoute/sending/outgoingMessage';
import { outgoingMessage } from '../../../../../helpers/outgoingMessage';

const UK_MOBILE = '+447400123456';
const UK_OTHER_MOBILE = '+447400123457';
const EGYPT = '+20155501234';

const message = outgoingMessage;

/** What messageSummary gives for these messages. */
const summary = (m: OutgoingMessage): IDataObject => ({
	to: m.to,
	idempotencyKey: m.idempotencyKey,
	encoding: 'GSM-7',
	segments: 1,
	nonGsmCharacters: [],
});

/**
 * A Send run's context with fixed parameters (no expressions): getNodeParameter resolves a
 * dotted name ("options.dryRun") as n8n does; the node context is kept, as n8n keeps it for the
 * whole execution.
 */
function run(
	guardrails: IDataObject,
	{ dryRun = false, nodeContext = {} as IDataObject } = {},
): IExecuteFunctions {
	const parameters: IDataObject = {
		operation: 'send',
		options: { dryRun },
		guardrails,
	};
	return {
		getNode: () => ({ id: 'n', name: 'SMS Route', typeVersion: 1.1 }),
		getContext: () => nodeContext,
		getNodeParameter(name: string, _itemIndex: number, fallback?: unknown) {
			let value: unknown = parameters;
			for (const key of name.split('.')) value = (value as IDataObject | undefined)?.[key];
			return value === undefined ? fallback : value;
		},
	} as unknown as IExecuteFunctions;
}

const items = (count: number): INodeExecutionData[] =>
	Array.from({ length: count }, () => ({ json: {} }));

/** The error a judgement throws (fails if it throws nothing). */
function refusal(judge: () => unknown): InvalidMessageError {
	try {
		judge();
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidMessageError);
		return error as InvalidMessageError;
	}
	throw new Error('expected the message to be refused');
}

describe('sending/guards/guardrails: the Guardrails of one run', () => {
	afterEach(() => jest.restoreAllMocks());

	it('refuses a message a guard refuses with an error naming the item, the To field and the guard', () => {
		const guardrails = readGuardrails(run({ allowedCountries: ['GB', 'US'] }), items(3));
		const egypt = message(EGYPT, 2);
		const error = refusal(() => guardrails.judge(egypt));
		expect(error.message).toBe(
			"Item 2: 'To' +20155501234 is in Egypt (EG), not one of the Allowed Countries (GB, US)",
		);
		expect(error.description).toBe(
			'Refused by the allowedCountries option; nothing was sent for this item.',
		);
		expect(error.details).toEqual({
			...summary(egypt),
			country: 'EG',
			numberType: egypt.numberType,
			refusedBy: 'allowedCountries',
		});
		expect(guardrails.judge(message(UK_MOBILE))).toEqual({
			sends: true,
			slot: message(UK_MOBILE),
		});
	});

	it('holds a Do Not Send To number as "skipped", not as an error, and not to be sent', () => {
		const guardrails = readGuardrails(run({ doNotSendTo: [UK_MOBILE] }), items(1));
		const judged = guardrails.judge(message(UK_MOBILE));
		expect(judged.sends).toBe(false);
		expect(judged.slot).toEqual({
			json: {
				...summary(message(UK_MOBILE)),
				country: 'GB',
				numberType: 'mobile',
				status: 'skipped',
				skipReason: 'doNotSendTo',
			},
			pairedItem: { item: 0 },
		});
		expect(guardrails.judge(message(UK_OTHER_MOBILE)).sends).toBe(true);
		expect(guardrails.reporting).toBe(false);
		expect(guardrails.runReport).toBeUndefined();
	});

	it('Dry Run refuses nothing: it keeps the message with what every guard would do, and reports unreadable opt-outs', () => {
		const settings = {
			allowedCountries: ['GB'],
			doNotSendTo: [UK_MOBILE, 'not a number'],
		};
		const guardrails = readGuardrails(run(settings, { dryRun: true }), items(2), {
			dryRun: true,
		});
		expect(guardrails.reporting).toBe(true);
		expect(guardrails.runReport).toEqual({
			doNotSendToUnreadableCount: 1,
			doNotSendToUnreadable: ['not a number'],
		});
		const egypt = message(EGYPT, 1);
		const judged = guardrails.judge(egypt);
		expect(judged).toEqual({ sends: false, slot: egypt });
		expect(egypt.guardReport).toEqual({
			allowedCountries:
				'refuse: +20155501234 is in Egypt (EG), not one of the Allowed Countries (GB)',
			blockNumberTypes: 'pass',
			doNotSendTo: 'pass',
		});
		const listed = message(UK_MOBILE);
		expect(guardrails.judge(listed)).toEqual({ sends: false, slot: listed });
		expect(listed.guardReport).toMatchObject({ doNotSendTo: 'skipped: doNotSendTo' });
		const passing = message(UK_OTHER_MOBILE);
		expect(guardrails.judge(passing)).toEqual({ sends: true, slot: passing });
		expect(Object.values(passing.guardReport!)).toEqual(['pass', 'pass', 'pass']);
	});

	describe('the Sending Window, last', () => {
		// 03:00 in London, outside 08:00-21:00; the window opens at 08:00 UTC (winter).
		const NOW = Date.parse('2026-01-15T03:00:00Z');
		const outside = {
			allowedCountries: ['GB'],
			doNotSendTo: [UK_MOBILE],
			sendingWindow: '08:00-21:00',
			sendingWindowTimeZone: 'Europe/London',
		};

		it('defers only a message every guard lets through', () => {
			jest.spyOn(Date, 'now').mockReturnValue(NOW);
			const guardrails = readGuardrails(run(outside), items(3));
			const passing = message(UK_OTHER_MOBILE, 2);
			const judged = guardrails.judge(passing);
			expect(judged.sends).toBe(false);
			expect(judged.slot).toEqual({
				json: {
					...summary(passing),
					status: 'deferred',
					sendAfter: '2026-01-15T08:00:00Z',
					sendingWindow: '08:00-21:00',
					timeZones: ['Europe/London'],
					sendingWindowTimeZone: 'Europe/London',
					body: 'hi',
				},
				pairedItem: { item: 2 },
			});
			// A refused or held message stays so: the window never sees it.
			expect(refusal(() => guardrails.judge(message(EGYPT))).details.refusedBy).toBe(
				'allowedCountries',
			);
			expect(
				(guardrails.judge(message(UK_MOBILE, 1)).slot as INodeExecutionData).json,
			).toMatchObject({ status: 'skipped', skipReason: 'doNotSendTo' });
		});

		it('sends a message inside the window', () => {
			jest.spyOn(Date, 'now').mockReturnValue(NOW);
			const guardrails = readGuardrails(
				run({ ...outside, sendingWindow: '02:00-04:00' }),
				items(1),
			);
			expect(guardrails.judge(message(UK_OTHER_MOBILE)).sends).toBe(true);
		});

		it('Dry Run: a deferred message says so among the guards; a refused one is not judged by the window', () => {
			jest.spyOn(Date, 'now').mockReturnValue(NOW);
			const guardrails = readGuardrails(run(outside, { dryRun: true }), items(2), {
				dryRun: true,
			});
			const judged = guardrails.judge(message(UK_OTHER_MOBILE));
			expect(judged.sends).toBe(false);
			expect((judged.slot as INodeExecutionData).json).toMatchObject({
				dryRun: true,
				status: 'deferred',
				wouldSend: false,
				guards: {
					allowedCountries: 'pass',
					blockNumberTypes: 'pass',
					doNotSendTo: 'pass',
					sendingWindow: 'deferred: sendingWindow',
				},
			});
			const egypt = message(EGYPT, 1);
			expect(guardrails.judge(egypt)).toEqual({ sends: false, slot: egypt });
			expect(egypt.guardReport).not.toHaveProperty('sendingWindow');
		});
	});

	describe('Max Messages per Execution', () => {
		const held: INodeExecutionData = { json: { status: 'skipped' }, pairedItem: { item: 3 } };
		const messages = () => [0, 1, 2].map((i) => message(UK_OTHER_MOBILE, i));
		/** Each refused item as an error item, as Continue On Fail makes it. */
		const calls: Array<Parameters<RefuseItem>> = [];
		const refuseItem: RefuseItem = (...call) => {
			calls.push(call);
			return { json: { error: call[1].message, ...call[2] }, pairedItem: { item: call[0] } };
		};
		beforeEach(() => (calls.length = 0));

		it('refuses every message of a run that would go over, and counts none', () => {
			const nodeContext: IDataObject = {};
			const guardrails = readGuardrails(
				run({ maxMessagesPerExecution: 2 }, { nodeContext }),
				items(4),
			);
			const unique = messages();
			const slots: Slot[] = [...unique, held];
			const capped = guardrails.withinCap(slots, unique, refuseItem);
			expect(capped.valid).toEqual([]);
			expect(calls.map(([itemIndex]) => itemIndex)).toEqual([0, 1, 2]);
			expect(calls[0][1].message).toBe(
				'This run has 3 messages to send: more than Max Messages per Execution (2)',
			);
			expect(calls[0][1].description).toBe(
				'Nothing was sent. Raise the option, or split the input over several executions.',
			);
			expect(calls[0][2]).toEqual({ ...summary(unique[0]), refusedBy: 'maxMessagesPerExecution' });
			expect(capped.slots[3]).toBe(held);
			expect(capped.slots.slice(0, 3).map((slot) => 'json' in slot)).toEqual([true, true, true]);
			expect(nodeContext.countedMessageKeys).toBeUndefined();
		});

		it('sends all of a run within the cap and counts their keys; a replayed key is not counted again', () => {
			const nodeContext: IDataObject = {};
			const first = readGuardrails(run({ maxMessagesPerExecution: 3 }, { nodeContext }), items(2));
			const unique = messages().slice(0, 2);
			expect(first.withinCap([...unique], unique, refuseItem)).toEqual({
				slots: unique,
				valid: unique,
			});
			expect(nodeContext.countedMessageKeys).toEqual(['k0', 'k1']);
			// The next run of the node in this execution: k1 again (a replay) and k2 fit.
			const next = readGuardrails(run({ maxMessagesPerExecution: 3 }, { nodeContext }), items(2));
			const again = [message(UK_OTHER_MOBILE, 1), message(UK_OTHER_MOBILE, 2)];
			expect(next.withinCap([...again], again, refuseItem).valid).toEqual(again);
			expect(nodeContext.countedMessageKeys).toEqual(['k0', 'k1', 'k2']);
			expect(calls).toEqual([]);
		});

		it('Dry Run reports what the cap would do on every message, refuses none and counts none', () => {
			const nodeContext: IDataObject = {};
			const over = readGuardrails(
				run({ maxMessagesPerExecution: 2, blockNumberTypes: [] }, { dryRun: true, nodeContext }),
				items(3),
				{ dryRun: true },
			);
			expect(over.reporting).toBe(true);
			const unique = messages();
			for (const m of unique) over.judge(m);
			const capped = over.withinCap([...unique], unique, refuseItem);
			expect(capped).toEqual({ slots: unique, valid: [] });
			expect(unique.map((m) => m.guardReport)).toEqual(
				unique.map(() => ({
					maxMessagesPerExecution:
						'refuse: 3 messages to send: more than Max Messages per Execution (2)',
				})),
			);

			const within = readGuardrails(
				run({ maxMessagesPerExecution: 3, blockNumberTypes: [] }, { dryRun: true, nodeContext }),
				items(3),
				{ dryRun: true },
			);
			const fresh = messages();
			for (const m of fresh) within.judge(m);
			expect(within.withinCap([...fresh], fresh, refuseItem).valid).toEqual(fresh);
			expect(fresh[0].guardReport).toEqual({ maxMessagesPerExecution: 'pass' });
			expect(calls).toEqual([]);
			expect(nodeContext.countedMessageKeys).toBeUndefined();
		});
	});
});
