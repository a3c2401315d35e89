import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../../helpers/concurrency';
import { errorItemOrThrow, messageSummary } from '../../helpers/itemResults';
import {
	DEFAULT_LIMIT_MINUTES,
	MAX_WAIT_MESSAGES,
	SEND_AND_WAIT,
	waitOptions,
} from '../../waitForDelivery/description';
import { pendingItem } from '../../waitForDelivery/outcome';
import { RESUME_URL_METADATA_KEY } from '../../waitForDelivery/relayUrl';
import { rememberWaiting } from '../../waitForDelivery/waitingState';
import type { Operation, OperationModule } from '../operation';
import { concurrencyOption, requestOptions, type OperationDefaults } from '../options';
import { forOperation, messageFields, messageOptions, optionsCollection } from './fields';
import { guardOptions } from './guardOptions';
import { isOutgoing, prepareMessages } from './prepareMessages';
import { sendOne } from './send.operation';

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
	optionsCollection([
		concurrencyOption(defaults, 'Requests in flight at once'),
		...messageOptions,
		...guardOptions,
		...waitOptions,
		...requestOptions,
	]),
]);

const UNIT_MS: Readonly<Record<string, number>> = {
	seconds: 1000,
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};
/** n8n keeps a waiting execution as long as asked; a month bounds a forgotten one. */
const MAX_LIMIT_MS = 31 * UNIT_MS.days;

/**
 * n8n 1.x passes only the first output of a resumed node on (its engine has no
 * `forwardAllOutputs`), so Not Delivered and Timed Out items would vanish. Its execute context is
 * recognised by `setSignatureValidationRequired`, which 1.x has and 2.x dropped (signatures of
 * resume URLs are always checked there).
 */
function isLegacyEngine(context: IExecuteFunctions): boolean {
	return (
		typeof (context as unknown as { setSignatureValidationRequired?: unknown })
			.setSignatureValidationRequired === 'function'
	);
}

export function limitWaitMs(options: IDataObject): number {
	const amount = Number(options.limitWaitTime ?? DEFAULT_LIMIT_MINUTES);
	const unitName = String(options.limitWaitTimeUnit ?? 'minutes');
	// Own keys only: "constructor" or "__proto__" from an expression must not become a unit.
	const unit = Object.prototype.hasOwnProperty.call(UNIT_MS, unitName)
		? UNIT_MS[unitName]
		: UNIT_MS.minutes;
	const ms =
		Number.isFinite(amount) && amount > 0 ? amount * unit : DEFAULT_LIMIT_MINUTES * UNIT_MS.minutes;
	return Math.min(ms, MAX_LIMIT_MS);
}

/**
 * Sends each item like Send does (same fields, checks, keys and retries), with this execution's
 * signed resume URL added to the message's metadata, then puts the execution to wait. The SMS
 * Route Trigger relays each message's delivery event to that URL (see waitForDelivery/), and the
 * execution resumes when all are final or at the limit, on the outputs Delivered, Not Delivered
 * and Timed Out.
 */
export const execute: Operation = async function (items, client, run) {
	if (isLegacyEngine(this)) {
		throw new NodeOperationError(
			this.getNode(),
			'Send and Wait for Delivery needs n8n 2.0 or newer',
			{
				description:
					'n8n 1.x continues a resumed node on its first output only, so undelivered and timed-out messages would be lost. Nothing was sent. Use Send and the SMS Route Trigger instead.',
			},
		);
	}
	if (items.length > MAX_WAIT_MESSAGES) {
		throw new NodeOperationError(
			this.getNode(),
			`Send and Wait for Delivery takes at most ${MAX_WAIT_MESSAGES} messages per execution; this one has ${items.length}`,
			{
				description:
					'For more messages use Send in Bulk, and react to each delivery with the SMS Route Trigger (its events carry the message ID and your metadata).',
			},
		);
	}
	const limitMs = limitWaitMs(this.getNodeParameter('options', 0, {}) as IDataObject);
	const resumeUrl = this.getSignedResumeUrl();
	const { slots } = prepareMessages(this, items);

	const results = await mapWithConcurrency(slots, run.concurrency, async (slot) => {
		if (!isOutgoing(slot)) return slot;
		const message = {
			...slot,
			metadata: { ...slot.metadata, [RESUME_URL_METADATA_KEY]: resumeUrl },
		};
		try {
			return await sendOne(client, message);
		} catch (error) {
			return errorItemOrThrow(this, slot.itemIndex, error, messageSummary(slot));
		}
	});

	const sent = results.filter(
		(item) => typeof item.json.id === 'string' && item.json.error === undefined,
	);
	const errorItems = results.filter((item) => !sent.includes(item));
	if (sent.length === 0) return [[], errorItems, []];

	const outputs = rememberWaiting(this, { pending: sent.map(pendingItem), errorItems });
	await this.putExecutionToWait(new Date(Date.now() + limitMs));
	return outputs;
};
