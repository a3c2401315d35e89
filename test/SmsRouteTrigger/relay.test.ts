import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { NormalizedEvent } from '../../nodes/SmsRouteTrigger/normalize';
import { relayToWaitingExecution } from '../../nodes/SmsRouteTrigger/relay';

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

function fakeContext(answers: number[]) {
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
				return { statusCode: answers.shift() ?? 200 };
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
});
