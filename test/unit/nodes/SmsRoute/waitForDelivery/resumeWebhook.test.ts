import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { resumeOnDelivery } from '../../../../../nodes/SmsRoute/waitForDelivery/resumeWebhook';
import { smsRouteTestHeader } from '../../../../helpers/signing';

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

function deliveryEvent(messageId: string, status: string, occurredAt = new Date()): IDataObject {
	return {
		type: `message.${status}`,
		message_id: messageId,
		status,
		timestamp: occurredAt.toISOString(),
		to: '+15005550001',
		metadata: {},
	};
}

interface WaitOptions {
	/** What GET /messages/{id} answers: a status, or a whole message. */
	statuses?: Record<string, string | IDataObject>;
	/** The wait's mark (as sendAndWait saves it); null for a wait saved by 0.2.0. */
	mark?: IDataObject | null;
	executionId?: string;
	nodeId?: string;
	environment?: 'test' | 'live';
	credentialId?: string;
}

/** A waiting execution with these message ids. */
function waitingExecution(ids: string[], options: WaitOptions = {}) {
	const { statuses = {}, environment = 'test' } = options;
	const executionId = options.executionId ?? `exec-${++executionCounter}`;
	const nodeId = options.nodeId ?? 'node-1';
	const credentialId = options.credentialId ?? `cred-${executionId}`;
	const mark =
		options.mark === undefined
			? {
					waitId: `wait-${executionId}-${nodeId}`,
					waitFor: ids,
					sentFromMs: Date.now() - 1000,
					livemode: environment === 'live',
				}
			: options.mark;
	const lookups: string[] = [];
	const lookupRequests: IDataObject[] = [];
	const credentialLoads: string[] = [];
	const call = (raw: Buffer, header: string) => {
		const response = { code: 200, body: undefined as unknown };
		const context = {
			executeData: {
				data: { main: [[], [], ids.map(pending)] },
				metadata: mark ? { forwardAllOutputs: true, smsRouteWait: mark } : undefined,
			},
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
				id: nodeId,
				name: 'Send and Wait',
				credentials: { smsRouteApi: { id: credentialId, name: 'c' } },
			}),
			getWorkflow: () => ({ id: 'wf-1' }),
			getCredentials: async (type: string) => {
				credentialLoads.push(type);
				return {
					environment,
					testApiKey: TEST_KEY,
					liveApiKey: LIVE_KEY,
					baseUrl: 'http://sandbox.test/v1',
				};
			},
			logger: { debug: () => undefined, warn: () => undefined },
			helpers: {
				httpRequestWithAuthentication: async (_type: string, request: IDataObject) => {
					lookupRequests.push(request);
					const id = String(request.url).split('/').pop() ?? '';
					lookups.push(id);
					const answer = statuses[id] ?? 'sent';
					const body =
						typeof answer === 'string'
							? {
									id,
									to: '+15005550001',
									status: answer,
									updated_at: new Date().toISOString(),
									metadata: {},
								}
							: answer;
					return { statusCode: 200, headers: {}, body };
				},
			},
		} as unknown as IWebhookFunctions;
		return { context, response };
	};
	const send = async (
		body: IDataObject,
		sendOptions: { key?: string; ageSeconds?: number; header?: string } = {},
	) => {
		const signed = signedRequest(body, sendOptions);
		const { context, response } = call(signed.raw, sendOptions.header ?? signed.header);
		const result: IWebhookResponseData = await resumeOnDelivery.call(context);
		return { result, response };
	};
	return { send, lookups, lookupRequests, credentialLoads };
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
			reason: 'not a message of this wait',
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
		const wait = waitingExecution(['msg_a', 'msg_b'], { statuses: { msg_a: 'delivered' } });
		const { result } = await wait.send(deliveryEvent('msg_b', 'delivered'));
		const [delivered] = result.workflowData ?? [];
		expect(delivered.map((i) => i.json.id)).toEqual(['msg_a', 'msg_b']);
		expect(delivered[0].json.delivery).toMatchObject({
			status: 'delivered',
			source: 'status endpoint',
		});
	});
});

describe('Send and Wait: every wait of an execution resumes once (issue 19)', () => {
	it('a fallback node waiting after another one in the same execution resumes on its own message', async () => {
		const first = waitingExecution(['msg_otp'], { executionId: 'exec-fallback', nodeId: 'otp' });
		const resumed = await first.send(deliveryEvent('msg_otp', 'failed'));
		expect(resumed.result.workflowData?.[1]).toHaveLength(1);
		const fallback = waitingExecution(['msg_fb'], {
			executionId: 'exec-fallback',
			nodeId: 'fallback',
		});
		const { result } = await fallback.send(deliveryEvent('msg_fb', 'delivered'));
		expect(result.webhookResponse).toEqual({ resumed: true });
		expect(result.workflowData?.[0].map((i) => i.json.id)).toEqual(['msg_fb']);
	});

	it('the same node waiting again in a loop (next run index) resumes each time, and only on its own messages', async () => {
		for (const round of [1, 2, 3]) {
			const wait = waitingExecution([`msg_round_${round}`], {
				executionId: 'exec-loop',
				nodeId: 'loop-node',
				mark: {
					waitId: `run-${round}`,
					waitFor: [`msg_round_${round}`],
					sentFromMs: Date.now(),
					livemode: false,
				},
			});
			if (round > 1) {
				// The previous round's late event reaches the same resume URL: it changes nothing.
				const late = await wait.send(deliveryEvent(`msg_round_${round - 1}`, 'delivered'));
				expect(late.result.webhookResponse).toMatchObject({ reason: 'not a message of this wait' });
			}
			const { result } = await wait.send(deliveryEvent(`msg_round_${round}`, 'delivered'));
			expect(result.workflowData?.[0].map((i) => i.json.id)).toEqual([`msg_round_${round}`]);
		}
	});
});

