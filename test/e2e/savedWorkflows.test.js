'use strict';
/**
 * Workflows saved with the released versions run unchanged (issue 20), in real n8n 2.41.0 and
 * 1.123.81 (SMSROUTE_E2E_N8N_VERSIONS narrows them), one n8n process each for all workflows.
 *
 * Each workflow as a user saved it (0.1.0: test/fixtures/saved-0.1.0/<name>.json; 0.2.0: the
 * examples of the release commit, byte for byte, in test/fixtures/saved-0.2.0/) is imported with
 * the sandbox credentials and run the way a user runs it: from its manual trigger, from its
 * Webhook node, or, for trigger workflows, by delivery events the sandbox signs. Then:
 * - the SMS Route nodes' parameters n8n hands back equal the saved ones, every name and option
 *   value is still in the node type n8n serves, and n8n's own parameter resolution drops none;
 * - every execution succeeds, and the normalized outputs of the SMS Route nodes (which outputs got
 *   items, how many, each item's keys and types, the decision values: see savedWorkflowShape.js)
 *   contain the golden recorded from the released build: no run, item, key or decision lost or
 *   changed; new keys are allowed and printed.
 * Only nodes the machine cannot run are swapped, for a No Operation node of the same name
 * (UNRUNNABLE): Slack (needs an account), and on n8n 1.x the Data Table node (see there); on 2.x
 * it runs for real, on a table made here. Send and Wait for Delivery refuses on n8n 1.x by
 * design, so otp-send-and-wait runs on 2.x only.
 *
 * Goldens (test/fixtures/saved-<version>/<name>.golden.json, one for both n8n versions) are
 * recorded from the release's own build, never from the code under test:
 *
 *   git worktree add --detach /tmp/smsroute-0.2.0 ee44883   # the 0.2.0 release commit
 *   ln -s "$PWD/node_modules" /tmp/smsroute-0.2.0/node_modules
 *   (cd /tmp/smsroute-0.2.0 && npx tsc -p tsconfig.build.json && npx gulp build:icons)
 *   SMSROUTE_SAVED_RECORD=0.2.0 SMSROUTE_E2E_PACKAGE_DIR=/tmp/smsroute-0.2.0 \
 *     npx jest test/e2e/savedWorkflows.test.js --runInBand
 *
 * 0.1.0 has no tag: it is 90b7ca8, the last commit before the 0.2.0 round (its examples are the
 * 0.1.0 fixtures; CHANGELOG's 0.1.0 list describes it). Record mode runs only that release's
 * workflows, checks that the linked build says that version, writes each golden on the first
 * n8n and compares the second n8n's run with it. The sandbox is this tree's, in both modes.
 * Test mode needs `npm run build` first.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { ensureN8nInstalled, startN8n, resolveVersion, ROOT } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { normalize, normalizeExecution, compareShape } = require('./savedWorkflowShape');
const { unknownParameters, droppedByN8n, descriptionFor } = require('./savedWorkflowParameters');

const RECORD = process.env.SMSROUTE_SAVED_RECORD;
const PACKAGE = 'n8n-nodes-smsroute.';
const SENDCLOUD_APP_KEY = 'sendcloud_sandbox_app_key';
const DELIVERED = '+15005550001';
const FAILED = '+15005550002';
const FINAL_FOR = { [DELIVERED]: 'delivered', [FAILED]: 'failed', '+15005550003': 'undelivered' };
/** Nodes the test machine cannot run, swapped for a No Operation node of the same name. */
const UNRUNNABLE = {
	'n8n-nodes-base.slack': () => 'needs a Slack account',
	// The example was saved in n8n 2.x's editor; 1.123's Data Table node takes the table's name
	// ("By Name") as its id and finds no table. Not ours to fix: the trigger before it still runs.
	'n8n-nodes-base.dataTable': (major) => major === 1 && 'reads a table name as an id in n8n 1.x',
};
const DATA_TABLE = 'SMS delivery status'; // the name delivery-status-to-table.json upserts into

const fixture = (version, name) => `test/fixtures/saved-${version}/${name}.json`;
/**
 * 0.1.0 shipped four examples; its two delivery-events ones are the same JSON as 0.2.0's, so the
 * 0.2.0 fixtures cover them. Trigger workflows come first: otp-send-and-wait has the release's
 * delivery-events-to-slack relay its events (relayFor imports it when run alone).
 */
