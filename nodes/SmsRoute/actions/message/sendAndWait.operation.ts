import { randomUUID } from 'node:crypto';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../../sending/chunking';
import { errorItemOrThrow, messageSummary, sentMessageItem } from '../../sending/outputItems';
import {
	DEFAULT_LIMIT_MINUTES,
	MAX_WAIT_MESSAGES,
	SEND_AND_WAIT,
	waitOptions,
} from '../../waitForDelivery/description';
import { finalItem, messageIdOf, pendingItem } from '../../waitForDelivery/deliveryOutcome';
import { OUTPUT, type Outcome } from '../../shared/events/deliveryStatus';
import { RESUME_URL_METADATA_KEY } from '../../shared/resumeUrl';
import { isFirstOutputOnlyEngine, runIndexOf } from '../../shared/n8nInternals';
import { lookUpFinal } from '../../waitForDelivery/statusLookup';
import { OwnMessages, RUN_METADATA_KEY } from '../../waitForDelivery/ownMessages';
import { rememberWaiting } from '../../waitForDelivery/waitingState';
import { postMessage } from '../../transport/messages';
import type { SmsRouteClient } from '../../transport/smsRouteRequest';
import type { Operation, OperationModule } from '../operation';
import { concurrencyOption, type OperationDefaults } from '../options';
import { duplicateItem, type Duplicates } from './duplicates';
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

const UNIT_MS: Readonly<Record<string, number>> = {
	seconds: 1000,
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};
/** n8n keeps a waiting execution as long as asked; a month bounds a forgotten one. */
const MAX_LIMIT_MS = 31 * UNIT_MS.days;

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

/** Says why a replayed message that was not final left at once (docs/send-and-wait.md). */
export const REPLAY_NOT_FINAL_REASON =
	'Idempotency Key reused: smsroute returned a message sent earlier, whose delivery events go to that earlier send, and it was not final when this wait began. Follow with Get Status.';

/**
 * The message's metadata with what ties it to this wait: the resume URL and, after run 0, the
 * run (a loop's later run has the first run's resume URL: n8n signs `<execution>/<node>` only).
 * Both replace a user's field of the same name, which would otherwise misname the wait. Absent
 * on run 0, so those messages are as earlier versions sent them (CHANGELOG).
 */
function waitMetadata(metadata: IDataObject | undefined, resumeUrl: string, runIndex: number) {
	const tied: IDataObject = { ...metadata, [RESUME_URL_METADATA_KEY]: resumeUrl };
	// A string, like every value a metadata store takes; compared as a number.
	if (runIndex > 0) tied[RUN_METADATA_KEY] = String(runIndex);
	else delete tied[RUN_METADATA_KEY];
	return tied;
}

interface Sent {
	item: INodeExecutionData;
	/** Undefined for an item that was not sent (skipped, or an error item). */
	replayed?: boolean;
}

/**
 * Where a replayed message leaves at once: on its outcome when smsroute's status endpoint says
 * it is final, else on Timed Out with the reason. Either way it is not waited for.
 */
async function settleReplay(
	client: SmsRouteClient,
	item: INodeExecutionData,
	livemode: boolean,
): Promise<INodeExecutionData> {
	const pending = pendingItem(item);
	pending.json.idempotencyReplay = true;
	const event = await lookUpFinal(client, String(item.json.id), livemode);
	if (event) return finalItem(pending, event);
	return { ...pending, json: { ...pending.json, reason: REPLAY_NOT_FINAL_REASON } };
}

/** Refused before anything is sent: an n8n that cannot resume on three outputs, too many items. */
function refuseUnsupported(context: IExecuteFunctions, itemCount: number): void {
	if (isFirstOutputOnlyEngine(context)) {
		throw new NodeOperationError(
			context.getNode(),
			'Send and Wait for Delivery needs n8n 2.0 or newer',
			{
				description:
					'n8n 1.x continues a resumed node on its first output only, so undelivered and timed-out messages would be lost. Nothing was sent. Use Send and the SMS Route Trigger instead.',
			},
		);
	}
	if (itemCount > MAX_WAIT_MESSAGES) {
		throw new NodeOperationError(
			context.getNode(),
			`Send and Wait for Delivery takes at most ${MAX_WAIT_MESSAGES} messages per execution; this one has ${itemCount}`,
			{
				description:
					'For more messages use Send in Bulk, and react to each delivery with the SMS Route Trigger (its events carry the message ID and your metadata).',
			},
		);
	}
}

