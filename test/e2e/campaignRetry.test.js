'use strict';
/**
 * Issue 25: n8n's Retry (the Executions list's button, through the REST endpoint it calls) sends
 * nothing twice. smsroute (the sandbox) is down for one chosen recipient until healed, so the
 * run fails part-way; the sandbox's ledger then counts what each recipient was charged after
 * the Retry, with "Retry with original workflow" (loadWorkflow false), "Retry with currently
 * saved workflow" (true), and a retry of a retry; for Send and Wait for Delivery (n8n 2.x: on
 * 1.x it refuses before sending) the wait then resumes on its outputs. Each step prints a
 * `[campaign-e2e]` line with the ledger counts.
 *
 * Needs `npm run build` first. SMSROUTE_E2E_N8N_VERSIONS=2.41.0 narrows the versions.
 */
const { ensureN8nInstalled, startN8n, resolveVersion, N8N_VERSIONS, nodeOutput } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { createTriggerWorkflow, createWaitWorkflow } = require('./sendAndWaitWorkflows');
const { createWaitHarness, itemsOn } = require('./waitHarness');
const {
	recipients,
	createCampaignWorkflow,
	runCampaign,
	retryExecution,
	ledgerFor,
	report,
} = require('./campaign');

const VERSIONS = process.env.SMSROUTE_E2E_N8N_VERSIONS
	? process.env.SMSROUTE_E2E_N8N_VERSIONS.split(',')
			.filter(Boolean)
			.map((v) => resolveVersion(v))
	: N8N_VERSIONS;

jest.setTimeout(5 * 60_000);

