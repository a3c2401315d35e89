'use strict';
/**
 * Issue 25: n8n killed (SIGKILL) in the middle of campaigns against a slowed smsroute, then
 * started again on the same data folder. One kill, three campaigns running at that moment:
 * - 20,000 recipients with Campaign ID: running the workflow again charges each exactly once
 *   (what went out before the kill, including the chunks in flight, is replayed);
 * - 2,000 with Campaign ID: n8n's Retry of the Crashed execution does the same;
 * - 2,000 without Campaign ID: the recipe of docs/recovering-a-campaign.md (take the recipients
 *   smsroute already charged, here the sandbox's ledger standing in for smsroute's record or
 *   the delivery events a Trigger workflow kept; remove them; run again).
 * And "Stop execution" part-way with Campaign ID, then run again.
 *
 * SMSROUTE_E2E_N8N_VERSIONS narrows the versions (default 2.41.0 and 1.123.81);
 * SMSROUTE_E2E_CRASH_MESSAGES (default 20000) sizes the large campaign.
 * Needs `npm run build` first.
 */
const { ensureN8nInstalled, startN8n, resolveVersion, nodeOutput, N8N_VERSIONS } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { sleep } = require('./http');
const {
	recipients,
	createCampaignWorkflow,
	runCampaign,
	retryExecution,
	waitForExecution,
	runningExecution,
	ledgerFor,
	report,
	ENDED,
} = require('./campaign');

const VERSIONS = process.env.SMSROUTE_E2E_N8N_VERSIONS
	? process.env.SMSROUTE_E2E_N8N_VERSIONS.split(',')
			.filter(Boolean)
			.map((v) => resolveVersion(v))
	: N8N_VERSIONS;
const SIZE = Number(process.env.SMSROUTE_E2E_CRASH_MESSAGES || 20_000);

jest.setTimeout(5 * 60_000);

const exactlyOnce = (counts, size) =>
	expect({ charged: counts.charged, distinct: counts.distinct, twice: counts.twice }).toEqual({
		charged: size,
		distinct: size,
		twice: 0,
	});

