import { isFinal, endsWaitOn } from '../../../../../../nodes/SmsRoute/shared/events/deliveryStatus';

/** Every normalized status (docs/CONTRACT.md) and the output a wait ends on for it. */
const WAIT_OUTCOMES = {
	queued: null,
	sent: null,
	delivered: 'delivered',
	failed: 'notDelivered',
	undelivered: 'notDelivered',
	suppressed: 'notDelivered',
	requested: null,
	replied: null,
	template_verify: null,
} as const;
const ALL = Object.keys(WAIT_OUTCOMES) as Array<keyof typeof WAIT_OUTCOMES>;

describe('shared/events/deliveryStatus: one definition of final and of each outcome', () => {
	it('final is exactly delivered, failed and suppressed (docs/CONTRACT.md)', () => {
		expect(ALL.filter(isFinal)).toEqual(['delivered', 'failed', 'suppressed']);
	});

	it('a wait ends on every final status and on undelivered, nowhere else', () => {
		expect(Object.fromEntries(ALL.map((status) => [status, endsWaitOn(status)]))).toEqual(
			WAIT_OUTCOMES,
		);
	});

	it('names from a body never reach Object.prototype', () => {
		for (const name of ['constructor', '__proto__', 'toString', 42, null]) {
			expect(endsWaitOn(name)).toBeNull();
		}
	});
});
