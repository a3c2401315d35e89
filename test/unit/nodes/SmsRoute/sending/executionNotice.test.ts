import type { IExecuteFunctions } from 'n8n-workflow';

import {
	firstCampaignId,
	notice,
	noticeToolWithoutExecution,
} from '../../../../../nodes/SmsRoute/sending/executionNotice';

const contextWith = (getNodeParameter: () => unknown, withHints = true) => {
	const hints: { message: string; type: string }[] = [];
	const context = {
		getNodeParameter,
		...(withHints
			? {
					addExecutionHints: (...added: { message: string; type: string }[]) =>
						hints.push(...added),
				}
			: {}),
	} as unknown as IExecuteFunctions;
	return { context, hints };
};

describe('executionNotice', () => {
	it("reads the first item's Campaign ID; an unreadable one counts as unset", () => {
		expect(firstCampaignId(contextWith(() => 'orders-17').context)).toBe('orders-17');
		expect(firstCampaignId(contextWith(() => undefined).context)).toBe('');
		const broken = contextWith(() => {
			throw new Error('expression failed');
		});
		expect(firstCampaignId(broken.context)).toBe('');
	});

	it('adds a warning where n8n takes hints, and never fails the run where it does not', () => {
		const { context, hints } = contextWith(() => '');
		notice(context, 'careful');
		expect(hints).toEqual([{ message: 'careful', type: 'warning', location: 'outputPane' }]);
		expect(() => notice(contextWith(() => '', false).context, 'careful')).not.toThrow();
	});

	it('names Campaign ID for a tool call without an execution, unless Campaign ID is set', () => {
		const unset = contextWith(() => '');
		noticeToolWithoutExecution(unset.context);
		expect(unset.hints.map((h) => h.message)).toEqual([
			expect.stringMatching(/MCP Server Trigger.*sends the message again.*Campaign ID/s),
		]);
		const set = contextWith(() => 'orders');
		noticeToolWithoutExecution(set.context);
		expect(set.hints).toEqual([]);
	});
});