describe.each(VERSIONS)('n8n %s: campaigns that stopped halfway', (version) => {
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

	describe('n8n killed (SIGKILL) with three campaigns running, then started again', () => {
		// Each campaign: its recipients, its workflow, the execution the kill left behind.
		const campaigns = {
			rerun: { series: 30, size: SIZE, options: { chunkSize: 100, campaignId: 'news-2026-12' } },
			retry: { series: 33, size: 2000, options: { chunkSize: 20, campaignId: 'retry-2026-12' } },
			recipe: { series: 31, size: 2000, options: { chunkSize: 20 } },
		};

		beforeAll(async () => {
			for (const [name, c] of Object.entries(campaigns)) {
				c.list = recipients(c.series, c.size, `crash ${name}`);
				c.flow = await createCampaignWorkflow(n8n, credential, {
					name: `e2e crash: ${name}`,
					options: { concurrency: 2, ...c.options },
				});
			}
			// Slowed (each request answered after 300 ms, two chunks at a time), so every campaign
			// is part-way when n8n dies.
			sandbox.configure({ latencyMs: 300 });
			try {
				for (const c of Object.values(campaigns)) {
					const res = await n8n.callWebhook('POST', c.flow.path, {
						body: { recipients: c.list },
					});
					expect(res.status).toBe(200);
				}
				const deadline = Date.now() + 120_000;
				const started = () =>
					Object.values(campaigns).every((c) => ledgerFor(sandbox, c.list).charged >= c.size / 5);
				while (!started()) {
					if (Date.now() > deadline)
						throw new Error('the campaigns charged too little to kill n8n');
					await sleep(50);
				}
				for (const c of Object.values(campaigns))
					c.crashedId = (await runningExecution(n8n, c.flow.workflow.id)).id;
				await n8n.kill();
				for (const c of Object.values(campaigns))
					expect(ledgerFor(sandbox, c.list).charged).toBeLessThan(c.size);
				await sleep(1000); // requests on their way at the kill are still charged
				for (const [name, c] of Object.entries(campaigns))
					report(`${version} crash, ${name}: charged by the kill`, ledgerFor(sandbox, c.list));
			} finally {
				sandbox.configure({ latencyMs: 0 });
				const { userFolder } = n8n;
				n8n = await startN8n({ version, userFolder, fresh: false });
			}
			for (const c of Object.values(campaigns))
				c.crashed = await waitForExecution(n8n, c.crashedId, ENDED, { timeoutMs: 60_000 });
		}, 5 * 60_000);

		test(`with Campaign ID, ${SIZE.toLocaleString('en')} recipients: run the workflow again → each charged once, every output item with its id`, async () => {
			const { list, flow, crashed } = campaigns.rerun;
			expect(crashed.status).toBe('crashed');
			const again = await runCampaign(n8n, flow, list, { timeoutMs: 240_000 });
			expect(again.status).toBe('success');
			const counts = ledgerFor(sandbox, list);
			report(`${version} crash with Campaign ID: after running again`, counts);
			exactlyOnce(counts, SIZE);
			const out = nodeOutput(await n8n.getExecution(again.id), 'SMS Route');
			expect(out).toHaveLength(SIZE);
			const wrong = out.filter((j, i) => j.to !== list[i].to || j.id !== counts.idOf.get(j.to));
			expect(wrong.slice(0, 3)).toEqual([]);
		});

		test('with Campaign ID: Retry of the Crashed execution (Executions list) → each charged once', async () => {
			const { list, crashed } = campaigns.retry;
			expect(crashed.status).toBe('crashed');
			const retried = await retryExecution(n8n, crashed.id, { loadWorkflow: false });
			expect(retried.status).toBe('success');
			const counts = ledgerFor(sandbox, list);
			report(`${version} crash with Campaign ID: after Retry of the crashed execution`, counts);
			exactlyOnce(counts, list.length);
		});

		test('without Campaign ID: the recipe (remove who smsroute already charged, run again) → each charged once', async () => {
			const { list, flow } = campaigns.recipe;
			// The crashed run left no output in n8n; smsroute's record says who got it.
			const charged = new Set(sandbox.ledger().map((m) => m.to));
			const rest = list.filter((r) => !charged.has(r.to));
			expect(rest.length).toBeGreaterThan(0);
			expect(rest.length).toBeLessThan(list.length);
			const again = await runCampaign(n8n, flow, rest);
			expect(again.status).toBe('success');
			const counts = ledgerFor(sandbox, list);
			report(`${version} crash without Campaign ID: after the recipe`, counts);
			exactlyOnce(counts, list.length);
		});
	});

	test('"Stop execution" part-way with Campaign ID: run again → each charged once', async () => {
		const list = recipients(32, 2000, 'stopped campaign');
		const flow = await createCampaignWorkflow(n8n, credential, {
			name: 'e2e stopped with Campaign ID',
			options: { chunkSize: 50, concurrency: 2, campaignId: 'stopped-2026-12' },
		});
		sandbox.configure({ latencyMs: 300 });
		let stopped;
		try {
			const res = await n8n.callWebhook('POST', flow.path, { body: { recipients: list } });
			expect(res.status).toBe(200);
			const deadline = Date.now() + 60_000;
			while (ledgerFor(sandbox, list).charged < list.length / 4) {
				if (Date.now() > deadline) throw new Error('the campaign charged too little to stop it');
				await sleep(50);
			}
			const running = await runningExecution(n8n, flow.workflow.id);
			const stop = await n8n.rest('POST', `/executions/${running.id}/stop`, {});
			expect(stop.status).toBe(200);
			stopped = await waitForExecution(n8n, running.id, ENDED, { timeoutMs: 60_000 });
		} finally {
			sandbox.configure({ latencyMs: 0 });
		}
		await sleep(1000);
		expect(stopped.status).toBe('canceled');
		report(`${version} stopped: charged by the stop`, ledgerFor(sandbox, list));
		expect(ledgerFor(sandbox, list).charged).toBeLessThan(list.length);
		const again = await runCampaign(n8n, flow, list);
		expect(again.status).toBe('success');
		const counts = ledgerFor(sandbox, list);
		report(`${version} stopped with Campaign ID: after running again`, counts);
		exactlyOnce(counts, list.length);
	});
});
