import type { IDataObject } from 'n8n-workflow';

import { parseRawBody } from '../../../nodes/SmsRoute/shared/events/parseBody';
import { MAX_GROWTH_AT_4X, timeRatio } from '../../helpers/growth';
import { sendCloudTestSignature } from '../../helpers/signing';
import {
	APP_KEY,
	TEST_KEY,
	callWebhook,
	newToken,
	nowSeconds,
	sendCloudPayload,
	smsRouteHeader,
	smsRoutePayload,
	toForm,
} from '../../helpers/triggerWebhook';

/**
 * Issue 10, items 9–15: what one hostile or unusual request can do to the trigger.
 * Bulk signatures use node:crypto here (the openssl helper spawns a process per call);
 * the algorithm itself is checked against openssl in trigger.test.ts.
 */

const JSON_TYPE = { 'content-type': 'application/json' };
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

function fastSendCloud(overrides: IDataObject = {}): IDataObject {
	const timestamp = (overrides.timestamp as number | undefined) ?? Date.now();
	const token = (overrides.token as string | undefined) ?? newToken();
	const signature = sendCloudTestSignature(APP_KEY, timestamp, token);
	return sendCloudPayload({ ...overrides, timestamp, token, signature });
}

/** A JSON body posted to the trigger with its `staticData` (its dedupe memory). */
function postJson(body: IDataObject, staticData: IDataObject) {
	return callWebhook({ rawBody: JSON.stringify(body), headers: JSON_TYPE, staticData });
}

/** One signed SendCloud JSON callback, posted with the trigger's `staticData`. */
const postSendCloud = (overrides: IDataObject, staticData: IDataObject) =>
	postJson(fastSendCloud(overrides), staticData);

function fanOut(count: number, prefix = 'm'): { smsIds: string[]; phones: string[] } {
	const phones = Array.from({ length: count }, (_, i) => `138${String(i).padStart(8, '0')}`);
	return {
		smsIds: phones.map((phone, i) => `${prefix}${i}_9373_14466_36735$${phone}`),
		phones,
	};
}

