'use strict';
/**
 * Issue 16 in real n8n 2.41.0 (the editor's own endpoints, no browser):
 * - the trigger's two credential fields reach the editor with labels that say what each verifies
 *   (n8n 2.41's NodeCredentials shows a credential's displayName when there is one);
 * - "Execute step" on the trigger (POST /rest/workflows/:id/run from the trigger, as the editor
 *   does) listens on the Test URL; doing what the notice n8n serves says (the Test URL where the
 *   provider sends its webhooks, an SMS with the test key to smsroute's test number) gets a
 *   signed event of that provider there, also after SendCloud's GET check: n8n runs it;
 * - Metadata: the bulk example as saved with 0.1.0 (JSON.stringify) and as shipped now (an
 *   object expression) send the same metadata through n8n's own expression evaluation.
 *
 * Needs `npm run build` first. The sandbox and n8n are set up as `npm start` sets them up.
 */
const crypto = require('node:crypto');
const { ensureN8nInstalled, startN8n, nodeOutput, PINNED } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');

const TRIGGER = 'n8n-nodes-smsroute.smsRouteTrigger';
const SENDCLOUD_APP_KEY = 'sendcloud_sandbox_app_key'; // npm start's (test/e2e/start.js)
const { TEST_NUMBERS } = require('../../dist/nodes/SmsRoute/trigger/testEventNotice');
const { DEFAULT_TEST_KEY } = require('../sandbox/server');

jest.setTimeout(5 * 60_000);

let sandbox;
let sandboxUrl;
let n8n;
let credentials;
let triggerType;

beforeAll(async () => {
	await ensureN8nInstalled(PINNED[2]);
}, 30 * 60_000);

beforeAll(async () => {
	const { createSandbox } = require('../sandbox/server');
	sandbox = createSandbox({
		port: 0,
		webhook: { mode: 'smsroute', sendCloudAppKey: SENDCLOUD_APP_KEY },
	});
	const started = await sandbox.start();
	sandboxUrl = started.url;
	n8n = await startN8n({ version: PINNED[2] });
	credentials = await createSandboxCredentials(n8n, {
		baseUrl: started.baseUrl,
		sendCloudAppKey: SENDCLOUD_APP_KEY,
		names: { smsRouteApi: 'SMS Route sandbox', sendCloudSmsHookApi: 'SendCloud SMSHook sandbox' },
	});
	const types = await n8n.nodeTypes();
	triggerType = types
		.filter((t) => t.name === TRIGGER)
		.sort((a, b) => Math.max(...[b.version].flat()) - Math.max(...[a.version].flat()))[0];
}, 5 * 60_000);

afterAll(async () => {
	if (n8n) await n8n.stop();
	if (sandbox) await sandbox.stop();
}, 60_000);

/** The test-event notice n8n serves for this Provider value. */
function noticeText(provider) {
	const notices = triggerType.properties.filter(
		(p) =>
			p.type === 'notice' &&
			/Test URL/.test(p.displayName) &&
			(!p.displayOptions?.show?.provider || p.displayOptions.show.provider.includes(provider)),
	);
	expect(notices).toHaveLength(1);
	return notices[0].displayName;
}

/** An SMS sent with the sandbox's test key (what the notice asks of a user with an sk_test_ key). */
async function sendWithTestKey(to) {
	const response = await fetch(`${sandboxUrl}/v1/messages`, {
		method: 'POST',
		headers: { authorization: `Bearer ${DEFAULT_TEST_KEY}`, 'content-type': 'application/json' },
		body: JSON.stringify({ to, body: 'Test from n8n' }),
	});
	expect(response.status).toBe(200);
}

test("n8n serves the trigger's credential fields with labels naming what each verifies", () => {
	expect(triggerType).toBeDefined();
	expect(triggerType.credentials.map((c) => [c.name, c.displayName])).toEqual([
		['smsRouteApi', 'smsroute API Key (verifies smsroute webhooks)'],
		['sendCloudSmsHookApi', 'SendCloud App Key (verifies SMSHook callbacks)'],
	]);
});

