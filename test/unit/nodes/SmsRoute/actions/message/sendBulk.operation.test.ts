import type { IDataObject } from 'n8n-workflow';

import { option } from '../../../../../../nodes/SmsRoute/actions/message/sendBulk.operation';
import { runSmsRoute } from '../../../../../helpers/runWorkflow';
import { useSandboxRun } from '../../../../../helpers/sandboxRun';

const sandbox = useSandboxRun();
const PARAMS = {
	resource: 'message',
	operation: 'sendBulk',
	to: '={{ $json.to }}',
	body: '={{ $json.body }}',
};
const items = (count: number): IDataObject[] =>
	Array.from({ length: count }, (_, i) => ({
		to: `+1201${String(3000000 + i).slice(-7)}`,
		body: `bulk ${i}`,
	}));

describe('actions/message/sendBulk.operation: Send in Bulk', () => {
	it('is the "sendBulk" operation', () => {
		expect(option.value).toBe('sendBulk');
	});

	it('Chunk Size sets how many messages go in one POST /messages/bulk; ids come back in input order', async () => {
		const input = items(25);
		const { output, error } = await runSmsRoute({
			items: input,
			parameters: { ...PARAMS, options: { chunkSize: 10 } },
			credentials: sandbox.credentials(),
		});
		expect(error).toBeUndefined();
		expect(sandbox.sandbox().stats().requests['POST /v1/messages/bulk']).toBe(3);
		const ledger = new Map(
			sandbox
				.sandbox()
				.ledger()
				.map((entry) => [entry.body, entry.id]),
		);
		expect(output!.map((item) => item.json.id)).toEqual(
			input.map((item) => ledger.get(item.body as string)),
		);
		expect(output!.map((item) => item.pairedItem)).toEqual(input.map((_, i) => ({ item: i })));
	});

	it('Dry Run sends no chunk', async () => {
		const { output } = await runSmsRoute({
			items: items(3),
			parameters: { ...PARAMS, options: { dryRun: true } },
			credentials: sandbox.credentials(),
		});
		expect(output!.every((item) => item.json.dryRun === true)).toBe(true);
		expect(sandbox.sandbox().stats().requests['POST /v1/messages/bulk'] ?? 0).toBe(0);
	});
});