const RELEASES = [
	{
		version: '0.1.0',
		commit: '90b7ca8',
		workflows: {
			'retry-failed-sms': 'test/fixtures/saved-0.1.0/retry-failed-sms.json',
			'bulk-otp-send': 'test/fixtures/saved-0.1.0/bulk-otp-send.json',
		},
	},
	{
		version: '0.2.0',
		commit: 'ee44883',
		workflows: Object.fromEntries(
			[
				'delivery-events-to-slack',
				'delivery-status-to-table',
				'retry-failed-sms',
				'bulk-otp-send',
				'otp-send-and-wait',
			].map((name) => [name, fixture('0.2.0', name)]),
		),
	},
].filter((release) => !RECORD || release.version === RECORD);

/** n8n 2.41.0 and 1.123.81 unless SMSROUTE_E2E_N8N_VERSIONS narrows them (as in sendAndWait.test.js). */
const VERSIONS = (process.env.SMSROUTE_E2E_N8N_VERSIONS ?? '2.41.0,1.123.81')
	.split(',')
	.filter(Boolean)
	.map((v) => resolveVersion(v));

/** One golden per release and workflow, for every n8n: the nodes' outputs do not depend on it. */
const goldenPath = (version, name) =>
	path.join(ROOT, `test/fixtures/saved-${version}/${name}.golden.json`);
/** Record mode writes each golden on the first n8n and compares the others with it. */
const recorded = new Set();

const readWorkflow = (file) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));

/**
 * The workflows a release's users can run on this n8n major. Send and Wait for Delivery refuses
 * on n8n 1.x before sending, by design since it came (sendAndWait.test.js proves that refusal).
 */
function workflowsFor(release, major) {
	return Object.entries(release.workflows).filter(
		([, file]) =>
			major >= 2 ||
			!readWorkflow(file).nodes.some((n) => n.parameters?.operation === 'sendAndWait'),
	);
}

jest.setTimeout(5 * 60_000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let sandbox;
let baseUrl;
let n8n;
let credentials;
let nodeTypes;
const added = new Set();

beforeAll(async () => {
	if (RECORD) {
		if (RELEASES.length === 0) throw new Error(`SMSROUTE_SAVED_RECORD=${RECORD}: no such release`);
		const dir = process.env.SMSROUTE_E2E_PACKAGE_DIR;
		const built = dir && JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
		if (built?.version !== RECORD)
			throw new Error(
				`record mode needs SMSROUTE_E2E_PACKAGE_DIR set to a build of ${RECORD} (got ${dir ?? 'none'}, version ${built?.version})`,
			);
	}
	const { createSandbox } = require('../sandbox/server');
	// No automatic delivery events (url null) and statuses that stay "queued" for an hour: every
	// event a workflow sees is one a test sends, so each run is the same every time.
	sandbox = createSandbox({
		port: 0,
		stepMs: 3_600_000,
		webhook: { url: null, mode: 'smsroute', sendCloudAppKey: SENDCLOUD_APP_KEY },
	});
	({ baseUrl } = await sandbox.start());
}, 60_000);

afterAll(async () => {
	if (added.size > 0)
		process.stderr.write(
			`[saved-workflows] fields added since the goldens: ${[...added].join(', ')}\n`,
		);
	if (sandbox) await sandbox.stop();
}, 60_000);

// ---------------------------------------------------------------- import

/** The saved file, imported with the sandbox credentials; each import gets webhook paths of its own. */
async function importWorkflow(file) {
	const saved = readWorkflow(file);
	const workflow = structuredClone(saved);
	for (const node of workflow.nodes) {
		for (const type of Object.keys(node.credentials ?? {}))
			node.credentials[type] = credentials[type];
		if (node.webhookId) node.webhookId = crypto.randomUUID();
		if (node.type === 'n8n-nodes-base.webhook')
			node.parameters.path = `${node.parameters.path}-${crypto.randomUUID()}`;
		if (UNRUNNABLE[node.type]?.(n8n.major)) {
			Object.assign(node, { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} });
			delete node.credentials;
			delete node.webhookId;
		}
	}
	const created = await n8n.createWorkflow({ ...workflow, name: `${workflow.name} (${file})` });
	return { saved, created, byName: (name) => workflow.nodes.find((n) => n.name === name) };
}

const smsRouteNodes = (workflow) => workflow.nodes.filter((n) => n.type.startsWith(PACKAGE));