/**
 * Each item on its output: a duplicate where its first leaves, a failed or unsent one on Not
 * Delivered, a replay on its outcome, the rest on Timed Out until its event comes (`waitFor`).
 */
function routeItems(
	results: Sent[],
	settled: INodeExecutionData[],
	duplicates: Duplicates,
): { outputs: INodeExecutionData[][]; waitFor: string[] } {
	const outputs: INodeExecutionData[][] = [[], [], []];
	const waitFor: string[] = [];
	const routes: number[] = [];
	const placed: INodeExecutionData[] = [];
	results.forEach((result, index) => {
		const firstIndex = duplicates.firstOf.get(index);
		if (firstIndex !== undefined) {
			// The same message as an earlier item: it leaves where that one does, waited with it.
			const item = duplicateItem(duplicates.messages.get(index)!, firstIndex, placed[firstIndex]);
			routes[index] = routes[firstIndex];
			placed[index] = item;
			outputs[routes[index]].push(item);
			return;
		}
		const item = settled[index];
		const id = messageIdOf(item);
		if (result.replayed === undefined || id === null || item.json.error !== undefined) {
			routes[index] = OUTPUT.notDelivered;
			placed[index] = item;
		} else if (result.replayed) {
			routes[index] = OUTPUT[item.json.outcome as Outcome];
			placed[index] = item;
		} else {
			routes[index] = OUTPUT.timedOut;
			placed[index] = pendingItem(item);
			waitFor.push(id);
		}
		outputs[routes[index]].push(placed[index]);
	});
	return { outputs, waitFor };
}

/**
 * Sends each item like Send does (same fields, checks, keys and retries), with this execution's
 * signed resume URL added to the message's metadata, then puts the execution to wait. The SMS
 * Route Trigger relays each message's delivery event to that URL (see waitForDelivery/), and the
 * wait ends when all are final or at the limit, on the outputs Delivered, Not Delivered and Timed
 * Out. Messages replayed by a reused Idempotency Key are settled at once (settleReplay); with
 * nothing left to wait for, the node does not wait.
 */
export const execute: Operation = async function (items, client, run) {
	refuseUnsupported(this, items.length);
	const sentFromMs = Date.now();
	const limitMs = limitWaitMs(this.getNodeParameter('options', 0, {}) as IDataObject);
	const resumeUrl = this.getSignedResumeUrl();
	const runIndex = runIndexOf(this);
	const livemode = client.environment === 'live';
	const { slots, duplicates } = prepareMessages(this, items);
	const own = new OwnMessages(this, { executionId: this.getExecutionId(), runIndex, resumeUrl });

	const results = await mapWithConcurrency(slots, run.concurrency, async (slot): Promise<Sent> => {
		if (!isOutgoing(slot)) return { item: slot };
		const message = {
			...slot,
			metadata: waitMetadata(slot.metadata, resumeUrl, runIndex),
		};
		const firstTry = own.beforePost(slot.idempotencyKey);
		let info = { attempt: 1, replayed: false };
		try {
			const answer = await postMessage(client, message, (answered) => (info = answered));
			return {
				item: sentMessageItem(message, answer),
				replayed: own.isReplay(
					slot.idempotencyKey,
					slot.keySource ?? 'execution',
					answer,
					info,
					firstTry,
				),
			};
		} catch (error) {
			return { item: errorItemOrThrow(this, slot.itemIndex, error, messageSummary(slot)) };
		}
	});

	const settled = await mapWithConcurrency(results, run.concurrency, async (result) =>
		result.replayed ? await settleReplay(client, result.item, livemode) : result.item,
	);
	const { outputs, waitFor } = routeItems(results, settled, duplicates);
	if (waitFor.length === 0) return outputs;

	rememberWaiting(this, outputs, { waitId: randomUUID(), waitFor, sentFromMs, livemode });
	await this.putExecutionToWait(new Date(Date.now() + limitMs));
	return outputs;
};
