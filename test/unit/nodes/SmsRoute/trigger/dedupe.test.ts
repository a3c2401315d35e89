import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import {
	EVENT_WINDOW_MS,
	MAX_EVENT_KEYS,
	MIRROR_EVENT_KEYS,
	SAVE_INTERVAL_MS,
	SeenRecord,
} from '../../../../../nodes/SmsRoute/trigger/dedupe';
import { MAX_MESSAGES_PER_CALLBACK } from '../../../../../nodes/SmsRoute/shared/events/sendCloud/normalize';

/** The entries of a list as static data holds it: one text, comma-separated. */
const entries = (list: unknown): string[] => {
	expect(typeof list).toBe('string');
	return (list as string) === '' ? [] : (list as string).split(',');
};

describe('SeenRecord (dedupe)', () => {
	const HOUR = 3_600_000;
	const limits = {
		maxEventKeys: 5,
		maxTokens: 3,
		eventWindowMs: EVENT_WINDOW_MS,
		mirrorEventKeys: 4,
		mirrorTokens: 2,
	};

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
		expect(entries(staticData.eventKeys).length).toBe(4);
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
		expect(EVENT_WINDOW_MS).toBeGreaterThan(
			(3 + 10 + 30 + 60 + 6 * 60 + 12 * 60 + 24 * 60) * 60_000,
		);
	});

	it('reads records saved by the previous version (32-character digests)', () => {
		const oldDigest = createHash('sha256').update('old-key').digest('hex').slice(0, 32);
		const seen = new SeenRecord({ eventKeys: [oldDigest] });
		expect(seen.hasEvent('old-key')).toBe(true);
	});

	it('reads a record saved as arrays by 0.2.0 and writes it back as one text', () => {
		const now = 1_700_000_000_000;
		const staticData: IDataObject = { eventKeys: [`${'a'.repeat(16)}:${now.toString(36)}`] };
		const seen = new SeenRecord(staticData, now, limits);
		expect(seen.firstSeen('new-key', now)).toBe(true);
		seen.save();
		expect(entries(staticData.eventKeys)).toHaveLength(2);
		expect(entries(staticData.eventKeys)[0]).toBe(`${'a'.repeat(16)}:${now.toString(36)}`);
		expect(new SeenRecord(staticData, now, limits).hasEvent('new-key')).toBe(true);
	});

	it('keeps static data free of arrays and objects, which n8n walks on every request', () => {
		const staticData: IDataObject = {};
		const seen = new SeenRecord(staticData, 1000);
		for (let i = 0; i < 3 * MIRROR_EVENT_KEYS; i++) seen.firstSeen(`k${i}`, 1000);
		seen.useToken('t', Buffer.from('{}'), 1000, 1000, 300);
		seen.save();
		for (const value of Object.values(staticData)) expect(typeof value).toBe('string');
	});

	it('stores hashes, not phone numbers or tokens', () => {
		const staticData: IDataObject = {};
		const seen = new SeenRecord(staticData);
		seen.firstSeen('sendcloud|delivered|id$13888888888|13888888888', 1000);
		seen.useToken(
			'VDymF6ihuJkKZjHiJZkLKGmY6q9qAQ2WGopLh7mBsDeAO6GKV5',
			Buffer.from('{"phones":["13888888888"]}'),
			1000,
			1000,
			300,
		);
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
		expect(seen.useToken('new', Buffer.from('{"smsIds":["forged"]}'), now, now, 300)).toBe(
			'replay',
		);
		// "old" left the window: the next new token prunes it.
		expect(seen.useToken('third', body, now, now, 300)).toBe('new');
		expect(seen.useToken('old', Buffer.from('x'), now - 301_000, now, 300)).toBe('new');
	});

	it('refuses new tokens when full instead of forgetting one inside the window', () => {
		const now = 10_000_000;
		const staticData: IDataObject = {};
		const seen = new SeenRecord(staticData, now, limits);
		const body = Buffer.from('{}');
		for (const token of ['a', 'b', 'c'])
			expect(seen.useToken(token, body, now, now, 300)).toBe('new');
		expect(seen.useToken('d', body, now, now + 1000, 300)).toBe('full');
		expect(seen.useToken('a', Buffer.from('forged'), now, now + 1000, 300)).toBe('replay');
		// Once the first tokens leave the window there is room again.
		expect(seen.useToken('e', body, now + 301_000, now + 301_000, 300)).toBe('new');
		seen.save();
		expect(entries(staticData.sendcloudTokens).length).toBe(2); // mirrorTokens
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
		expect(entries(staticData.eventKeys).length).toBe(MIRROR_EVENT_KEYS);
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

/**
 * Queue mode: several webhook processes, one database. Each process keeps its own record in
 * memory; each request brings the workflow's static data as the database holds it. Simulated
 * here with one SeenRecord per "process" and JSON copies as the database.
 */
describe('SeenRecord across n8n processes (queue mode)', () => {
	const now = Date.UTC(2024, 0, 15, 10, 30);
	const fromDb = (db: string): IDataObject => JSON.parse(db) as IDataObject;

	it('an event one process accepted and saved is a duplicate in another process that started earlier', () => {
		let db = '{}';
		const a = new SeenRecord(fromDb(db), now);
		const b = new SeenRecord(fromDb(db), now); // B has handled this trigger before: its record exists

		const requestA = fromDb(db);
		a.attach(requestA, now);
		expect(a.firstSeen('smsroute|msg_1|delivered', now)).toBe(true);
		a.save(requestA);
		db = JSON.stringify(requestA); // n8n saves A's static data

		const requestB = fromDb(db);
		b.attach(requestB, now + 1000);
		expect(b.firstSeen('smsroute|msg_1|delivered', now + 1000)).toBe(false);
	});

	it('SendCloud tokens another process recorded are known too (a replay with another body is refused)', () => {
		let db = '{}';
		const a = new SeenRecord(fromDb(db), now);
		const b = new SeenRecord(fromDb(db), now);
		const requestA = fromDb(db);
		a.attach(requestA, now);
		expect(a.useToken('t'.repeat(50), Buffer.from('{"a":1}'), now, now, 300)).toBe('new');
		a.save(requestA);
		db = JSON.stringify(requestA);

		b.attach(fromDb(db), now + 1000);
		expect(b.useToken('t'.repeat(50), Buffer.from('{"a":2}'), now, now + 1000, 300)).toBe('replay');
		expect(b.useToken('t'.repeat(50), Buffer.from('{"a":1}'), now, now + 1000, 300)).toBe(
			'redelivery',
		);
	});

	it('a process writes back what another one saved, and what a stale write dropped from the database', () => {
		let db = '{}';
		const a = new SeenRecord(fromDb(db), now);
		const b = new SeenRecord(fromDb(db), now);

		// Both start a request on the same database state; A saves first, B's later write
		// (from its stale copy) drops A's key from the database.
		const requestA = fromDb(db);
		const requestB = fromDb(db);
		a.attach(requestA, now);
		b.attach(requestB, now);
		a.firstSeen('event-a', now);
		b.firstSeen('event-b', now);
		a.save(requestA);
		b.save(requestB);
		db = JSON.stringify(requestB);
		expect(entries(fromDb(db).eventKeys).length).toBe(1);

		// A's next save restores it, together with B's.
		const next = fromDb(db);
		a.attach(next, now + 1);
		a.firstSeen('event-c', now + 1);
		a.save(next);
		const c = new SeenRecord(fromDb(JSON.stringify(next)), now + 2);
		for (const key of ['event-a', 'event-b', 'event-c']) expect(c.hasEvent(key)).toBe(true);
	});

	it('taking in saved entries costs no write: a request that adds nothing leaves static data alone', () => {
		const a = new SeenRecord({}, now);
		const first: IDataObject = {};
		a.firstSeen('event-a', now);
		a.save(first);
		const again = fromDb(JSON.stringify(first));
		const before = JSON.stringify(again);
		a.attach(again, now + 1);
		a.save(again);
		expect(JSON.stringify(again)).toBe(before);
		const other = new SeenRecord({}, now);
		const request = fromDb(before);
		other.attach(request, now + 1);
		other.save(request);
		expect(JSON.stringify(request)).toBe(before);
	});
});

describe('SeenRecord: writes at most once per interval (issue 32)', () => {
	const now = 1_700_000_000_000;
	const copy = (data: IDataObject) => JSON.parse(JSON.stringify(data)) as IDataObject;

	it('writes the first change at once, then at most once per interval, the later write holding everything added meanwhile', () => {
		const seen = new SeenRecord({}, now);
		const first: IDataObject = {};
		seen.firstSeen('a', now);
		seen.saveDue(first, now);
		expect(entries(first.eventKeys)).toHaveLength(1);
		const second: IDataObject = {};
		seen.firstSeen('b', now + 10);
		seen.saveDue(second, now + 10);
		expect(second.eventKeys).toBeUndefined(); // within the interval: n8n writes nothing
		const third: IDataObject = {};
		seen.firstSeen('c', now + SAVE_INTERVAL_MS + 1);
		seen.saveDue(third, now + SAVE_INTERVAL_MS + 1);
		const restarted = new SeenRecord(copy(third), now + SAVE_INTERVAL_MS + 2);
		for (const key of ['a', 'b', 'c']) expect(restarted.hasEvent(key)).toBe(true);
		// Nothing added since: nothing to write, however long after.
		const idle: IDataObject = {};
		seen.saveDue(idle, now + 10 * SAVE_INTERVAL_MS);
		expect(idle.eventKeys).toBeUndefined();
	});

	it('still takes in a list another process wrote after the one it read last (queue mode)', () => {
		const db: IDataObject = {};
		const a = new SeenRecord({}, now);
		a.firstSeen('from-a', now);
		a.save(db);
		const b = new SeenRecord(copy(db), now);
		b.firstSeen('from-b', now + 1);
		b.save(db);
		a.attach(copy(db), now + 2); // same length as before would not matter: the last entry differs
		expect(a.hasEvent('from-b')).toBe(true);
		a.attach(copy(db), now + 3); // the same list again: nothing new, nothing lost
		expect(a.hasEvent('from-a') && a.hasEvent('from-b')).toBe(true);
	});
});

describe('eventId', () => {
	it('is the same for every delivery of one event, different for another event, and holds no input', async () => {
		const { callWebhook, smsRoutePayload, smsRouteHeader, nowSeconds, TEST_KEY } =
			await import('../../../../helpers/triggerWebhook');
		const body = JSON.stringify(smsRoutePayload({ message_id: 'msg_evtid_1', to: '+15005550001' }));
		const other = JSON.stringify(
			smsRoutePayload({ message_id: 'msg_evtid_2', to: '+15005550001' }),
		);
		const signed = (raw: string) => ({
			rawBody: raw,
			headers: {
				'content-type': 'application/json',
				'x-smsroute-signature': smsRouteHeader(TEST_KEY, nowSeconds(), raw),
			},
		});
		// Separate static data: two workflows (or two processes that never shared a record) both emit it.
		const a = await callWebhook({ ...signed(body), staticData: {} });
		const b = await callWebhook({ ...signed(body), staticData: {} });
		const c = await callWebhook({ ...signed(other), staticData: {} });
		const id = a.items[0].eventId as string;
		expect(id).toMatch(/^evt_[0-9a-f]{32}$/);
		expect(b.items[0].eventId).toBe(id);
		expect(c.items[0].eventId).not.toBe(id);
		expect(id).not.toContain('5005550001');
	});
});
