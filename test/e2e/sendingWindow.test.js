'use strict';
/**
 * Issues 22 and 26 in real n8n 2.41.0: the Sending Window example
 * (examples/sending-window-deferred-send.json)
 * as shipped, with its contact list replaced by 1,000 numbers across 20 time zones and its
 * window set from the current time:
 * - the window opens two minutes from now in Central Europe (ten CET zones: deferred) and is
 *   open in ten zones one to eight hours ahead (sent at once);
 * - Send in Bulk sends exactly those inside; the deferred ones go through the example's IF and
 *   Wait loop, are sent once each when the window opens, with the keys the first node gave them;
 * - fed to the example's "Send deferred" node again (a loop that runs twice), nothing is sent.
 * What is inside is worked out here with Intl from the zones the numbers are known to have; the
 * sandbox ledger is what was really sent, and when.
 *
 * Needs `npm run build` first. About two to four minutes: n8n's Wait resumes at the window's
 * opening. n8n 2.41.0 unless SMSROUTE_E2E_N8N_VERSION names another (1 = the pinned 1.x).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { ensureN8nInstalled, startN8n, nodeOutput, resolveVersion } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { hhmm, insideWindow, localMinute } = require('../helpers/localClock');

jest.setTimeout(10 * 60_000);

const VERSION = resolveVersion();

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'sending-window-deferred-send.json');
const PER_ZONE = 50;

// Number prefixes and the zone libphonenumber gives each (checked against the node's output);
// each prefix + 4 digits is a valid number by libphonenumber's full metadata (issue 21).
const CENTRAL_EUROPE = {
	'Europe/Berlin': '+49301234',
	'Europe/Paris': '+3314268',
	'Europe/Madrid': '+3491123',
	'Europe/Rome': '+39061234',
	'Europe/Vienna': '+431234',
	'Europe/Amsterdam': '+3120123',
	'Europe/Brussels': '+3245000',
	'Europe/Stockholm': '+4681234',
	'Europe/Oslo': '+472212',
	'Europe/Copenhagen': '+453312',
};
const AHEAD = {
	'Europe/Athens': '+30691234',
	'Europe/Istanbul': '+90501234',
	'Asia/Dubai': '+97150123',
	'Asia/Karachi': '+92301234',
	'Asia/Calcutta': '+91812345',
	'Asia/Dhaka': '+880181234',
	'Asia/Bangkok': '+6681234',
	'Asia/Singapore': '+656123',
	'Asia/Tokyo': '+81901234',
	'Asia/Seoul': '+82102000',
};

const AHEAD_COUNT = Object.keys(AHEAD).length * PER_ZONE;

let sandbox;
let n8n;
let credentials;

beforeAll(async () => {
	await ensureN8nInstalled(VERSION);
}, 30 * 60_000);

beforeAll(async () => {
	const { createSandbox } = require('../sandbox/server');
	sandbox = createSandbox({ port: 0 });
	const started = await sandbox.start();
	n8n = await startN8n({ version: VERSION });
	credentials = await createSandboxCredentials(n8n, { baseUrl: started.baseUrl });
}, 5 * 60_000);

afterAll(async () => {
	if (n8n) await n8n.stop();
	if (sandbox) await sandbox.stop();
}, 60_000);

function loadExample() {
	const workflow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8'));
	for (const node of workflow.nodes) {
		for (const type of Object.keys(node.credentials ?? {}))
			node.credentials[type] = { id: credentials[type].id, name: credentials[type].name };
		if (node.webhookId) node.webhookId = crypto.randomUUID();
	}
	return workflow;
}
/** "Execute workflow" as the editor does it; n8n 1.x also wants the workflow in the body. */
const runManually = (saved, trigger) =>
	n8n.restOk('POST', `/workflows/${saved.id}/run`, {
		...(VERSION.startsWith('1.') ? { workflowData: saved } : {}),
		triggerToStartFrom: { name: trigger.name },
	});
const nodeNamed = (workflow, name) => workflow.nodes.find((node) => node.name === name);

