'use strict';
/**
 * Issue 25: Send and Wait for Delivery and n8n's Retry. One recipient is down until healed, so
 * the send fails after the others went out; after the heal, the Executions list's Retry sends
 * only the message that never went out, and the wait resumes on its outputs (the replayed
 * messages settled, the new one by its delivery event). Each recipient is charged once.
 * n8n 2.x only: on 1.x Send and Wait refuses before sending (see sendAndWait.test.js).
 *
 * Needs `npm run build` first. SMSROUTE_E2E_N8N_VERSIONS narrows the versions.
 */
const { ensureN8nInstalled, startN8n, resolveVersion } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { createTriggerWorkflow, createWaitWorkflow } = require('./sendAndWaitWorkflows');
const { createWaitHarness, itemsOn } = require('./waitHarness');
const { retryExecution, ledgerFor, report } = require('./campaign');

const DELIVERED = '+15005550001';
const FAILED = '+15005550002';
const DOWN = '+12012650021'; // any other number ends "delivered" (webhooks for all numbers)

const MODERN = (process.env.SMSROUTE_E2E_N8N_VERSIONS ?? '2.41.0,1.123.81')
	.split(',')
	.filter(Boolean)
	.map((v) => resolveVersion(v))
	.filter((v) => !v.startsWith('1.'));

jest.setTimeout(5 * 60_000);

(MODERN.length > 0 ? describe.each(MODERN) : () => () => undefined)(
	'n8n %s: Send and Wait, Retry from the Executions list',
	(version) => {
		let sandbox;
		let n8n;
		let credential;

		beforeAll(async () => {
			await ensureN8nInstalled(version);
		}, 30 * 60_000);

		beforeAll(async () => {
			const { createSandbox } = require('../sandbox/server');
			sandbox = createSandbox({ port: 0, stepMs: 300, webhook: { allNumbers: true } });
			const { baseUrl } = await sandbox.start();
			n8n = await startN8n({ version });
			({ smsRouteApi: credential } = await createSandboxCredentials(n8n, { baseUrl }));
			const trigger = await createTriggerWorkflow(n8n, credential, 'e2e retry wait: trigger');
			sandbox.configure({ webhook: { url: `${n8n.url}/webhook/${trigger.webhookPath}` } });
		}, 5 * 60_000);

		afterAll(async () => {
			if (n8n) await n8n.stop();
			if (sandbox) await sandbox.stop();
		}, 60_000);

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

				sandbox.heal();
				const retry = await retryExecution(n8n, failedId, {
					loadWorkflow,
					wanted: ['success', 'error', 'waiting'],
				});
				const done = await harness.waitForStatus(retry.id, ['success', 'error'], 60_000);
				const counts = ledgerFor(sandbox, list);
				report(`${version} send and wait ${mode}: after Retry`, counts);
				expect({ charged: counts.charged, twice: counts.twice }).toEqual({ charged: 3, twice: 0 });
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
			},
		);
	},
);
