import type { IDataObject } from 'n8n-workflow';

import { SeenRecord } from '../../nodes/SmsRouteTrigger/dedupe';

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
		expect(b.useToken('t'.repeat(50), Buffer.from('{"a":1}'), now, now + 1000, 300)).toBe('redelivery');
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
		expect((fromDb(db).eventKeys as string[]).length).toBe(1);

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

describe('eventId', () => {
	it('is the same for every delivery of one event, different for another event, and holds no input', async () => {
		const { callWebhook, smsRoutePayload, smsRouteHeader, nowSeconds, TEST_KEY } = await import('./helpers');
		const body = JSON.stringify(smsRoutePayload({ message_id: 'msg_evtid_1', to: '+15005550001' }));
		const other = JSON.stringify(smsRoutePayload({ message_id: 'msg_evtid_2', to: '+15005550001' }));
		const signed = (raw: string) => ({ rawBody: raw, headers: { 'content-type': 'application/json', 'x-smsroute-signature': smsRouteHeader(TEST_KEY, nowSeconds(), raw) } });
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
