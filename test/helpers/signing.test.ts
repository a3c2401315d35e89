import { opensslHmacHex } from './triggerWebhook';
import { sendCloudTestSignature, smsRouteTestHeader, smsRouteV1 } from './signing';

/**
 * signing.js is the one signer every test, the sandbox and the benches use; openssl, outside the
 * project's code, checks it so a bug shared by it and the verifier cannot cancel out.
 */
describe('test signing helper agrees with openssl', () => {
	const key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';
	const bodies: Array<Buffer | string> = [
		'{"status":"delivered"}',
		'{"to":"+4915123456789","reason":"Zustellung fehlgeschlagen: Empfänger 王伟 😀"}',
		Buffer.from([0x00, 0xff, 0x7b, 0x22, 0x0a, 0xc3, 0x28]), // not valid UTF-8: bytes as they are
		'',
	];

	it.each(bodies.map((body, i) => [i, body]))('smsroute v1, body %i', (_i, body) => {
		const t = 1767225600;
		const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
		const expected = opensslHmacHex(key, Buffer.concat([Buffer.from(`${t}.`), bytes]));
		expect(smsRouteV1(key, t, body)).toBe(expected);
		expect(smsRouteTestHeader({ key, timestamp: t, body })).toBe(`t=${t},v1=${expected}`);
	});

	it('smsroute header defaults to now, in whole seconds', () => {
		const before = Math.floor(Date.now() / 1000);
		const header = smsRouteTestHeader({ key, body: '{}' });
		const t = Number(/^t=(\d+),v1=[0-9a-f]{64}$/.exec(header)?.[1]);
		expect(t).toBeGreaterThanOrEqual(before);
		expect(t).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
		expect(smsRouteTestHeader({ key, body: '{}', nowMs: 1767225600999 })).toMatch(/^t=1767225600,/);
	});

	it('SendCloud signature over timestamp + token', () => {
		const appKey = 'sc_appkey_0123456789abcdef0123456789abcdef';
		const token = 'VDymF6ihuJkKZjHiJZkLKGmY6q9qAQ2WGopLh7mBsDeA000001';
		expect(sendCloudTestSignature(appKey, 1767225600000, token)).toBe(
			opensslHmacHex(appKey, `1767225600000${token}`),
		);
	});
});