describe.each(VERSIONS)('n8n %s: Retry from the Executions list sends nothing twice', (version) => {
	let sandbox;
	let n8n;
	let credential;

	beforeAll(async () => {
		await ensureN8nInstalled(version);
	}, 30 * 60_000);

	beforeAll(async () => {
		const { createSandbox } = require('../sandbox/server');
		sandbox = createSandbox({ port: 0 });
		const { baseUrl } = await sandbox.start();
		n8n = await startN8n({ version });
		({ smsRouteApi: credential } = await createSandboxCredentials(n8n, { baseUrl }));
	}, 5 * 60_000);

	afterAll(async () => {
		if (n8n) await n8n.stop();
		if (sandbox) await sandbox.stop();
	}, 60_000);

	afterEach(() => sandbox.heal());

	/**
	 * Every recipient charged exactly once, and every output item of the successful execution
	 * carries the id smsroute charged for its recipient, in input order.
	 */
	async function expectEachChargedOnce(list, execution) {
		const counts = ledgerFor(sandbox, list);
		expect({ charged: counts.charged, distinct: counts.distinct, twice: counts.twice }).toEqual({
			charged: list.length,
			distinct: list.length,
			twice: 0,
		});
		expect(execution.status).toBe('success');
		const out = nodeOutput(await n8n.getExecution(execution.id), 'SMS Route');
		expect(out).toHaveLength(list.length);
		const wrong = out.filter((j, i) => j.to !== list[i].to || j.id !== counts.idOf.get(j.to));
		expect(wrong.slice(0, 3)).toEqual([]);
	}

	/** A run that fails at `down` (a recipient smsroute refuses until healed). */
	async function failingRun(flow, list, down, label) {
		sandbox.down({ to: [down] });
		const failed = await runCampaign(n8n, flow, list);
		expect(failed.status).toBe('error');
		const counts = ledgerFor(sandbox, list);
		report(`${version} ${label}: failed run`, counts);
		expect(counts.charged).toBeGreaterThan(0);
		expect(counts.charged).toBeLessThan(list.length);
		return { failed, chargedBefore: counts.charged };
	}

	const bulk = (name) => createCampaignWorkflow(n8n, credential, { name, operation: 'sendBulk' });
	const single = (name) => createCampaignWorkflow(n8n, credential, { name, operation: 'send' });

	describe.each([
		['original workflow', false],
		['currently saved workflow', true],
	])('Retry with %s', (mode, loadWorkflow) => {
		test(`Send in Bulk, 2,500 recipients, chunk 3 down: fail, heal, Retry → each charged once`, async () => {
			const series = loadWorkflow ? 21 : 20;
			const list = recipients(series, 2500, `bulk ${mode}`);
			const flow = await bulk(`e2e retry bulk (${mode})`);
			const { failed, chargedBefore } = await failingRun(flow, list, list[2100].to, `bulk ${mode}`);
			expect(chargedBefore).toBe(2000); // chunks 1 and 2 of 1,000
			sandbox.heal();
			const retried = await retryExecution(n8n, failed.id, { loadWorkflow });
			report(`${version} bulk ${mode}: after Retry`, ledgerFor(sandbox, list));
			await expectEachChargedOnce(list, retried);
		});

		test(`Send, 30 recipients, message 21 down: fail, heal, Retry → each charged once`, async () => {
			const series = loadWorkflow ? 23 : 22;
			const list = recipients(series, 30, `send ${mode}`);
			const flow = await single(`e2e retry send (${mode})`);
			const { failed } = await failingRun(flow, list, list[20].to, `send ${mode}`);
			sandbox.heal();
			const retried = await retryExecution(n8n, failed.id, { loadWorkflow });
			report(`${version} send ${mode}: after Retry`, ledgerFor(sandbox, list));
			await expectEachChargedOnce(list, retried);
		});
	});

	test.each([
		['Send in Bulk', 'sendBulk', 24, 2500, 2100],
		['Send', 'send', 25, 30, 20],
	])(
		'%s: a retry of a retry (first Retry while still down, with the original workflow; then with the saved one) → each charged once',
		async (label, operation, series, size, downAt) => {
			const list = recipients(series, size, `${operation} chain`);
			const flow = await createCampaignWorkflow(n8n, credential, {
				name: `e2e retry of retry (${operation})`,
				operation,
			});
			const { failed, chargedBefore } = await failingRun(
				flow,
				list,
				list[downAt].to,
				`${operation} chain`,
			);
			const second = await retryExecution(n8n, failed.id, { loadWorkflow: false });
			expect(second.status).toBe('error');
			const counts = ledgerFor(sandbox, list);
			report(`${version} ${operation} chain: first Retry, still down`, counts);
			// Nothing the first run sent goes out again; only messages it never reached may.
			expect(counts.twice).toBe(0);
			expect(counts.charged).toBeGreaterThanOrEqual(chargedBefore);
			sandbox.heal();
			const third = await retryExecution(n8n, second.id, { loadWorkflow: true });
			report(`${version} ${operation} chain: Retry of the Retry`, ledgerFor(sandbox, list));
			await expectEachChargedOnce(list, third);
		},
	);
	test('Retry with currently saved workflow after the Body changed for 10 items: those are new messages (sent), the rest replay', async () => {
		const list = recipients(26, 30, 'changed');
		const flow = await single('e2e retry after a change');
		const { failed } = await failingRun(flow, list, list[20].to, 'send changed');
		const firstIds = new Map(sandbox.ledger().map((m) => [m.to, m.id]));
		// The user corrects the text of items 0–9 (all sent by the failed run) and saves the
		// workflow before pressing Retry: a changed message is a new message (the documented rule).
		const saved = await n8n.apiOk('GET', `/workflows/${flow.workflow.id}`);
		const nodes = saved.nodes.map((n) =>
			n.name === 'SMS Route'
				? {
						...n,
						parameters: {
							...n.parameters,
							body: "={{ $itemIndex < 10 ? $json.text + ' (corrected)' : $json.text }}",
						},
					}
				: n,
		);
		await n8n.upsertWorkflow({ ...saved, nodes });
		sandbox.heal();

		const changed = await retryExecution(n8n, failed.id, { loadWorkflow: true });
		const counts = ledgerFor(sandbox, list);
		report(`${version} send changed: after Retry with the saved workflow`, counts);
		expect(changed.status).toBe('success');
		expect({ charged: counts.charged, twice: counts.twice }).toEqual({ charged: 40, twice: 10 });
		const out = nodeOutput(await n8n.getExecution(changed.id), 'SMS Route');
		const corrected = new Map(
			sandbox
				.ledger()
				.filter((m) => m.body.endsWith('(corrected)'))
				.map((m) => [m.to, m.id]),
		);
		expect([...corrected.keys()].sort()).toEqual(list.slice(0, 10).map((r) => r.to));
		// Items 0–9 carry their new message; the rest the id the failed run (or, for item 20,
		// this retry) charged.
		expect(out.map((j) => j.id)).toEqual(
			list.map((r, i) =>
				i < 10 ? corrected.get(r.to) : (firstIds.get(r.to) ?? counts.idOf.get(r.to)),
			),
		);
	});

	// Send and Wait needs n8n 2.x (on 1.x it refuses before sending: sendAndWait.test.js).
	if (!version.startsWith('1.')) {
		describe('Send and Wait for Delivery', () => {
			const DELIVERED = '+15005550001';
			const FAILED = '+15005550002';
			const DOWN = '+12012650021'; // ends "delivered": webhooks for every number here

			beforeAll(async () => {
				const trigger = await createTriggerWorkflow(n8n, credential, 'e2e retry wait: trigger');
				sandbox.configure({
					stepMs: 300,
					webhook: { url: `${n8n.url}/webhook/${trigger.webhookPath}`, allNumbers: true },
				});
			});
			afterAll(() => sandbox.configure({ webhook: { url: null, allNumbers: false } }));

			test.each([
				['original workflow', false],
				['currently saved workflow', true],
			])(
				'one recipient down: fail, heal, Retry with %s → the wait resumes on its outputs, each charged once',
				async (mode, loadWorkflow) => {
					sandbox.reset();
					const list = [DELIVERED, FAILED, DOWN].map((to) => ({ to }));
					const flow = await createWaitWorkflow(n8n, credential, {
						name: `e2e retry wait (${mode})`,
						options: { maxAttempts: 2, maxRetryWaitSeconds: 1 },
					});
					sandbox.down({ to: [DOWN] });
					const harness = createWaitHarness(n8n);
					const failedId = await harness.start(flow, { to: list.map((r) => r.to) });
					const failed = await harness.waitForStatus(failedId, ['error', 'success', 'waiting']);
					expect(failed.status).toBe('error');
					report(`${version} send and wait ${mode}: failed run`, ledgerFor(sandbox, list));
					expect(ledgerFor(sandbox, list).charged).toBe(2);

					// A user retries once the outage is over, by then the failed run's messages are
					// final; the Retry settles them from their status (their events went to the
					// failed execution). Waiting for that keeps a busy machine from racing the sandbox.
					const sentIds = [DELIVERED, FAILED].map((to) => ledgerFor(sandbox, list).idOf.get(to));
					const isFinal = (id) =>
						sandbox
							.webhookLog()
							.some((w) => w.messageId === id && ['delivered', 'failed'].includes(w.status));
					const finalBy = Date.now() + 30_000;
					while (!sentIds.every(isFinal) && Date.now() < finalBy)
						await new Promise((resolve) => setTimeout(resolve, 100));
					expect(sentIds.every(isFinal)).toBe(true);

					sandbox.heal();
					const retry = await retryExecution(n8n, failedId, {
						loadWorkflow,
						wanted: ['success', 'error', 'waiting'],
					});
					const done = await harness.waitForStatus(retry.id, ['success', 'error'], 60_000);
					const counts = ledgerFor(sandbox, list);
					report(`${version} send and wait ${mode}: after Retry`, counts);
					expect({ charged: counts.charged, twice: counts.twice }).toEqual({
						charged: 3,
						twice: 0,
					});
					expect(done.status).toBe('success');
					const on = (output) =>
						itemsOn(done, 'Send and Wait', output).map((i) => [i.json.to, i.json.id]);
					expect(on(0).sort()).toEqual(
						[
							[DELIVERED, counts.idOf.get(DELIVERED)],
							[DOWN, counts.idOf.get(DOWN)],
						].sort(),
					);
					expect(on(1)).toEqual([[FAILED, counts.idOf.get(FAILED)]]);
					expect(on(2)).toEqual([]);
					// The two the failed run sent were replayed and settled from their status; the
					// healed one was waited for.
					const replayed = [0, 1]
						.flatMap((o) => itemsOn(done, 'Send and Wait', o))
						.filter((i) => i.json.idempotencyReplay === true)
						.map((i) => i.json.to);
					expect(replayed.sort()).toEqual([DELIVERED, FAILED].sort());
				},
			);
		});
	}
});
