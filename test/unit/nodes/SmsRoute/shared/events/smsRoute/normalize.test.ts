import {
	normalizeSmsRoute,
	parseSmsRouteTimestamp,
} from '../../../../../../../nodes/SmsRoute/shared/events/smsRoute/normalize';

describe('normalize', () => {
	const receivedAt = new Date('2024-01-15T10:30:01.204Z');

	it('produces the contract example for smsroute', () => {
		const body = {
			type: 'message.delivered',
			message_id: 'msg_1a2b3c4d5e6f7g8h',
			status: 'delivered',
			timestamp: '2024-01-15T10:30:00Z',
			to: '+15551234567',
		};
		const result = normalizeSmsRoute(body, { livemode: false, receivedAt });
		expect(result).toMatchObject({ ok: true });
		if (!result.ok) return;
		expect(result.events[0].event).toEqual({
			provider: 'smsroute',
			event: 'message.delivered',
			status: 'delivered',
			final: true,
			messageId: 'msg_1a2b3c4d5e6f7g8h',
			to: '+15551234567',
			occurredAt: '2024-01-15T10:30:00.000Z',
			receivedAt: '2024-01-15T10:30:01.204Z',
			livemode: false,
			reason: null,
			metadata: {},
			raw: body,
		});
	});

	it('refuses smsroute bodies with unknown status or bad timestamps', () => {
		const base = { message_id: 'm', status: 'sent', timestamp: 1705314600 };
		expect(
			normalizeSmsRoute({ ...base, status: 'exploded' }, { livemode: false, receivedAt }).ok,
		).toBe(false);
		expect(
			normalizeSmsRoute({ ...base, timestamp: 'yesterday' }, { livemode: false, receivedAt }).ok,
		).toBe(false);
		expect(
			normalizeSmsRoute({ ...base, timestamp: undefined }, { livemode: false, receivedAt }).ok,
		).toBe(false);
	});

	it('reads seconds, milliseconds and ISO timestamps', () => {
		expect(parseSmsRouteTimestamp(1705314600)?.toISOString()).toBe('2024-01-15T10:30:00.000Z');
		expect(parseSmsRouteTimestamp(1705314600123)?.toISOString()).toBe('2024-01-15T10:30:00.123Z');
		expect(parseSmsRouteTimestamp('1705314600')?.toISOString()).toBe('2024-01-15T10:30:00.000Z');
		expect(parseSmsRouteTimestamp('2024-01-15T11:30:00+01:00')?.toISOString()).toBe(
			'2024-01-15T10:30:00.000Z',
		);
		expect(parseSmsRouteTimestamp({})).toBeNull();
	});
});
