import type { IDataObject } from 'n8n-workflow';

import {
	MAX_BODY_BYTES,
	parseRawBody,
} from '../../../../../../nodes/SmsRoute/shared/events/parseBody';

describe('parseRawBody', () => {
	const parse = (text: string | Buffer, type?: string) =>
		parseRawBody(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, type);

	it('parses JSON objects and refuses other JSON values', () => {
		expect(parse('{"a":1}', 'application/json')).toEqual({
			ok: true,
			body: { a: 1 },
			format: 'json',
		});
		expect(parse('[1]', 'application/json')).toEqual({
			ok: false,
			reason: 'JSON body must be an object',
		});
		expect(parse('null', 'application/json').ok).toBe(false);
		expect(parse('{', 'application/json')).toEqual({ ok: false, reason: 'invalid JSON' });
	});

	it('parses form bodies, decoding JSON arrays/objects held in fields', () => {
		const form =
			'event=Delivered&eventType=20&smsIds=%5B%22a%22%2C%22b%22%5D&customArgs=%7B%22k%22%3A%22v%22%7D&message=hello+world';
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
		const result = parse(
			'message=%5Bnot+json&p=1&p=2&q[]=x&args[a]=1',
			'application/x-www-form-urlencoded',
		);
		expect(result).toEqual({
			ok: true,
			format: 'form',
			body: { message: '[not json', p: ['1', '2'], q: ['x'], args: { a: '1' } },
		});
	});

	it('never writes to Object.prototype', () => {
		const result = parse(
			'__proto__[polluted]=1&constructor=x&a=1',
			'application/x-www-form-urlencoded',
		);
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
		expect(parse(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20))).toEqual({
			ok: false,
			reason: 'body too large',
		});
		expect(parse(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]))).toEqual({
			ok: false,
			reason: 'body is not valid UTF-8',
		});
		expect(parse('{"a":1}', 'application/json; charset=iso-8859-1').ok).toBe(false);
		expect(parse('{"a":"é"}', 'application/json; charset=utf-8')).toMatchObject({
			ok: true,
			body: { a: 'é' },
		});
	});

	it('refuses percent-escapes that are not UTF-8 and too many fields', () => {
		expect(parse('a=%C3%28', 'application/x-www-form-urlencoded')).toEqual({
			ok: false,
			reason: 'malformed form body',
		});
		expect(
			parse(
				Array.from({ length: 1001 }, (_, i) => `k${i}=v`).join('&'),
				'application/x-www-form-urlencoded',
			),
		).toEqual({
			ok: false,
			reason: 'too many form fields',
		});
	});
});
