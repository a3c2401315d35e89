import { randomUUID } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { mapWithConcurrency } from '../../sending/chunking';
import { messageSummary, sentMessageItem } from '../../sending/outputItems';
import { errorItemOrThrow } from '../itemErrors';
import { runIndexOf } from '../../shared/n8nInternals';
import { SEND_AND_WAIT, waitOptions } from '../../waitForDelivery/description';
import * as decide from '../../waitForDelivery/outputDecision';
import type { Sent } from '../../waitForDelivery/outputDecision';
import { OwnMessages } from '../../waitForDelivery/ownMessages';
import { refuseUnsupported } from '../../waitForDelivery/refuseUnsupported';
import { rememberWaiting } from '../../waitForDelivery/waitingState';
import type { Operation, OperationModule } from '../operation';
import { concurrencyOption, type OperationDefaults } from '../options';
import { forOperation, messageFields, sendingOptions } from './fields';
import { guardrailsCollection } from './guardFields';
import { isOutgoing, prepareMessages } from './prepareMessages';

export const option: OperationModule['option'] = {
	name: 'Send and Wait for Delivery',
	value: SEND_AND_WAIT,
	action: 'Send an SMS and wait for delivery',
	description:
		'Send up to 100 messages, then pause until each is delivered or not, or the time limit. Needs an active SMS Route Trigger.',
};

export const defaults: OperationDefaults = { concurrency: 10 };

export const description = forOperation(option.value, [
	...messageFields,
	// No Sending Window: a message it holds back would never reach a delivery outcome.
	guardrailsCollection(),
	sendingOptions([concurrencyOption(defaults, 'Requests in flight at once')], waitOptions),
]);

/**
 * Sends each item like Send does (same fields, checks, keys and retries), tied to this wait by its
 * metadata, then puts the execution to wait; the SMS Route Trigger relays each delivery event to
 * the resume URL. Which output each message leaves on, and when: waitForDelivery/outputDecision.ts.
 */
export const execute: Operation = async function (items, client, run) {
	refuseUnsupported(this, items.length);
	const sentFromMs = Date.now();
	const limitMs = decide.limitWaitMs(this.getNodeParameter('options', 0, {}) as IDataObject);
	const resumeUrl = this.getSignedResumeUrl();
	const own = new OwnMessages(this, {
		executionId: this.getExecutionId(),
		runIndex: runIndexOf(this),
		resumeUrl,
	});
	const livemode = client.environment === 'live';
	const { slots, repeatedRows } = prepareMessages(this, items);

	const sent = await mapWithConcurrency(slots, run.concurrency, async (slot): Promise<Sent> => {
		if (!isOutgoing(slot)) return { item: slot };
		try {
			const { message, answer, replayed } = await own.post(client, slot);
			return { item: sentMessageItem(message, answer), replayed };
		} catch (error) {
			return { item: errorItemOrThrow(this, slot.itemIndex, error, messageSummary(slot)) };
		}
	});

	const settled = await mapWithConcurrency(sent, run.concurrency, async (result) =>
		result.replayed
			? { ...result, item: await decide.replayedItem(client, result.item, livemode) }
			: result,
	);
	const { outputs, waitFor } = decide.outputsWhenSent(settled, repeatedRows);
	if (waitFor.length === 0) return outputs;
	rememberWaiting(this, outputs, { waitId: randomUUID(), waitFor, sentFromMs, livemode });
	await this.putExecutionToWait(new Date(Date.now() + limitMs));
	return outputs;
};
