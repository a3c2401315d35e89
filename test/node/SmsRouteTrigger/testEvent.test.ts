/**
 * The trigger's test-event notice (issue 16 items 1 and 3, issue 20): it tells a user who
 * installed the package from Community Nodes how to get a test event with a real account, and
 * what it says is what happens. The sandbox stands in for smsroute's test mode (sk_test_ key,
 * its test numbers, webhooks to the URL set in the dashboard) and for SendCloud; a local server
 * stands in for n8n's Test URL and, like n8n, stops listening once a request starts an execution.
 *
 * The development command (the sandbox's /__sandbox/webhooks/emit, for a machine running
 * `npm start`) is no longer in the notice: it is in docs/development.md and npm
 * start's banner, and is tested here too.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { INodeProperties } from 'n8n-workflow';

import { SendCloudSmsHookApi } from '../../../credentials/SendCloudSmsHookApi.credentials';
import { SmsRouteApi } from '../../../credentials/SmsRouteApi.credentials';
import { SmsRouteTrigger } from '../../../nodes/SmsRoute/SmsRouteTrigger.node';
import { TEST_NUMBERS } from '../../../nodes/SmsRoute/trigger/testEventNotice';
import { callWebhook, type CallResult } from '../../helpers/triggerWebhook';

// The sandbox is plain CommonJS (it runs without a build step).
import {
	createSandbox,
	DEFAULT_TEST_KEY,
	DEFAULT_LIVE_KEY,
	DEFAULT_PORT,
	type Sandbox,
} from '../../sandbox/server';
import {
	DEFAULT_SANDBOX_URL,
	TEST_URL_PLACEHOLDER,
	testEventCommand,
} from '../../sandbox/testEventCommand';

type Provider = 'auto' | 'smsroute' | 'sendcloud';
const { description } = new SmsRouteTrigger();
// The app key test/e2e/start.js gives both the sandbox and the "SendCloud SMSHook sandbox" credential.
const APP_KEY = 'sendcloud_sandbox_app_key';
// The sandbox's table of smsroute's test numbers and the final status of each.
const { MAGIC_FINAL } = require('../../sandbox/webhooks') as {
	MAGIC_FINAL: Record<string, string>;
};

/** The notices the editor shows for this Provider value (their displayOptions applied). */
function noticesFor(provider: Provider): INodeProperties[] {
	return description.properties.filter(
		(p) =>
			p.type === 'notice' &&
			(!p.displayOptions?.show?.provider ||
				(p.displayOptions.show.provider as string[]).includes(provider)),
	);
}

function testEventNoticeFor(provider: Provider): string {
	const notices = noticesFor(provider).filter((n) => /Test URL/.test(n.displayName));
	expect(notices).toHaveLength(1);
	return notices[0].displayName;
}

let sandbox: Sandbox;
let sandboxUrl: string;
let apiUrl: string;
let testUrlServer: http.Server;
let testUrl: string;
/** What the trigger is set to while n8n listens on its Test URL. */
let listening: { provider: Provider; events: string[] } | null = null;
const calls: CallResult[] = [];
const executions: CallResult[] = [];

beforeAll(async () => {
	testUrlServer = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			// n8n answers 404 on a Test URL nobody listens on.
			if (!listening) {
				res.writeHead(404).end();
				return;
			}
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
			const call = await callWebhook({
				webhookName: req.method === 'GET' ? 'setup' : 'default',
				provider: listening.provider,
				events: listening.events,
				rawBody: Buffer.concat(chunks),
				headers,
				credentials: {
					smsRouteApi: {
						environment: 'test',
						testApiKey: DEFAULT_TEST_KEY,
						liveApiKey: DEFAULT_LIVE_KEY,
						baseUrl: apiUrl,
					},
					sendCloudSmsHookApi: { appKey: APP_KEY },
				},
			});
			calls.push(call);
			// As n8n: the first request that starts an execution is the test run; then it stops listening.
			if (call.result.workflowData) {
				executions.push(call);
				listening = null;
			}
			res.writeHead(call.httpStatus, { 'content-type': 'application/json' });
			res.end(JSON.stringify(call.responseBody ?? null));
		});
	});
	await new Promise<void>((resolve) => testUrlServer.listen(0, '127.0.0.1', resolve));
	testUrl = `http://127.0.0.1:${(testUrlServer.address() as AddressInfo).port}/webhook-test/6f1d3c2a/webhook`;
	sandbox = createSandbox({
		port: 0,
		stepMs: 30,
		// No retries: an event refused once (404 after the test run) stays out of later tests.
		webhook: { url: testUrl, mode: 'smsroute', sendCloudAppKey: APP_KEY, retries: 0 },
	});
	({ url: sandboxUrl, baseUrl: apiUrl } = await sandbox.start());
});

afterAll(async () => {
	await sandbox.stop();
	await new Promise((resolve) => testUrlServer.close(resolve));
});

beforeEach(() => {
	calls.length = 0;
	executions.length = 0;
	listening = null;
});

/**
 * An SMS sent with the test key, as the notice says (any client does; the node's Send does the
 * same), and, once all of its webhooks (sent, then the final status) have been delivered or
 * refused, the calls the Test URL got.
 */