/** The SMS Route nodes as n8n hands them back, checked against the saved file and the node types. */
async function checkParameters(saved, id) {
	const stored = await n8n.apiOk('GET', `/workflows/${id}`);
	const problems = [];
	for (const node of smsRouteNodes(saved)) {
		const back = stored.nodes.find((n) => n.name === node.name);
		expect({ name: node.name, type: back?.type, typeVersion: back?.typeVersion }).toEqual({
			name: node.name,
			type: node.type,
			typeVersion: node.typeVersion,
		});
		expect({ name: node.name, parameters: back.parameters }).toEqual({
			name: node.name,
			parameters: node.parameters,
		});
		const description = descriptionFor(nodeTypes, node.type, node.typeVersion);
		if (!description) {
			problems.push(`${node.name}: n8n has no ${node.type} version ${node.typeVersion}`);
			continue;
		}
		for (const p of [
			...unknownParameters(description.properties, back.parameters),
			...droppedByN8n(description, back),
		])
			problems.push(`${node.name}: ${p}`);
	}
	expect(problems).toEqual([]);
}

// ---------------------------------------------------------------- running

/**
 * Finished, with its final data: n8n 1.x writes an execution's status and its data in two
 * updates, so a reader can see "success" beside the data it started with (no runData yet).
 */
const isDone = (e) =>
	['success', 'error', 'crashed', 'canceled'].includes(e.status) &&
	Boolean(e.data?.resultData?.lastNodeExecuted || e.data?.resultData?.error);

async function executionIds(workflowId) {
	return new Set((await n8n.listExecutions(workflowId, { includeData: false })).map((e) => e.id));
}

/** The one execution started after `before`, once it reached one of `statuses`. */
async function nextExecution(workflowId, before, statuses = null, timeoutMs = 60_000) {
	const all = await n8n.waitForExecutions(
		workflowId,
		(list) => list.filter((e) => !before.has(e.id)).length === 1,
		{ timeoutMs, includeData: false },
	);
	const { id } = all.find((e) => !before.has(e.id));
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const execution = await n8n.getExecution(id);
		if (statuses ? statuses.includes(execution.status) : isDone(execution)) return execution;
		if (Date.now() > deadline)
			throw new Error(`execution ${id} is "${execution.status}" after ${timeoutMs} ms`);
		await sleep(200);
	}
}

/** Starts a run from the workflow's manual trigger, as the editor's Execute Workflow does. */
async function startManual(wf) {
	const trigger = wf.saved.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	const body = { triggerToStartFrom: { name: trigger.name } };
	// n8n 1.x runs the workflow the editor sends along; 2.x loads the saved one.
	if (n8n.major === 1)
		body.workflowData = (await n8n.restOk('GET', `/workflows/${wf.created.id}`)).data;
	await n8n.restOk('POST', `/workflows/${wf.created.id}/run`, body);
}

async function runManual(wf) {
	const before = await executionIds(wf.created.id);
	await startManual(wf);
	return await nextExecution(wf.created.id, before);
}

/** Activates a trigger workflow; → the production URL of its SMS Route Trigger. */
async function activateTrigger(wf) {
	await n8n.activateWorkflow(wf.created.id);
	const trigger = wf.saved.nodes.find((n) => n.type === `${PACKAGE}smsRouteTrigger`);
	const webhookPath = `${wf.byName(trigger.name).webhookId}/webhook`;
	await n8n.callWebhook('GET', webhookPath); // registered (n8n can 404 right after activation)
	return `${n8n.url}/webhook/${webhookPath}`;
}

/** A message really in the sandbox (Get Status finds it); its statuses move every `stepMs`. */
async function sandboxMessage(to, stepMs = 3_600_000) {
	sandbox.configure({ stepMs });
	try {
		const res = await fetch(`${baseUrl}/messages`, {
			method: 'POST',
			headers: {
				authorization: `Bearer ${require('../sandbox/server').DEFAULT_TEST_KEY}`,
				'content-type': 'application/json',
			},
			body: JSON.stringify({ to, body: 'Your code is 123456' }),
		});
		expect(res.status).toBe(200);
		return (await res.json()).id;
	} finally {
		sandbox.configure({ stepMs: 3_600_000 });
	}
}

/** The last delivery webhook again, byte for byte (as smsroute retries one it thinks was lost). */
async function resendLastEvent() {
	const last = sandbox.webhookLog().at(-1);
	const res = await fetch(last.url, { method: 'POST', headers: last.headers, body: last.body });
	return { statusCode: res.status, body: await res.text() };
}

/**
 * One signed delivery event to a trigger workflow (`event` for the sandbox to sign, or 'resend'):
 * the trigger's answer and, when it emitted items, the execution it started.
 */
