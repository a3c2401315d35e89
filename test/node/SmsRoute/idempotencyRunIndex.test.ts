/**
 * A node that runs twice in one execution (a loop, or two parents) with the same item index and
 * message must get a new automatic key on its second run: with the first run's key smsroute
 * replays the first message instead of sending, and the node reports it as sent. Checked with
 * n8n-core's own execute context, which has no getRunIndex() (n8n 2.41.0, 1.123.81).
 */
import { ExecuteContext } from 'n8n-core';
import {
	Workflow,
	type IExecuteData,
	type IExecuteFunctions,
	type INode,
	type INodeTypes,
	type IRunExecutionData,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { automaticKeys } from '../../../nodes/SmsRoute/sending/idempotency';

const node: INode = {
	id: 'sms-1',
	name: 'SMS Route',
	type: 'n8n-nodes-smsroute.smsRoute',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const nodeTypes = {
	getByName: () => ({ description: { properties: [] } }),
	getByNameAndVersion: () => ({ description: { properties: [] } }),
	getKnownTypes: () => ({}),
} as unknown as INodeTypes;

function executeContext(runIndex: number): IExecuteFunctions {
	const workflow = new Workflow({
		id: 'wf-loop',
		nodes: [node],
		connections: {},
		nodeTypes,
		active: false,
		settings: {},
	});
	const executeData: IExecuteData = { node, data: { main: [[]] }, source: null };
	const context = new ExecuteContext(
		workflow,
		node,
		{ executionId: 'exec-loop' } as unknown as IWorkflowExecuteAdditionalData,
		'manual',
		{
			resultData: { runData: {} },
			executionData: {
				contextData: {},
				nodeExecutionStack: [],
				metadata: {},
				waitingExecution: {},
				waitingExecutionSource: {},
			},
		} as unknown as IRunExecutionData,
		runIndex,
		[],
		{ main: [[]] },
		executeData,
		[],
		new AbortController().signal,
	);
	return context as unknown as IExecuteFunctions;
}

describe('automatic idempotency keys across runs of one node in one execution', () => {
	const message = { to: '+15551234567', body: 'Your code is 1234' };

	it("n8n-core's execute context has no getRunIndex(): the run index must come from elsewhere", () => {
		const context = executeContext(1) as unknown as Record<string, unknown>;
		expect(typeof context.getRunIndex).not.toBe('function');
	});

	it('the second run (loop, second parent) gets another key for the same item and message', () => {
		const first = automaticKeys(executeContext(0))(0, message);
		const second = automaticKeys(executeContext(1))(0, message);
		expect(second).not.toBe(first);
		// Stable within a run, so n8n's Retry On Fail still replays instead of sending twice.
		expect(automaticKeys(executeContext(1))(0, message)).toBe(second);
	});
});
