import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { EVENT_WINDOW_MS, MAX_EVENT_KEYS, MIRROR_EVENT_KEYS, SeenRecord } from '../../nodes/SmsRouteTrigger/dedupe';
import { normalizeSmsRoute, parseSmsRouteTimestamp } from '../../nodes/SmsRouteTrigger/normalize';
import { MAX_MESSAGES_PER_CALLBACK, normalizeSendCloud } from '../../nodes/SmsRouteTrigger/normalizeSendCloud';
import { MAX_BODY_BYTES, parseRawBody } from '../../nodes/SmsRouteTrigger/parseBody';
import {
	extractSendCloudFields,
	verifySendCloudSignature,
} from '../../nodes/SmsRouteTrigger/verify/sendCloudSignature';
import { sendCloudSignature } from './helpers';

describe('parseRawBody', () => {
	const parse = (text: string | Buffer, type?: string) =>
		parseRawBody(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, type);

	it('parses JSON objects and refuses other JSON values', () => {
		expect(parse('{"a":1}', 'application/json')).toEqual({ ok: true, body: { a: 1 }, format: 'json' });
		expect(parse('[1]', 'application/json')).toEqual({ ok: false, reason: 'JSON body must be an object' });
		expect(parse('null', 'application/json').ok).toBe(false);
		expect(parse('{', 'application/json')).toEqual({ ok: false, reason: 'invalid JSON' });
	});

	it('parses form bodies, decoding JSON arrays/objects held in fields', () => {
		const form = 'event=Delivered&eventType=20&smsIds=%5B%22a%22%2C%22b%22%5D&customArgs=%7B%22k%22%3A%22v%22%7D&message=hello+world';
		expect(parse(form, 'application/x-www-form-urlencoded; charset=UTF-8')).toEqual({
			ok: true,
			format: 'form',
			body: {
				event: 'Delivered',
				eventType: '20',
				smsIds: ['a', 'b'],
				customArgs: { k: 'v' },
				message: 'hello world',
			},
		});
	});

	it('keeps bracket-leading text that is not JSON, and handles repeated and bracketed keys', () => {
		const result = parse('message=%5Bnot+json&p=1&p=2&q[]=x&args[a]=1', 'application/x-www-form-urlencoded');
		expect(result).toEqual({
			ok: true,
			format: 'form',
			body: { message: '[not json', p: ['1', '2'], q: ['x'], args: { a: '1' } },
		});
	});

	it('never writes to Object.prototype', () => {
		const result = parse('__proto__[polluted]=1&constructor=x&a=1', 'application/x-www-form-urlencoded');
		expect(result).toEqual({ ok: true, format: 'form', body: { a: '1' } });
		expect(({} as IDataObject).polluted).toBeUndefined();
	});

	it('sniffs the format when the content type is missing or generic', () => {
		expect(parse('{"a":1}').ok).toBe(true);
		expect(parse('a=1', 'text/plain')).toMatchObject({ ok: true, format: 'form' });
		expect(parse('hello', 'text/plain').ok).toBe(false);
	});

	it('refuses empty, oversized, non-UTF-8 and non-UTF-8-charset bodies', () => {
		expect(parse('')).toEqual({ ok: false, reason: 'empty body' });
		expect(parse(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20))).toEqual({ ok: false, reason: 'body too large' });
		expect(parse(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))).toEqual({ ok: false, reason: 'body is not valid UTF-8' });
		expect(parse('{"a":1}', 'application/json; charset=iso-8859-1').ok).toBe(false);
		expect(parse('{"a":"é"}', 'application/json; charset=utf-8')).toMatchObject({ ok: true, body: { a: 'é' } });
	});

	it('refuses percent-escapes that are not UTF-8 and too many fields', () => {
		expect(parse('a=%C3%28', 'application/x-www-form-urlencoded')).toEqual({ ok: false, reason: 'malformed form body' });
		expect(parse(Array.from({ length: 1001 }, (_, i) => `k${i}=v`).join('&'), 'application/x-www-form-urlencoded')).toEqual({
			ok: false,
			reason: 'too many form fields',
		});
	});
});

