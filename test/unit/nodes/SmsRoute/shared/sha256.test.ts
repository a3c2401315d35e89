import { createHash } from 'node:crypto';

import { sha256Hex } from '../../../../../nodes/SmsRoute/shared/sha256';

const byHashObject = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('sha256Hex', () => {
	it.each([
		['empty text', ''],
		['ASCII', '[0,"+15551234567","Hello",null,null]'],
		['non-ASCII (UTF-8, as Hash.update reads text)', 'Привет 王伟 😀 – “quotes”'],
		['a lone surrogate (both write U+FFFD)', 'a\ud800b'],
		['a NUL', 'a\u0000b'],
		['200,000 characters', 'x'.repeat(200_000)],
	])('gives what a Hash object gives: %s', (_name, text) => {
		expect(sha256Hex(text)).toBe(byHashObject(text));
	});

	it('hashes bytes as bytes', () => {
		const bytes = Buffer.from([0, 255, 128, 10]);
		expect(sha256Hex(bytes)).toBe(byHashObject(bytes));
	});

	it('is SHA-256: the known digest of "abc"', () => {
		expect(sha256Hex('abc')).toBe(
			'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
		);
	});

	it('falls back to a Hash object on a Node without crypto.hash (before 20.12), same digest', () => {
		jest.isolateModules(() => {
			jest.doMock('node:crypto', () => ({
				...jest.requireActual<typeof import('node:crypto')>('node:crypto'),
				hash: undefined,
			}));
			const { sha256Hex: withoutOneShot } = jest.requireActual<
				typeof import('../../../../../nodes/SmsRoute/shared/sha256')
			>('../../../../../nodes/SmsRoute/shared/sha256');
			expect(withoutOneShot('Привет')).toBe(byHashObject('Привет'));
		});
	});
});
