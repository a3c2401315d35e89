import type { IDataObject } from 'n8n-workflow';

import {
	description,
	option,
} from '../../../../../../nodes/SmsRoute/actions/message/send.operation';
import { runSmsRoute } from '../../../../../helpers/runWorkflow';
import { useSandboxRun } from '../../../../../helpers/sandboxRun';

const sandbox = useSandboxRun();
const PARAMS = {
	resource: 'message',
	operation: 'send',
	to: '={{ $json.to }}',
	body: '={{ $json.body }}',
};
const send = (items: IDataObject[], extra: IDataObject = {}, continueOnFail = false) =>
	runSmsRoute({
		items,
		parameters: { ...PARAMS, ...extra },
		credentials: sandbox.credentials(),
		continueOnFail,
	});

describe('actions/message/send.operation: Send', () => {
	it('is the "send" operation, with the Sending Window among its guardrails', () => {
		expect(option.value).toBe('send');
		const guardrails = description.find((p) => p.name === 'guardrails');
		expect(JSON.stringify(guardrails)).toContain('sendingWindow');
	});

	it('one POST /messages per item, output in input order, each paired with its item', async () => {
		const items = ['+15005550001', '+15005550002', '+15005550003'].map((to, i) => ({
			to,
			body: `m${i}`,
		}));
		const { output, error } = await send(items, { options: { concurrency: 3 } });
		expect(error).toBeUndefined();
		expect(output!.map((item) => [item.json.to, item.pairedItem])).toEqual(
			items.map((item, i) => [item.to, { item: i }]),
		);
		expect(sandbox.sandbox().stats().requests['POST /v1/messages']).toBe(3);
		expect(sandbox.charged().sort()).toEqual(items.map((item) => item.to).sort());
	});

	it('Dry Run sends nothing and says what it would send', async () => {
		const { output } = await send([{ to: '+15005550001', body: 'dry' }], {
			options: { dryRun: true },
		});
		expect(output![0].json).toMatchObject({ dryRun: true, to: '+15005550001', segments: 1 });
		expect(sandbox.charged()).toEqual([]);
	});

	it('a bad row with Continue On Fail is an error item; the others still go out once', async () => {
		const { output } = await send(
			[
				{ to: '+15005550001', body: 'ok' },
				{ to: 'not a number', body: 'bad' },
			],
			{},
			true,
		);
		expect(output![1].json.error).toMatch(/Item 1: 'To' must be an E\.164 phone number/);
		expect(output![1].pairedItem).toEqual({ item: 1 });
		expect(sandbox.charged()).toEqual(['+15005550001']);
	});
});
