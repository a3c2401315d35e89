'use strict';
/**
 * Issue 25: n8n killed (SIGKILL) in the middle of a Send in Bulk against a slowed smsroute, then
 * started again on the same data folder. With Campaign ID, running the workflow again charges
 * each recipient exactly once (what went out before the crash, including the chunk in flight at
 * the kill, is replayed). Without it, the recipe of docs/recovering-a-campaign.md is followed:
 * take the recipients smsroute already charged (here the sandbox's ledger stands in for
 * smsroute's record, or the delivery events a Trigger workflow kept), remove them, run again.
 *
 * SMSROUTE_E2E_N8N_VERSIONS narrows the versions (default 2.41.0 and 1.123.81);
 * SMSROUTE_E2E_CRASH_MESSAGES (default 20000) sizes the Campaign ID run.
 * Needs `npm run build` first.
 */
const { ensureN8nInstalled, startN8n, resolveVersion, nodeOutput, N8N_VERSIONS } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { sleep } = require('./http');
const {
	recipients,
	createCampaignWorkflow,
	runCampaign,
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

jest.setTimeout(8 * 60_000);

describe.each(VERSIONS)('n8n %s killed mid-campaign (SIGKILL), then run again', (version) => {
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

	/**
	 * Starts the campaign on a slowed smsroute, SIGKILLs n8n once a quarter is charged, and
	 * starts n8n again on the same data folder. → { crashedId, chargedAtKill }
	 */
	async function crashMidway(flow, list) {
		sandbox.configure({ latencyMs: 300 });
		try {
			const res = await n8n.callWebhook('POST', flow.path, { body: { recipients: list } });
			expect(res.status).toBe(200);
			const deadline = Date.now() + 120_000;
			while (ledgerFor(sandbox, list).charged < list.length / 4) {
				if (Date.now() > deadline) throw new Error('the campaign charged too little to kill it');
				await sleep(50);
			}
			const running = await runningExecution(n8n, flow.workflow.id);
			await n8n.kill();
			const chargedAtKill = ledgerFor(sandbox, list).charged;
			expect(chargedAtKill).toBeLessThan(list.length);
			await sleep(1000); // the requests in flight at the kill are still charged
			report(`${version} crash: charged by the kill`, ledgerFor(sandbox, list));
			return { crashedId: running.id, chargedAtKill };
		} finally {
			sandbox.configure({ latencyMs: 0 });
			const { userFolder } = n8n;
			n8n = await startN8n({ version, userFolder, fresh: false });
		}
	}

	test(`with Campaign ID: ${SIZE.toLocaleString('en')} recipients, run again after the restart → each charged once`, async () => {
		const list = recipients(30, SIZE, 'crash campaign');
		const flow = await createCampaignWorkflow(n8n, credential, {
			name: 'e2e crash with Campaign ID',
			options: { chunkSize: 100, concurrency: 2, campaignId: 'newsletter-2026-12' },
		});
		const { crashedId } = await crashMidway(flow, list);
		const crashed = await waitForExecution(n8n, crashedId, ENDED, { timeoutMs: 60_000 });
		expect(['crashed', 'error']).toContain(crashed.status);

		const again = await runCampaign(n8n, flow, list, { timeoutMs: 240_000 });
		expect(again.status).toBe('success');
		const counts = ledgerFor(sandbox, list);
		report(`${version} crash with Campaign ID: after running again`, counts);
		expect({ charged: counts.charged, distinct: counts.distinct, twice: counts.twice }).toEqual({
			charged: SIZE,
			distinct: SIZE,
			twice: 0,
		});
		const out = nodeOutput(await n8n.getExecution(again.id), 'SMS Route');
		expect(out).toHaveLength(SIZE);
		const wrong = out.filter((j, i) => j.to !== list[i].to || j.id !== counts.idOf.get(j.to));
		expect(wrong.slice(0, 3)).toEqual([]);
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
		report(`${version} stopped (${stopped.status}): charged by the stop`, ledgerFor(sandbox, list));
		expect(ledgerFor(sandbox, list).charged).toBeLessThan(list.length);
		const again = await runCampaign(n8n, flow, list);
		expect(again.status).toBe('success');
		const counts = ledgerFor(sandbox, list);
		report(`${version} stopped with Campaign ID: after running again`, counts);
		expect({ charged: counts.charged, distinct: counts.distinct, twice: counts.twice }).toEqual({
			charged: list.length,
			distinct: list.length,
			twice: 0,
		});
	});

	test('without Campaign ID: the recipe (remove who smsroute already charged, run again) → each charged once', async () => {
		const list = recipients(31, 2000, 'crash no campaign');
		const flow = await createCampaignWorkflow(n8n, credential, {
			name: 'e2e crash without Campaign ID',
			options: { chunkSize: 50, concurrency: 2 },
		});
		const { crashedId } = await crashMidway(flow, list);
		await waitForExecution(n8n, crashedId, ENDED, { timeoutMs: 60_000 });

		// The recipe: the crashed run left no output in n8n; smsroute's record says who got it.
		const charged = new Set(sandbox.ledger().map((m) => m.to));
		const rest = list.filter((r) => !charged.has(r.to));
		expect(rest.length).toBeGreaterThan(0);
		expect(rest.length).toBeLessThan(list.length);
		const again = await runCampaign(n8n, flow, rest);
		expect(again.status).toBe('success');
		const counts = ledgerFor(sandbox, list);
		report(`${version} crash without Campaign ID: after the recipe`, counts);
		expect({ charged: counts.charged, distinct: counts.distinct, twice: counts.twice }).toEqual({
			charged: list.length,
			distinct: list.length,
			twice: 0,
		});
	});
});