async function sendWithTestKey(to: string): Promise<void> {
	const response = await fetch(`${apiUrl}/messages`, {
		method: 'POST',
		headers: { authorization: `Bearer ${DEFAULT_TEST_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({ to, body: 'Test from n8n' }),
	});
	expect(response.status).toBe(200);
	const { id } = (await response.json()) as { id: string };
	await until(
		() => sandbox.webhookLog().filter((w) => w.messageId === id).length === 2,
		`both webhooks of ${id}`,
	);
}

async function until(done: () => boolean, what: string): Promise<void> {
	const deadline = Date.now() + 10_000;
	while (!done()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
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

describe('SMS Route Trigger — test event notice, for a user with a real account', () => {
	it.each(['auto', 'smsroute', 'sendcloud'] as const)(
		'Provider %s: one notice, with the editor button of both n8n majors and nothing of this repository',
		(provider) => {
			const text = testEventNoticeFor(provider);
			// n8n 2.41 labels the button "Execute step", n8n 1.x "Listen for test event".
			expect(text).toMatch(/Execute step.*Listen for test event/);
			// A user who installed from Community Nodes has no npm start, no sandbox, no local port.
			expect(text).not.toMatch(/npm|127\.0\.0\.1|localhost|curl|sandbox|5055|PASTE_/i);
			expect(text).toMatch(/Production URL back/);
		},
	);

	it('smsroute: the test key, the dashboard, and a test number whose status the notice names', () => {
		const text = testEventNoticeFor('smsroute');
		expect(testEventNoticeFor('auto')).toBe(text);
		expect(text).toMatch(/sk_test_/);
		expect(text).toMatch(/smsroute dashboard/);
		for (const [status, number] of Object.entries(TEST_NUMBERS)) {
			expect(text).toContain(number);
			// smsroute's documented test numbers, as the sandbox implements them.
			expect(MAGIC_FINAL[number]).toBe(status);
		}
	});

	it('SendCloud: the SMSHook page of the SendCloud dashboard', () => {
		expect(testEventNoticeFor('sendcloud')).toMatch(/SendCloud dashboard under SMSHook/);
	});

	it('following it with Events empty: the first event, "sent", is the test run', async () => {
		listening = { provider: 'smsroute', events: [] };
		await sendWithTestKey(TEST_NUMBERS.delivered);
		expect(executions).toHaveLength(1);
		expect(executions[0].items).toEqual([
			expect.objectContaining({ provider: 'smsroute', status: 'sent', livemode: false }),
		]);
	});

	it.each([
		['delivered', TEST_NUMBERS.delivered],
		['failed', TEST_NUMBERS.failed],
		['undelivered', TEST_NUMBERS.undelivered],
	] as const)(
		'following it with Events set to the final status: a send to the %s number gives that event',
		async (status, number) => {
			listening = { provider: 'auto', events: [status] };
			await sendWithTestKey(number);
			// "sent" was answered (200, nothing emitted) and the test went on listening.
			expect(calls.map((c) => [c.httpStatus, c.items.length])).toEqual([
				[200, 0],
				[200, 1],
			]);
			expect(executions).toHaveLength(1);
			expect(executions[0].items).toEqual([
				expect.objectContaining({ provider: 'smsroute', status, livemode: false, to: number }),
			]);
		},
	);

	it("following it for SendCloud: the GET check of SMSHook keeps the test listening; the SMS's callback is the test run", async () => {
		listening = { provider: 'sendcloud', events: [] };
		const check = await fetch(testUrl);
		expect(check.status).toBe(200);
		expect(listening).not.toBeNull();
		sandbox.configure({ webhook: { mode: 'sendcloud' } });
		try {
			await sendWithTestKey(TEST_NUMBERS.delivered);
		} finally {
			sandbox.configure({ webhook: { mode: 'smsroute' } });
		}
		expect(executions[0].items).toEqual([expect.objectContaining({ provider: 'sendcloud' })]);
	});
});

/** Runs the development command in a shell, Test URL pasted, pointed at this test's sandbox. */
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

describe('the development command (npm start, docs/development.md)', () => {
	it('points at the sandbox npm start runs', () => {
		expect(DEFAULT_SANDBOX_URL).toBe(`http://127.0.0.1:${DEFAULT_PORT}`);
	});

	it('docs/development.md shows the same command; the README, which npm packs, does not', () => {
		const read = (file: string) =>
			fs.readFileSync(path.resolve(__dirname, '..', '..', '..', file), 'utf8');
		const emit = /```bash\n(curl -X POST [^`]*__sandbox\/webhooks\/emit[^`]*)```/;
		const block = emit.exec(read('docs/development.md'));
		expect(block?.[1].replace(/\s*\\\n\s*/g, ' ').trim()).toBe(testEventCommand('smsroute'));
		expect(read('README.md')).not.toMatch(/__sandbox|127\.0\.0\.1/);
	});

	it.each([
		['auto', 'smsroute', 'smsroute'],
		['smsroute', 'smsroute', 'smsroute'],
		['sendcloud', 'sendcloud', 'sendcloud'],
	] as const)(
		'Provider %s: the %s command sends a signed %s event that the trigger emits',
		async (chosen, mode, expectedProvider) => {
			listening = { provider: chosen, events: [] };
			const answer = JSON.parse(await runCommand(testEventCommand(mode)));

			// The sandbox answers with what the Test URL answered: the trigger's {received, emitted}.
			expect(answer.statusCode).toBe(200);
			expect(JSON.parse(answer.body)).toEqual({ received: 1, emitted: 1 });
			expect(calls).toHaveLength(1);
			expect(calls[0].items).toHaveLength(1);
			expect(calls[0].items[0]).toMatchObject({ provider: expectedProvider, status: 'delivered' });
		},
	);

	it("the command of one provider is refused by a trigger set to the other (it is that provider's event)", async () => {
		listening = { provider: 'sendcloud', events: [] };
		const answer = JSON.parse(await runCommand(testEventCommand('smsroute')));
		expect(answer.statusCode).toBeGreaterThanOrEqual(400);
		expect(calls[0].items).toHaveLength(0);
	});
});
