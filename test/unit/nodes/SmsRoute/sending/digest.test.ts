import { createHash } from 'node:crypto';

import { digest } from '../../../../../nodes/SmsRoute/sending/digest';

describe('digest', () => {
	test('is SHA-256 over the NUL-ended parts, 32 hex characters', () => {
		const expected = createHash('sha256').update('a\u0000b\u0000').digest('hex').slice(0, 32);
		expect(digest(['a', 'b'])).toBe(expected);
	});

	test('part boundaries count', () => {
		expect(digest(['ab', 'c'])).not.toBe(digest(['a', 'bc']));
		expect(digest([''])).not.toBe(digest([]));
	});
});
