'use strict';
// Soak: 10,000 messages through Bulk Send in real n8n while the sandbox injects faults.
// Checked against the sandbox ledger: nothing lost, nothing charged twice, every output item
// paired with its input and carrying the id the ledger holds for that message.
const { performance } = require('node:perf_hooks');
const { startN8n } = require('../e2e/n8n');
const { bulkWorkflow } = require('./workflows');
const { makeItems, requestCount } = require('./bulk');

async function runSoak({
	sandbox,
	baseUrl,
	keys,
	size = 10_000,
	faults,
	nodeOptions,
	concurrency,
	chunkSize,
	log,
}) {
	const n8n = await startN8n({ env: { N8N_PAYLOAD_SIZE_MAX: '64' }, log });
	try {
		const credential = await n8n.createCredential({
			name: 'smsroute sandbox',
			type: 'smsRouteApi',
			data: { environment: 'test', testApiKey: keys.test, liveApiKey: keys.live, baseUrl },
		});
		const path = 'bench-soak';
		const wf = bulkWorkflow('smsroute', {
			path,
			credential,
			concurrency,
			chunkSize,
			nodeOptions,
			responseData: 'allEntries',
		});
		const created = await n8n.createWorkflow(wf);
		await n8n.activateWorkflow(created.id);
		const warm = await n8n.callWebhook('POST', path, {
			body: { items: makeItems(3, 'soak-warmup') },
		});
		if (warm.status !== 200)
			throw new Error(`soak warm-up → HTTP ${warm.status}: ${warm.text.slice(0, 500)}`);

		sandbox.reset();
		sandbox.configure({ faults });
		const items = makeItems(size, 'soak');
		const started = performance.now();
		let res;
		try {
			res = await n8n.callWebhook('POST', path, { body: { items } });
		} finally {
			sandbox.configure({ faults: { error503: 0, rateLimit: 0, dropAfterCharge: 0, stall: 0 } });
		}
		const wallMs = performance.now() - started;
		const stats = sandbox.stats();
		const ledger = sandbox.ledger();

		const problems = [];
		if (res.status !== 200)
			problems.push(`webhook answered HTTP ${res.status}: ${res.text.slice(0, 300)}`);
		const output = Array.isArray(res.body) ? res.body : [];

		// Ledger, counted by body (every body is unique by construction).
		const byBody = new Map();
		for (const entry of ledger) {
			const list = byBody.get(entry.body);
			if (list) list.push(entry);
			else byBody.set(entry.body, [entry]);
		}
		let lost = 0;
		let chargedTwice = 0;
		for (const item of items) {
			const n = byBody.get(item.body)?.length ?? 0;
			if (n === 0) lost++;
			if (n > 1) chargedTwice++;
		}
		const inputBodies = new Set(items.map((i) => i.body));
		const foreign = ledger.filter((e) => !inputBodies.has(e.body)).length;

		// Output items: in input order, each with the ledger's id for its message.
		let unpaired = 0;
		let wrongId = 0;
		let errorItems = 0;
		for (let i = 0; i < items.length; i++) {
			const out = output[i];
			if (!out || out.to !== items[i].to) {
				unpaired++;
				continue;
			}
			if (out.error) errorItems++;
			const entries = byBody.get(items[i].body);
			if (!entries || entries.length !== 1 || entries[0].id !== out.id || entries[0].to !== out.to)
				wrongId++;
		}

		// pairedItem as n8n recorded it.
		let pairedChecked = false;
		let pairedMismatch = null;
		try {
			const list = await n8n.waitForExecutions(
				created.id,
				(l) => l.length >= 2 && l.every((e) => e.finished || e.status !== 'running'),
				{
					timeoutMs: 60_000,
				},
			);
			const newest = list.sort((a, b) => Number(b.id) - Number(a.id))[0];
			const execution = await n8n.getExecution(newest.id);
			const run = execution?.data?.resultData?.runData?.[wf.targetName]?.at(-1);
			const data = run?.data?.main?.[0] ?? [];
			if (data.length === items.length) {
				pairedChecked = true;
				pairedMismatch = data.filter((d, i) => {
					const p = Array.isArray(d.pairedItem) ? d.pairedItem[0] : d.pairedItem;
					return !p || p.item !== i;
				}).length;
			}
		} catch (error) {
			problems.push(`could not read the recorded execution: ${error.message}`);
		}

		return {
			size,
			wallMs,
			faults,
			nodeOptions,
			concurrency,
			chunkSize,
			requests: requestCount(stats),
			sandboxRequests: stats.requests,
			sandboxResponses: stats.responses,
			injected: stats.faults,
			charged: ledger.length,
			lost,
			chargedTwice,
			foreign,
			outputs: output.length,
			unpaired,
			wrongId,
			errorItems,
			pairedChecked,
			pairedMismatch,
			problems,
			holds:
				problems.length === 0 &&
				lost === 0 &&
				chargedTwice === 0 &&
				foreign === 0 &&
				output.length === items.length &&
				unpaired === 0 &&
				wrongId === 0 &&
				errorItems === 0 &&
				(pairedMismatch === null || pairedMismatch === 0),
		};
	} finally {
		await n8n.stop();
	}
}

module.exports = { runSoak };
