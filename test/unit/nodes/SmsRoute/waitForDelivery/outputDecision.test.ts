import type { INodeExecutionData } from 'n8n-workflow';

import type { NormalizedEvent } from '../../../../../nodes/SmsRoute/shared/events/event';
import {
	OUTPUT,
	outputsOnResume,
	outputsWhenSent,
} from '../../../../../nodes/SmsRoute/waitForDelivery/outputDecision';

const item = (json: INodeExecutionData['json'], index = 0): INodeExecutionData => ({
	json,
	pairedItem: { item: index },
});
const noRepeatedRows = { firstOf: new Map<number, number>(), messages: new Map() };
const event = (messageId: string, status: string) =>
	({ provider: 'smsroute', messageId, status }) as unknown as NormalizedEvent;

describe('waitForDelivery/outputDecision: which output, and when', () => {
	it('when sent: unsent and error items on Not Delivered, a replay on its outcome, the rest waited for on Timed Out', () => {
		const { outputs, waitFor } = outputsWhenSent(
			[
				{ item: item({ skipped: true }, 0) },
				{ item: item({ id: 'msg_a', error: 'refused' }, 1), replayed: false },
				{ item: item({ id: '', status: 'queued' }, 2), replayed: false },
				{ item: item({ id: 'msg_b', outcome: 'delivered' }, 3), replayed: true },
				{ item: item({ id: 'msg_c', status: 'queued' }, 4), replayed: false },
			],
			noRepeatedRows,
		);
		expect(outputs[OUTPUT.delivered].map((i) => i.json.id)).toEqual(['msg_b']);
		expect(outputs[OUTPUT.notDelivered].map((i) => i.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(outputs[OUTPUT.timedOut]).toEqual([
			item({ id: 'msg_c', status: 'queued', outcome: 'timedOut', delivery: null }, 4),
		]);
		expect(waitFor).toEqual(['msg_c']);
	});

	it('on resume: only waited-for messages with a final event move; a forged id and a non-final status stay', () => {
		const pending = [
			item({ id: 'msg_a', outcome: 'timedOut' }, 0),
			item({ id: 'msg_b', outcome: 'timedOut' }, 1),
			item({ id: 'msg_c', outcome: 'timedOut' }, 2),
		];
		const finals = new Map([
			['msg_a', event('msg_a', 'undelivered')],
			['msg_b', event('msg_b', 'sent')],
			['msg_x', event('msg_x', 'delivered')],
			['msg_c', event('msg_c', 'delivered')],
		]);
		const after = outputsOnResume([[], [], pending], finals, ['msg_a', 'msg_b']);
		expect(after[OUTPUT.notDelivered].map((i) => [i.json.id, i.json.status])).toEqual([
			['msg_a', 'undelivered'],
		]);
		// msg_b: not final; msg_c: final but not waited for by this wait.
		expect(after[OUTPUT.timedOut].map((i) => i.json.id)).toEqual(['msg_b', 'msg_c']);
		expect(after[OUTPUT.delivered]).toEqual([]);
	});
});
