import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isFirstOutputOnlyEngine } from '../shared/n8nInternals';
import { MAX_WAIT_MESSAGES } from './description';

/** Refused before anything is sent: an n8n that cannot resume on three outputs, too many items. */
export function refuseUnsupported(context: IExecuteFunctions, itemCount: number): void {
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
