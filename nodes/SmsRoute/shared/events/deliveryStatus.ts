/**
 * The delivery statuses, defined once: the normalized statuses of docs/CONTRACT.md, which of them
 * are `final` (the event field the trigger emits), and where each leaves a message waited for by
 * Send and Wait for Delivery. smsRoute/normalize.ts, sendCloud/normalize.ts, the trigger's relay and the
 * wait all read this table.
 */

import { ownValue } from '../objects';

/**
 * Where a waited-for message leaves Send and Wait for Delivery; the output each names, and when
 * a message leaves on it: waitForDelivery/outputDecision.ts.
 */
export type Outcome = 'delivered' | 'notDelivered' | 'timedOut';

interface StatusDefinition {
	/** The event's public `final` field (docs/CONTRACT.md). */
	final: boolean;
	/** The output a wait ends on for this status; null keeps it waiting. */
	outcome: Outcome | null;
}

const STATUSES = {
	queued: { final: false, outcome: null },
	sent: { final: false, outcome: null },
	delivered: { final: true, outcome: 'delivered' },
	failed: { final: true, outcome: 'notDelivered' },
	// smsroute's temporary failure: not `final`, since smsroute may retry and still report
	// `delivered` later; but the wait ends on it (Not Delivered), because a workflow waiting for
	// delivery has to act on the failure now (another channel, a resend) rather than at the limit.
	undelivered: { final: false, outcome: 'notDelivered' },
	suppressed: { final: true, outcome: 'notDelivered' },
	requested: { final: false, outcome: null },
	replied: { final: false, outcome: null },
	template_verify: { final: false, outcome: null },
} as const satisfies Record<string, StatusDefinition>;

export type NormalizedStatus = keyof typeof STATUSES;

/** The event's `final` field: delivered, failed and suppressed. */
export function isFinal(status: NormalizedStatus): boolean {
	return STATUSES[status].final;
}

/** Where a wait ends for this status, or null when the message is still on its way. */
export function outcomeOf(status: unknown): Outcome | null {
	if (typeof status !== 'string') return null;
	const definition: StatusDefinition | undefined = ownValue(STATUSES, status);
	return definition?.outcome ?? null;
}
