/**
 * Issue 31: AI Agent 3 and 3.1 hand their tool calls to n8n, which runs the SMS Route tool as a
 * node of its own for each call: n8n-core's ExecuteContext, a new run index per call, and
 * isToolExecution() false (2.41.0) or missing (1.123.81). Only the stack entry's
 * `metadata.preserveSourceOverwrite` says it is a tool call. The same message through the tool
 * in one execution must keep one key (sent once, a repeated call replayed, not refused by Max
 * Messages per Execution 1); two different messages must not; an ordinary node run again by a
 * loop keeps getting a key per run. The e2e of the real agents: test/e2e/agentTool.test.js.
 */
import { ExecuteContext } from 'n8n-core';
import {
	Workflow,
	type IDataObject,
	type IExecuteData,
	type IExecuteFunctions,
	type INode,
	type INodeTypes,
	type IRunExecutionData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { prepareMessages } from '../../../nodes/SmsRoute/actions/message/prepareMessages';
import { automaticKeys } from '../../../nodes/SmsRoute/sending/idempotency';

const node: INode = {
	id: 'sms-tool',
	name: 'SMS Route',
	type: 'n8n-nodes-smsroute.smsRouteTool',
	typeVersion: 1.1,
	position: [0, 0],
	parameters: {},
};

const nodeTypes = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] } }),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

/** One execution's saved data: the node context (the kept first execution id) lives here. */
function executionData(): IRunExecutionData {
	return {
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			nodeExecutionStack: [],
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	} as unknown as IRunExecutionData;
}

/**
 * n8n-core's context for run `runIndex` of the node: as an agent's tool call (the stack entry
 * n8n-core's requests-response.js makes) or as an ordinary run (a loop).
 */
function runContext(
	runIndex: number,
	data: IRunExecutionData,
	{ toolCall }: { toolCall: boolean },
): IExecuteFunctions {
	const workflow = new Workflow({
		id: 'wf-agent',
		nodes: [node],
		connections: {},
		nodeTypes,
		active: false,
		settings: {},
	});
	const executeData: IExecuteData = {
		node,
		data: { main: [[{ json: { toolCallId: `call_${runIndex}` } }]] },
		source: { main: [{ previousNode: 'AI Agent', previousNodeOutput: 0, previousNodeRun: 0 }] },
		...(toolCall ? { metadata: { preserveSourceOverwrite: true } } : {}),
	};
	return new ExecuteContext(
		workflow,
		node,
		{ executionId: 'exec-agent' } as unknown as IWorkflowExecuteAdditionalData,
		'manual',
		data,
		runIndex,
		[],
		executeData.data,
		executeData,
		[],
		new AbortController().signal,
	) as unknown as IExecuteFunctions;
}

describe("AI Agent 3.x: the tool's calls through n8n's engine request", () => {
	const message = { to: '+447400400001', body: 'Your table is ready' };

	it('the same message in a later call (a new run index) keeps its key: replayed, not sent again', () => {
		const data = executionData();
		const first = automaticKeys(runContext(0, data, { toolCall: true }))(0, message);
		const again = automaticKeys(runContext(1, data, { toolCall: true }))(0, message);
		const third = automaticKeys(runContext(7, data, { toolCall: true }))(0, message);
		expect(again).toBe(first);
		expect(third).toBe(first);
	});

	it('a different message, or the same one in another execution, gets another key', () => {
		const data = executionData();
		const first = automaticKeys(runContext(0, data, { toolCall: true }))(0, message);
		const other = automaticKeys(runContext(1, data, { toolCall: true }))(0, {
			...message,
			body: 'Your table is ready at 8',
		});
		expect(other).not.toBe(first);
		const anotherExecution = runContext(0, executionData(), { toolCall: true });
		const ctx = Object.create(anotherExecution, { getExecutionId: { value: () => 'exec-2' } });
		expect(automaticKeys(ctx as IExecuteFunctions)(0, message)).not.toBe(first);
	});

	it('an ordinary run of the node (no tool call) still gets a key per run index: a loop sends each round', () => {
		const data = executionData();
		const first = automaticKeys(runContext(0, data, { toolCall: false }))(0, message);
		expect(automaticKeys(runContext(1, data, { toolCall: false }))(0, message)).not.toBe(first);
	});

	it('Max Messages per Execution 1: the identical second call is not refused, a different one is', () => {
		const data = executionData();
		const parameters: IDataObject = {
			to: message.to,
			body: message.body,
			additionalFields: {},
			options: {},
			guardrails: { maxMessagesPerExecution: 1 },
		};
		const call = (runIndex: number, body = message.body) => {
			const context = runContext(runIndex, data, { toolCall: true });
			return Object.create(context, {
				continueOnFail: { value: () => true },
				getNodeParameter: {
					value: (name: string, _item: number, fallback: unknown) =>
						name === 'body' ? body : (parameters[name] ?? fallback),
				},
			}) as IExecuteFunctions;
		};
		const items = [{ json: {} }];
		const first = prepareMessages(call(0), items);
		const second = prepareMessages(call(1), items);
		expect(first.valid).toHaveLength(1);
		expect(second.valid.map((m) => m.idempotencyKey)).toEqual([first.valid[0].idempotencyKey]);
		const different = prepareMessages(call(2, 'Something else'), items);
		expect(different.valid).toEqual([]);
		expect(JSON.stringify(different.slots)).toMatch(/more than Max Messages per Execution \(1\)/);
	});
});