describe('item 9 — fan-out is linear and bounded', () => {
	it('gives each item its own slice of smsIds/phones and the shared fields once', async () => {
		const lists = fanOut(3);
		const payload = fastSendCloud({
			eventType: 1,
			event: 'Requested',
			...lists,
		});
		const out = await callWebhook({
			rawBody: JSON.stringify(payload),
			headers: JSON_TYPE,
		});
		expect(out.items).toHaveLength(3);
		out.items.forEach((item, i) => {
			expect(item.raw).toEqual({
				...payload,
				smsIds: [lists.smsIds[i]],
				phones: [lists.phones[i]],
			});
		});
		// Items do not share objects: editing one leaves the others alone.
		(out.items[0].metadata as IDataObject).campaign = 'edited';
		((out.items[0].raw as IDataObject).customArgs as IDataObject).campaign = 'edited';
		expect(out.items[1].metadata).toEqual({ campaign: 'spring' });
		expect((out.items[1].raw as IDataObject).customArgs).toEqual({
			campaign: 'spring',
		});
	});

	it('answers a 1 MiB callback with 2,000 messages in linear time, with output proportional to the input', async () => {
		// Long ids fill the body to just under 1 MiB: the most messages and bytes one request may carry.
		const padding = 'x'.repeat(470);
		const lists = fanOut(2000, padding);
		const payload = fastSendCloud({
			eventType: 1,
			event: 'Requested',
			...lists,
		});
		const rawBody = JSON.stringify(payload);
		expect(rawBody.length).toBeGreaterThan(1000 * 1024);
		expect(rawBody.length).toBeLessThanOrEqual(1024 * 1024);
		const out = await callWebhook({ rawBody, headers: JSON_TYPE });
		expect(out.responseBody).toEqual({ received: 2000, emitted: 2000 });
		// Four times the messages cost about four times the time, not 16 (the time: the bench).
		const quarter = JSON.stringify(
			fastSendCloud({ eventType: 1, event: 'Requested', ...fanOut(500, padding) }),
		);
		const post = (body: string) => callWebhook({ rawBody: body, headers: JSON_TYPE });
		expect(await timeRatio(post, quarter, rawBody)).toBeLessThan(MAX_GROWTH_AT_4X);
		// Memory follows the output: a few times the body, not messages × body.
		expect(JSON.stringify(out.items).length).toBeLessThan(6 * rawBody.length);
	});

	it('refuses more messages per callback than the documented maximum, naming the limit', async () => {
		const payload = fastSendCloud({
			eventType: 1,
			event: 'Requested',
			...fanOut(2001),
		});
		const out = await callWebhook({
			rawBody: JSON.stringify(payload),
			headers: JSON_TYPE,
		});
		expect(out.httpStatus).toBe(400);
		expect(out.responseBody).toEqual({
			error: 'too many messages in one callback (2001; at most 2000)',
		});
		expect(out.result.workflowData).toBeUndefined();
	});

	it('refuses the 8,000-id callback of the report (516 KiB) at once, before any fan-out', async () => {
		const payload = fastSendCloud({ eventType: 1, event: 'Requested', ...fanOut(8000) });
		const rawBody = JSON.stringify(payload);
		expect(rawBody.length).toBeLessThan(1024 * 1024);
		const out = await callWebhook({ rawBody, headers: JSON_TYPE });
		// Refused before the fan-out: it costs less than fanning out a quarter of its ids.
		const accepted = JSON.stringify(
			fastSendCloud({ eventType: 1, event: 'Requested', ...fanOut(2000) }),
		);
		const post = (body: string) => callWebhook({ rawBody: body, headers: JSON_TYPE });
		expect(await timeRatio(post, accepted, rawBody)).toBeLessThan(1);
		expect(out.httpStatus).toBe(400);
		expect(out.responseBody).toEqual({
			error: 'too many messages in one callback (8000; at most 2000)',
		});
	});

	it('refuses a callback whose shared fields times its messages exceed the fan-out budget', async () => {
		// 200 messages × ~400 KiB of customArgs (copied into raw and metadata of every item).
		const payload = fastSendCloud({
			eventType: 1,
			event: 'Requested',
			...fanOut(200),
			customArgs: { blob: 'y'.repeat(400 * 1024) },
		});
		const rawBody = JSON.stringify(payload);
		const out = await callWebhook({ rawBody, headers: JSON_TYPE });
		// Refused before the copies are made: it costs less than 2,000 messages without shared fields.
		const accepted = JSON.stringify(
			fastSendCloud({ eventType: 1, event: 'Requested', ...fanOut(2000) }),
		);
		const post = (body: string) => callWebhook({ rawBody: body, headers: JSON_TYPE });
		expect(await timeRatio(post, accepted, rawBody)).toBeLessThan(1);
		expect(out.httpStatus).toBe(400);
		expect(out.responseBody).toEqual({
			error:
				'callback too large to fan out (200 messages × 800 KiB of shared fields; at most 16 MiB in all)',
		});
	});
});

describe('item 10 — one large callback does not wipe the duplicate record', () => {
	it('emits a 2,000-message callback once when it is delivered twice (new token)', async () => {
		const staticData: IDataObject = {};
		const lists = fanOut(2000);
		const first = await postSendCloud({ eventType: 1, event: 'Requested', ...lists }, staticData);
		const again = await postSendCloud({ eventType: 1, event: 'Requested', ...lists }, staticData);
		expect(first.responseBody).toEqual({ received: 2000, emitted: 2000 });
		expect(again.responseBody).toEqual({ received: 2000, emitted: 0 });
	});

	it('still remembers an earlier event after a maximum-size callback', async () => {
		const staticData: IDataObject = {};
		const single = { smsIds: ['early$13900000000'], phones: ['13900000000'] };
		await postSendCloud(single, staticData);
		const big = await postSendCloud(
			{ eventType: 1, event: 'Requested', ...fanOut(2000) },
			staticData,
		);
		expect(big.responseBody).toEqual({ received: 2000, emitted: 2000 });
		const repeat = await postSendCloud(single, staticData);
		expect(repeat.responseBody).toEqual({ received: 1, emitted: 0 });
	});
});

