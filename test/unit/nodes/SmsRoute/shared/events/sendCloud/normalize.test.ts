import { normalizeSendCloud } from '../../../../../../../nodes/SmsRoute/shared/events/sendCloud/normalize';

describe('normalize', () => {
	const receivedAt = new Date('2024-01-15T10:30:01.204Z');

	it('SendCloud: template reviews, comma lists, event names, phone from smsId', () => {
		const template = normalizeSendCloud(
			{ eventType: 8, event: 'Template Verify', message: 'approved', templateId: 7, timestamp: 1 },
			{ timestampMs: 1652150994087, receivedAt, token: 't1' },
		);
		expect(template).toMatchObject({ ok: true });
		if (template.ok) {
			expect(template.events).toHaveLength(1);
			expect(template.events[0].event).toMatchObject({
				event: 'template.verified',
				status: 'template_verify',
				messageId: null,
				to: null,
				reason: 'approved',
			});
		}
		const byName = normalizeSendCloud(
			{ event: 'deliver', smsIds: 'x$1380,y$1390' },
			{ timestampMs: 1, receivedAt, token: 't1' },
		);
		expect(
			byName.ok && byName.events.map((e) => [e.event.status, e.event.messageId, e.event.to]),
		).toEqual([
			['delivered', 'x$1380', '1380'],
			['delivered', 'y$1390', '1390'],
		]);
		expect(
			normalizeSendCloud(
				{ eventType: 20, smsIds: [{}] },
				{ timestampMs: 1, receivedAt, token: 't1' },
			).ok,
		).toBe(false);
	});

	it('SendCloud customArgs sent as JSON text become metadata', () => {
		const result = normalizeSendCloud(
			{ eventType: 20, smsIds: ['a'], customArgs: '{"k":1}' },
			{ timestampMs: 1, receivedAt, token: 't1' },
		);
		expect(result.ok && result.events[0].event.metadata).toEqual({ k: 1 });
	});
});
