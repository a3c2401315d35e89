import type { IExecuteFunctions } from 'n8n-workflow';

import {
	automaticKeys,
	chunkIdempotencyKey,
	headerIdempotencyKey,
} from '../../../../../nodes/SmsRoute/sending/idempotency';

describe('idempotency keys', () => {
	it('derives the same key from the same instance, workflow, execution, node, run, item and message, and another otherwise', () => {
		const context = (
			executionId: string,
			nodeId: string,
			runIndex: number,
			workflowId = 'wf-1',
			instanceId = 'inst-1',
		) =>
			({
				getExecutionId: () => executionId,
				getNode: () => ({ id: nodeId, name: 'SMS Route' }),
				// Where n8n-core keeps it: a field, not a getRunIndex() method (n8n 2.41.0, 1.123.81).
				runIndex,
				getWorkflow: () => ({ id: workflowId }),
				getInstanceId: () => instanceId,
			}) as unknown as IExecuteFunctions;
		const message = { to: '+15551234567', body: 'hi', from: 'ACME', metadata: { order: 1 } };
		const key = automaticKeys(context('exec-1', 'node-a', 0))(3, message);
		expect(automaticKeys(context('exec-1', 'node-a', 0))(3, { ...message })).toBe(key);
		expect(automaticKeys(context('exec-2', 'node-a', 0))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-b', 0))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 1))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 0, 'wf-2'))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 0, 'wf-1', 'inst-2'))(3, message)).not.toBe(
			key,
		);
		expect(automaticKeys(context('exec-1', 'node-a', 0))(4, message)).not.toBe(key);
		for (const change of [
			{ to: '+15551234568' },
			{ body: 'hi!' },
			{ from: undefined },
			{ metadata: { order: 2 } },
		]) {
			expect(automaticKeys(context('exec-1', 'node-a', 0))(3, { ...message, ...change })).not.toBe(
				key,
			);
		}
		expect(key).toMatch(/^n8n_[0-9a-f]{32}$/);
		expect(chunkIdempotencyKey(['a', 'b'])).toBe(chunkIdempotencyKey(['a', 'b']));
		expect(chunkIdempotencyKey(['a', 'b'])).not.toBe(chunkIdempotencyKey(['a']));
	});

	it('makes user keys header-safe: plain ASCII as given, anything else encoded, never colliding', () => {
		expect(headerIdempotencyKey('A-17 order')).toBe('A-17 order');
		const ivan = headerIdempotencyKey('Иван-17');
		const wang = headerIdempotencyKey('王伟-17');
		for (const key of [ivan, wang]) expect(key).toMatch(/^[\x21-\x7e]+$/);
		expect(ivan).not.toBe(wang);
		expect(headerIdempotencyKey('Иван-17')).toBe(ivan);
		expect(headerIdempotencyKey(ivan)).not.toBe(ivan);
		expect(headerIdempotencyKey('王'.repeat(200))).toMatch(/^sha256:[0-9a-f]{64}$/);
		expect(headerIdempotencyKey('王'.repeat(200)).length).toBeLessThanOrEqual(255);
	});
});
