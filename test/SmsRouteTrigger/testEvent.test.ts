/**
 * Issue 16, items 1 and 3: the trigger's two credential fields say what each verifies, and the
 * test-event notice holds a command that really sends a signed event the trigger accepts.
 *
 * The command is taken from the notice text as the editor shows it and run with a shell and
 * curl, as a user would paste it: against the sandbox set up as `npm start` sets it up, with a
 * local server standing in for n8n's Test URL that hands each request to the trigger's webhook()
 * with npm start's two sandbox credentials.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { INodeProperties } from 'n8n-workflow';

import { SendCloudSmsHookApi } from '../../credentials/SendCloudSmsHookApi.credentials';
import { SmsRouteApi } from '../../credentials/SmsRouteApi.credentials';
import { SmsRouteTrigger } from '../../nodes/SmsRouteTrigger/SmsRouteTrigger.node';
import {
	DEFAULT_SANDBOX_URL,
	TEST_URL_PLACEHOLDER,
	testEventCommand,
} from '../../nodes/SmsRouteTrigger/testEventNotice';
import { callWebhook, type CallResult } from './helpers';

// The sandbox is plain CommonJS (it runs without a build step).
import {
	createSandbox,
	DEFAULT_TEST_KEY,
	DEFAULT_LIVE_KEY,
	DEFAULT_PORT,
	type Sandbox,
} from '../sandbox/server';

type Provider = 'auto' | 'smsroute' | 'sendcloud';
const { description } = new SmsRouteTrigger();
// The app key test/e2e/start.js gives both the sandbox and the "SendCloud SMSHook sandbox" credential.
const START_APP_KEY = 'sendcloud_sandbox_app_key';

/** The notices the editor shows for this Provider value (their displayOptions applied). */
function noticesFor(provider: Provider): INodeProperties[] {
	return description.properties.filter(
		(p) =>
			p.type === 'notice' &&
			(!p.displayOptions?.show?.provider ||
				(p.displayOptions.show.provider as string[]).includes(provider)),
	);
}

function commandIn(notice: INodeProperties): string {
	const match = /curl -X POST \S+ -H '[^']*' -d '[^']*'/.exec(notice.displayName);
	if (!match) throw new Error(`no curl command in the notice "${notice.name}"`);
	return match[0];
}

let sandbox: Sandbox;
let sandboxUrl: string;
let testUrlServer: http.Server;
let testUrl: string;
let provider: Provider;
const calls: CallResult[] = [];

beforeAll(async () => {
	// As npm start: smsroute mode by default, the app key of its SendCloud credential.
	sandbox = createSandbox({
		port: 0,
		webhook: { mode: 'smsroute', sendCloudAppKey: START_APP_KEY },
	});
	({ url: sandboxUrl } = await sandbox.start());
	testUrlServer = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
			const call = await callWebhook({
				provider,
				rawBody: Buffer.concat(chunks),
				headers,
				credentials: {
					smsRouteApi: {
						environment: 'test',
						testApiKey: DEFAULT_TEST_KEY,
						liveApiKey: DEFAULT_LIVE_KEY,
						baseUrl: `${sandboxUrl}/v1`,
					},
					sendCloudSmsHookApi: { appKey: START_APP_KEY },
				},
			});
			calls.push(call);
			res.writeHead(call.httpStatus, { 'content-type': 'application/json' });
			res.end(JSON.stringify(call.responseBody ?? null));
		});
	});
	await new Promise<void>((resolve) => testUrlServer.listen(0, '127.0.0.1', resolve));
	testUrl = `http://127.0.0.1:${(testUrlServer.address() as AddressInfo).port}/webhook-test/6f1d3c2a/webhook`;
});

afterAll(async () => {
	await sandbox.stop();
	await new Promise((resolve) => testUrlServer.close(resolve));
});

beforeEach(() => {
	calls.length = 0;
});

