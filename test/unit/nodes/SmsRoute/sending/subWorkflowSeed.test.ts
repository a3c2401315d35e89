import { createHash } from 'node:crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { automaticKeys } from '../../../../../nodes/SmsRoute/sending/idempotency';
import { subWorkflowSeed } from '../../../../../nodes/SmsRoute/sending/subWorkflowSeed';

interface Call {
	/** The sub-execution's own id (new at every call, every Retry, every Retry On Fail try). */
	executionId: string;
	parentExecutionId?: string;
	parentWorkflowId?: string;
	/** The caller's execution context; undefined: none (as if n8n passed none). */
	callerContext?: IDataObject;
	input?: IDataObject[];
	runIndex?: number;
	nodeId?: string;
	/** The Campaign ID option as the node reads it. */
	campaignOption?: string;
	/** false: a context without lifecycle hooks. */
	hooks?: boolean;
}

type EndHandler = (run?: { finished?: boolean; waitTill?: Date }) => void;

const FIRST_RUN = 1_765_000_000_000;
const INPUT = [{ to: '+15551234567', text: 'hi' }];

/** A sub-execution's context as n8n-core builds it: the run data in its `runExecutionData` field. */
function subContext(call: Call) {
	const hints: string[] = [];
	const nodeContext: IDataObject = {};
	const handlers: EndHandler[] = [];
	const parentExecution = {
		executionId: call.parentExecutionId ?? 'parent-1',
		workflowId: call.parentWorkflowId ?? 'wf-parent',
		executionContext: 'callerContext' in call ? call.callerContext : { establishedAt: FIRST_RUN },
	};
	const context = {
		runExecutionData: {
			parentExecution,
			resultData: {
				runData: {
					Start: [
						{
							metadata: { parentExecution },
							data: { main: [(call.input ?? INPUT).map((json) => ({ json }))] },
						},
					],
				},
			},
		},
		additionalData:
			call.hooks === false
				? {}
				: {
						hooks: {
							addHandler: (name: string, handler: EndHandler) => {
								if (name === 'workflowExecuteAfter') handlers.push(handler);
							},
						},
					},
		runIndex: call.runIndex ?? 0,
		getExecutionId: () => call.executionId,
		getNode: () => ({ id: call.nodeId ?? 'sms-node', name: 'SMS Route' }),
		getWorkflow: () => ({ id: 'wf-sub' }),
		getInstanceId: () => 'inst-1',
		getContext: () => nodeContext,
		getNodeParameter: (name: string, _item: number, fallback: unknown) =>
			name === 'options.campaignId' ? (call.campaignOption ?? fallback) : fallback,
		addExecutionHints: (...added: { message: string }[]) =>
			hints.push(...added.map((h) => h.message)),
	} as unknown as IExecuteFunctions;
	/** The sub-execution ends as n8n-core reports it: finished, waiting, or neither (failed). */
	const end = (run: { finished?: boolean; waitTill?: Date }) => {
		for (const handler of handlers) handler(run);
	};
	return { context, hints, end, handlers };
}

const message = { to: '+15551234567', body: 'hi' };
const keyOf = (call: Call, campaignId?: string) => {
	const { context, hints, end } = subContext(call);
	return { key: automaticKeys(context)(0, message, campaignId), hints, end };
};

