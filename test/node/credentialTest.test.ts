/**
 * The smsRouteApi credential test, run the way n8n runs it: the nodes' `testedBy` function,
 * called with n8n-core's own CredentialTestContext (its real request helper) against the
 * sandbox. The sandbox serves no GET /balance here: the smsroute guide never mentions it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { CredentialTestContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { SmsRouteApi } from '../../credentials/SmsRouteApi.credentials';
import { SmsRoute } from '../../nodes/SmsRoute/SmsRoute.node';
import { SmsRouteTrigger } from '../../nodes/SmsRoute/SmsRouteTrigger.node';
import { createSandbox, DEFAULT_LIVE_KEY, DEFAULT_TEST_KEY, type Sandbox } from '../sandbox/server';

const WRONG_KEY = 'sk_test_wrong_key_000000000000000';

let sandbox: Sandbox;
let baseUrl: string;
beforeAll(async () => {
	sandbox = createSandbox({ port: 0, balanceRoute: false });
	({ baseUrl } = await sandbox.start());
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

/** The test function n8n finds for smsRouteApi through a node's `testedBy`. */
function testedBy(node: SmsRoute | SmsRouteTrigger) {
	const entry = node.description.credentials?.find((c) => c.name === 'smsRouteApi');
	const name = entry?.testedBy;
	if (typeof name !== 'string') throw new Error('smsRouteApi has no testedBy function name');
	const fn = (node.methods?.credentialTest as Record<string, unknown> | undefined)?.[name];
	if (typeof fn !== 'function') throw new Error(`methods.credentialTest.${name} is missing`);
	return fn as (this: unknown, c: unknown) => Promise<INodeCredentialTestResult>;
}

async function credentialTest(
	data: ICredentialDataDecryptedObject,
	node: SmsRoute | SmsRouteTrigger = new SmsRoute(),
): Promise<INodeCredentialTestResult> {
	const credential = { id: '1', name: 'smsroute', type: 'smsRouteApi', data };
	return await testedBy(node).call(new CredentialTestContext(), credential);
}

const testKeyCredential = (extra: ICredentialDataDecryptedObject = {}) => ({
	environment: 'test',
	testApiKey: DEFAULT_TEST_KEY,
	liveApiKey: DEFAULT_LIVE_KEY,
	baseUrl,
	...extra,
});

describe('which test n8n runs for smsRouteApi', () => {
	it('the credential has no declarative test: n8n would run it instead of the nodes’ own', () => {
		expect((new SmsRouteApi() as ICredentialType).test).toBeUndefined();
	});

	it('both nodes name the same test function', () => {
		expect(testedBy(new SmsRoute())).toBe(testedBy(new SmsRouteTrigger()));
	});

	it('the Base URL description names no local sandbox address', () => {
		const baseUrlField = new SmsRouteApi().properties.find((p) => p.name === 'baseUrl');
		expect(baseUrlField?.description).toMatch(/a proxy or a test server/);
		expect(baseUrlField?.description).not.toMatch(/127\.0\.0\.1|5055|sandbox/i);
	});

	it('the Environment options say test mode, not "sandbox" (the local development sandbox), with the released values', () => {
		const environment = new SmsRouteApi().properties.find((p) => p.name === 'environment');
		expect(environment?.options).toEqual([
			{ name: 'Test Mode (No Real SMS)', value: 'test' },
			{ name: 'Live', value: 'live' },
		]);
	});
});

describe('smsRouteApi credential test against the sandbox', () => {
	it('a good test key: OK, from a status lookup (404 not found), never GET /balance', async () => {
		expect(await credentialTest(testKeyCredential())).toEqual({
			status: 'OK',
			message: 'smsroute accepted the Test API Key (404 for a message that does not exist)',
		});
		expect(sandbox.stats().requests).toEqual({ 'GET /v1/messages/:id': 1 });
		expect(sandbox.stats().responses).toEqual({ '404': 1 });
	});

	it('a good live key with Environment "Live": OK, and nothing is charged', async () => {
		const result = await credentialTest(testKeyCredential({ environment: 'live' }));
		expect(result).toMatchObject({ status: 'OK' });
		expect(result.message).toContain('Live API Key');
		expect(sandbox.ledger()).toEqual([]);
	});

	it('from the trigger too (it verifies webhooks with the same credential)', async () => {
		expect(await credentialTest(testKeyCredential(), new SmsRouteTrigger())).toMatchObject({
			status: 'OK',
		});
	});

	it('a wrong key: the 401 is reported as a rejected key, without the key', async () => {
		const result = await credentialTest(testKeyCredential({ testApiKey: WRONG_KEY }));
		expect(result).toEqual({
			status: 'Error',
			message:
				"smsroute rejected the Test API Key (401). Check that the key in the Test API Key field is complete and belongs to the credential's Environment.",
		});
		expect(sandbox.stats().responses).toEqual({ '401': 1 });
		expect(JSON.stringify(result)).not.toContain(WRONG_KEY);
	});

	it('a live key in the Test field fails before any request, naming the field', async () => {
		const result = await credentialTest(testKeyCredential({ testApiKey: DEFAULT_LIVE_KEY }));
		expect(result).toEqual({
			status: 'Error',
			message: 'The Test API Key must start with "sk_test_"',
		});
		expect(sandbox.stats().requests).toEqual({});
	});

	it('an empty key of the chosen Environment fails before any request', async () => {
		const result = await credentialTest(testKeyCredential({ environment: 'live', liveApiKey: '' }));
		expect(result).toEqual({
			status: 'Error',
			message: 'The Live API Key is empty: the credential\'s Environment is "Live"',
		});
		expect(sandbox.stats().requests).toEqual({});
	});

	it('a sandbox fault (503) says the key could not be checked, not that it is wrong', async () => {
		sandbox.queueFaults(['503']);
		const result = await credentialTest(testKeyCredential());
		expect(result).toEqual({
			status: 'Error',
			message:
				'smsroute answered HTTP 503: service unavailable (sandbox fault), so the Test API Key could not be checked. Try again later; if it persists, check the Base URL.',
		});
	});
});

