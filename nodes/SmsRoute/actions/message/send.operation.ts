import type { INodeExecutionData } from 'n8n-workflow';

import { mapWithConcurrency } from '../../sending/chunking';
import { dryRunItem, messageSummary, sentMessageItem } from '../../sending/outputItems';
import { errorItemOrThrow } from '../itemErrors';
import type { OutgoingMessage } from '../../sending/outgoingMessage';
import { headerIdempotencyKey } from '../../sending/idempotency';
import { postMessage } from '../../transport/messages';
import type { SmsRouteClient } from '../../transport/smsRouteRequest';
import type { Operation, OperationModule } from '../operation';
import { concurrencyOption, type OperationDefaults } from '../options';
import { fillRepeatedRows } from './repeatedRows';
import { dryRunOption, forOperation, messageFields, sendingOptions } from './fields';
import { guardrailsCollection } from './guardFields';
import { isOutgoing, prepareMessages } from './prepareMessages';

export const option: OperationModule['option'] = {
	name: 'Send',
	value: 'send',
	action: 'Send an SMS',
	description: 'One request per item, several in flight at once',
};

export const defaults: OperationDefaults = { concurrency: 10 };

export const description = forOperation(option.value, [
	...messageFields,
	guardrailsCollection({ sendingWindow: true }),
	sendingOptions([concurrencyOption(defaults, 'Requests in flight at once'), dryRunOption]),
]);

/** One message through POST /messages, as its output item. */
export async function sendOne(
	client: SmsRouteClient,
	message: OutgoingMessage,
): Promise<INodeExecutionData> {
	const headerKey = headerIdempotencyKey(message.idempotencyKey);
	return sentMessageItem(message, await postMessage(client, message, headerKey));
}

/** One POST /messages per item, several in flight at once, output in input order. */
export const execute: Operation = async function (items, client, run) {
	const { slots, repeatedRows } = prepareMessages(this, items, { dryRun: run.dryRun });
	const results = await mapWithConcurrency(slots, run.concurrency, async (slot) => {
		if (!isOutgoing(slot)) return slot;
		if (run.dryRun) return dryRunItem(slot);
		try {
			return await sendOne(client, slot);
		} catch (error) {
			return errorItemOrThrow(this, slot.itemIndex, error, messageSummary(slot));
		}
	});
	return [fillRepeatedRows(results, repeatedRows)];
};