describe('item 11 — SendCloud replay protection', () => {
	it('still refuses a forged body on a token after 1,500 other callbacks inside the window', async () => {
		const staticData: IDataObject = {};
		const genuine = fastSendCloud();
		const first = await postJson(genuine, staticData);
		expect(first.items).toHaveLength(1);
		for (let i = 0; i < 1500; i++) {
			const other = fastSendCloud({ smsIds: [`bulk${i}$1`], phones: ['1'] });
			await postJson(other, staticData);
		}
		const forged = { ...genuine, smsIds: ['forged$1'], phones: ['1'] };
		const out = await postJson(forged, staticData);
		expect(out.httpStatus).toBe(401);
		expect(out.responseBody).toEqual({ error: 'token already used' });
		expect(out.result.workflowData).toBeUndefined();
	});

	it('records a token whose signature verified even when its body was refused with 400', async () => {
		const staticData: IDataObject = {};
		const refused = fastSendCloud({ eventType: 99 });
		const first = await postJson(refused, staticData);
		expect(first.httpStatus).toBe(400);
		const forged = { ...refused, eventType: 20 };
		const out = await postJson(forged, staticData);
		expect(out.httpStatus).toBe(401);
		expect(out.responseBody).toEqual({ error: 'token already used' });
		expect(out.result.workflowData).toBeUndefined();
	});
});

describe('item 12 — SendCloud per-message fields in the singular', () => {
	it('reads smsId and phone', async () => {
		const payload = fastSendCloud({
			smsIds: undefined,
			phones: undefined,
			smsId: '1652_9373$13812345678',
			phone: '13812345678',
		});
		delete payload.smsIds;
		delete payload.phones;
		const out = await callWebhook({
			rawBody: JSON.stringify(payload),
			headers: JSON_TYPE,
		});
		expect(out.items).toHaveLength(1);
		expect(out.items[0]).toMatchObject({
			messageId: '1652_9373$13812345678',
			to: '13812345678',
		});
		expect(out.items[0].raw).toEqual(payload);
	});

	it('takes the phone from smsId when only smsId is given, also in form bodies', async () => {
		const payload = fastSendCloud({ smsId: '1652_9373$13812345679' });
		delete payload.smsIds;
		delete payload.phones;
		const out = await callWebhook({
			rawBody: toForm(payload),
			headers: FORM_TYPE,
		});
		expect(out.items[0]).toMatchObject({
			messageId: '1652_9373$13812345679',
			to: '13812345679',
		});
	});

	it('never merges two callbacks without a message id that share a timestamp but not a token', async () => {
		const staticData: IDataObject = {};
		const timestamp = Date.now();
		const review = {
			eventType: 8,
			event: 'Template Verify',
			message: 'approved',
			timestamp,
		};
		const a = fastSendCloud({ ...review });
		const b = fastSendCloud({ ...review });
		for (const p of [a, b]) {
			delete p.smsIds;
			delete p.phones;
		}
		const first = await postJson(a, staticData);
		const second = await postJson(b, staticData);
		expect(first.responseBody).toEqual({ received: 1, emitted: 1 });
		expect(second.responseBody).toEqual({ received: 1, emitted: 1 });
		// The same callback delivered again (same token, same bytes) is still emitted once.
		const redelivered = await postJson(b, staticData);
		expect(redelivered.responseBody).toEqual({ received: 1, emitted: 0 });
	});
});

describe('item 13 — UTF-8 byte-order mark', () => {
	const bom = Buffer.from([0xef, 0xbb, 0xbf]);

	it('verifies the bytes as sent and parses a smsroute body after its BOM', async () => {
		const rawBody = Buffer.concat([
			bom,
			Buffer.from(JSON.stringify(smsRoutePayload({ message_id: 'msg_bom' }))),
		]);
		const out = await callWebhook({
			rawBody,
			headers: {
				...JSON_TYPE,
				'x-smsroute-signature': smsRouteHeader(TEST_KEY, nowSeconds(), rawBody),
			},
		});
		expect(out.httpStatus).toBe(200);
		expect(out.items[0]).toMatchObject({ messageId: 'msg_bom' });
	});

	it('accepts a SendCloud JSON callback with a BOM', async () => {
		const rawBody = Buffer.concat([bom, Buffer.from(JSON.stringify(fastSendCloud()))]);
		const out = await callWebhook({ rawBody, headers: JSON_TYPE });
		expect(out.httpStatus).toBe(200);
		expect(out.items).toHaveLength(1);
	});

	it('does not verify the body without its BOM (the BOM is part of what was signed)', async () => {
		const text = JSON.stringify(smsRoutePayload({ message_id: 'msg_bom2' }));
		const signedWithBom = smsRouteHeader(
			TEST_KEY,
			nowSeconds(),
			Buffer.concat([bom, Buffer.from(text)]),
		);
		const out = await callWebhook({
			rawBody: text,
			headers: { ...JSON_TYPE, 'x-smsroute-signature': signedWithBom },
		});
		expect(out.httpStatus).toBe(401);
	});
});

