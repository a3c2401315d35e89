import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { resumeOnDelivery } from '../../nodes/SmsRoute/waitForDelivery/resumeWebhook';
import { smsRouteTestHeader } from '../helpers/signing';

const TEST_KEY = 'sk_test_resume_unit_000000000000';
const LIVE_KEY = 'sk_live_resume_unit_000000000000';
let executionCounter = 0;

function pending(id: string, index: number): INodeExecutionData {
	return {
		json: {
			id,
			to: '+15005550001',
			status: 'queued',
			outcome: 'timedOut',
			delivery: null,
			metadata: { orderId: `A-${index}` },
		},
		pairedItem: { item: index },
	};
}

function signedRequest(body: IDataObject, { key = TEST_KEY, ageSeconds = 0 } = {}) {
	const raw = Buffer.from(JSON.stringify(body));
	const t = Math.floor(Date.now() / 1000) - ageSeconds;
	return { raw, header: smsRouteTestHeader({ key, timestamp: t, body: raw }) };
}

function deliveryEvent(messageId: string, status: string): IDataObject {
	return {
		type: `message.${status}`,
		message_id: messageId,
		status,
		timestamp: new Date().toISOString(),
		to: '+15005550001',
		metadata: {},
	};
}

/** A waiting execution with these message ids; `statuses` is what GET /messages/{id} answers. */
function waitingExecution(ids: string[], statuses: Record<string, string> = {}) {
	const executionId = `exec-${++executionCounter}`;
	const lookups: string[] = [];
	const call = (raw: Buffer, header: string) => {
		const response = { code: 200, body: undefined as unknown };
		const context = {
			executeData: { data: { main: [[], [], ids.map(pending)] } },
			getExecutionId: () => executionId,
			getRequestObject: () => ({ rawBody: raw }),
			getHeaderData: () => ({
				'content-type': 'application/json',
				...(header ? { 'x-smsroute-signature': header } : {}),
			}),
			getResponseObject: () => ({
				status(code: number) {
					response.code = code;
					return this;
				},
				json(body: unknown) {
					response.body = body;
				},
			}),
			getNode: () => ({
				id: 'node-1',
				name: 'Send and Wait',
				credentials: { smsRouteApi: { id: `cred-${executionId}`, name: 'c' } },
			}),
			getWorkflow: () => ({ id: 'wf-1' }),
			getCredentials: async () => ({
				environment: 'test',
				testApiKey: TEST_KEY,
				liveApiKey: LIVE_KEY,
				baseUrl: 'http://sandbox.test/v1',
			}),
			logger: { debug: () => undefined, warn: () => undefined },
			helpers: {
				httpRequestWithAuthentication: async (_type: string, options: { url: string }) => {
					const id = decodeURIComponent(options.url.split('/').pop() ?? '');
					lookups.push(id);
					return {
						id,
						to: '+15005550001',
						status: statuses[id] ?? 'sent',
						updated_at: new Date().toISOString(),
						metadata: {},
					};
				},
			},
		} as unknown as IWebhookFunctions;
		return { context, response };
	};
	const send = async (
		body: IDataObject,
		options: { key?: string; ageSeconds?: number; header?: string } = {},
	) => {
		const signed = signedRequest(body, options);
		const { context, response } = call(signed.raw, options.header ?? signed.header);
		const result: IWebhookResponseData = await resumeOnDelivery.call(context);
		return { result, response };
	};
	return { send, lookups };
}

describe('Send and Wait: the resume webhook', () => {
	it.each([
		['unsigned', { header: '' }],
		['signed with another key', { key: 'sk_test_somebody_else_0000000000' }],
		['stale (signed an hour ago)', { ageSeconds: 3600 }],
		['signed over other bytes', { header: signedRequest(deliveryEvent('msg_a', 'failed')).header }],
	])('refuses a %s request with 401 and changes nothing', async (_name, options) => {
		const wait = waitingExecution(['msg_a']);
		const body = deliveryEvent('msg_a', 'delivered');
		const { result, response } = await wait.send(body, options);
		expect(response.code).toBe(401);
		expect(result.workflowData).toBeUndefined();
		expect(result.noWebhookResponse).toBe(true);
		// The genuine event still resumes afterwards: the refused one recorded nothing that matters.
		const genuine = await wait.send(body);
		expect(genuine.result.workflowData?.[0]).toHaveLength(1);
	});

	it('keeps waiting on intermediate statuses and on events of other messages', async () => {
		const wait = waitingExecution(['msg_a']);
		for (const status of ['queued', 'sent']) {
			const { result, response } = await wait.send(deliveryEvent('msg_a', status));
			expect(response.code).toBe(200);
			expect(result.workflowData).toBeUndefined();
		}
		const other = await wait.send(deliveryEvent('msg_zzz', 'delivered'));
		expect(other.result.workflowData).toBeUndefined();
		expect(other.result.webhookResponse).toMatchObject({
			resumed: false,
			reason: 'not a message of this execution',
		});
	});

	it('resumes once, when the last message is final, with each message on its output', async () => {
		const wait = waitingExecution(['msg_a', 'msg_b', 'msg_c']);
		const first = await wait.send(deliveryEvent('msg_a', 'delivered'));
		expect(first.result.workflowData).toBeUndefined();
		// msg_b is looked up (not seen yet) and is still in flight: no more lookups after it.
		expect(wait.lookups).toEqual(['msg_b']);
		await wait.send(deliveryEvent('msg_b', 'failed'));
		const last = await wait.send(deliveryEvent('msg_c', 'undelivered'));
		const [delivered, notDelivered, timedOut] = last.result.workflowData ?? [];
		expect(delivered.map((i) => [i.json.id, i.json.outcome, i.pairedItem])).toEqual([
			['msg_a', 'delivered', { item: 0 }],
		]);
		expect(notDelivered.map((i) => [i.json.id, i.json.status, i.pairedItem])).toEqual([
			['msg_b', 'failed', { item: 1 }],
			['msg_c', 'undelivered', { item: 2 }],
		]);
		expect(timedOut).toEqual([]);
		expect((delivered[0].json.delivery as IDataObject).status).toBe('delivered');
		const again = await wait.send(deliveryEvent('msg_c', 'undelivered'));
		expect(again.result.workflowData).toBeUndefined();
		expect(again.result.webhookResponse).toMatchObject({ reason: 'already resumed' });
	});

	it('finds messages whose events went to another process on the status endpoint', async () => {
		const wait = waitingExecution(['msg_a', 'msg_b'], { msg_a: 'delivered' });
		const { result } = await wait.send(deliveryEvent('msg_b', 'delivered'));
		const [delivered] = result.workflowData ?? [];
		expect(delivered.map((i) => i.json.id)).toEqual(['msg_a', 'msg_b']);
		expect(delivered[0].json.delivery).toMatchObject({
			status: 'delivered',
			source: 'status endpoint',
		});
	});
});