async function deliverEvent(wf, url, event) {
	const before = await executionIds(wf.created.id);
	const answer =
		event === 'resend' ? await resendLastEvent() : await sandbox.emitWebhook({ ...event, url });
	let body = answer.body;
	try {
		body = JSON.parse(body);
	} catch {
		/* not JSON: kept as text */
	}
	const response = { statusCode: answer.statusCode, body };
	if (!(body?.emitted > 0)) {
		await sleep(300);
		expect((await executionIds(wf.created.id)).size).toBe(before.size);
		return { response, execution: null };
	}
	return { response, execution: await nextExecution(wf.created.id, before) };
}

/** Send and Wait: starts the run, answers its message with the final event, returns the execution. */
async function runSendAndWait(wf, start, relayUrl) {
	const before = await executionIds(wf.created.id);
	const sent = sandbox.ledger().length;
	await start();
	const waiting = await nextExecution(wf.created.id, before, ['waiting', 'error', 'success']);
	expect(waiting.status).toBe('waiting');
	const messages = sandbox.ledger().slice(sent);
	expect(messages).toHaveLength(1);
	for (const m of messages) {
		const answer = await sandbox.emitWebhook({
			messageId: m.id,
			status: FINAL_FOR[m.to],
			url: relayUrl,
		});
		expect(answer.statusCode).toBe(200);
	}
	const deadline = Date.now() + 60_000;
	for (;;) {
		const execution = await n8n.getExecution(waiting.id);
		if (isDone(execution)) return execution;
		if (Date.now() > deadline) throw new Error(`execution ${waiting.id} still ${execution.status}`);
		await sleep(200);
	}
}

/** Per n8n and release, the URL of its delivery-events-to-slack trigger, left active to relay events. */
const relayUrls = new Map();
const relayKey = (release) => `${n8n.version}/${release.version}`;

/** The release's own trigger workflow relays Send and Wait's events, as at a user's. */
async function relayFor(release) {
	if (!relayUrls.has(relayKey(release))) {
		const wf = await importWorkflow(release.workflows['delivery-events-to-slack']);
		relayUrls.set(relayKey(release), await activateTrigger(wf));
	}
	return relayUrls.get(relayKey(release));
}

/**
 * How each saved workflow is run, as a list of steps; each step → { label, response?, execution }.
 * Events carry sandbox message ids, so Get Status finds their messages.
 */
const SCENARIOS = {
	async 'bulk-otp-send'(wf) {
		return [{ label: 'manual run', execution: await runManual(wf) }];
	},

	async 'delivery-events-to-slack'(wf, release) {
		const url = await activateTrigger(wf);
		relayUrls.set(relayKey(release), url);
		const a = await sandboxMessage(DELIVERED);
		const b = await sandboxMessage(FAILED);
		return [
			{
				label: 'smsroute sent',
				...(await deliverEvent(wf, url, { messageId: a, status: 'sent' })),
			},
			{
				label: 'smsroute delivered',
				...(await deliverEvent(wf, url, { messageId: a, status: 'delivered' })),
			},
			{
				label: 'smsroute delivered, resent (duplicate)',
				...(await deliverEvent(wf, url, 'resend')),
			},
			{
				label: 'SendCloud failed',
				...(await deliverEvent(wf, url, { mode: 'sendcloud', messageId: b, status: 'failed' })),
			},
		];
	},

	async 'delivery-status-to-table'(wf) {
		// The editor's endpoint: n8n 1.x has no data tables in its public API.
		const project = (await n8n.restOk('GET', '/projects/personal')).data;
		await n8n.restOk('POST', `/projects/${project.id}/data-tables`, {
			name: DATA_TABLE,
			columns: [
				...['messageId', 'phone', 'status', 'reason', 'provider', 'lastEventAt'].map((name) => ({
					name,
					type: 'string',
				})),
				{ name: 'final', type: 'boolean' },
			],
		});
		const url = await activateTrigger(wf);
		const a = await sandboxMessage(FAILED);
		const steps = [
			{
				label: 'smsroute sent',
				...(await deliverEvent(wf, url, { messageId: a, status: 'sent' })),
			},
			{
				label: 'smsroute failed',
				...(await deliverEvent(wf, url, { messageId: a, status: 'failed' })),
			},
		];
		await n8n.deactivateWorkflow(wf.created.id);
		return steps;
	},

	async 'retry-failed-sms'(wf) {
		const url = await activateTrigger(wf);
		// Final at once, so Get Status reports "failed" as smsroute would by then.
		const original = await sandboxMessage(FAILED, 1);
		await sleep(50);
		const steps = [
			{
				label: 'sent (filtered out)',
				...(await deliverEvent(wf, url, { messageId: original, status: 'sent' })),
			},
			{
				label: 'failed: looked up and sent again',
				...(await deliverEvent(wf, url, { messageId: original, status: 'failed' })),
			},
		];
		const retry = sandbox.ledger().at(-1);
		expect(retry.metadata).toEqual({ retryOf: original });
		steps.push({
			label: 'the retry failed too: not retried again',
			...(await deliverEvent(wf, url, { messageId: retry.id, status: 'failed' })),
		});
		await n8n.deactivateWorkflow(wf.created.id);
		return steps;
	},

	async 'otp-send-and-wait'(wf, release) {
		const relayUrl = await relayFor(release);
		const manual = await runSendAndWait(wf, () => startManual(wf), relayUrl);
		await n8n.activateWorkflow(wf.created.id);
		const webhook = wf.saved.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
		const failed = await runSendAndWait(
			wf,
			async () => {
				const res = await n8n.callWebhook('POST', wf.byName(webhook.name).parameters.path, {
					body: { phone: FAILED },
				});
				expect(res.status).toBe(200);
			},
			relayUrl,
		);
		await n8n.deactivateWorkflow(wf.created.id);
		return [
			{ label: 'manual run, delivered', execution: manual },
			{ label: `webhook ${FAILED}, failed`, execution: failed },
		];
	},
};

