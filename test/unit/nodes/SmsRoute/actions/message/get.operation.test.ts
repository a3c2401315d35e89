import { option } from '../../../../../../nodes/SmsRoute/actions/message/get.operation';
import { runSmsRoute } from '../../../../../helpers/runWorkflow';
import { useSandboxRun } from '../../../../../helpers/sandboxRun';

const sandbox = useSandboxRun();

describe('actions/message/get.operation: Get Status', () => {
	it('is the "get" operation', () => {
		expect(option.value).toBe('get');
	});

	it('looks each id up; an id that is not a plain message id is refused without a request', async () => {
		const sent = await runSmsRoute({
			items: [{ to: '+15005550001' }],
			parameters: { resource: 'message', operation: 'send', to: '={{ $json.to }}', body: 'hi' },
			credentials: sandbox.credentials(),
		});
		const id = sent.output![0].json.id as string;
		const lookups = () =>
			Object.entries(sandbox.sandbox().stats().requests)
				.filter(([route]) => route.startsWith('GET '))
				.reduce((sum, [, count]) => sum + count, 0);
		const lookupsBefore = lookups();

		const { output } = await runSmsRoute({
			items: [{ id }, { id: '../balance' }],
			parameters: { resource: 'message', operation: 'get', messageId: '={{ $json.id }}' },
			credentials: sandbox.credentials(),
			continueOnFail: true,
		});
		expect(output![0].json).toMatchObject({ id, to: '+15005550001' });
		expect(output![1].json.error).toEqual(expect.any(String));
		expect(output![1].pairedItem).toEqual({ item: 1 });
		// One lookup: the hostile id never reached the server.
		expect(lookups() - lookupsBefore).toBe(1);
	});
});
