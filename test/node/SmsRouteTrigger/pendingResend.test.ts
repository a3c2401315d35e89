/**
 * Issue 32: never a 2xx for an event nobody keeps. A resend (B) of an event that an earlier
 * request (A) is still starting an execution for waits for A's outcome and answers after it:
 * a duplicate once A's execution exists, emitted by B when A failed or was left, 503 with
 * Retry-After while still unknown. A's pending entry is cleared however A ends: answered,
 * failed inside n8n, or left by its client ('close' without 'finish').
 */
import {
	callWebhook,
	nowSeconds,
	smsRouteHeader,
	smsRoutePayload,
	TEST_KEY,
} from '../../helpers/triggerWebhook';
import { ABANDONED_LIMIT_MS } from '../../../nodes/SmsRoute/shared/n8nInternals';
import { PENDING_RESEND_WAIT_MS } from '../../../nodes/SmsRoute/trigger/receiveWebhook';

let counter = 0;
function signed(messageId: string) {
	const rawBody = JSON.stringify(smsRoutePayload({ message_id: messageId }));
	return {
		rawBody,
		headers: {
			'content-type': 'application/json',
			'x-smsroute-signature': smsRouteHeader(TEST_KEY, nowSeconds(), rawBody),
		},
	};
}

/** Node's http.ServerResponse as far as the trigger listens to it. */
function response() {
	const listeners = new Map<string, Array<() => void>>();
	const emit = (event: string) => {
		for (const listener of listeners.get(event)?.splice(0) ?? []) listener();
	};
	const res = {
		statusCode: 200,
		writableEnded: false,
		once(event: string, listener: () => void) {
			listeners.set(event, [...(listeners.get(event) ?? []), listener]);
		},
		/** n8n writes its answer and the client reads it. */
		finish(status: number) {
			res.statusCode = status;
			res.writableEnded = true;
			emit('finish');
			emit('close');
		},
		/** The client gives up (its timeout): Node emits 'close', never 'finish'. */
		leave() {
			emit('close');
		},
		/** n8n ends the response of a client that left: no event, only writableEnded. */
		endAfterLeft(status: number) {
			res.statusCode = status;
			res.writableEnded = true;
		},
	};
	return res;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A: the first delivery, its execution not created yet (n8n has not read its answer). */
async function firstDelivery(messageId: string) {
	const workflowId = `wf-pending-${++counter}`;
	const staticData = {};
	const res = response();
	const a = await callWebhook({
		...signed(messageId),
		workflowId,
		staticData,
		unanswered: true,
		context: { getResponseObject: () => res },
	});
	expect(a.items).toHaveLength(1);
	const resend = () => callWebhook({ ...signed(messageId), workflowId, staticData });
	/** n8n created A's execution and reads its answer. */
	const executionCreated = () => a.result.webhookResponse;
	return { a, res, resend, executionCreated };
}

/** Whether `promise` has settled after `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
	let settled = false;
	void promise.then(() => (settled = true));
	await sleep(ms);
	return settled;
}

describe('SMS Route Trigger: a resend of an event still pending from another request', () => {
	it('waits for it, and once its execution exists answers 200 as a duplicate', async () => {
		const { resend, executionCreated } = await firstDelivery('msg_pending_1');
		const b = resend();
		expect(await settledWithin(b, 100)).toBe(false); // no 200 before A's execution exists
		expect(executionCreated()).toEqual({ received: 1, emitted: 1 });
		const out = await b;
		expect(out.httpStatus).toBe(200);
		expect(out.items).toHaveLength(0);
		expect(out.responseBody).toEqual({ received: 1, emitted: 0 });
	});

	it('emits the event itself, with the same eventId, when n8n could not create the first one (500)', async () => {
		const { a, res, resend } = await firstDelivery('msg_pending_2');
		const b = resend();
		expect(await settledWithin(b, 50)).toBe(false);
		res.finish(500); // e.g. SQLITE_BUSY: WorkflowRunner.run() threw, n8n answered 500
		const out = await b;
		expect(out.httpStatus).toBe(200);
		expect(out.items).toHaveLength(1);
		expect(out.items[0].eventId).toBe(a.items[0].eventId);
	});

	it('is refused with 503 and Retry-After while the outcome is still unknown, recording nothing', async () => {
		const { resend, res } = await firstDelivery('msg_pending_3');
		const out = await resend();
		expect(out.httpStatus).toBe(503);
		expect(out.headers?.['retry-after']).toBe('5');
		expect(out.items).toHaveLength(0);
		expect(out.result.workflowData).toBeUndefined();
		// A's client gave up; then n8n failed to create A's execution.
		res.leave();
		res.endAfterLeft(500);
		await sleep(250);
		const later = await resend();
		expect(later.httpStatus).toBe(200);
		expect(later.items).toHaveLength(1);
	});

	it('is a duplicate when the first client left but n8n then created the execution', async () => {
		const { res, resend, executionCreated } = await firstDelivery('msg_pending_4');
		res.leave();
		await sleep(150);
		executionCreated();
		res.endAfterLeft(200);
		await sleep(150);
		const out = await resend();
		expect(out.httpStatus).toBe(200);
		expect(out.items).toHaveLength(0);
	});

	it('concurrent resends all wait for the one outcome: exactly one emits after a failure', async () => {
		const { res, resend } = await firstDelivery('msg_pending_5');
		const resends = [resend(), resend(), resend()];
		await sleep(50);
		res.finish(500);
		const outs = await Promise.all(resends);
		expect(outs.map((out) => out.httpStatus)).toEqual([200, 200, 200]);
		expect(outs.reduce((n, out) => n + out.items.length, 0)).toBe(1);
	});
});

describe('SMS Route Trigger: a client that leaves mid-request leaves nothing pending', () => {
	const NOT_DATE = ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] as const;
	afterEach(() => jest.useRealTimers());

	it('n8n never answers it: after the limit the event is taken back and a resend is emitted', async () => {
		jest.useFakeTimers({ doNotFake: [...NOT_DATE] });
		const { res, resend } = await firstDelivery('msg_left_1');
		res.leave();
		jest.advanceTimersByTime(ABANDONED_LIMIT_MS - 3000);
		const early = resend();
		await jest.advanceTimersByTimeAsync(PENDING_RESEND_WAIT_MS + 100);
		expect((await early).httpStatus).toBe(503); // n8n may still be creating A's execution
		await jest.advanceTimersByTimeAsync(2000);
		const later = await resend();
		expect(later.httpStatus).toBe(200);
		expect(later.items).toHaveLength(1);
	});

	it('the request ends normally: nothing is left pending (a resend is a plain duplicate, at once)', async () => {
		jest.useFakeTimers({ doNotFake: [...NOT_DATE] });
		const { res, resend, executionCreated } = await firstDelivery('msg_left_2');
		executionCreated();
		res.finish(200);
		let answered = false;
		const b = resend().then((out) => ((answered = true), out));
		await jest.advanceTimersByTimeAsync(0); // no time passes: it does not wait
		expect(answered).toBe(true);
		const out = await b;
		expect(out.httpStatus).toBe(200);
		expect(out.items).toHaveLength(0);
	});
});