describe('smsRouteApi credential test without smsroute', () => {
	it('an unreachable server: its address and the network code, not the key', async () => {
		const closed = http.createServer();
		await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
		const { port } = closed.address() as AddressInfo;
		await new Promise((resolve) => closed.close(resolve));

		const result = await credentialTest(
			testKeyCredential({ baseUrl: `http://proxyuser:proxypass@127.0.0.1:${port}/v1` }),
		);
		expect(result).toEqual({
			status: 'Error',
			message: `Could not reach smsroute at http://127.0.0.1:${port}/v1 (ECONNREFUSED). Check the Base URL, and that n8n can reach it (proxy, firewall).`,
		});
		expect(JSON.stringify(result)).not.toMatch(/proxypass|sk_test_/);
	});

	it('a Base URL that is not smsroute (a 404 web page) is not taken for an accepted key', async () => {
		const page = http.createServer((_req, res) => {
			res.writeHead(404, { 'content-type': 'text/html' });
			res.end('<html><body>Not Found</body></html>');
		});
		await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
		const { port } = page.address() as AddressInfo;
		try {
			const result = await credentialTest(
				testKeyCredential({ baseUrl: `http://127.0.0.1:${port}` }),
			);
			expect(result).toEqual({
				status: 'Error',
				message: `http://127.0.0.1:${port} answered 404 without smsroute's {"error": …} body, so the Test API Key could not be checked. Check the Base URL (smsroute's is https://api.smsroute.cc/v1).`,
			});
		} finally {
			await new Promise((resolve) => page.close(resolve));
		}
	});

	it('a Base URL that is not a URL fails before any request', async () => {
		expect(await credentialTest(testKeyCredential({ baseUrl: 'api.smsroute.cc/v1' }))).toEqual({
			status: 'Error',
			message:
				'The Base URL must start with https:// (or http://), e.g. https://api.smsroute.cc/v1',
		});
	});

	it('an error text that echoes the key is masked', async () => {
		const echo = http.createServer((req, res) => {
			res.writeHead(403, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: `key ${req.headers.authorization} is suspended` }));
		});
		await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
		const { port } = echo.address() as AddressInfo;
		try {
			const result = await credentialTest(
				testKeyCredential({ baseUrl: `http://127.0.0.1:${port}/v1` }),
			);
			expect(result.status).toBe('Error');
			expect(result.message).toContain('HTTP 403: key Bearer *** is suspended');
			expect(result.message).not.toContain(DEFAULT_TEST_KEY);
		} finally {
			await new Promise((resolve) => echo.close(resolve));
		}
	});

	// A key with the characters each encoding changes: + / = " \ (selectApiKey checks the prefix only).
	const HOSTILE_KEY = 'sk_test_Zq9+Xw/Lm="Rt7\\hostile';
	const echoedForms: Array<[string, (key: string) => string]> = [
		['URL-encoded', (key) => encodeURIComponent(key)],
		['base64 (a Basic header echoed)', (key) => Buffer.from(`user:${key}`).toString('base64')],
		['JSON-escaped, inside a nested JSON text', (key) => JSON.stringify({ key }).slice(8, -2)],
		['JSON-escaped with \\/', (key) => JSON.stringify(key).slice(1, -1).replace(/\//g, '\\/')],
	];

	it.each(echoedForms)('an error text that echoes the key %s is masked', async (_form, encode) => {
		const echo = http.createServer((req, res) => {
			const key = String(req.headers.authorization).replace(/^Bearer /, '');
			res.writeHead(403, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: `key [${encode(key)}] is suspended` }));
		});
		await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
		const { port } = echo.address() as AddressInfo;
		try {
			const result = await credentialTest(
				testKeyCredential({ testApiKey: HOSTILE_KEY, baseUrl: `http://127.0.0.1:${port}/v1` }),
			);
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/HTTP 403: key \[[^\]]*\*\*\*[^\]]*\] is suspended/);
			expect(result.message).not.toContain(encode(HOSTILE_KEY));
			for (const fragment of ['Zq9', 'Rt7', 'hostile'])
				expect(result.message).not.toContain(fragment);
		} finally {
			await new Promise((resolve) => echo.close(resolve));
		}
	});
});