/** Runs the notice's command in a shell, Test URL pasted, pointed at this test's sandbox. */
function runCommand(command: string): Promise<string> {
	const line = command
		.replace(DEFAULT_SANDBOX_URL, sandboxUrl)
		.replace(TEST_URL_PLACEHOLDER, testUrl);
	return new Promise((resolve, reject) => {
		execFile(
			'sh',
			['-c', `${line} --silent --show-error --fail-with-body`],
			(error, stdout, stderr) =>
				error ? reject(new Error(`${error.message}\n${stderr}\n${stdout}`)) : resolve(stdout),
		);
	});
}

describe('SMS Route Trigger — credential labels', () => {
	it('labels each credential field by the provider and the key it verifies with', () => {
		const labels = Object.fromEntries(
			(description.credentials ?? []).map((c) => [c.name, c.displayName]),
		);
		expect(labels).toEqual({
			smsRouteApi: expect.stringMatching(/^smsroute API Key .*smsroute webhooks/),
			sendCloudSmsHookApi: expect.stringMatching(/^SendCloud App Key .*SMSHook callbacks/),
		});
		// Distinct from each other and from the credential types' own names, which the
		// credential picker shows next to the label.
		expect(new Set(Object.values(labels)).size).toBe(2);
		expect(labels.smsRouteApi).not.toBe(new SmsRouteApi().displayName);
		expect(labels.sendCloudSmsHookApi).not.toBe(new SendCloudSmsHookApi().displayName);
	});
});

describe('SMS Route Trigger — test event notice', () => {
	it('shows one notice with a test-event command for each Provider value', () => {
		for (const value of ['auto', 'smsroute', 'sendcloud'] as const) {
			const withCommand = noticesFor(value).filter((n) => /curl /.test(n.displayName));
			expect(withCommand).toHaveLength(1);
			// n8n 2.41 labels the button "Execute step", n8n 1.x "Listen for test event".
			expect(withCommand[0].displayName).toMatch(/Execute step.*Listen for test event/);
			expect(withCommand[0].displayName).toMatch(/Test URL/);
		}
		// The sandbox npm start runs listens where the notice says.
		expect(DEFAULT_SANDBOX_URL).toBe(`http://127.0.0.1:${DEFAULT_PORT}`);
	});

	it('the README shows the same command', () => {
		const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
		const block = /```bash\n(curl -X POST [^`]*__sandbox\/webhooks\/emit[^`]*)```/.exec(readme);
		expect(block?.[1].replace(/\s*\\\n\s*/g, ' ').trim()).toBe(testEventCommand('smsroute'));
	});

	it.each([
		['auto', 'smsroute'],
		['smsroute', 'smsroute'],
		['sendcloud', 'sendcloud'],
	] as const)(
		'Provider %s: the command sends a signed %s event that the trigger emits',
		async (chosen, expectedProvider) => {
			provider = chosen;
			const [notice] = noticesFor(chosen).filter((n) => /curl /.test(n.displayName));
			const answer = JSON.parse(await runCommand(commandIn(notice)));

			// The sandbox answers with what the Test URL answered: the trigger's {received, emitted}.
			expect(answer.statusCode).toBe(200);
			expect(JSON.parse(answer.body)).toEqual({ received: 1, emitted: 1 });
			expect(calls).toHaveLength(1);
			expect(calls[0].items).toHaveLength(1);
			expect(calls[0].items[0]).toMatchObject({ provider: expectedProvider, status: 'delivered' });
		},
	);

	it("the command of one provider is refused by a trigger set to the other (it is that provider's event)", async () => {
		provider = 'sendcloud';
		const [smsRouteNotice] = noticesFor('smsroute').filter((n) => /curl /.test(n.displayName));
		const answer = JSON.parse(await runCommand(commandIn(smsRouteNotice)));
		expect(answer.statusCode).toBeGreaterThanOrEqual(400);
		expect(calls[0].items).toHaveLength(0);
	});
});
