import {
	parseSignatureHeader,
	verifySmsRouteSignature,
} from '../../../../../../../nodes/SmsRoute/shared/events/smsRoute/signature';
import { smsRouteHeader, smsRouteV1 } from '../../../../../../helpers/triggerWebhook';

/**
 * stripe-node's webhook signature tests (test/Webhook.spec.ts, `verifySignatureHeader`)
 * re-expressed for smsroute: same `t=…,v1=…` scheme, same payload, secret and clock values,
 * but the expected signatures come from openssl instead of Stripe's own helper.
 */
const EVENT_PAYLOAD = { id: 'evt_test_webhook', object: 'event' };
const EVENT_PAYLOAD_STRING = JSON.stringify(EVENT_PAYLOAD, null, 2);
const SECRET = 'whsec_test_secret';
const body = Buffer.from(EVENT_PAYLOAD_STRING, 'utf8');
const keys = [{ key: SECRET, livemode: false }];

function verify(
	header: string | undefined,
	opts: { tolerance?: number; nowMs?: number; payload?: Buffer } = {},
) {
	return verifySmsRouteSignature({
		rawBody: opts.payload ?? body,
		header,
		keys,
		toleranceSeconds: opts.tolerance ?? 300,
		nowMs: opts.nowMs ?? Date.now(),
	});
}

describe('smsroute signature — Stripe test cases re-expressed', () => {
	it('rejects a header that does not have the expected format', () => {
		expect(verify("I'm not even a real signature header")).toEqual({
			ok: false,
			reason: 'malformed x-smsroute-signature header',
		});
		expect(verify('bad_header')).toEqual({
			ok: false,
			reason: 'malformed x-smsroute-signature header',
		});
	});

	it('rejects a missing or empty header', () => {
		expect(verify(undefined)).toEqual({ ok: false, reason: 'missing x-smsroute-signature header' });
		expect(verify('')).toEqual({ ok: false, reason: 'missing x-smsroute-signature header' });
	});

	it('rejects when there are no signatures with the expected scheme (v0 only)', () => {
		const t = Math.floor(Date.now() / 1000);
		const header = `t=${t},v0=${smsRouteV1(SECRET, t, body)}`;
		expect(verify(header)).toEqual({
			ok: false,
			reason: 'no v1 signature in x-smsroute-signature header',
		});
	});

	it('rejects when no signature is valid for the payload', () => {
		const t = Math.floor(Date.now() / 1000);
		expect(verify(`t=${t},v1=bad_signature`)).toEqual({ ok: false, reason: 'signature mismatch' });
	});

	it('rejects a timestamp outside the tolerance of the provided receive time', () => {
		const receivedAt = 20000000;
		const header = smsRouteHeader(SECRET, receivedAt / 1000 - 15, body);
		expect(verify(header, { tolerance: 10, nowMs: receivedAt })).toEqual({
			ok: false,
			reason: 'timestamp too old',
		});
	});

	it('rejects a timestamp outside the tolerance of now', () => {
		const header = smsRouteHeader(SECRET, Math.floor(Date.now() / 1000) - 15, body);
		expect(verify(header, { tolerance: 10 }).ok).toBe(false);
	});

	it('accepts a valid signature within the tolerance of now', () => {
		const header = smsRouteHeader(SECRET, Math.floor(Date.now() / 1000), body);
		expect(verify(header, { tolerance: 10 })).toMatchObject({ ok: true, livemode: false });
	});

	it('accepts a valid signature within the tolerance of the provided receive time', () => {
		const receivedAt = 20000000;
		const header = smsRouteHeader(SECRET, receivedAt / 1000 - 9, body);
		expect(verify(header, { tolerance: 10, nowMs: receivedAt })).toMatchObject({ ok: true });
	});

	it('accepts when the header contains at least one valid signature (",v1=potato" appended)', () => {
		const header = `${smsRouteHeader(SECRET, Math.floor(Date.now() / 1000), body)},v1=potato`;
		expect(verify(header, { tolerance: 10 })).toMatchObject({ ok: true });
	});

	it('rejects the default tolerance (300 s) for an event 400 s old', () => {
		const header = smsRouteHeader(SECRET, Math.floor(Date.now() / 1000) - 400, body);
		expect(verify(header)).toEqual({ ok: false, reason: 'timestamp too old' });
	});
});

