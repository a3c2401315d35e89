'use strict';
/**
 * The n8n internals the package relies on (nodes/SmsRoute/shared/n8nInternals.ts), checked
 * against the real installs the e2e suites run (n8n 2.41.0 under Node 24, 1.123.81 under the
 * machine's Node 20), each with the Node it runs on: test/unit/nodes/SmsRoute/shared/n8nInternals.test.ts with
 * that install's n8n-core and n8n-workflow, and the one assumption that lives in n8n's own server
 * (packages/cli): its body parser gives the request `readRawBody()`, which fills `rawBody` with
 * the exact bytes; the order answerWhenExecutionExists relies on (its compiled webhook
 * helpers); and how the cli starts a sub-execution and a Retry (subExecutionOriginOf). When an
 * n8n upgrade changes one of them, the test named after it fails here.
 */
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ensureN8nInstalled, ROOT, N8N_VERSIONS } = require('./n8n');

jest.setTimeout(10 * 60_000);

function run(node, args, env) {
	return new Promise((resolve) => {
		execFile(
			node,
			args,
			{ cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024 },
			(error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
		);
	});
}

// What n8n's server does with a webhook request before the node's webhook() runs.
const RAW_BODY_CHECK = `
const { Readable } = require('node:stream');
const { rawBodyReader } = require(process.env.BODY_PARSER);
const bytes = Buffer.from('\\ufeff{"id":90071992547409930}', 'utf8');
const req = Object.assign(Readable.from([bytes]), { headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) } });
rawBodyReader(req, {}, async () => {
	if (typeof req.readRawBody !== 'function') throw new Error('no req.readRawBody');
	await req.readRawBody();
	if (!Buffer.isBuffer(req.rawBody) || !req.rawBody.equals(bytes)) throw new Error('rawBody is not the bytes sent');
	process.stdout.write('rawBody ok');
});
`;

describe.each(N8N_VERSIONS)('n8n %s', (version) => {
	let install;
	beforeAll(async () => {
		install = await ensureN8nInstalled(version);
	}, 30 * 60_000);

	test('every assumption of n8nInternals.ts holds for its n8n-core and n8n-workflow', async () => {
		const result = await run(
			install.node,
			[
				path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
				'-c',
				'jest.n8nModules.config.js',
				'test/unit/nodes/SmsRoute/shared/n8nInternals.test.ts',
				'--runInBand',
				'--forceExit',
				'--verbose',
			],
			{ N8N_MODULES: path.join(install.dir, 'node_modules') },
		);
		// jest's report names the failing assumption.
		if (result.code !== 0) throw new Error(`${install.node} jest:\n${result.stderr}`);
		expect(result.stderr).toMatch(/Tests:\s+(\d+) passed, \1 total/);
	});

	test("readRawBody: n8n's body parser gives webhook requests readRawBody() and the exact rawBody", async () => {
		const result = await run(install.node, ['-e', RAW_BODY_CHECK], {
			BODY_PARSER: path.join(
				install.dir,
				'node_modules',
				'n8n',
				'dist',
				'middlewares',
				'body-parser.js',
			),
		});
		expect(result.stderr).toBe('');
		expect(result.stdout).toBe('rawBody ok');
	});

	test("subExecutionOriginOf, onExecutionEnd: the cli starts a sub-execution with parentExecution on its run data and its start entry, and hooks of its own; the Execute Workflow node passes the caller's execution; Retry continues the saved run data", () => {
		const modules = path.join(install.dir, 'node_modules');
		const read = (...file) => fs.readFileSync(path.join(modules, ...file), 'utf8');
		const additional = read('n8n', 'dist', 'workflow-execute-additional-data.js');
		const getRunData = additional.slice(additional.indexOf('function getRunData('));
		expect(getRunData).toMatch(/metadata: \{ parentExecution \},\s*source: null,/);
		expect(getRunData).toMatch(
			/createRunExecutionData\)\(\{[^}]*\{\s*nodeExecutionStack,\s*\},\s*parentExecution,/,
		);
		// onExecutionEnd: the sub-execution runs with lifecycle hooks of its own.
		expect(additional).toMatch(
			/additionalDataIntegrated\.hooks = \(0, execution_lifecycle_hooks_1\.getLifecycleHooksForSubExecutions\)\(/,
		);
		const executeWorkflow = read(
			'n8n-nodes-base',
			'dist',
			'nodes',
			'ExecuteWorkflow',
			'ExecuteWorkflow',
			'ExecuteWorkflow.node.js',
		);
		expect(executeWorkflow).toMatch(
			/parentExecution: \{\s*executionId: workflowProxy\.\$execution\.id,\s*workflowId: workflowProxy\.\$workflow\.id,/,
		);
		// Retry: a new execution over the failed one's saved run data (runtimeData included).
		expect(read('n8n', 'dist', 'executions', 'execution.service.js')).toMatch(
			/executionMode,\s*executionData: execution\.data,\s*retryOf: /,
		);
	});

	test('answerWhenExecutionExists: n8n reads webhookResponse, saves static data, then answers; 2.x only once the execution exists', () => {
		const dist = path.join(install.dir, 'node_modules', 'n8n', 'dist', 'webhooks');
		const read = (file) => fs.readFileSync(path.join(dist, file), 'utf8');
		const helpers = read('webhook-helpers.js');
		// The answer's callback saves static data (only when marked changed) before it resolves.
		expect(read('live-webhooks.js')).toMatch(
			/await this\.workflowStaticDataService\.saveStaticData\(workflow\);\s*resolve\(data\);/,
		);
		expect(read('webhook-on-received-response-extractor.js')).toMatch(
			/return webhookResultData\.webhookResponse;/,
		);
		const read_ = helpers.indexOf('extractWebhookOnReceivedResponse)(');
		const run_ = helpers.indexOf('WorkflowRunner).run(');
		expect(read_).toBeGreaterThan(0);
		expect(run_).toBeGreaterThan(0);
		// 2.x: onReceived is answered after WorkflowRunner.run() (the execution row exists);
		// 1.x answers before it, as for n8n's own Webhook node.
		if (Number(version.split('.')[0]) >= 2) expect(read_).toBeGreaterThan(run_);
		else expect(read_).toBeLessThan(run_);
	});
});