// ---------------------------------------------------------------- the tests

describe.each(VERSIONS)('in n8n %s', (version) => {
	beforeAll(async () => {
		await ensureN8nInstalled(version);
	}, 30 * 60_000);

	beforeAll(async () => {
		n8n = await startN8n({ version });
		credentials = await createSandboxCredentials(n8n, {
			baseUrl,
			sendCloudAppKey: SENDCLOUD_APP_KEY,
		});
		nodeTypes = await n8n.nodeTypes();
	}, 5 * 60_000);

	afterAll(async () => {
		if (n8n) await n8n.stop();
		n8n = undefined;
	}, 60_000);

	describe.each(RELEASES)('workflows saved with $version', (release) => {
		test.each(workflowsFor(release, resolveVersion(version).startsWith('1.') ? 1 : 2))(
			'%s (%s)',
			async (name, file) => {
				const wf = await importWorkflow(file);
				await checkParameters(wf.saved, wf.created.id);

				const nodes = smsRouteNodes(wf.saved).map((n) => n.name);
				const steps = await SCENARIOS[name](wf, release);
				const actual = steps.map(({ label, response, execution }) => ({
					label,
					...(response ? { response: normalize(response) } : {}),
					execution: execution ? normalizeExecution(execution, nodes) : null,
				}));
				for (const { label, execution } of steps) {
					if (!execution) continue;
					const error = execution.data?.resultData?.error;
					expect({ step: label, status: execution.status, error: error?.message }).toEqual({
						step: label,
						status: 'success',
						error: undefined,
					});
				}

				const golden = goldenPath(release.version, name);
				if (RECORD && !recorded.has(golden)) {
					recorded.add(golden);
					const record = {
						release: release.version,
						recordedFrom: `${release.commit} built, in n8n ${n8n.version}`,
						workflow: file,
						steps: actual,
					};
					fs.mkdirSync(path.dirname(golden), { recursive: true });
					fs.writeFileSync(golden, `${JSON.stringify(record, null, '\t')}\n`);
					return;
				}
				const expected = JSON.parse(fs.readFileSync(golden, 'utf8'));
				expect(actual.map((step) => step.label)).toEqual(expected.steps.map((step) => step.label));
				const diff = { problems: [], added: [] };
				expected.steps.forEach((step, i) => {
					const one = compareShape(step, actual[i], `[${step.label}]`);
					diff.problems.push(...one.problems);
					diff.added.push(...one.added);
				});
				for (const a of diff.added) {
					const field = /nodes\.(.+?)\[\d+\]\.outputs\[\d+\]\[\d+\]\.(.+)$/.exec(a);
					added.add(
						`n8n ${n8n.major}.x ${release.version}/${name}: ${field ? `${field[1]} → ${field[2]}` : a}`,
					);
				}
				expect(diff.problems).toEqual([]);
			},
		);
	});
});
