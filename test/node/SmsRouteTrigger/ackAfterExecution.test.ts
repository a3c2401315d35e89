/**
 * Issue 28: the trigger acknowledges an event only when n8n does, after the execution exists,
 * and its duplicate record is still saved. The order is n8n 2.41.0's, with its own Workflow
 * class (cli webhooks/live-webhooks and webhook-helpers executeWebhook, WorkflowRunner.run):
 *   1. the request's Workflow wraps the static data loaded for it; webhook() runs;
 *   2. WorkflowRunner.run() wraps the same static data again (which clears its change mark),
 *      then creates the execution row;
 *   3. n8n reads webhookResponse, then saves static data if marked changed, then answers.
 * n8n 1.123.81 skips step 2 before reading (it answers before run()).
 */
import { Workflow, type IDataObject, type INodeTypes } from 'n8n-workflow';

import {
	callWebhook,
	smsRouteHeader,
	smsRoutePayload,
	nowSeconds,
	TEST_KEY,
} from '../../helpers/triggerWebhook';
import { SmsRouteTrigger } from '../../../nodes/SmsRoute/SmsRouteTrigger.node';
import { SAVE_INTERVAL_MS } from '../../../nodes/SmsRoute/trigger/dedupe';

const triggerNode = {
	id: 'trigger-node',
	name: 'SMS Route Trigger',
	type: 'n8n-nodes-smsroute.smsRouteTrigger',
	typeVersion: 1.1,
	position: [0, 0] as [number, number],
	parameters: {},
};

