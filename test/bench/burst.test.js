'use strict';
// The burst bench's verdict (test/bench/burst.js) must be able to say "no": an event answered 2xx
// that no execution carries, an event the trigger ran twice, or an item from elsewhere each fail
// it. And its resends must be resends: of an event sent well before, at about the share asked.
const { check, sequence } = require('./burst');

const store = {
	prefix: 'msg_burst_t_',
	messageId: (k) => `msg_burst_t_${String(k).padStart(8, '0')}`,
};
const triggerExecution = (...ks) => ({
	status: 'success',
	data: {
		resultData: {
			runData: {
				'SMS Route Trigger': [
					{
						data: {
							main: [
								ks.map((k) => ({ json: { messageId: store.messageId(k), eventId: `evt_${k}` } })),
							],
						},
					},
				],
			},
		},
	},
});
const webhookExecution = (messageId) => ({
	status: 'success',
	data: {
		resultData: {
			runData: { Webhook: [{ data: { main: [[{ json: { body: { message_id: messageId } } }]] } }] },
		},
	},
});

describe('burst check', () => {
	const answers = [
		{ k: 0, status: 200, emitted: 1 },
		{ k: 1, status: 200, emitted: 1 },
		{ k: 0, status: 200, emitted: 0 },
		{ k: 2, status: 503, emitted: null },
		{ k: 2, status: 200, emitted: 1, retry: true },
	];

	test('every event once and every 2xx carried → holds', () => {
		const r = check(
			'trigger',
			answers,
			[0, 1, 2].map((k) => triggerExecution(k)),
			store,
		);
		expect(r).toMatchObject({
			requests: 4,
			resends: 1,
			retries: 1,
			distinctEvents: 3,
			carriedOnce: 3,
			carriedTwiceOrMore: 0,
			missingAnswered2xx: 0,
			resendsAnsweredEmitted0: 1,
			holds: true,
		});
	});

	test('an event answered 2xx that no execution carries → fails', () => {
		const r = check(
			'trigger',
			answers,
			[0, 1].map((k) => triggerExecution(k)),
			store,
		);
		expect(r).toMatchObject({ missingAnswered2xx: 1, notCarried: 1, holds: false });
	});

	test('an event the trigger ran twice → fails', () => {
		const r = check(
			'trigger',
			answers,
			[0, 1, 2, 0].map((k) => triggerExecution(k)),
			store,
		);
		expect(r).toMatchObject({ carriedTwiceOrMore: 1, holds: false });
	});

	test('an item from another run → fails', () => {
		const executions = [0, 1, 2].map((k) => triggerExecution(k));
		executions[0].data.resultData.runData['SMS Route Trigger'][0].data.main[0][0].json.messageId =
			'msg_other';
		expect(check('trigger', answers, executions, store)).toMatchObject({
			foreignItems: 1,
			holds: false,
		});
	});

	test('an execution that never ran still carries its queued event, but does not pass', () => {
		const crashed = {
			status: 'crashed',
			data: {
				resultData: { runData: {} },
				executionData: {
					nodeExecutionStack: [
						{
							node: { name: 'SMS Route Trigger' },
							data: { main: [[{ json: { messageId: store.messageId(2), eventId: 'evt_2' } }]] },
						},
					],
				},
			},
		};
		const r = check('trigger', answers, [triggerExecution(0), triggerExecution(1), crashed], store);
		expect(r).toMatchObject({
			missingAnswered2xx: 0,
			carriedOnce: 3,
			executionStatuses: { success: 2, crashed: 1 },
			holds: false,
		});
	});

	test('the Webhook node: one execution per 2xx request, resends included', () => {
		const ids = [0, 1, 0, 2].map((k) => store.messageId(k));
		expect(check('plain', answers, ids.map(webhookExecution), store)).toMatchObject({
			carriedTwiceOrMore: 1,
			holds: true,
		});
		expect(check('plain', answers, ids.slice(1).map(webhookExecution), store).holds).toBe(false);
	});
});

describe('burst sequence', () => {
	test('resends repeat an event first sent at least 2 × concurrency requests before, ~5%', () => {
		const concurrency = 50;
		const { order, distinct } = sequence({ events: 20_000, resendShare: 0.05, concurrency });
		const first = new Map();
		let resends = 0;
		order.forEach((k, i) => {
			if (!first.has(k)) return void first.set(k, i);
			resends++;
			expect(i - first.get(k)).toBeGreaterThanOrEqual(2 * concurrency);
		});
		expect(distinct).toBe(first.size);
		expect(resends).toBe(order.length - distinct);
		expect(resends / order.length).toBeGreaterThan(0.04);
		expect(resends / order.length).toBeLessThan(0.06);
		// New events are numbered in order: the first send of k comes before that of k + 1.
		const firsts = [...first.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i);
		expect(firsts.every((i, n) => n === 0 || i > firsts[n - 1])).toBe(true);
	});
});
