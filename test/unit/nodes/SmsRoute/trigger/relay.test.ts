import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { NormalizedEvent } from '../../../../../nodes/SmsRoute/shared/events/event';
import {
	TEST_KEY,
	callWebhook,
	nowSeconds,
	smsRouteHeader,
	smsRoutePayload,
} from '../../../../helpers/triggerWebhook';
import {
	MAX_ATTEMPTS,
	MAX_PENDING,
	RELAY_WINDOW_MS,
	relayTargets,
	startRelays,
	type RelayRequest,
} from '../../../../../nodes/SmsRoute/trigger/relay';

/** What receiveWebhook does: the targets, then the relays; the number started (0 when full). */
function relayToWaitingExecution(
	context: IWebhookFunctions,
	events: NormalizedEvent[],
	relayed: RelayRequest,
): number {
	const targets = relayTargets(context, events, relayed);
	return startRelays(context, targets, relayed) ? targets.length : 0;
}

const SIG = 'b'.repeat(64);
const OWN = `http://127.0.0.1:5678/webhook-waiting/17/node-1?signature=${SIG}`;
const rawBody = Buffer.from('{"type":"message.delivered","message_id":"msg_1"}  ');
const request = { rawBody, contentType: 'application/json', signatureHeader: 't=1,v1=abc' };

function event(
	status: string,
	metadata: IDataObject,
	provider: 'smsroute' | 'sendcloud' = 'smsroute',
): NormalizedEvent {
	return {
		provider,
		event: `message.${status}`,
		status: status as NormalizedEvent['status'],
		final: true,
		messageId: 'msg_1',
		to: '+15005550001',
		occurredAt: '2026-01-01T00:00:00.000Z',
		receivedAt: '2026-01-01T00:00:00.000Z',
		livemode: false,
		reason: null,
		metadata,
		raw: {},
	};
}

type Answer = number | { statusCode: number; body: string } | Error;

function fakeContext(answers: Answer[], fallback: Answer = 200) {
	const calls: Array<Record<string, unknown>> = [];
	const warnings: string[] = [];
	const context = {
		getNode: () => ({ webhookId: 'hook-1' }),
		getNodeWebhookUrl: () => 'http://127.0.0.1:5678/webhook/hook-1/webhook',
		getInstanceBaseUrl: () => 'http://127.0.0.1:5678/',
		logger: { debug: () => undefined, warn: (message: string) => warnings.push(message) },
		helpers: {
			httpRequest: async (options: Record<string, unknown>) => {
				calls.push(options);
				const answer = answers.shift() ?? fallback;
				if (answer instanceof Error) throw answer;
				return typeof answer === 'number' ? { statusCode: answer } : answer;
			},
		},
	} as unknown as IWebhookFunctions;
	return { context, calls, warnings };
}

const settle = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