const nodeTypes: INodeTypes = {
	getByName: () => new SmsRouteTrigger(),
	getByNameAndVersion: () => new SmsRouteTrigger(),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

/** A Workflow over `staticData`, as n8n builds one per request and again per execution. */
const workflowOver = (id: string, staticData: IDataObject) =>
	new Workflow({
		id,
		nodes: [triggerNode],
		connections: {},
		active: true,
		nodeTypes,
		staticData,
	});

const changed = (workflow: Workflow) =>
	(workflow.staticData as IDataObject & { __dataChanged?: boolean }).__dataChanged === true;

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

/** One request through steps 1–3; `rewrap` is step 2 (n8n 2.41). */
async function request(workflowId: string, loaded: IDataObject, messageId: string) {
	const workflow = workflowOver(workflowId, loaded);
	const out = await callWebhook({
		...signed(messageId),
		workflowId,
		staticData: workflow.getStaticData('node', triggerNode),
		globalStaticData: workflow.staticData,
		unanswered: true,
	});
	return {
		out,
		workflow,
		/** run(): new Workflow objects over the static data, then the execution row (I/O). */
		rewrap: async () => {
			workflowOver(workflowId, loaded);
			await new Promise((resolve) => setTimeout(resolve, 5));
		},
		/** Step 3: what n8n answers and whether it saves static data then. */
		answerAndSave: () => ({ body: out.result.webhookResponse, saves: changed(workflow) }),
	};
}

describe('SMS Route Trigger: the 200 comes from n8n once the execution exists (issue 28)', () => {
	it('leaves the answer to n8n: nothing is written to the response inside webhook()', async () => {
		const { out } = await request(`wf-ack-${++counter}`, {}, 'msg_ack_1');
		expect(out.statusCode).toBeUndefined();
		expect(out.result.noWebhookResponse).toBeUndefined();
		expect(out.result.workflowData?.[0]).toHaveLength(1);
		expect(out.responseBody).toEqual({ received: 1, emitted: 1 });
	});

	it('n8n 2.41 order: the record is saved with the answer though starting the execution cleared the change mark', async () => {
		const loaded: IDataObject = {};
		const req = await request(`wf-ack-${++counter}`, loaded, 'msg_ack_2');
		await req.rewrap(); // WorkflowRunner.run()
		expect(changed(req.workflow)).toBe(false); // what made the old trigger answer by itself
		const { body, saves } = req.answerAndSave();
		expect(body).toEqual({ received: 1, emitted: 1 });
		expect(saves).toBe(true);
		// What n8n writes to the database is the record of this event.
		const saved = JSON.parse(JSON.stringify(loaded)) as IDataObject;
		const restarted = await callWebhook({
			...signed('msg_ack_2'),
			workflowId: `wf-ack-restart-${counter}`,
			staticData: saved['node:SMS Route Trigger'] as IDataObject,
		});
		expect(restarted.httpStatus).toBe(200);
		expect(restarted.items).toHaveLength(0);
	});

	describe('n8n 1.x order (n8n answers, then creates the execution)', () => {
		const ONLY_DATE = [
			'hrtime',
			'nextTick',
			'performance',
			'queueMicrotask',
			'setImmediate',
			'clearImmediate',
			'setInterval',
			'clearInterval',
			'setTimeout',
			'clearTimeout',
		] as const;
		beforeEach(() => jest.useFakeTimers({ doNotFake: [...ONLY_DATE] }));
		afterEach(() => jest.useRealTimers());

		it('killed after the answer, before the execution: the event is not in the saved record, so its resend is emitted', async () => {
			const loaded: IDataObject = {};
			const req = await request(`wf-ack-${++counter}`, loaded, 'msg_ack_3');
			// No rewrap: 1.x reads before run(). Nothing is confirmed yet, so nothing is written.
			expect(req.answerAndSave().saves).toBe(false);
			const saved = JSON.parse(JSON.stringify(loaded)) as IDataObject;
			const resend = await callWebhook({
				...signed('msg_ack_3'),
				workflowId: `wf-ack-restart-${counter}`,
				staticData: saved['node:SMS Route Trigger'] as IDataObject,
			});
			expect(resend.items).toHaveLength(1);
		});

		it('a request 2 s later saves it (its execution exists by then): a resend after a restart is a duplicate', async () => {
			const workflowId = `wf-ack-${++counter}`;
			const first: IDataObject = {};
			const req = await request(workflowId, first, 'msg_ack_4');
			req.answerAndSave();
			jest.setSystemTime(Date.now() + 2500);
			const later: IDataObject = {};
			const next = await request(workflowId, later, 'msg_ack_5');
			next.answerAndSave();
			const saved = JSON.parse(JSON.stringify(later)) as IDataObject;
			const resend = await callWebhook({
				...signed('msg_ack_4'),
				workflowId: `wf-ack-restart-${counter}`,
				staticData: saved['node:SMS Route Trigger'] as IDataObject,
			});
			expect(resend.items).toHaveLength(0);
		});
	});

	it('the record saved with a late answer holds what requests received meanwhile added', async () => {
		const workflowId = `wf-ack-${++counter}`;
		// Each request gets the static data as the database held it (queue mode: another process).
		const loadedA: IDataObject = {};
		const loadedB: IDataObject = {};
		const a = await request(workflowId, loadedA, 'msg_ack_a');
		const b = await request(workflowId, loadedB, 'msg_ack_b');
		await b.rewrap();
		expect(b.answerAndSave().saves).toBe(true); // B's execution was created first…
		// One write per SAVE_INTERVAL_MS (issue 32): A's answer comes after the interval.
		await new Promise((resolve) => setTimeout(resolve, SAVE_INTERVAL_MS + 50));
		await a.rewrap();
		expect(a.answerAndSave().saves).toBe(true); // …A's save is the last one written
		const saved = JSON.parse(JSON.stringify(loadedA)) as IDataObject;
		const restarted = await callWebhook({
			...signed('msg_ack_b'),
			workflowId: `wf-ack-restart-${counter}`,
			staticData: saved['node:SMS Route Trigger'] as IDataObject,
		});
		expect(restarted.items).toHaveLength(0);
	});

	it('an event whose execution does not exist yet is in no save: a crash before it exists leaves its resend emitted', async () => {
		const workflowId = `wf-ack-${++counter}`;
		const loadedX: IDataObject = {};
		const loadedY: IDataObject = {};
		await request(workflowId, loadedX, 'msg_ack_x'); // X: run() has not created its execution
		const y = await request(workflowId, loadedY, 'msg_ack_y');
		await y.rewrap();
		expect(y.answerAndSave().saves).toBe(true); // Y's answer saves static data
		// n8n is killed now: X was never answered, its execution never created.
		const saved = JSON.parse(JSON.stringify(loadedY)) as IDataObject;
		const resend = await callWebhook({
			...signed('msg_ack_x'),
			workflowId: `wf-ack-restart-${counter}`,
			staticData: saved['node:SMS Route Trigger'] as IDataObject,
		});
		expect(resend.items).toHaveLength(1);
		const ySent = await callWebhook({
			...signed('msg_ack_y'),
			workflowId: `wf-ack-restart-${counter}`,
			staticData: saved['node:SMS Route Trigger'] as IDataObject,
		});
		expect(ySent.items).toHaveLength(0);
	});

	it('one write per interval: an event confirmed since the last write is in no save yet (a crash may emit its resend again, same eventId); the next write after the interval holds it', async () => {
		const workflowId = `wf-ack-${++counter}`;
		const first = await request(workflowId, {}, 'msg_ack_w1');
		await first.rewrap();
		expect(first.answerAndSave().saves).toBe(true);
		const loadedSecond: IDataObject = {};
		const second = await request(workflowId, loadedSecond, 'msg_ack_w2');
		await second.rewrap();
		expect(second.answerAndSave().saves).toBe(false); // within the interval: not written
		const crashed = JSON.parse(JSON.stringify(loadedSecond)) as IDataObject;
		const resend = await callWebhook({
			...signed('msg_ack_w2'),
			workflowId: `wf-ack-restart-${counter}`,
			staticData: crashed['node:SMS Route Trigger'] as IDataObject,
		});
		expect(resend.items).toHaveLength(1);
		expect(resend.items[0].eventId).toBe(second.out.items[0].eventId);
		await new Promise((resolve) => setTimeout(resolve, SAVE_INTERVAL_MS + 50));
		const loadedThird: IDataObject = {};
		const third = await request(workflowId, loadedThird, 'msg_ack_w3');
		await third.rewrap();
		expect(third.answerAndSave().saves).toBe(true);
		const saved = JSON.parse(JSON.stringify(loadedThird)) as IDataObject;
		for (const messageId of ['msg_ack_w1', 'msg_ack_w2', 'msg_ack_w3']) {
			const again = await callWebhook({
				...signed(messageId),
				workflowId: `wf-ack-restart2-${counter}`,
				staticData: saved['node:SMS Route Trigger'] as IDataObject,
			});
			expect(again.items).toHaveLength(0);
		}
	});

	it('duplicates and filtered events are still answered 200 by the node, with no execution', async () => {
		const workflowId = `wf-ack-${++counter}`;
		const loaded: IDataObject = {};
		const first = await request(workflowId, loaded, 'msg_ack_dup');
		await first.rewrap();
		first.answerAndSave(); // its execution exists (a resend of a pending one waits: issue 32)
		const again = await request(workflowId, loaded, 'msg_ack_dup');
		expect(again.out.httpStatus).toBe(200);
		expect(again.out.result.workflowData).toBeUndefined();
		expect(again.out.responseBody).toEqual({ received: 1, emitted: 0 });
	});
});

describe('SMS Route Trigger: an event n8n could not start an execution for is not a duplicate', () => {
	/** express's response as far as it matters here: a status and a 'finish' when written. */
	function response() {
		const listeners: Array<() => void> = [];
		const res = {
			statusCode: 200,
			once: (_event: string, listener: () => void) => listeners.push(listener),
			finish(status: number) {
				res.statusCode = status;
				for (const listener of listeners.splice(0)) listener();
			},
		};
		return res;
	}

	it('n8n answers 500 (execution not created) → the resend is emitted', async () => {
		const workflowId = `wf-ack-${++counter}`;
		const staticData: IDataObject = {};
		const res = response();
		const first = await callWebhook({
			...signed('msg_ack_500'),
			workflowId,
			staticData,
			context: { getResponseObject: () => res },
		});
		expect(first.items).toHaveLength(1);
		res.finish(500); // WorkflowRunner.run() threw: n8n answers 500 and runs nothing
		const resend = await callWebhook({ ...signed('msg_ack_500'), workflowId, staticData });
		expect(resend.items).toHaveLength(1);
		expect(resend.items[0].eventId).toBe(first.items[0].eventId);
	});

	it('n8n answers 200 → the resend is a duplicate', async () => {
		const workflowId = `wf-ack-${++counter}`;
		const staticData: IDataObject = {};
		const res = response();
		await callWebhook({
			...signed('msg_ack_200'),
			workflowId,
			staticData,
			context: { getResponseObject: () => res },
		});
		res.finish(200);
		const resend = await callWebhook({ ...signed('msg_ack_200'), workflowId, staticData });
		expect(resend.items).toHaveLength(0);
	});
});
