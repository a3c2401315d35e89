/**
 * Each assumption of nodes/SmsRoute/shared/n8nInternals.ts, checked against the n8n-core and
 * n8n-workflow that jest resolves: this repository's 2.41.0 by default, an n8n 1.x install with
 * jest.n8n1.config.js, any install with jest.n8nModules.config.js
 * (test/e2e/n8nInternals.test.js runs it against the real 2.x and 1.x installs). A test named
 * after a function fails when n8n stops doing what that function relies on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	ExecuteContext,
	ExecutionLifecycleHooks,
	SupplyDataContext,
	WebhookContext,
	WorkflowExecute,
} from 'n8n-core';
import {
	NodeApiError,
	Workflow,
	type IDataObject,
	type IExecuteData,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IRunExecutionData,
	type IWebhookFunctions,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type JsonObject,
} from 'n8n-workflow';

import {
	answerWhenExecutionExists,
	instanceBaseUrlOf,
	isFirstOutputOnlyEngine,
	isToolRun,
	networkCodeFields,
	onAnswered,
	pairOutputsWithSingleInput,
	readRawBody,
	runIndexOf,
	setTimeoutOutputs,
	subExecutionOriginOf,
	onExecutionEnd,
	type SubExecutionOrigin,
	waitingEntryOf,
	withCancelSignal,
	writeJsonResponse,
} from '../../../../../nodes/SmsRoute/shared/n8nInternals';

/** What the waiting node saw while it ran (it runs inside WorkflowExecute, not here). */
const seen: { runIndex?: number; firstOutputOnly?: boolean } = {};

function nodeType(description: IDataObject, execute: INodeType['execute']): INodeType {
	return {
		description: {
			group: ['transform'],
			version: 1,
			description: 'test',
			defaults: {},
			properties: [],
			...description,
		},
		execute,
	} as unknown as INodeType;
}

const types: Record<string, INodeType> = {
	'test.items': nodeType(
		{ displayName: 'Items', name: 'items', inputs: [], outputs: ['main'] },
		async function (this: IExecuteFunctions) {
			return [[{ json: { n: 1 } }]];
		},
	),
	// What Send and Wait does with these functions: three outputs, waits, a timeout fills them.
	'test.waiter': nodeType(
		{ displayName: 'Waiter', name: 'waiter', inputs: ['main'], outputs: ['main', 'main', 'main'] },
		async function (this: IExecuteFunctions) {
			seen.runIndex = runIndexOf(this);
			seen.firstOutputOnly = isFirstOutputOnlyEngine(this);
			const outputs: INodeExecutionData[][] = [
				[],
				[{ json: { output: 'notDelivered' } }],
				[{ json: { output: 'timedOut' } }],
			];
			setTimeoutOutputs(this, outputs);
			pairOutputsWithSingleInput(this, outputs.length);
			await this.putExecutionToWait(new Date(Date.now() + 60_000));
			return outputs;
		},
	),
	'test.sink': nodeType(
		{ displayName: 'Sink', name: 'sink', inputs: ['main'], outputs: ['main'] },
		async function (this: IExecuteFunctions) {
			return [this.getInputData()];
		},
	),
};