describe('trigger relay to a waiting Send and Wait execution', () => {
	it('forwards the exact bytes and signature header of a final event to its own resume URL, once', async () => {
		const { context, calls } = fakeContext([200]);
		const started = relayToWaitingExecution(
			context,
			[event('delivered', { n8nResumeUrl: OWN, orderId: 'A-1' })],
			request,
		);
		expect(started).toBe(1);
		await settle(20);
		expect(calls).toHaveLength(1);
		expect(calls[0]).toMatchObject({
			method: 'POST',
			url: OWN,
			headers: { 'x-smsroute-signature': 't=1,v1=abc', 'content-type': 'application/json' },
			disableFollowRedirect: true,
		});
		expect(Buffer.compare(calls[0].body as Buffer, rawBody)).toBe(0);
	});

	it('retries while n8n answers 409 (execution not yet waiting) and stops at the first answer that is not', async () => {
		const { context, calls } = fakeContext([409, 409, 200, 200]);
		relayToWaitingExecution(context, [event('failed', { n8nResumeUrl: OWN })], request);
		await settle(1200);
		expect(calls).toHaveLength(3);
	});

	it('does not retry a 401 (the waiting node refused the request)', async () => {
		const { context, calls } = fakeContext([401, 200]);
		relayToWaitingExecution(context, [event('delivered', { n8nResumeUrl: OWN })], request);
		await settle(600);
		expect(calls).toHaveLength(1);
	});

	it.each([
		[
			'another host',
			{ n8nResumeUrl: `http://evil.example/webhook-waiting/17/node-1?signature=${SIG}` },
		],
		[
			'a userinfo trick',
			{
				n8nResumeUrl: `http://127.0.0.1:5678@evil.example/webhook-waiting/17/node-1?signature=${SIG}`,
			},
		],
		['no resume URL', { orderId: 'A-1' }],
	])('relays nothing for %s', async (_name, metadata) => {
		const { context, calls } = fakeContext([]);
		expect(relayToWaitingExecution(context, [event('delivered', metadata)], request)).toBe(0);
		await settle(20);
		expect(calls).toHaveLength(0);
	});

	it('relays nothing for statuses that do not end a wait, SendCloud events, or a missing signature header', async () => {
		const { context, calls } = fakeContext([]);
		expect(
			relayToWaitingExecution(
				context,
				[event('sent', { n8nResumeUrl: OWN }), event('queued', { n8nResumeUrl: OWN })],
				request,
			),
		).toBe(0);
		expect(
			relayToWaitingExecution(
				context,
				[event('delivered', { n8nResumeUrl: OWN }, 'sendcloud')],
				request,
			),
		).toBe(0);
		expect(
			relayToWaitingExecution(context, [event('delivered', { n8nResumeUrl: OWN })], {
				...request,
				signatureHeader: undefined,
			}),
		).toBe(0);
		await settle(20);
		expect(calls).toHaveLength(0);
	});

	describe('durability (issue 19)', () => {
		const RUNNING = {
			statusCode: 409,
			body: '{"code":409,"message":"The execution \\"17\\" is running already."}',
		};
		let id = 0;
		const uniqueEvent = (status = 'delivered') => ({
			...event(status, { n8nResumeUrl: OWN }),
			messageId: `msg_durable_${++id}`,
		});
		beforeEach(() =>
			jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }),
		);
		afterEach(() => jest.useRealTimers());

		it('keeps relaying while the execution runs and reaches a wait that begins 60 s after the event', async () => {
			const waitBeginsAt = Date.now() + 60_000;
			const calls: number[] = [];
			const { context } = fakeContext([]);
			(context.helpers as unknown as { httpRequest: unknown }).httpRequest = async () => {
				calls.push(Date.now());
				return Date.now() < waitBeginsAt ? RUNNING : { statusCode: 200, body: '{"resumed":true}' };
			};
			relayToWaitingExecution(context, [uniqueEvent()], request);
			await jest.advanceTimersByTimeAsync(90_000);
			const resumedAt = calls.at(-1) as number;
			expect(resumedAt).toBeGreaterThanOrEqual(waitBeginsAt);
			// Backoff capped at 15 s: the wait hears within one step of beginning.
			expect(resumedAt - waitBeginsAt).toBeLessThanOrEqual(15_000);
			const after = calls.length;
			await jest.advanceTimersByTimeAsync(RELAY_WINDOW_MS);
			expect(calls).toHaveLength(after);
		});

		it('gives up after 10 minutes, with a bounded number of attempts, when the execution never waits', async () => {
			const { context, calls } = fakeContext([], RUNNING);
			relayToWaitingExecution(context, [uniqueEvent()], request);
			await jest.advanceTimersByTimeAsync(2 * RELAY_WINDOW_MS);
			expect(calls.length).toBeGreaterThan(20);
			expect(calls.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
		});

		it('retries connection errors and 5xx, and stops at once where n8n says the execution finished', async () => {
			const finished = {
				statusCode: 409,
				body: '{"code":409,"message":"The execution \\"17\\" has finished with error."}',
			};
			const { context, calls } = fakeContext([new Error('ECONNREFUSED'), 503, finished]);
			relayToWaitingExecution(context, [uniqueEvent()], request);
			await jest.advanceTimersByTimeAsync(RELAY_WINDOW_MS);
			expect(calls).toHaveLength(3);
			// n8n's page for a Send and Wait that needs nothing any more (finished, or waiting on another node).
			const page = fakeContext([{ statusCode: 200, body: '<html>No action required</html>' }]);
			relayToWaitingExecution(page.context, [uniqueEvent()], request);
			await jest.advanceTimersByTimeAsync(RELAY_WINDOW_MS);
			expect(page.calls).toHaveLength(1);
			const gone = fakeContext([404]);
			relayToWaitingExecution(gone.context, [uniqueEvent()], request);
			await jest.advanceTimersByTimeAsync(RELAY_WINDOW_MS);
			expect(gone.calls).toHaveLength(1);
		});

		it('holds at most MAX_PENDING relays: beyond that none starts (the trigger answers 503), and a duplicate of one in progress is not started twice', async () => {
			// Every relay hangs on its first attempt until released.
			const release: Array<() => void> = [];
			const { context, calls } = fakeContext([]);
			(context.helpers as unknown as { httpRequest: unknown }).httpRequest = async (
				options: Record<string, unknown>,
			) => {
				calls.push(options);
				await new Promise<void>((resolve) => release.push(resolve));
				return { statusCode: 200 };
			};
			const same = uniqueEvent();
			expect(relayToWaitingExecution(context, [same], request)).toBe(1);
			expect(relayToWaitingExecution(context, [same], request)).toBe(1);
			expect(calls).toHaveLength(1);
			for (let i = 1; i < MAX_PENDING; i++)
				relayToWaitingExecution(context, [uniqueEvent()], request);
			expect(calls).toHaveLength(MAX_PENDING);
			expect(relayToWaitingExecution(context, [uniqueEvent()], request)).toBe(0);
			expect(calls).toHaveLength(MAX_PENDING);
			// The trigger refuses an event it could not relay (503: smsroute sends it again later)
			// and records nothing, so the retry is not taken for a duplicate.
			const staticData: IDataObject = {};
			const payload = JSON.stringify(
				smsRoutePayload({ message_id: 'msg_full', metadata: { n8nResumeUrl: OWN } }),
			);
			const post = async () =>
				await callWebhook({
					rawBody: payload,
					headers: {
						'content-type': 'application/json',
						'x-smsroute-signature': smsRouteHeader(TEST_KEY, nowSeconds(), payload),
					},
					staticData,
					context,
				});
			const full = await post();
			expect([full.httpStatus, full.items]).toEqual([503, []]);
			release.splice(0).forEach((resolve) => resolve());
			await jest.advanceTimersByTimeAsync(0);
			// All ended: there is room again.
			const retried = await post();
			expect(retried.httpStatus).toBe(200);
			expect(retried.items).toHaveLength(1);
			expect(relayToWaitingExecution(context, [uniqueEvent()], request)).toBe(1);
			release.splice(0).forEach((resolve) => resolve());
			await jest.advanceTimersByTimeAsync(0);
		});
	});
});