describe('normalize', () => {
	const receivedAt = new Date('2024-01-15T10:30:01.204Z');

	it('produces the SPEC example for smsroute', () => {
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
		expect(normalizeSmsRoute({ ...base, status: 'exploded' }, { livemode: false, receivedAt }).ok).toBe(false);
		expect(normalizeSmsRoute({ ...base, timestamp: 'yesterday' }, { livemode: false, receivedAt }).ok).toBe(false);
		expect(normalizeSmsRoute({ ...base, timestamp: undefined }, { livemode: false, receivedAt }).ok).toBe(false);
	});

	it('reads seconds, milliseconds and ISO timestamps', () => {
		expect(parseSmsRouteTimestamp(1705314600)?.toISOString()).toBe('2024-01-15T10:30:00.000Z');
		expect(parseSmsRouteTimestamp(1705314600123)?.toISOString()).toBe('2024-01-15T10:30:00.123Z');
		expect(parseSmsRouteTimestamp('1705314600')?.toISOString()).toBe('2024-01-15T10:30:00.000Z');
		expect(parseSmsRouteTimestamp('2024-01-15T11:30:00+01:00')?.toISOString()).toBe('2024-01-15T10:30:00.000Z');
		expect(parseSmsRouteTimestamp({})).toBeNull();
	});

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
		expect(byName.ok && byName.events.map((e) => [e.event.status, e.event.messageId, e.event.to])).toEqual([
			['delivered', 'x$1380', '1380'],
			['delivered', 'y$1390', '1390'],
		]);
		expect(normalizeSendCloud({ eventType: 20, smsIds: [{}] }, { timestampMs: 1, receivedAt, token: 't1' }).ok).toBe(false);
	});

	it('SendCloud customArgs sent as JSON text become metadata', () => {
		const result = normalizeSendCloud(
			{ eventType: 20, smsIds: ['a'], customArgs: '{"k":1}' },
			{ timestampMs: 1, receivedAt, token: 't1' },
		);
		expect(result.ok && result.events[0].event.metadata).toEqual({ k: 1 });
	});
});

