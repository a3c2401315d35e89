/**
 * The delivery statuses, defined once: the normalized statuses of docs/CONTRACT.md, which of them
 * are `final` (the event field the trigger emits: smsroute will report nothing else), and which
 * end a Send and Wait for Delivery's wait, on which output (`endsWaitOn`). Not the same set:
 * `undelivered` is not final but ends a wait. smsRoute/normalize.ts, sendCloud/normalize.ts, the trigger's relay and the
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
	endsWaitOn: Outcome | null;
}

const STATUSES = {
	queued: { final: false, endsWaitOn: null },
	sent: { final: false, endsWaitOn: null },
	delivered: { final: true, endsWaitOn: 'delivered' },
	failed: { final: true, endsWaitOn: 'notDelivered' },
	// smsroute's temporary failure: not `final`, since smsroute may retry and still report
	// `delivered` later; but the wait ends on it (Not Delivered), because a workflow waiting for
	// delivery has to act on the failure now (another channel, a resend) rather than at the limit.
	undelivered: { final: false, endsWaitOn: 'notDelivered' },
	suppressed: { final: true, endsWaitOn: 'notDelivered' },
	requested: { final: false, endsWaitOn: null },
	replied: { final: false, endsWaitOn: null },
	template_verify: { final: false, endsWaitOn: null },
} as const satisfies Record<string, StatusDefinition>;

export type NormalizedStatus = keyof typeof STATUSES;

/** The event's `final` field: delivered, failed and suppressed. */
export function isFinal(status: NormalizedStatus): boolean {
	return STATUSES[status].final;
}

/**
 * The output a wait ends on for this status, or null when it keeps waiting (the message is still
 * on its way). Not `isFinal`: an `undelivered` message ends the wait on Not Delivered.
 */
export function endsWaitOn(status: unknown): Outcome | null {
	if (typeof status !== 'string') return null;
	const definition: StatusDefinition | undefined = ownValue(STATUSES, status);
	return definition?.endsWaitOn ?? null;
}