describe('smsroute signature — beyond Stripe', () => {
	const now = 1_705_314_600_000; // 2024-01-15T10:30:00Z
	const t = now / 1000;

	it('signs "<t>." followed by the exact bytes: a re-serialised body does not verify', () => {
		const header = smsRouteHeader(SECRET, t, body);
		const reserialised = Buffer.from(JSON.stringify(EVENT_PAYLOAD), 'utf8');
		expect(verify(header, { nowMs: now })).toMatchObject({ ok: true });
		expect(verify(header, { nowMs: now, payload: reserialised })).toEqual({
			ok: false,
			reason: 'signature mismatch',
		});
	});

	it('rejects a future timestamp beyond the tolerance (Stripe only checks the past)', () => {
		const header = smsRouteHeader(SECRET, t + 301, body);
		expect(verify(header, { nowMs: now })).toEqual({
			ok: false,
			reason: 'timestamp in the future',
		});
		expect(verify(smsRouteHeader(SECRET, t + 299, body), { nowMs: now })).toMatchObject({
			ok: true,
		});
	});

	it('accepts a valid v1 in any position among several (key rotation)', () => {
		const good = smsRouteV1(SECRET, t, body);
		const other = smsRouteV1('whsec_old_secret', t, body);
		expect(verify(`t=${t},v1=${other},v1=${good}`, { nowMs: now })).toMatchObject({ ok: true });
		expect(verify(`t=${t},v1=${good},v1=${other}`, { nowMs: now })).toMatchObject({ ok: true });
	});

	it('ignores other schemes and tolerates spaces around items', () => {
		const good = smsRouteV1(SECRET, t, body);
		expect(verify(`v0=abc, t=${t}, v2=zzz, v1=${good}`, { nowMs: now })).toMatchObject({
			ok: true,
		});
	});

	it('a valid signature under another scheme name does not count', () => {
		const good = smsRouteV1(SECRET, t, body);
		expect(verify(`t=${t},v2=${good}`, { nowMs: now })).toEqual({
			ok: false,
			reason: 'no v1 signature in x-smsroute-signature header',
		});
	});

	it('treats truncated, over-long and uppercase signatures by length, never throwing', () => {
		const good = smsRouteV1(SECRET, t, body);
		expect(verify(`t=${t},v1=${good.slice(0, 62)}`, { nowMs: now }).ok).toBe(false);
		expect(verify(`t=${t},v1=${good}00`, { nowMs: now }).ok).toBe(false);
		expect(verify(`t=${t},v1=${good.toUpperCase()}`, { nowMs: now }).ok).toBe(true);
	});

	it('rejects a non-numeric or duplicated t', () => {
		const good = smsRouteV1(SECRET, t, body);
		expect(verify(`t=abc,v1=${good}`, { nowMs: now }).ok).toBe(false);
		expect(verify(`t=${t},t=${t},v1=${good}`, { nowMs: now }).ok).toBe(false);
		expect(verify(`v1=${good}`, { nowMs: now }).ok).toBe(false);
	});

	it('fails verification without raw bytes', () => {
		const header = smsRouteHeader(SECRET, t, body);
		expect(
			verifySmsRouteSignature({
				rawBody: undefined,
				header,
				keys,
				toleranceSeconds: 300,
				nowMs: now,
			}),
		).toEqual({ ok: false, reason: 'raw request body unavailable; cannot verify signature' });
	});

	it('reports which key matched', () => {
		const header = smsRouteHeader('sk_live_x', t, body);
		const result = verifySmsRouteSignature({
			rawBody: body,
			header,
			keys: [
				{ key: 'sk_test_x', livemode: false },
				{ key: 'sk_live_x', livemode: true },
			],
			toleranceSeconds: 300,
			nowMs: now,
		});
		expect(result).toEqual({ ok: true, livemode: true, timestamp: t });
	});

	it('matches a fixed vector computed independently (Python hmac and openssl agree)', () => {
		// python3 -c "hmac.new(b'whsec_test_secret', b'1492774577.' + payload, sha256).hexdigest()"
		const v1 = 'c2f890decbc5ede7c5060bb9a6d31e0626a4342bacb9aeae2adb1bcea72f9812';
		expect(smsRouteV1(SECRET, 1492774577, body)).toBe(v1);
		const result = verifySmsRouteSignature({
			rawBody: body,
			header: `t=1492774577,v1=${v1}`,
			keys,
			toleranceSeconds: 300,
			nowMs: 1492774577 * 1000 + 1000,
		});
		expect(result).toEqual({ ok: true, livemode: false, timestamp: 1492774577 });
	});

	it('parses the header into timestamp and every v1', () => {
		expect(parseSignatureHeader('t=12,v1=a,v0=b,v1=c')).toEqual({
			timestamp: 12,
			signatures: ['a', 'c'],
		});
	});
});