describe('SeenRecord (dedupe)', () => {
	const HOUR = 3_600_000;
	const limits = { maxEventKeys: 5, maxTokens: 3, eventWindowMs: EVENT_WINDOW_MS, mirrorEventKeys: 4, mirrorTokens: 2 };

	it('keeps every event of the window up to the count, forgetting the oldest first beyond it', () => {
		const staticData: IDataObject = {};
		const now = 1_700_000_000_000;
		const seen = new SeenRecord(staticData, now, limits);
		for (let i = 0; i < 7; i++) expect(seen.firstSeen(`key-${i}`, now + i)).toBe(true);
		expect(seen.firstSeen('key-6', now + 7)).toBe(false);
		expect(seen.hasEvent('key-1')).toBe(false);
		expect(seen.hasEvent('key-2')).toBe(true);
		seen.save();
		// Static data mirrors only the newest entries (mirrorEventKeys).
		expect((staticData.eventKeys as string[]).length).toBe(4);
		const reloaded = new SeenRecord(staticData, now + 8, limits);
		expect(reloaded.hasEvent('key-2')).toBe(false);
		expect(reloaded.hasEvent('key-3')).toBe(true);
		expect(reloaded.hasEvent('key-6')).toBe(true);
	});

	it('remembers an event for the whole 48 h window and forgets it after', () => {
		const now = 1_700_000_000_000;
		const seen = new SeenRecord({}, now);
		seen.firstSeen('early', now);
		expect(seen.firstSeen('early', now + 47 * HOUR)).toBe(false);
		seen.firstSeen('later', now + 48 * HOUR + 1);
		expect(seen.hasEvent('early')).toBe(false);
		expect(seen.hasEvent('later')).toBe(true);
	});

	it('fits 25 maximum-size callbacks in the count, so one request cannot wipe the record', () => {
		expect(MAX_EVENT_KEYS).toBeGreaterThanOrEqual(25 * MAX_MESSAGES_PER_CALLBACK);
		expect(EVENT_WINDOW_MS).toBeGreaterThan((3 + 10 + 30 + 60 + 6 * 60 + 12 * 60 + 24 * 60) * 60_000);
	});

	it('reads records saved by the previous version (32-character digests)', () => {
		const oldDigest = createHash('sha256').update('old-key').digest('hex').slice(0, 32);
		const seen = new SeenRecord({ eventKeys: [oldDigest] });
		expect(seen.hasEvent('old-key')).toBe(true);
	});

	it('stores hashes, not phone numbers or tokens', () => {
		const staticData: IDataObject = {};
		const seen = new SeenRecord(staticData);
		seen.firstSeen('sendcloud|delivered|id$13888888888|13888888888', 1000);
		seen.useToken('VDymF6ihuJkKZjHiJZkLKGmY6q9qAQ2WGopLh7mBsDeAO6GKV5', Buffer.from('{"phones":["13888888888"]}'), 1000, 1000, 300);
		seen.save();
		expect(JSON.stringify(staticData)).not.toMatch(/13888888888|VDymF6/);
	});

	it('keeps tokens for the tolerance window, then prunes them; redelivery and replay are told apart', () => {
		const now = 10_000_000;
		const seen = new SeenRecord({}, now, limits);
		const body = Buffer.from('{}');
		expect(seen.useToken('old', body, now - 301_000, now - 301_000, 300)).toBe('new');
		expect(seen.useToken('new', body, now, now, 300)).toBe('new');
		expect(seen.useToken('new', body, now, now, 300)).toBe('redelivery');
		expect(seen.useToken('new', Buffer.from('{"smsIds":["forged"]}'), now, now, 300)).toBe('replay');
		// "old" left the window: the next new token prunes it.
		expect(seen.useToken('third', body, now, now, 300)).toBe('new');
		expect(seen.useToken('old', Buffer.from('x'), now - 301_000, now, 300)).toBe('new');
	});

	it('refuses new tokens when full instead of forgetting one inside the window', () => {
		const now = 10_000_000;
		const staticData: IDataObject = {};
		const seen = new SeenRecord(staticData, now, limits);
		const body = Buffer.from('{}');
		for (const token of ['a', 'b', 'c']) expect(seen.useToken(token, body, now, now, 300)).toBe('new');
		expect(seen.useToken('d', body, now, now + 1000, 300)).toBe('full');
		expect(seen.useToken('a', Buffer.from('forged'), now, now + 1000, 300)).toBe('replay');
		// Once the first tokens leave the window there is room again.
		expect(seen.useToken('e', body, now + 301_000, now + 301_000, 300)).toBe('new');
		seen.save();
		expect((staticData.sendcloudTokens as string[]).length).toBe(2); // mirrorTokens
		// "b" was pruned with the others (a replay of it is refused as stale by the verifier).
		expect(seen.useToken('b', Buffer.from('forged'), now, now + 301_001, 300)).toBe('new');
	});

	it('keeps a token while a raised tolerance still accepts it', () => {
		const now = 10_000_000;
		const seen = new SeenRecord({}, now, limits);
		seen.useToken('a', Buffer.from('{}'), now, now, 300);
		expect(seen.useToken('b', Buffer.from('{}'), now + 400_000, now + 400_000, 600)).toBe('new');
		expect(seen.useToken('a', Buffer.from('forged'), now, now + 400_000, 600)).toBe('replay');
	});

	it('mirrors a bounded number of entries however many are remembered', () => {
		expect(MIRROR_EVENT_KEYS).toBeGreaterThanOrEqual(MAX_MESSAGES_PER_CALLBACK);
		const staticData: IDataObject = {};
		const seen = new SeenRecord(staticData, 1000);
		for (let i = 0; i < 3 * MIRROR_EVENT_KEYS; i++) seen.firstSeen(`k${i}`, 1000);
		seen.save();
		expect((staticData.eventKeys as string[]).length).toBe(MIRROR_EVENT_KEYS);
		expect(seen.hasEvent('k0')).toBe(true);
	});

	it('does not touch static data when nothing changed', () => {
		const staticData: IDataObject = { eventKeys: ['x'] };
		const seen = new SeenRecord(staticData);
		seen.hasEvent('y');
		seen.save();
		expect(staticData).toEqual({ eventKeys: ['x'] });
	});
});

describe('SendCloud signature', () => {
	const appKey = 'app_key_1';
	it('verifies HMAC-SHA256(appKey, timestamp + token) computed by openssl', () => {
		const timestamp = 1652150994087;
		const token = 'VDymF6ihuJkKZjHiJZkLKGmY6q9qAQ2WGopLh7mBsDeAO6GKV5';
		const signature = sendCloudSignature(appKey, timestamp, token);
		const fields = extractSendCloudFields({ timestamp, token, signature });
		expect(fields.ok).toBe(true);
		if (!fields.ok) return;
		const ok = verifySendCloudSignature({ appKey, ...fields, toleranceSeconds: 300, nowMs: timestamp });
		expect(ok).toEqual({ ok: true });
		const badLength = verifySendCloudSignature({
			appKey,
			fields: { ...fields.fields, signature: signature.slice(2) },
			timestampMs: fields.timestampMs,
			toleranceSeconds: 300,
			nowMs: timestamp,
		});
		expect(badLength).toEqual({ ok: false, reason: 'signature mismatch' });
	});

	it('accepts the timestamp as a string (form bodies) and refuses non-numeric ones', () => {
		expect(extractSendCloudFields({ timestamp: '1652150994087', token: 't', signature: 's' }).ok).toBe(true);
		expect(extractSendCloudFields({ timestamp: '16521x', token: 't', signature: 's' }).ok).toBe(false);
		expect(extractSendCloudFields({ token: 't', signature: 's' }).ok).toBe(false);
	});
});