describe('subWorkflowSeed: the automatic keys of the node in a sub-workflow', () => {
	it('keeps the keys across a Retry of the caller (a new caller execution, a new sub-execution, the same first run and items)', () => {
		const first = keyOf({ executionId: 'sub-1', parentExecutionId: 'p-first-1' });
		const retry = keyOf({ executionId: 'sub-2', parentExecutionId: 'p-first-2' });
		const retryOfRetry = keyOf({ executionId: 'sub-3', parentExecutionId: 'p-first-3' });
		expect(retry.key).toBe(first.key);
		expect(retryOfRetry.key).toBe(first.key);
		expect(first.hints).toEqual([]);
	});

	it('keeps the keys for Retry On Fail of the Execute Workflow node (the earlier try did not complete)', () => {
		const first = keyOf({ executionId: 'sub-1', parentExecutionId: 'p-rof' });
		const again = keyOf({ executionId: 'sub-2', parentExecutionId: 'p-rof' });
		expect(again.key).toBe(first.key);
		expect(again.hints).toEqual([]);
	});

	it('makes other keys for another execution of the caller, another caller, other items, another node or run', () => {
		const base: Call = { executionId: 'sub-1', parentExecutionId: 'p-other' };
		const { key } = keyOf(base);
		for (const change of [
			{ callerContext: { establishedAt: FIRST_RUN + 1 } },
			{ parentWorkflowId: 'wf-parent-2' },
			{ input: [{ to: '+15551234567', text: 'hi', order: 2 }] },
			// Numbers beyond 2^53 as n8n hands them on: strings stay apart.
			{ input: [{ ...INPUT[0], order: '9007199254740993' }] },
			{ input: [{ ...INPUT[0], order: '9007199254740992' }] },
			{ input: [{ to: '+15551234567', text: 'Привет, 王伟' }] },
			{ nodeId: 'other-node' },
			{ runIndex: 1 },
		])
			expect(keyOf({ ...base, ...change }).key).not.toBe(key);
	});

	it("hostile: the same sub-workflow called again with the same items in one execution (a second Execute Workflow node, a loop) makes new keys, never the first call's, and says so", () => {
		// Its own caller run, so no other test's calls count here.
		const call = (executionId: string, parentExecutionId = 'p-twice'): Call => ({
			executionId: `twice-${executionId}`,
			parentExecutionId,
			callerContext: { establishedAt: FIRST_RUN + 100 },
		});
		const first = keyOf(call('sub-1'));
		first.end({ finished: true });
		// The second call fails part-way; Retry On Fail on the Execute Workflow node starts it again.
		const second = keyOf(call('sub-2'));
		expect(second.key).not.toBe(first.key);
		expect(second.hints).toEqual([
			expect.stringMatching(/already called with the same input by this run/),
		]);
		second.end({});
		const secondAgain = keyOf(call('sub-2b'));
		expect(secondAgain.key).toBe(second.key);
		// It fails again, and so does the caller; a Retry of the caller starts again at the second call.
		secondAgain.end({});
		const viaRetry = keyOf(call('sub-2c', 'p-twice-retry'));
		expect(viaRetry.key).toBe(second.key);
		viaRetry.end({ waitTill: new Date() }); // a sub-workflow that waits succeeded for its caller
		const third = keyOf(call('sub-3', 'p-twice-retry'));
		expect(new Set([first.key, second.key, third.key]).size).toBe(3);
	});

	it('counts a sub-execution once, however often the node makes its keys in it', () => {
		const once = (executionId: string): Call => ({
			executionId,
			parentExecutionId: 'p-once',
			callerContext: { establishedAt: FIRST_RUN + 200 },
		});
		const { context, end, handlers } = subContext(once('sub-once'));
		const key = automaticKeys(context)(0, message);
		automaticKeys(context)(0, message);
		expect(handlers).toHaveLength(1);
		end({ finished: true });
		const next = keyOf(once('sub-once-2'));
		next.end({ finished: true });
		const afterTwo = keyOf(once('sub-once-3'));
		expect(new Set([key, next.key, afterTwo.key]).size).toBe(3);
	});

	it('where n8n gives no stable caller identity (no execution context, or a caller that is itself a sub-execution): the keys of today, a notice naming Campaign ID, and Campaign ID replays', () => {
		for (const [label, unstable] of [
			['no context', { callerContext: undefined }],
			['nested', { callerContext: { establishedAt: FIRST_RUN, parentExecutionId: 'gp-1' } }],
			['not a time', { callerContext: { establishedAt: 'yesterday' } }],
			['no hooks', { hooks: false }],
		] as [string, Partial<Call>][]) {
			const first = keyOf({ executionId: `sub-u1-${label}`, ...unstable });
			const retry = keyOf({ executionId: `sub-u2-${label}`, ...unstable });
			expect(retry.key).not.toBe(first.key);
			expect(first.hints).toEqual([expect.stringMatching(/Campaign ID/)]);
			const withCampaign = (executionId: string) =>
				keyOf({ executionId, ...unstable, campaignOption: 'spring-sale' }, 'spring-sale');
			const campaignFirst = withCampaign('sub-u3');
			expect(withCampaign('sub-u4').key).toBe(campaignFirst.key);
			// Campaign ID set: nothing to tell the user.
			expect(campaignFirst.hints).toEqual([]);
		}
	});

	it('outside a sub-workflow: no seed, and the keys of 0.2.0 byte for byte', () => {
		const context = {
			runExecutionData: { resultData: { runData: {} } },
			runIndex: 2,
			getExecutionId: () => 'exec-1',
			getNode: () => ({ id: 'node-a', name: 'SMS Route' }),
			getWorkflow: () => ({ id: 'wf-1' }),
			getInstanceId: () => 'inst-1',
			getContext: () => ({}),
		} as unknown as IExecuteFunctions;
		expect(subWorkflowSeed(context)).toBeUndefined();
		const seedHash = createHash('sha256');
		for (const part of ['inst-1', 'wf-1', 'exec-1', 'node-a', '2'])
			seedHash.update(part).update('\u0000');
		const seed = seedHash.digest('hex').slice(0, 32);
		const content = JSON.stringify([0, message.to, message.body, null, null]);
		const expected = `n8n_${createHash('sha256').update(seed).update(content).digest('hex').slice(0, 32)}`;
		expect(automaticKeys(context)(0, message)).toBe(expected);
	});
});