const nodeTypes: INodeTypes = {
	getByName: (type: string) => types[type],
	getByNameAndVersion: (type: string) => types[type],
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

const node = (name: string, type: string, x: number): INode => ({
	id: `${name.toLowerCase().replace(/\s/g, '-')}-id`,
	name,
	type,
	typeVersion: 1,
	position: [x, 0],
	parameters: {},
});
const nodes = [
	node('Items', 'test.items', 0),
	node('Waiter', 'test.waiter', 200),
	node('Delivered', 'test.sink', 400),
	node('Not Delivered', 'test.sink', 400),
	node('Timed Out', 'test.sink', 400),
];
const to = (name: string) => [{ node: name, type: 'main' as const, index: 0 }];
const connections = {
	Items: { main: [to('Waiter')] },
	Waiter: { main: [to('Delivered'), to('Not Delivered'), to('Timed Out')] },
};

function newWorkflow(): Workflow {
	return new Workflow({
		id: 'wf-internals',
		nodes,
		connections,
		nodeTypes,
		active: false,
		settings: {},
	});
}

function additionalData(extra: IDataObject = {}): IWorkflowExecuteAdditionalData {
	const workflowData = { id: 'wf-internals', name: 'internals', nodes, connections, settings: {} };
	return {
		executionId: 'internals-1',
		hooks: new ExecutionLifecycleHooks(
			'manual',
			'internals-1',
			workflowData as unknown as IWorkflowBase,
		),
		credentialsHelper: {
			getParentTypes: () => [],
			preAuthentication: async () => undefined,
			authenticate: async (_c: unknown, _t: unknown, options: unknown) => options,
		},
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		variables: {},
		logAiEvent: () => undefined,
		...extra,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/** Items → Waiter, as n8n runs a manual execution. */
async function runUntilWaiting(): Promise<IRun> {
	return await runManually(newWorkflow(), 'Items');
}

/** A manual execution from `start` (n8n-core 1.x: run(w, s); 2.x: run({ w, s })). */
async function runManually(workflow: Workflow, start: string): Promise<IRun> {
	const execute = new WorkflowExecute(additionalData(), 'manual');
	const startNode = workflow.getNode(start) ?? undefined;
	return execute.run.length > 1
		? await (execute.run as unknown as (w: Workflow, s?: INode) => Promise<IRun>)(
				workflow,
				startNode,
			)
		: await execute.run({ workflow, startNode });
}

/** What n8n does when the wait limit is reached: the saved execution, processed again. */
async function resumeAtLimit(waiting: IRun): Promise<IRun> {
	const execute = new WorkflowExecute(
		additionalData(),
		'manual',
		waiting.data as IRunExecutionData,
	);
	return await execute.processRunExecutionData(newWorkflow());
}

/** n8n-core's context for running the waiting execution's Waiter node as run `runIndex`. */
function waiterExecuteContext(runIndex: number) {
	const workflow = newWorkflow();
	const waiter = workflow.getNode('Waiter') as INode;
	const executeData: IExecuteData = { node: waiter, data: { main: [[]] }, source: null };
	const context = new ExecuteContext(
		workflow,
		waiter,
		additionalData(),
		'manual',
		waiting.data as IRunExecutionData,
		runIndex,
		[],
		{ main: [[]] },
		executeData,
		[],
		new AbortController().signal,
	);
	return { context, executeData };
}

const itemsOf = (run: IRun, name: string) =>
	run.data.resultData.runData[name]?.[0]?.data?.main?.[0]?.map((item) => item.json);

/** What each run of the agent and of its tool saw (isToolRun, run index, the tool's input). */
interface AgentRunCall {
	node: string;
	toolRun: boolean;
	runIndex: number;
	input?: IDataObject;
}

/** An agent that asks for two calls of Tool in one engine request, then answers with their count. */
function agentNodeTypes(record: (context: IExecuteFunctions, input?: IDataObject) => void) {
	const call = (id: string) => ({
		actionType: 'ExecutionNodeAction',
		nodeName: 'Tool',
		input: { to: '+15005550001' },
		type: 'ai_tool',
		id,
		metadata: { itemIndex: 0 },
	});
	const agentTypes: Record<string, INodeType> = {
		...types,
		'test.agent': nodeType(
			{ displayName: 'Agent', name: 'agent', inputs: ['main', 'ai_tool'], outputs: ['main'] },
			async function (this: IExecuteFunctions, response?: { actionResponses?: unknown[] }) {
				record(this);
				if (response?.actionResponses?.length)
					return [[{ json: { answers: response.actionResponses.length } }]];
				return { actions: [call('call_1'), call('call_2')], metadata: {} } as never;
			} as INodeType['execute'],
		),
		'test.tool': nodeType(
			{ displayName: 'Tool', name: 'toolTool', inputs: [], outputs: ['ai_tool'] },
			async function (this: IExecuteFunctions) {
				const { to, toolCallId } = this.getInputData()[0].json;
				record(this, { to, toolCallId } as IDataObject);
				return [[{ json: { sent: true } }]];
			},
		),
	};
	return {
		getByName: (type: string) => agentTypes[type],
		getByNameAndVersion: (type: string) => agentTypes[type],
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
}

/**
 * Items → Agent with Tool on its ai_tool input, run by n8n-core's WorkflowExecute as AI Agent 3.x
 * runs (n8n 2.41.0 and 1.123.81): the agent returns an engine request for two calls of Tool, n8n
 * runs Tool for each and resumes the agent with the answers.
 */
async function runAgentWithToolCalls(): Promise<AgentRunCall[]> {
	const calls: AgentRunCall[] = [];
	const record = (context: IExecuteFunctions, input?: IDataObject) =>
		calls.push({
			node: context.getNode().name,
			toolRun: isToolRun(context),
			runIndex: runIndexOf(context),
			...(input ? { input } : {}),
		});
	const workflow = new Workflow({
		id: 'wf-agent',
		nodes: [
			node('Items', 'test.items', 0),
			node('Agent', 'test.agent', 200),
			node('Tool', 'test.tool', 200),
		],
		connections: {
			Items: { main: [to('Agent')] },
			Tool: { ai_tool: [[{ node: 'Agent', type: 'ai_tool' as never, index: 0 }]] },
		},
		nodeTypes: agentNodeTypes(record),
		active: false,
		// The execution order of every workflow n8n creates (the legacy order runs the agent first).
		settings: { executionOrder: 'v1' },
	});
	const run = await runManually(workflow, 'Items');
	expect(run.data.resultData.error).toBeUndefined();
	// The agent resumed in its own run 0 with both answers.
	expect(itemsOf(run, 'Agent')).toEqual([{ answers: 2 }]);
	return calls;
}

let waiting: IRun;
let resumed: IRun;

beforeAll(async () => {
	waiting = await runUntilWaiting();
	resumed = await resumeAtLimit(structuredClone(waiting));
});

describe('n8n internals the package relies on (nodes/SmsRoute/shared/n8nInternals.ts)', () => {
	it('setTimeoutOutputs: getExecuteData() is the stack entry n8n saves with the waiting execution', () => {
		expect(waiting.waitTill).toBeDefined();
		const [entry] = waiting.data.executionData?.nodeExecutionStack ?? [];
		expect(entry.node.name).toBe('Waiter');
		expect(entry.metadata?.forwardAllOutputs).toBe(true);
		expect(entry.data.main.map((items) => items?.map((item) => item.json))).toEqual([
			[],
			[{ output: 'notDelivered' }],
			[{ output: 'timedOut' }],
		]);
	});

	it('setTimeoutOutputs / isFirstOutputOnlyEngine: at the limit n8n passes the saved outputs on, all of them exactly when the engine is not first-output-only', () => {
		// The node is not run again at the limit: its saved data is its output.
		const allForwarded = itemsOf(resumed, 'Timed Out') !== undefined;
		expect(seen.firstOutputOnly).toBe(!allForwarded);
		if (allForwarded) {
			expect(itemsOf(resumed, 'Not Delivered')).toEqual([{ output: 'notDelivered' }]);
			expect(itemsOf(resumed, 'Timed Out')).toEqual([{ output: 'timedOut' }]);
		} else {
			// n8n 1.x: only output 0 (empty here) goes on; Not Delivered and Timed Out are lost.
			expect(itemsOf(resumed, 'Not Delivered')).toBeUndefined();
		}
		expect(itemsOf(resumed, 'Delivered')).toBeUndefined();
	});

	it('pairOutputsWithSingleInput: the saved entry names the node input as the source of every output', () => {
		const [entry] = waiting.data.executionData?.nodeExecutionStack ?? [];
		expect(entry.source?.main.map((source) => source?.previousNode)).toEqual([
			'Items',
			'Items',
			'Items',
		]);
	});

	it('runIndexOf: n8n-core contexts carry the run index (a loop runs a node again with 1, 2 …)', () => {
		expect(seen.runIndex).toBe(0);
		const { context, executeData } = waiterExecuteContext(2);
		expect(runIndexOf(context as unknown as IExecuteFunctions)).toBe(2);
		// The same object is handed out, not a copy: what setTimeoutOutputs writes is what n8n saves.
		expect(context.getExecuteData()).toBe(executeData);
	});

	it('isToolRun: a tool call runs in a SupplyDataContext on the ai_tool connection; a normal run does not', () => {
		const workflow = newWorkflow();
		const waiter = workflow.getNode('Waiter') as INode;
		const executeData: IExecuteData = { node: waiter, data: { main: [[]] }, source: null };
		// n8n-core's tool invocation builds exactly this (makeHandleToolInvocation's contextFactory),
		// with a new run index for every try.
		const supplyContext = (connectionType: string, runIndex: number) =>
			new SupplyDataContext(
				workflow,
				waiter,
				additionalData(),
				'manual',
				waiting.data as IRunExecutionData,
				runIndex,
				[],
				{},
				connectionType as never,
				executeData,
				[],
				new AbortController().signal,
			) as unknown as IExecuteFunctions;
		expect(isToolRun(supplyContext('ai_tool', 3))).toBe(true);
		expect(runIndexOf(supplyContext('ai_tool', 3))).toBe(3);
		expect(isToolRun(supplyContext('ai_languageModel', 0))).toBe(false);
		expect(isToolRun(waiterExecuteContext(0).context as unknown as IExecuteFunctions)).toBe(false);
	});

	it("isToolRun: an agent's tool calls through an engine request (AI Agent 3.x) are tool runs, each with a run index of its own; the agent's own runs are not", async () => {
		const calls = await runAgentWithToolCalls();
		// n8n 1.x runs the calls in reverse order; each keeps the run index of its place in the request.
		const toolCalls = calls
			.filter((c) => c.node === 'Tool')
			.sort((a, b) => a.runIndex - b.runIndex);
		expect(toolCalls).toEqual([
			{
				node: 'Tool',
				toolRun: true,
				runIndex: 0,
				input: { to: '+15005550001', toolCallId: 'call_1' },
			},
			{
				node: 'Tool',
				toolRun: true,
				runIndex: 1,
				input: { to: '+15005550001', toolCallId: 'call_2' },
			},
		]);
		// The agent ran, asked, and was resumed with the answers: never a tool run itself.
		expect(calls.filter((c) => c.node === 'Agent').map((c) => c.toolRun)).toEqual([false, false]);
	});

	it('runIndexOf: refuses to guess when an n8n keeps the run index nowhere it knows', () => {
		// Guessing 0 gave every loop round the first round's keys: round 2 was "sent" as a replay.
		const { context } = waiterExecuteContext(2);
		const stripped = Object.create(context, { runIndex: { value: undefined } });
		expect(() => runIndexOf(stripped as IExecuteFunctions)).toThrow(/run index/);
		expect(() => runIndexOf(stripped as IExecuteFunctions)).toThrow(
			expect.objectContaining({ description: expect.stringMatching(/1\.123\.81.*2\.41\.0/) }),
		);
	});

	function webhookContext(extra: IDataObject, runExecutionData?: IRunExecutionData) {
		const workflow = newWorkflow();
		return new WebhookContext(
			workflow,
			workflow.getNode('Waiter') as INode,
			additionalData(extra),
			'webhook',
			{} as never,
			[],
			runExecutionData ?? null,
		) as unknown as IWebhookFunctions;
	}

	it('waitingEntryOf: a resume request reaches webhook() with the saved entry in the context', () => {
		const data = structuredClone(waiting.data) as IRunExecutionData;
		const entry = data.executionData?.nodeExecutionStack[0];
		const context = webhookContext({ httpRequest: { headers: {} } }, data);
		expect(waitingEntryOf(context)).toBe(entry);
		expect(waitingEntryOf(context)?.data.main[2]?.[0].json).toEqual({ output: 'timedOut' });
	});

	it("readRawBody: the context's request is n8n's own request object (rawBody, readRawBody)", async () => {
		const bytes = Buffer.from('{"a":1}');
		const eager = webhookContext({ httpRequest: { headers: {}, rawBody: bytes } });
		expect(await readRawBody(eager)).toBe(bytes);
		const request: IDataObject = { headers: {} };
		request.readRawBody = async () => {
			request.rawBody = bytes;
		};
		expect(await readRawBody(webhookContext({ httpRequest: request }))).toBe(bytes);
	});

	it("writeJsonResponse: the context's response is n8n's own response object", () => {
		const written: unknown[] = [];
		const res = {
			status(code: number) {
				written.push(code);
				return res;
			},
			json(body: unknown) {
				written.push(body);
			},
		};
		writeJsonResponse(webhookContext({ httpRequest: { headers: {} }, httpResponse: res }), 401, {
			error: 'x',
		});
		expect(written).toEqual([401, { error: 'x' }]);
	});

	it("answerWhenExecutionExists: a new Workflow over the same static data clears its change mark; a write through the node's static data sets it again", async () => {
		const staticData: IDataObject = {};
		const over = () =>
			new Workflow({ id: 'wf', nodes: [], connections: {}, active: true, nodeTypes, staticData });
		const request = over();
		const node = { name: 'Trigger' } as INode;
		const nodeData = request.getStaticData('node', node);
		const seenExists: boolean[] = [];
		const answer = answerWhenExecutionExists({ received: 1 }, [[{ json: {} }]], (exists) => {
			seenExists.push(exists);
			nodeData.eventKeys = ['a'];
		});
		nodeData.eventKeys = [];
		const marked = () => (request.staticData as { __dataChanged?: boolean }).__dataChanged;
		expect(marked()).toBe(true);
		// Read in the same turn (n8n 1.x: before run()): the execution does not exist yet.
		expect(answer.webhookResponse).toEqual({ received: 1 });
		over(); // what WorkflowRunner.run() does before n8n 2.x answers…
		await new Promise((resolve) => setTimeout(resolve, 5)); // …and its database insert
		expect(marked()).toBe(false);
		expect(answer.webhookResponse).toEqual({ received: 1 });
		expect(marked()).toBe(true);
		expect(seenExists).toEqual([false, true]);
		expect(answer.workflowData).toEqual([[{ json: {} }]]);
	});

	it("onAnswered: the context's response is n8n's own (an http.ServerResponse: 'finish' with its statusCode)", async () => {
		const server = http.createServer((req, res) => {
			onAnswered(webhookContext({ httpRequest: { headers: {} }, httpResponse: res }), (status) =>
				statuses.push(status),
			);
			res.statusCode = 503;
			res.end();
		});
		const statuses: Array<number | undefined> = [];
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		await fetch(`http://127.0.0.1:${port}/`);
		await new Promise<void>((resolve) => server.close(() => resolve()));
		expect(statuses).toEqual([503]);
	});

	it("onAnswered: a client that leaves first ('close', no 'finish') still gets the status n8n ends the response with", async () => {
		const statuses: Array<number | undefined> = [];
		let answerLate = () => {};
		const closed = new Promise<void>((resolveClosed) => {
			const server = http.createServer((req, res) => {
				onAnswered(webhookContext({ httpRequest: { headers: {} }, httpResponse: res }), (status) =>
					statuses.push(status),
				);
				res.once('close', () => resolveClosed());
				// What n8n does when creating the execution failed after the client left.
				answerLate = () => {
					res.statusCode = 500;
					res.end('{}');
					server.close();
				};
			});
			server.listen(0, '127.0.0.1', () => {
				const { port } = server.address() as AddressInfo;
				const client = http.request({ port, host: '127.0.0.1', method: 'POST' });
				client.on('error', () => {});
				client.end('{}');
				setTimeout(() => client.destroy(), 50);
			});
		});
		await closed;
		await new Promise((resolve) => setTimeout(resolve, 150));
		expect(statuses).toEqual([]); // left, not answered: nothing is known yet
		answerLate();
		await new Promise((resolve) => setTimeout(resolve, 250));
		expect(statuses).toEqual([500]);
	});

	it('instanceBaseUrlOf: webhook contexts have getInstanceBaseUrl()', () => {
		expect(instanceBaseUrlOf(webhookContext({ httpRequest: { headers: {} } }))).toBe(
			'http://127.0.0.1:5678/',
		);
	});

	it("networkCodeFields: a network error from n8n's request helper keeps its code in code or httpCode", () => {
		const error = new NodeApiError(nodes[1], {
			code: 'ECONNRESET',
			message: 'socket hang up',
		} as JsonObject);
		const found: unknown[] = [];
		let current: unknown = error;
		for (let depth = 0; current && depth < 4; depth++) {
			found.push(...networkCodeFields(current));
			current = (current as { cause?: unknown }).cause;
		}
		expect(found).toContain('ECONNRESET');
	});

	describe("withCancelSignal: httpRequestWithAuthentication takes the abort signal from its context, not from the request's options", () => {
		let server: http.Server;
		let url: string;
		const arrived: string[] = [];
		beforeAll(async () => {
			// Never answers: only an abort ends a request.
			server = http.createServer((req) => arrived.push(req.url ?? ''));
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		});
		afterAll(async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		});

		const executeContext = () => waiterExecuteContext(0).context as unknown as IExecuteFunctions;
		const credentials = { credentialsDecrypted: { id: '1', name: 'c', type: 't', data: {} } };

		it("the context's signal aborts the request", async () => {
			const context = executeContext();
			const controller = new AbortController();
			const request = context.helpers.httpRequestWithAuthentication.call(
				withCancelSignal(context, controller.signal),
				'smsRouteApi',
				{ url: `${url}/via-context`, method: 'GET' },
				credentials as never,
			);
			const settled = request.then(
				() => 'answered',
				() => 'aborted',
			);
			while (!arrived.includes('/via-context')) await new Promise((r) => setTimeout(r, 10));
			controller.abort();
			expect(await settled).toBe('aborted');
		});

		it("a signal in the request's options is replaced by the context's (so it cannot abort)", async () => {
			const context = executeContext();
			const request = context.helpers.httpRequestWithAuthentication.call(
				context,
				'smsRouteApi',
				{ url: `${url}/via-options`, method: 'GET', abortSignal: AbortSignal.abort() },
				credentials as never,
			);
			void request.catch(() => undefined);
			// Sent, although its own signal was aborted before it started.
			const deadline = Date.now() + 5000;
			while (!arrived.includes('/via-options') && Date.now() < deadline)
				await new Promise((r) => setTimeout(r, 10));
			expect(arrived).toContain('/via-options');
		});
	});
});

/**
 * A parent (Items → Caller) whose Caller calls a sub-workflow (Start → Probe) through
 * executeWorkflow(), with additionalData.executeWorkflow doing what n8n's cli does
 * (workflow-execute-additional-data getRunData and startExecution: `parentExecution` on the run
 * data and on the start node's stack entry, an 'integrated' WorkflowExecute). The Probe records
 * what it reads; the Caller fails after the call when asked to, as a parent that fails in its
 * sub-workflow does.
 */
describe('subExecutionOriginOf: what a sub-execution knows of the execution that called it', () => {
	const probed: (SubExecutionOrigin | undefined)[] = [];
	let failCaller = false;
	const subNodes = [node('Start', 'test.sink', 0), node('Probe', 'test.probe', 200)];
	const subWorkflowData = {
		id: 'wf-sub',
		name: 'sub',
		nodes: subNodes,
		connections: { Start: { main: [to('Probe')] } },
		settings: {},
	};
	const parentNodes = [node('Items', 'test.twoItems', 0), node('Caller', 'test.caller', 200)];
	const parentConnections = { Items: { main: [to('Caller')] } };
	const subTypes: Record<string, INodeType> = {
		...types,
		'test.twoItems': nodeType(
			{ displayName: 'Two', name: 'two', inputs: [], outputs: ['main'] },
			async function (this: IExecuteFunctions) {
				return [[{ json: { to: '+15550001', n: 1 } }, { json: { to: '+15550002', n: 2 } }]];
			},
		),
		'test.probe': nodeType(
			{ displayName: 'Probe', name: 'probe', inputs: ['main'], outputs: ['main'] },
			async function (this: IExecuteFunctions) {
				probed.push(subExecutionOriginOf(this));
				return [this.getInputData()];
			},
		),
		'test.caller': nodeType(
			{ displayName: 'Caller', name: 'caller', inputs: ['main'], outputs: ['main'] },
			async function (this: IExecuteFunctions) {
				const result = await this.executeWorkflow(
					{ code: subWorkflowData as never },
					this.getInputData(),
					undefined,
					{
						parentExecution: {
							executionId: this.getExecutionId(),
							workflowId: String(this.getWorkflow().id),
						},
					},
				);
				if (failCaller) throw new Error('the sub-workflow failed');
				return result.data as INodeExecutionData[][];
			},
		),
	};
	const allTypes: INodeTypes = {
		getByName: (type: string) => subTypes[type],
		getByNameAndVersion: (type: string) => subTypes[type],
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const workflowOf = (id: string, nodes: INode[], connections: object) =>
		new Workflow({
			id,
			nodes,
			connections: connections as never,
			nodeTypes: allTypes,
			active: false,
			settings: {},
		});

	/** The cli's executeWorkflow, reduced to what a sub-execution gets. */
	async function runSubWorkflow(
		_info: unknown,
		_data: unknown,
		options: { inputData?: INodeExecutionData[]; parentExecution?: IDataObject },
	) {
		const parentExecution = options.parentExecution;
		const runExecutionData = {
			startData: {},
			resultData: { runData: {} },
			executionData: {
				contextData: {},
				metadata: {},
				nodeExecutionStack: [
					{
						node: subNodes[0],
						data: { main: [options.inputData ?? [{ json: {} }]] },
						metadata: { parentExecution },
						source: null,
					},
				],
				waitingExecution: {},
				waitingExecutionSource: {},
			},
			parentExecution,
		} as unknown as IRunExecutionData;
		const execute = new WorkflowExecute(
			additionalData({ executionId: 'sub-1' }),
			'integrated',
			runExecutionData,
		);
		const run = await execute.processRunExecutionData(
			workflowOf('wf-sub', subNodes, subWorkflowData.connections),
		);
		return { executionId: 'sub-1', data: run.data.resultData.runData.Probe[0].data?.main };
	}

	const parentData = (executionId: string) =>
		additionalData({ executionId, executeWorkflow: runSubWorkflow });
	const parentWorkflow = () => workflowOf('wf-parent', parentNodes, parentConnections);

	it("the caller, its first run and the call's items; the same first run after a Retry of the caller, which continues its saved run data", async () => {
		probed.length = 0;
		failCaller = true;
		const execute = new WorkflowExecute(parentData('parent-1'), 'webhook');
		const startNode = parentWorkflow().getNode('Items') ?? undefined;
		const failed =
			execute.run.length > 1
				? await (execute.run as unknown as (w: Workflow, s?: INode) => Promise<IRun>)(
						parentWorkflow(),
						startNode,
					)
				: await execute.run({ workflow: parentWorkflow(), startNode });
		expect(failed.data.resultData.error).toBeDefined();
		const established = (failed.data.executionData?.runtimeData as IDataObject | undefined)
			?.establishedAt;
		expect(typeof established).toBe('number');
		expect(probed[0]).toEqual({
			parentExecutionId: 'parent-1',
			parentWorkflowId: 'wf-parent',
			parentStartedAt: established,
			input: [
				{ to: '+15550001', n: 1 },
				{ to: '+15550002', n: 2 },
			],
		});

		// n8n's Retry (cli ExecutionService.retry): the saved run data, the failed run of the last
		// node removed, a new execution id, mode 'retry'.
		const saved = structuredClone(failed.data) as IRunExecutionData;
		delete saved.resultData.error;
		saved.resultData.runData.Caller.pop();
		failCaller = false;
		const retried = await new WorkflowExecute(
			parentData('parent-2'),
			'retry',
			saved,
		).processRunExecutionData(parentWorkflow());
		expect(retried.data.resultData.error).toBeUndefined();
		expect(probed[1]).toEqual({ ...probed[0], parentExecutionId: 'parent-2' });
	});

	it('undefined outside a sub-execution', () => {
		expect(
			subExecutionOriginOf(waiterExecuteContext(0).context as unknown as IExecuteFunctions),
		).toBeUndefined();
	});
});

describe('onExecutionEnd: the execution lifecycle hooks tell a node how its execution ended', () => {
	const ended: boolean[] = [];
	const endTypes: Record<string, INodeType> = {
		...types,
		'test.watcher': nodeType(
			{ displayName: 'Watcher', name: 'watcher', inputs: ['main'], outputs: ['main'] },
			async function (this: IExecuteFunctions) {
				expect(onExecutionEnd(this, (succeeded) => ended.push(succeeded))).toBe(true);
				return [this.getInputData()];
			},
		),
		'test.failer': nodeType(
			{ displayName: 'Failer', name: 'failer', inputs: ['main'], outputs: ['main'] },
			async function (this: IExecuteFunctions) {
				throw new Error('a later node fails');
			},
		),
	};
	const endNodeTypes = {
		getByName: (type: string) => endTypes[type],
		getByNameAndVersion: (type: string) => endTypes[type],
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;

	async function runWith(lastType: string): Promise<IRun> {
		const endNodes = [
			node('Items', 'test.items', 0),
			node('Watcher', 'test.watcher', 200),
			node('Last', lastType, 400),
		];
		const workflow = new Workflow({
			id: 'wf-internals',
			nodes: endNodes,
			connections: { Items: { main: [to('Watcher')] }, Watcher: { main: [to('Last')] } },
			nodeTypes: endNodeTypes,
			active: false,
			settings: {},
		});
		const execute = new WorkflowExecute(additionalData(), 'manual');
		const startNode = workflow.getNode('Items') ?? undefined;
		return execute.run.length > 1
			? await (execute.run as unknown as (w: Workflow, s?: INode) => Promise<IRun>)(
					workflow,
					startNode,
				)
			: await execute.run({ workflow, startNode });
	}

	it('true once the execution finished, false when a later node failed it', async () => {
		ended.length = 0;
		expect((await runWith('test.sink')).finished).toBe(true);
		expect(ended).toEqual([true]);
		expect((await runWith('test.failer')).data.resultData.error).toBeDefined();
		expect(ended).toEqual([true, false]);
	});

	it('false where the context has no lifecycle hooks', () => {
		const { context } = waiterExecuteContext(0);
		const bare = Object.create(context, { additionalData: { value: {} } });
		expect(onExecutionEnd(bare as IExecuteFunctions, () => undefined)).toBe(false);
	});
});