describe('Send and Wait: which events may decide a wait (issue 19)', () => {
	it('a live wait accepts only the live key: a sk_test signature cannot resume a live message', async () => {
		const wait = waitingExecution(['msg_live'], { environment: 'live' });
		const forged = await wait.send(deliveryEvent('msg_live', 'delivered'), { key: TEST_KEY });
		expect(forged.response.code).toBe(401);
		expect(forged.result.workflowData).toBeUndefined();
		const genuine = await wait.send(deliveryEvent('msg_live', 'delivered'), { key: LIVE_KEY });
		expect(genuine.result.workflowData?.[0]).toHaveLength(1);
		expect((genuine.result.workflowData?.[0][0].json.delivery as IDataObject).livemode).toBe(true);
	});

	it('a test wait accepts only the test key', async () => {
		const wait = waitingExecution(['msg_test']);
		const live = await wait.send(deliveryEvent('msg_test', 'delivered'), { key: LIVE_KEY });
		expect(live.response.code).toBe(401);
	});

	it('accepts an event the trigger accepted long ago (relayed late, trigger tolerance above 300 s), as old as the wait', async () => {
		const wait = waitingExecution(['msg_late'], {
			mark: {
				waitId: 'w-late',
				waitFor: ['msg_late'],
				sentFromMs: Date.now() - 30 * 60_000,
				livemode: false,
			},
		});
		const { result, response } = await wait.send(deliveryEvent('msg_late', 'delivered'), {
			ageSeconds: 20 * 60,
		});
		expect(response.code).toBe(200);
		expect(result.workflowData?.[0]).toHaveLength(1);
	});

	it('refuses an event signed before the wait began, or too far in the future', async () => {
		const wait = waitingExecution(['msg_a']);
		const stale = await wait.send(deliveryEvent('msg_a', 'delivered'), { ageSeconds: 3600 });
		expect([stale.response.code, stale.response.body]).toEqual([
			401,
			{ error: 'timestamp too old' },
		]);
		const future = await wait.send(deliveryEvent('msg_a', 'delivered'), { ageSeconds: -3600 });
		expect(future.response.code).toBe(401);
	});

	it('a stale final event replayed after a newer one cannot change the outcome', async () => {
		const wait = waitingExecution(['msg_a', 'msg_b']);
		await wait.send(deliveryEvent('msg_a', 'delivered'));
		const older = new Date(Date.now() - 60_000);
		await wait.send(deliveryEvent('msg_a', 'undelivered', older));
		const { result } = await wait.send(deliveryEvent('msg_b', 'delivered'));
		expect(result.workflowData?.[0].map((i) => [i.json.id, i.json.status])).toEqual([
			['msg_a', 'delivered'],
			['msg_b', 'delivered'],
		]);
		expect(result.workflowData?.[1]).toEqual([]);
	});
});

describe('Send and Wait: the status lookup goes through the client (issue 19)', () => {
	it('redacts an echoed API key in what it outputs, and asks through the client (deadline, full response)', async () => {
		const wait = waitingExecution(['msg_a', 'msg_b'], {
			statuses: {
				msg_a: {
					id: 'msg_a',
					to: '+15005550001',
					status: 'failed',
					reason: `invalid key ${TEST_KEY}`,
					updated_at: new Date().toISOString(),
					metadata: { echoed: TEST_KEY },
				},
			},
		});
		const { result } = await wait.send(deliveryEvent('msg_b', 'delivered'));
		const [item] = result.workflowData?.[1] ?? [];
		expect(item.json.id).toBe('msg_a');
		expect(JSON.stringify(result.workflowData)).not.toContain(TEST_KEY);
		expect(item.json.reason).toContain('***');
		expect(wait.lookupRequests[0]).toMatchObject({
			method: 'GET',
			url: 'http://sandbox.test/v1/messages/msg_a',
			returnFullResponse: true,
			disableFollowRedirect: true,
		});
		expect(wait.lookupRequests[0].abortSignal).toBeInstanceOf(AbortSignal);
	});

	it('never asks for an id that is not a plain message id', async () => {
		const wait = waitingExecution(['..', 'msg_b']);
		const { result } = await wait.send(deliveryEvent('msg_b', 'delivered'));
		expect(result.workflowData).toBeUndefined();
		expect(wait.lookups).toEqual([]);
	});

	it('does not take a message whose answer names another id', async () => {
		const wait = waitingExecution(['msg_a', 'msg_b'], {
			statuses: { msg_a: { id: 'msg_other', status: 'delivered' } },
		});
		const { result } = await wait.send(deliveryEvent('msg_b', 'delivered'));
		expect(result.workflowData).toBeUndefined();
	});
});

describe('Send and Wait: forged resume requests (issue 19)', () => {
	it('1,000 forged requests cost a handful of credential loads', async () => {
		const options = { executionId: 'exec-flood', credentialId: 'cred-flood' };
		const wait = waitingExecution(['msg_a'], options);
		await wait.send(deliveryEvent('msg_zzz', 'delivered'));
		const forged = await Promise.all(
			Array.from(
				{ length: 1000 },
				async () =>
					await wait.send(deliveryEvent('msg_a', 'delivered'), {
						key: 'sk_test_forged_0000000000000000',
					}),
			),
		);
		expect(forged.every(({ response }) => response.code === 401)).toBe(true);
		expect(wait.credentialLoads.length).toBeLessThanOrEqual(3);
		const genuine = await wait.send(deliveryEvent('msg_a', 'delivered'));
		expect(genuine.result.workflowData?.[0]).toHaveLength(1);
	});
});