test.each([
	['auto', 'smsroute', ['delivered']],
	['sendcloud', 'sendcloud', []],
])(
	'Provider %s, following the notice: Execute step listens, the Test URL goes where the provider sends webhooks, an SMS to the test number; n8n runs the %s event',
	async (provider, expected, events) => {
		const notice = noticeText(provider);
		expect(notice).toMatch(/Execute step/);
		expect(notice).not.toMatch(/npm|127\.0\.0\.1|curl|sandbox/i);
		const webhookId = crypto.randomUUID();
		const workflow = await n8n.createWorkflow({
			name: `test event ${provider}`,
			nodes: [
				{
					id: crypto.randomUUID(),
					name: 'SMS Route Trigger',
					type: TRIGGER,
					typeVersion: 1.1,
					position: [0, 0],
					webhookId,
					parameters: { provider, events },
					credentials,
				},
			],
			connections: {},
		});
		// What the editor sends for "Execute step" on a trigger: n8n then listens on the Test URL.
		const run = await n8n.restOk('POST', `/workflows/${workflow.id}/run`, {
			triggerToStartFrom: { name: 'SMS Route Trigger' },
		});
		expect(run.data ?? run).toMatchObject({ waitingForWebhook: true });

		const testUrl = `${n8n.url}/webhook-test/${webhookId}/webhook`;
		if (provider === 'sendcloud') {
			// SendCloud checks the URL with a GET when SMSHook is saved; n8n keeps listening.
			expect((await fetch(testUrl)).status).toBe(200);
		}
		// The dashboard: this account's webhooks now go to the Test URL.
		sandbox.configure({ webhook: { url: testUrl, mode: expected } });
		try {
			await sendWithTestKey(TEST_NUMBERS.delivered);
			const [execution] = await n8n.waitForExecutions(
				workflow.id,
				(list) => list.length >= 1 && list.every((e) => e.finished || e.status === 'error'),
				{ timeoutMs: 60_000 },
			);
			expect(execution).toMatchObject({ mode: 'manual', status: 'success' });
			expect(nodeOutput(execution, 'SMS Route Trigger')).toEqual([
				expect.objectContaining({
					provider: expected,
					...(events.length ? { status: 'delivered' } : {}),
				}),
			]);
		} finally {
			sandbox.configure({ webhook: { url: null, mode: 'smsroute' } });
		}
	},
);

/** Imports a workflow file with npm start's credentials, runs it from its manual trigger, returns the ledger's new entries. */
async function runExample(file) {
	const fs = require('node:fs');
	const path = require('node:path');
	const workflow = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8'));
	for (const node of workflow.nodes) {
		for (const type of Object.keys(node.credentials ?? {}))
			node.credentials[type] = credentials[type];
		// Each import listens on a path of its own (the two files share one).
		if (node.webhookId) node.webhookId = crypto.randomUUID();
		if (node.parameters?.path)
			node.parameters.path = `${node.parameters.path}-${crypto.randomUUID()}`;
	}
	const saved = await n8n.createWorkflow({ ...workflow, name: `${workflow.name} (${file})` });
	const before = sandbox.ledger().length;
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	await n8n.restOk('POST', `/workflows/${saved.id}/run`, {
		triggerToStartFrom: { name: trigger.name },
	});
	const [execution] = await n8n.waitForExecutions(
		saved.id,
		(list) => list.length >= 1 && list.every((e) => e.finished || e.status === 'error'),
		{
			timeoutMs: 60_000,
		},
	);
	expect(execution.status).toBe('success');
	return sandbox.ledger().slice(before);
}

test('a bulk workflow saved with 0.1.0 (metadata as JSON.stringify) and the example as shipped now (object) send the same metadata', async () => {
	const saved = await runExample('test/fixtures/saved-0.1.0/bulk-otp-send.json');
	const current = await runExample('examples/bulk-otp-send.json');
	const metadata = (ledger) =>
		ledger.map((entry) => entry.metadata).sort((a, b) => a.name.localeCompare(b.name));
	expect(saved).toHaveLength(5);
	expect(metadata(saved)).toEqual(metadata(current));
	expect(metadata(saved)[0]).toEqual({ campaign: 'example-otp', name: 'Ada' });
});