test('1,000 numbers in 20 zones: those inside the window are sent at once, the deferred ones once each when it opens', async () => {
	// Start the window two minutes ahead of Central Europe; close it eleven hours later.
	let now = Date.now();
	if (now % 60_000 > 45_000) {
		await new Promise((resolve) => setTimeout(resolve, 60_000 - (now % 60_000) + 500));
		now = Date.now();
	}
	const start = localMinute('Europe/Berlin', now) + 2;
	const window = { start: start % 1440, end: (start + 660) % 1440 };
	const sendingWindow = `${hhmm(window.start)}-${hhmm(window.end)}`;
	const opensAt = (Math.floor(now / 60_000) + 2) * 60_000;

	const zones = { ...CENTRAL_EUROPE, ...AHEAD };
	const recipients = Object.entries(zones).flatMap(([zone, prefix]) =>
		Array.from({ length: PER_ZONE }, (_, i) => ({
			zone,
			phone: `${prefix}${String(i).padStart(4, '0')}`,
			name: `${zone} #${i}`,
		})),
	);
	expect(recipients).toHaveLength(1000);
	// Mixed order, so output order is tested too.
	recipients.sort((a, b) =>
		(a.phone.slice(-2) + a.phone).localeCompare(b.phone.slice(-2) + b.phone),
	);
	const expectedInside = new Set(
		recipients.filter((r) => insideWindow(window, localMinute(r.zone, now))).map((r) => r.phone),
	);
	expect(expectedInside.size).toBe(AHEAD_COUNT);

	const workflow = loadExample();
	nodeNamed(workflow, 'Contacts').parameters.jsCode =
		`return ${JSON.stringify(recipients)}.map((contact) => ({ json: contact }));`;
	for (const name of ['Send in Bulk', 'Send deferred'])
		nodeNamed(workflow, name).parameters.guardrails.sendingWindow = sendingWindow;
	const saved = await n8n.createWorkflow({ ...workflow, name: `${workflow.name} (e2e)` });
	const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');

	const before = sandbox.ledger().length;
	await runManually(saved, trigger);
	const [summary] = await n8n.waitForExecutions(
		saved.id,
		(list) => list.length >= 1 && list.every((e) => e.finished || e.status === 'error'),
		{ timeoutMs: 6 * 60_000, intervalMs: 2000, includeData: false },
	);
	expect(summary.status).toBe('success');
	const execution = await n8n.getExecution(summary.id);

	// Send in Bulk: one item per recipient in input order; inside sent, the rest deferred.
	const first = nodeOutput(execution, 'Send in Bulk');
	expect(first).toHaveLength(1000);
	first.forEach((item, i) => {
		expect(item.to).toBe(recipients[i].phone);
		if (expectedInside.has(item.to)) {
			expect(item.status).toBe('queued');
		} else {
			expect(item).toMatchObject({
				status: 'deferred',
				sendAfter: new Date(opensAt).toISOString().replace('.000Z', 'Z'),
				sendingWindow,
				timeZones: [recipients[i].zone],
			});
		}
	});

	// The ledger: every number once; the inside ones before the opening, the rest after it,
	// the deferred ones under the key the first node gave them.
	const charged = sandbox.ledger().slice(before);
	expect(charged).toHaveLength(1000);
	expect(new Set(charged.map((entry) => entry.to)).size).toBe(1000);
	const keyOf = new Map(first.map((item) => [item.to, item.idempotencyKey]));
	for (const entry of charged) {
		const at = Date.parse(entry.chargedAt);
		if (expectedInside.has(entry.to)) expect(at).toBeLessThan(opensAt);
		else {
			expect(at).toBeGreaterThanOrEqual(opensAt);
			expect(entry.idempotencyKey).toBe(keyOf.get(entry.to));
		}
	}
	const runs = execution.data.resultData.runData['Send deferred'];
	const resent = runs.flatMap((run) => run.data.main[0].map((item) => item.json));
	expect(resent.filter((item) => item.status === 'queued')).toHaveLength(1000 - AHEAD_COUNT);

	// The loop running again: the deferred items through "Send deferred" once more send nothing.
	const deferred = first.filter((item) => item.status === 'deferred');
	const again = {
		name: 'e2e sending window: the loop again',
		nodes: [
			nodeNamed(workflow, 'When clicking ‘Execute workflow’'),
			{
				...nodeNamed(workflow, 'Contacts'),
				parameters: {
					jsCode: `return ${JSON.stringify(deferred)}.map((item) => ({ json: item }));`,
				},
			},
			nodeNamed(workflow, 'Send deferred'),
		],
		connections: {
			[trigger.name]: { main: [[{ node: 'Contacts', type: 'main', index: 0 }]] },
			Contacts: { main: [[{ node: 'Send deferred', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
	const savedAgain = await n8n.createWorkflow(again);
	await runManually(savedAgain, trigger);
	const [rerun] = await n8n.waitForExecutions(
		savedAgain.id,
		(list) => list.length >= 1 && list.every((e) => e.finished || e.status === 'error'),
		{ timeoutMs: 60_000, intervalMs: 1000, includeData: false },
	);
	expect(rerun.status).toBe('success');
	const replayed = nodeOutput(await n8n.getExecution(rerun.id), 'Send deferred');
	expect(replayed.map((item) => item.idempotencyKey)).toEqual(
		deferred.map((item) => item.idempotencyKey),
	);
	expect(sandbox.ledger().slice(before)).toHaveLength(1000);
});
