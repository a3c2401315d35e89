'use strict';
/**
 * Guardrails (issue 21) in real n8n, against the sandbox whose ledger counts what was charged:
 * Dry Run reports per item what each guard would do and sends nothing; the real run sends only
 * what the guards let through (refused and skipped items are never charged); and the example
 * "OTP from a public form, guarded" imports, activates and guards a real form submission.
 *
 * Needs `npm run build` first. SMSROUTE_E2E_N8N_VERSIONS=2.41.0 narrows the versions.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { ensureN8nInstalled, startN8n, resolveVersion, N8N_VERSIONS, ROOT } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { webhookNode } = require('../bench/workflows');

const ACTION = 'n8n-nodes-smsroute.smsRoute';
const VERSIONS = process.env.SMSROUTE_E2E_N8N_VERSIONS
	? process.env.SMSROUTE_E2E_N8N_VERSIONS.split(',')
			.filter(Boolean)
			.map((v) => resolveVersion(v))
	: N8N_VERSIONS;

jest.setTimeout(5 * 60_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe.each(VERSIONS)('n8n %s: guardrails', (version) => {
	let sandbox;
	let n8n;
	let smsCredential;

	beforeAll(async () => {
		await ensureN8nInstalled(version);
	}, 30 * 60_000);

	beforeAll(async () => {
		const { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('../sandbox/server');
		sandbox = createSandbox({ port: 0 });
		const { baseUrl } = await sandbox.start();
		n8n = await startN8n({ version });
		({ smsRouteApi: smsCredential } = await createSandboxCredentials(n8n, {
			baseUrl,
			keys: { test: DEFAULT_TEST_KEY, live: DEFAULT_LIVE_KEY },
		}));
	}, 5 * 60_000);

	afterAll(async () => {
		if (n8n) await n8n.stop();
		if (sandbox) await sandbox.stop();
	}, 60_000);

	const charged = () => sandbox.ledger().map((entry) => entry.to);

	test('Dry Run reports each guard per item; the real run charges nothing for refused or skipped items', async () => {
		const webhookPath = `e2e-guards-${crypto.randomUUID()}`;
		const workflow = await n8n.createWorkflow({
			name: 'e2e guards',
			nodes: [
				webhookNode(webhookPath, { responseData: 'allEntries' }),
				{
					id: crypto.randomUUID(),
					name: 'Recipients',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [220, 0],
					parameters: {
						jsCode: 'return $input.first().json.body.recipients.map((to) => ({ json: { to } }));',
					},
				},
				{
					id: crypto.randomUUID(),
					name: 'SMS Route',
					type: ACTION,
					typeVersion: 1.1,
					position: [440, 0],
					onError: 'continueRegularOutput',
					parameters: {
						resource: 'message',
						operation: 'sendBulk',
						to: '={{ $json.to }}',
						body: 'Your code is 123456',
						additionalFields: {},
						guardrails: {
							allowedCountries: ['US', 'CA'],
							doNotSendTo: "={{ $('Webhook').first().json.body.optOuts }}",
							maxMessagesPerExecution: 10,
						},
						options: {
							defaultCountry: 'US',
							dryRun: "={{ $('Webhook').first().json.body.dryRun }}",
						},
					},
					credentials: { smsRouteApi: { id: smsCredential.id, name: smsCredential.name } },
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'Recipients', type: 'main', index: 0 }]] },
				Recipients: { main: [[{ node: 'SMS Route', type: 'main', index: 0 }]] },
			},
		});
		await n8n.activateWorkflow(workflow.id);

		const recipients = [
			'+1 500 555 0001', // sent
			'+44 7400 123456', // refused: United Kingdom is not allowed
			'(500) 555-0003', // skipped: on the opt-out list (national form, same Default Country)
			'+1 900 234 5678', // refused: US premium rate (version 1.1 default)
			'(201) 555-0123 4', // refused: one digit too many (0.2.0 sent it to Egypt)
			'+15005550002', // sent
		];
		const body = { recipients, optOuts: ['+15005550003'] };

		const dry = await n8n.callWebhook('POST', webhookPath, { body: { ...body, dryRun: true } });
		expect(dry.status).toBe(200);
		expect(charged()).toEqual([]);
		expect(dry.body.map((j) => [j.dryRun, j.wouldSend ?? null, j.country ?? null])).toEqual([
			[true, true, 'US'],
			[true, false, 'GB'],
			[true, false, 'US'],
			[true, false, 'US'],
			[undefined, null, null], // not a number: an error item, as without Dry Run
			[true, true, 'US'],
		]);
		expect(dry.body[1].guards).toMatchObject({
			allowedCountries: expect.stringContaining('United Kingdom (GB)'),
			blockNumberTypes: 'pass',
		});
		expect(dry.body[2].guards).toMatchObject({ doNotSendTo: 'skipped: doNotSendTo' });
		expect(dry.body[3].guards).toMatchObject({
			blockNumberTypes: expect.stringContaining('premium rate'),
		});
		expect(dry.body[4].error).toMatch(/^Item 4: 'To' is not a valid US number/);

		const real = await n8n.callWebhook('POST', webhookPath, { body: { ...body, dryRun: false } });
		expect(real.status).toBe(200);
		expect(real.body.map((j) => j.status ?? j.refusedBy ?? 'error')).toEqual([
			'queued',
			'allowedCountries',
			'skipped',
			'blockNumberTypes',
			'error',
			'queued',
		]);
		expect(real.body[2]).toMatchObject({ to: '+15005550003', skipReason: 'doNotSendTo' });
		expect(charged()).toEqual(['+15005550001', '+15005550002']);
		const stats = sandbox.stats();
		expect(stats.requests['POST /v1/messages/bulk']).toBe(1);
	});

	test('Do Not Send To in every form people write opt-outs in (issue 26): none charged, Dry Run lists the unreadable', async () => {
		const webhookPath = `e2e-guards-optouts-${crypto.randomUUID()}`;
		const workflow = await n8n.createWorkflow({
			name: 'e2e guards opt-out forms',
			nodes: [
				webhookNode(webhookPath, { responseData: 'allEntries' }),
				{
					id: crypto.randomUUID(),
					name: 'Recipients',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [220, 0],
					parameters: {
						jsCode: 'return $input.first().json.body.recipients.map((to) => ({ json: { to } }));',
					},
				},
				{
					id: crypto.randomUUID(),
					name: 'SMS Route',
					type: ACTION,
					typeVersion: 1.1,
					position: [440, 0],
					parameters: {
						resource: 'message',
						operation: 'sendBulk',
						to: '={{ $json.to }}',
						body: 'Spring sale',
						additionalFields: {},
						guardrails: { doNotSendTo: "={{ $('Webhook').first().json.body.optOuts }}" },
						options: {
							defaultCountry: 'GB',
							dryRun: "={{ $('Webhook').first().json.body.dryRun }}",
						},
					},
					credentials: { smsRouteApi: { id: smsCredential.id, name: smsCredential.name } },
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'Recipients', type: 'main', index: 0 }]] },
				Recipients: { main: [[{ node: 'SMS Route', type: 'main', index: 0 }]] },
			},
		});
		await n8n.activateWorkflow(workflow.id);

		const uk = (n) => `+4474001234${String(n).padStart(2, '0')}`;
		// Each cell opts out the next recipient(s) in the form spreadsheets and people write it.
		const dashes = ['-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212'];
		const optOuts = [
			uk(1), // E.164
			'07400 123402', // national
			'+44 (0)7400 123403',
			...dashes.map((dash, i) => `+44${dash}7400${dash}1234${String(4 + i).padStart(2, '0')}`),
			'+44 7400 123412', // spaces
			'+44\t7400\t123413', // tabs
			'Jane Doe\t+44 7400 123414\tmobile', // a pasted row
			'+447400123415 (mobile)',
			'tel:+44-7400-123416',
			'+447400123417 +447400123418', // two in one cell
			'07400 123419; 07400 123420',
			'0044 7400 123421',
			'+44 7400 123422 (mobile, John)', // a comma in a note (issue 33): no "John)" reported
			'n/a', // no number: listed by Dry Run
			'unknown',
		];
		const optedOut = Array.from({ length: 22 }, (_, i) => uk(i + 1));
		const recipients = [...optedOut, uk(50), uk(51)];
		const body = { recipients, optOuts };

		const before = charged().length;
		const dry = await n8n.callWebhook('POST', webhookPath, { body: { ...body, dryRun: true } });
		expect(dry.status).toBe(200);
		expect(dry.body[0]).toMatchObject({
			dryRun: true,
			doNotSendToUnreadableCount: 2,
			doNotSendToUnreadable: ['n/a', 'unknown'],
		});
		expect(dry.body.map((j) => j.wouldSend)).toEqual([...optedOut.map(() => false), true, true]);

		const real = await n8n.callWebhook('POST', webhookPath, { body: { ...body, dryRun: false } });
		expect(real.status).toBe(200);
		expect(real.body.map((j) => [j.to, j.status])).toEqual([
			...optedOut.map((to) => [to, 'skipped']),
			[uk(50), 'queued'],
			[uk(51), 'queued'],
		]);
		expect(charged().slice(before)).toEqual([uk(50), uk(51)]);
		// The notice on the real run counts what matched no one.
		const [execution] = await n8n.waitForExecutions(workflow.id, (list) => list.length >= 2);
		const runs = execution.data.resultData.runData['SMS Route'];
		expect(runs[0].hints.map((hint) => hint.message)).toEqual([
			expect.stringMatching(/^Do Not Send To: 2 entries read as no phone number/),
		]);
	});

	test('Max Messages per Execution counts every run of the node in a Loop Over Items', async () => {
		const webhookPath = `e2e-guards-loop-${crypto.randomUUID()}`;
		const workflow = await n8n.createWorkflow({
			name: 'e2e guards loop',
			nodes: [
				webhookNode(webhookPath),
				{
					id: crypto.randomUUID(),
					name: 'Recipients',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [220, 0],
					parameters: {
						jsCode: "return [1, 2, 3, 4, 5].map((i) => ({ json: { to: '+1201555010' + i } }));",
					},
				},
				{
					id: crypto.randomUUID(),
					name: 'Loop',
					type: 'n8n-nodes-base.splitInBatches',
					typeVersion: 3,
					position: [440, 0],
					parameters: { batchSize: 2, options: {} },
				},
				{
					id: crypto.randomUUID(),
					name: 'SMS Route',
					type: ACTION,
					typeVersion: 1.1,
					position: [660, 100],
					parameters: {
						resource: 'message',
						operation: 'send',
						to: '={{ $json.to }}',
						body: 'loop',
						additionalFields: {},
						guardrails: { maxMessagesPerExecution: 3 },
					},
					credentials: { smsRouteApi: { id: smsCredential.id, name: smsCredential.name } },
				},
			],
			connections: {
				Webhook: { main: [[{ node: 'Recipients', type: 'main', index: 0 }]] },
				Recipients: { main: [[{ node: 'Loop', type: 'main', index: 0 }]] },
				Loop: { main: [[], [{ node: 'SMS Route', type: 'main', index: 0 }]] },
				'SMS Route': { main: [[{ node: 'Loop', type: 'main', index: 0 }]] },
			},
		});
		await n8n.activateWorkflow(workflow.id);
		const before = charged().length;
		const res = await n8n.callWebhook('POST', webhookPath, { body: {} });
		// Run 1 sends 2, run 2 would make 4 of 3: refused before it sends, the execution fails.
		expect(res.status).toBe(500);
		expect(charged().slice(before)).toEqual(['+12015550101', '+12015550102']);
		const [execution] = await n8n.waitForExecutions(workflow.id, (list) => list.length >= 1);
		expect(JSON.stringify(execution.data.resultData.error)).toContain(
			'2 messages to send after 2 sent by earlier runs of this node in this execution: more than Max Messages per Execution (3)',
		);
	});

	test('the example "OTP from a public form, guarded" guards real form submissions', async () => {
		// n8n 2.x has a public API for data tables; 1.x does not (404), so there the example's
		// opt-out table is missing, which must stop the OTP, not send it unchecked.
		const table = await n8n.api('POST', '/data-tables', {
			name: 'SMS opt-outs',
			columns: [{ name: 'phone', type: 'string' }],
		});
		const hasOptOutTable = table.status !== 404; // 409 when it exists already
		const example = JSON.parse(
			fs.readFileSync(path.join(ROOT, 'examples/otp-public-form-guarded.json'), 'utf8'),
		);
		for (const node of example.nodes)
			if (node.credentials?.smsRouteApi)
				node.credentials.smsRouteApi = { id: smsCredential.id, name: smsCredential.name };
		const saved = await n8n.createWorkflow(example);
		await n8n.activateWorkflow(saved.id);

		const submit = async (phone) => {
			const form = new FormData();
			form.append('field-0', phone);
			for (let attempt = 0; attempt < 40; attempt++) {
				const res = await fetch(`${n8n.url}/form/smsroute-example-guarded-otp`, {
					method: 'POST',
					body: form,
				});
				if (res.status !== 404) return res.status;
				await sleep(250); // just activated
			}
			return 404;
		};
		const executions = async (count) =>
			await n8n.waitForExecutions(
				saved.id,
				(list) => list.filter((e) => e.finished || e.stoppedAt).length >= count,
			);

		const before = charged().length;
		expect(await submit('(500) 555-0001')).toBe(200);
		const [first] = await executions(1);
		if (!hasOptOutTable) {
			expect(first.status).toBe('error');
			expect(JSON.stringify(first.data.resultData.error)).toContain('SMS opt-outs');
			expect(charged().slice(before)).toEqual([]);
			return;
		}
		expect(charged().slice(before)).toEqual(['+15005550001']);

		// A UK number and a US premium-rate number from the public form: refused, nothing charged.
		expect(await submit('+44 7400 123456')).toBe(200);
		expect(await submit('+1 900 234 5678')).toBe(200);
		const list = await executions(3);
		expect(charged().slice(before)).toEqual(['+15005550001']);
		expect(list.filter((e) => e.status === 'error')).toHaveLength(2);
	});
});
