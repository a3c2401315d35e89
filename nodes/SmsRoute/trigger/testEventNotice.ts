import type { INodeProperties } from 'n8n-workflow';

type Mode = 'smsroute' | 'sendcloud';

/**
 * smsroute's test-mode numbers (its docs): with an sk_test_ key nothing is sent or charged, and
 * a message to one of these ends with this status, its webhooks fired like live ones.
 */
export const TEST_NUMBERS = {
	delivered: '+15005550001',
	failed: '+15005550002',
	undelivered: '+15005550003',
} as const;

// "Execute step" is n8n 2.x's label, "Listen for test event" n8n 1.x's. n8n keeps listening
// until a request starts an execution: a filtered event or SendCloud's GET check does not end it.
const LISTEN =
	'Click "Execute step" ("Listen for test event" in n8n 1.x) and copy the Test URL above';

const TEXT: Record<Mode, string> = {
	smsroute: `Test with your smsroute account: give the SMS Route API credential your test key (sk_test_…; test mode sends no SMS and charges nothing). ${LISTEN}, paste it as the webhook URL in the smsroute dashboard, then send an SMS to ${TEST_NUMBERS.delivered} with that key (e.g. an SMS Route node, Send). smsroute signs its events with the key and this trigger receives them: first "sent", then "delivered" (set Events to Delivered to wait for that one). ${TEST_NUMBERS.failed} ends "failed", ${TEST_NUMBERS.undelivered} "undelivered". Put the Production URL back in the dashboard afterwards.`,
	sendcloud: `Test with your SendCloud account: ${LISTEN}, enter it in the SendCloud dashboard under SMSHook (choose the events, save; SendCloud's GET check of the URL is answered and keeps the test listening), then send an SMS through SendCloud. Its callback, signed with your app key, starts the test run. Put the Production URL back in SMSHook afterwards.`,
};

/** A notice shown for the providers whose test event it describes. */
export function testEventNotice(mode: Mode, providers: string[]): INodeProperties {
	return {
		displayName: TEXT[mode],
		name: mode === 'smsroute' ? 'testEventNotice' : 'testEventNoticeSendCloud',
		type: 'notice',
		default: '',
		displayOptions: { show: { provider: providers } },
	};
}
