import type { INodeExecutionData } from 'n8n-workflow';

import { option } from '../../../../../../nodes/SmsRoute/actions/message/sendAndWait.operation';
import { runSmsRoute } from '../../../../../helpers/runWorkflow';
import { useSandboxRun } from '../../../../../helpers/sandboxRun';

const sandbox = useSandboxRun();
const PARAMS = {
	resource: 'message',
	operation: 'sendAndWait',
	to: '={{ $json.to }}',
	body: 'Your code is 123456',
};

describe('actions/message/sendAndWait.operation: Send and Wait for Delivery', () => {
	it('is the "sendAndWait" operation', () => {
		expect(option.value).toBe('sendAndWait');
	});

	it('with nothing to wait for (every row refused) it does not wait: the rows leave on Not Delivered', async () => {
		const { run, error } = await runSmsRoute({
			items: [{ to: 'not a number' }, { to: '12' }],
			parameters: PARAMS,
			credentials: sandbox.credentials(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(run.status).not.toBe('waiting');
		const [delivered, notDelivered, timedOut] = run.data.resultData.runData['SMS Route'][0].data!
			.main as INodeExecutionData[][];
		expect(delivered).toEqual([]);
		expect(timedOut).toEqual([]);
		expect(notDelivered.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(sandbox.charged()).toEqual([]);
	});

	it('more than 100 items: refused before anything is sent', async () => {
		const items = Array.from({ length: 101 }, (_, i) => ({
			to: `+1201${String(4000000 + i).slice(-7)}`,
		}));
		const { error } = await runSmsRoute({
			items,
			parameters: PARAMS,
			credentials: sandbox.credentials(),
		});
		expect(error?.message).toMatch(/at most 100 messages per execution; this one has 101/);
		expect(sandbox.charged()).toEqual([]);
	});
});