describe('item 14 — dedupe keys do not collide', () => {
	it('keeps ids and phones containing "|" apart', async () => {
		const staticData: IDataObject = {};
		const a = await postSendCloud({ smsIds: ['a|b'], phones: ['c'] }, staticData);
		const b = await postSendCloud({ smsIds: ['a'], phones: ['b|c'] }, staticData);
		expect(a.responseBody).toEqual({ received: 1, emitted: 1 });
		expect(b.responseBody).toEqual({ received: 1, emitted: 1 });
	});

	it('keeps numeric message ids above 2^53 exact and apart', async () => {
		const staticData: IDataObject = {};
		const rawBody = JSON.stringify(
			fastSendCloud({ smsIds: ['__A__', '__B__'], phones: ['1', '2'] }),
		)
			.replace('"__A__"', '9007199254740993')
			.replace('"__B__"', '9007199254740992');
		const out = await callWebhook({ rawBody, headers: JSON_TYPE, staticData });
		expect(out.items.map((item) => item.messageId)).toEqual([
			'9007199254740993',
			'9007199254740992',
		]);

		const t = nowSeconds();
		const bodies = ['123456789012345678901', '123456789012345678902'].map((id) =>
			JSON.stringify(smsRoutePayload()).replace('"msg_1a2b3c4d5e6f7g8h"', id),
		);
		const emitted = [];
		for (const body of bodies) {
			const res = await callWebhook({
				rawBody: body,
				headers: {
					...JSON_TYPE,
					'x-smsroute-signature': smsRouteHeader(TEST_KEY, t, body),
				},
				staticData,
			});
			emitted.push(res.items.map((item) => item.messageId));
		}
		expect(emitted).toEqual([['123456789012345678901'], ['123456789012345678902']]);
	});
	it('keeps big integers exact in linear time, even in a 1 MiB body made of them', async () => {
		const nums = Array.from(
			{ length: 40000 },
			(_, i) => `1234567890123456${String(i).padStart(5, '0')}`,
		);
		const text = `{"ids":[${nums.join(',')}],"s":"${'9'.repeat(100000)}","n":-12345678901234567890,"f":1.5e300}`;
		expect(text.length).toBeLessThanOrEqual(1024 * 1024);
		const parsed = parseRawBody(Buffer.from(text), 'application/json');
		// Linear: the 1 MiB body costs about four times its first quarter's worth, not 16 times.
		const quarterText = `{"ids":[${nums.slice(0, 10000).join(',')}],"s":"${'9'.repeat(25000)}"}`;
		const parse = (body: string) => parseRawBody(Buffer.from(body), 'application/json');
		expect(await timeRatio(parse, quarterText, text)).toBeLessThan(MAX_GROWTH_AT_4X);
		expect(parsed.ok && parsed.body.ids).toEqual(nums);
		expect(parsed.ok && [parsed.body.n, parsed.body.f, (parsed.body.s as string).length]).toEqual([
			'-12345678901234567890',
			1.5e300,
			100000,
		]);
	});
});

describe('item 15 — form bodies read only their own names', () => {
	it('keeps fields named like Object.prototype members as plain values', () => {
		const parsed = parseRawBody(
			Buffer.from('toString=x&valueOf=y&hasOwnProperty=z&isPrototypeOf[]=w&a=1'),
			'application/x-www-form-urlencoded',
		);
		expect(parsed).toEqual({
			ok: true,
			format: 'form',
			body: {
				toString: 'x',
				valueOf: 'y',
				hasOwnProperty: 'z',
				isPrototypeOf: ['w'],
				a: '1',
			},
		});
	});

	it('answers 400 to a signed callback whose event name is an Object.prototype member', async () => {
		const payload = fastSendCloud({ event: 'constructor' });
		delete payload.eventType;
		const out = await callWebhook({
			rawBody: toForm(payload),
			headers: FORM_TYPE,
		});
		expect(out.httpStatus).toBe(400);
		expect(out.responseBody).toEqual({ error: 'unknown or missing eventType' });
	});
});
