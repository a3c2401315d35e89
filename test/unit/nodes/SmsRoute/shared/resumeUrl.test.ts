import { relayTarget, webhookBaseOf } from '../../../../../nodes/SmsRoute/shared/resumeUrl';

const SIG = 'a'.repeat(64);
const BASE = 'http://127.0.0.1:5678/';
const good = `${BASE}webhook-waiting/42/0f5c9a8e-1d2b-4c3d-9e8f-123456789abc?signature=${SIG}`;

describe('relay target (which resume URLs the trigger forwards to)', () => {
	it('accepts this instance’s own signed resume URL, unchanged', () => {
		expect(relayTarget(good, [BASE])).toBe(good);
		// A base given without its trailing slash is the same base.
		expect(relayTarget(good, ['http://127.0.0.1:5678'])).toBe(good);
		// n8n served under a path prefix.
		const prefixed = `http://n8n.example/sub/webhook-waiting/7/node-1?signature=${SIG}`;
		expect(relayTarget(prefixed, ['http://n8n.example/sub/'])).toBe(prefixed);
	});

	it.each([
		['another host', `http://evil.example/webhook-waiting/42/n1?signature=${SIG}`],
		[
			'userinfo that looks like the host',
			`http://127.0.0.1:5678@evil.example/webhook-waiting/42/n1?signature=${SIG}`,
		],
		[
			'userinfo in front of the right host',
			`http://user:pw@127.0.0.1:5678/webhook-waiting/42/n1?signature=${SIG}`,
		],
		['a different port', `http://127.0.0.1:5679/webhook-waiting/42/n1?signature=${SIG}`],
		['no port (80)', `http://127.0.0.1/webhook-waiting/42/n1?signature=${SIG}`],
		['https instead of http', `https://127.0.0.1:5678/webhook-waiting/42/n1?signature=${SIG}`],
		['another scheme', `ftp://127.0.0.1:5678/webhook-waiting/42/n1?signature=${SIG}`],
		[
			'path traversal out of the endpoint',
			`${BASE}webhook-waiting/../rest/owner/setup?signature=${SIG}`,
		],
		['encoded path traversal', `${BASE}webhook-waiting/%2e%2e/rest/login?signature=${SIG}`],
		[
			'traversal after the execution id',
			`${BASE}webhook-waiting/42/../../webhook/abc?signature=${SIG}`,
		],
		[
			'encoded slash in the node id',
			`${BASE}webhook-waiting/42/n1%2f..%2f..%2frest?signature=${SIG}`,
		],
		['percent-encoded host', `http://%31%32%37.0.0.1:5678/webhook-waiting/42/n1?signature=${SIG}`],
		[
			'encoded @ in the authority',
			`http://127.0.0.1%3A5678%40evil.example/webhook-waiting/42/n1?signature=${SIG}`,
		],
		['numeric host spelling', `http://2130706433:5678/webhook-waiting/42/n1?signature=${SIG}`],
		['upper-case host', `http://LOCALHOST:5678/webhook-waiting/42/n1?signature=${SIG}`],
		[
			'backslash trick',
			`http://127.0.0.1:5678\\@evil.example/webhook-waiting/42/n1?signature=${SIG}`,
		],
		['whitespace', ` ${good}`],
		['newline injection', `${good}\r\nHost: evil`],
		['a production webhook instead', `${BASE}webhook/abc/webhook?signature=${SIG}`],
		['the REST API', `${BASE}rest/workflows?signature=${SIG}`],
		['extra path segments', `${BASE}webhook-waiting/42/n1/extra?signature=${SIG}`],
		['a non-numeric execution id', `${BASE}webhook-waiting/abc/n1?signature=${SIG}`],
		['no signature', `${BASE}webhook-waiting/42/n1`],
		['a signature that is not hex', `${BASE}webhook-waiting/42/n1?signature=${'z'.repeat(64)}`],
		[
			'extra query parameters',
			`${BASE}webhook-waiting/42/n1?signature=${SIG}&url=http://evil.example/`,
		],
		['a fragment', `${good}#x`],
		['a relative URL', `/webhook-waiting/42/n1?signature=${SIG}`],
		['a very long URL', `${BASE}webhook-waiting/42/${'n'.repeat(3000)}?signature=${SIG}`],
		['not a string', { href: good }],
	])('refuses %s', (_name, candidate) => {
		expect(relayTarget(candidate, [BASE])).toBeNull();
	});

	it('refuses everything when no base is known', () => {
		expect(relayTarget(good, [])).toBeNull();
		expect(relayTarget(good, [null, undefined, 'not a url', 'file:///etc/'])).toBeNull();
	});

	it('refuses a base that sits under another instance’s path', () => {
		expect(
			relayTarget(`http://n8n.example/other/webhook-waiting/7/n1?signature=${SIG}`, [
				'http://n8n.example/sub/',
			]),
		).toBeNull();
	});
});

describe('webhook base of a trigger URL', () => {
	it('cuts the endpoint, webhook id and path', () => {
		expect(
			webhookBaseOf('http://127.0.0.1:5678/webhook/abc-123/webhook', 'abc-123', 'webhook'),
		).toBe(BASE);
		expect(webhookBaseOf('https://n8n.example/sub/hooks/abc/webhook', 'abc', 'webhook')).toBe(
			'https://n8n.example/sub/',
		);
	});

	it('gives nothing for a URL of another shape', () => {
		expect(
			webhookBaseOf('http://127.0.0.1:5678/webhook/other/webhook', 'abc', 'webhook'),
		).toBeNull();
		expect(webhookBaseOf(undefined, 'abc', 'webhook')).toBeNull();
		expect(
			webhookBaseOf('http://127.0.0.1:5678/webhook/abc/webhook', undefined, 'webhook'),
		).toBeNull();
	});
});
