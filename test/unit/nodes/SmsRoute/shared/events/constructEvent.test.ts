import { constructSendCloudEvent as sendCloudEvent } from '../../../../../../nodes/SmsRoute/shared/events/sendCloud/constructEvent';
import { constructSmsRouteEvent as smsRouteEvent } from '../../../../../../nodes/SmsRoute/shared/events/smsRoute/constructEvent';
import { sendCloudTestSignature, smsRouteTestHeader } from '../../../../../helpers/signing';

const TEST_KEY = 'sk_test_providers';
const LIVE_KEY = 'sk_live_providers';
const keys = [
	{ key: TEST_KEY, livemode: false },
	{ key: LIVE_KEY, livemode: true },
];
const now = new Date('2026-01-02T03:04:05Z');
const nowMs = now.getTime();

describe('shared/events/smsRoute constructSmsRouteEvent: raw body + header + keys → events or a refusal', () => {
	const body = Buffer.from(
		JSON.stringify({ message_id: 'm1', status: 'delivered', timestamp: nowMs / 1000 - 5 }),
	);
	const request = (overrides: Partial<Parameters<typeof smsRouteEvent>[0]> = {}) => ({
		rawBody: body,
		header: smsRouteTestHeader({ key: LIVE_KEY, body, nowMs }),
		contentType: 'application/json',
		keys,
		toleranceSeconds: 300,
		now,
		...overrides,
	});

	it('verifies, parses and normalizes; the key that signed tells livemode', () => {
		const result = smsRouteEvent(request());
		expect(result).toMatchObject({ ok: true, livemode: true });
		if (!result.ok) throw new Error('refused');
		expect(result.events.map(({ event }) => [event.messageId, event.status, event.final])).toEqual([
			['m1', 'delivered', true],
		]);
	});

	it('refuses a forged signature before parsing (badSignature), a bad body after verifying (malformed)', () => {
		const forged = smsRouteTestHeader({ key: 'sk_test_other', body, nowMs });
		expect(smsRouteEvent(request({ header: forged }))).toEqual({
			ok: false,
			kind: 'badSignature',
			reason: 'signature mismatch',
		});
		const garbage = Buffer.from('{not json');
		const signedGarbage = smsRouteTestHeader({ key: TEST_KEY, body: garbage, nowMs });
		expect(smsRouteEvent(request({ rawBody: garbage, header: signedGarbage }))).toMatchObject({
			ok: false,
			kind: 'malformed',
		});
		const noId = Buffer.from(JSON.stringify({ status: 'sent', timestamp: 1 }));
		const signedNoId = smsRouteTestHeader({ key: TEST_KEY, body: noId, nowMs });
		expect(smsRouteEvent(request({ rawBody: noId, header: signedNoId }))).toEqual({
			ok: false,
			kind: 'malformed',
			reason: 'missing message_id',
		});
	});

	it('a long tolerance back in time keeps its own bound ahead (futureToleranceSeconds)', () => {
		const ahead = smsRouteTestHeader({ key: TEST_KEY, body, nowMs: nowMs + 600_000 });
		expect(smsRouteEvent(request({ header: ahead, toleranceSeconds: 3600 }))).toMatchObject({
			ok: true,
		});
		expect(
			smsRouteEvent(
				request({ header: ahead, toleranceSeconds: 3600, futureToleranceSeconds: 300 }),
			),
		).toEqual({ ok: false, kind: 'badSignature', reason: 'timestamp in the future' });
	});
});

describe('shared/events/sendCloud constructSendCloudEvent: raw body + app key → events or a refusal', () => {
	const APP_KEY = 'sendcloud_app_key';
	const token = 't'.repeat(50);
	const timestamp = String(nowMs - 1000);
	const form = (signature: string) =>
		Buffer.from(
			new URLSearchParams({
				event: 'deliver',
				smsId: 's1',
				phone: '13800000000',
				token,
				timestamp,
				signature,
			}).toString(),
		);
	const request = (rawBody: Buffer, spent: string[]) => ({
		rawBody,
		contentType: 'application/x-www-form-urlencoded',
		appKey: APP_KEY,
		toleranceSeconds: 300,
		now,
		spendToken: (spentToken: string) => {
			spent.push(spentToken);
			return null;
		},
	});

	it('verifies, spends the token, normalizes', () => {
		const spent: string[] = [];
		const result = sendCloudEvent(
			request(form(sendCloudTestSignature(APP_KEY, timestamp, token)), spent),
		);
		expect(result).toMatchObject({ ok: true });
		expect(spent).toEqual([token]);
	});

	it('spends no token for a forged signature; answers null without an app key', () => {
		const spent: string[] = [];
		const forged = form(sendCloudTestSignature('other', timestamp, token));
		expect(sendCloudEvent(request(forged, spent))).toEqual({
			ok: false,
			kind: 'badSignature',
			reason: 'signature mismatch',
		});
		expect(spent).toEqual([]);
		expect(sendCloudEvent({ ...request(forged, spent), appKey: null })).toBeNull();
	});

	it("answers spendToken's refusal (a replayed token)", () => {
		const rawBody = form(sendCloudTestSignature(APP_KEY, timestamp, token));
		expect(
			sendCloudEvent({
				...request(rawBody, []),
				spendToken: () => ({ kind: 'tokenReused' }),
			}),
		).toEqual({ ok: false, kind: 'tokenReused' });
	});
});
