import type { INodeProperties } from 'n8n-workflow';

type Mode = 'smsroute' | 'sendcloud';

/** Where `npm start` runs the smsroute sandbox (test/sandbox/server.js, SMSROUTE_SANDBOX_PORT). */
export const DEFAULT_SANDBOX_URL = 'http://127.0.0.1:5055';

/** Stands for the Test URL in the notice: the editor shows it above, only the user can paste it. */
export const TEST_URL_PLACEHOLDER = 'PASTE_THE_TEST_URL';

/**
 * The one sandbox call that sends a signed event of one provider to a trigger URL. "Listen for
 * test event" otherwise waits for a request that nobody sends. The same text is in the notice,
 * the README and npm start's banner, so a user can copy it from wherever they are.
 */
export function testEventCommand(
	mode: Mode,
	url = TEST_URL_PLACEHOLDER,
	sandboxUrl = DEFAULT_SANDBOX_URL,
): string {
	const body = JSON.stringify({ mode, status: 'delivered', url });
	return `curl -X POST ${sandboxUrl}/__sandbox/webhooks/emit -H 'content-type: application/json' -d '${body}'`;
}

const SIGNED_WITH: Record<Mode, string> = {
	smsroute: 'a smsroute webhook signed with the sandbox test key (credential "SMS Route sandbox")',
	sendcloud:
		'a SendCloud SMSHook callback signed with the sandbox app key (credential "SendCloud SMSHook sandbox")',
};

/** A notice shown for the providers whose test event it describes. */
export function testEventNotice(mode: Mode, providers: string[]): INodeProperties {
	return {
		displayName: `Test event: start listening ("Execute step" or "Listen for test event"), copy the Test URL above, and with npm start (the package's development setup) run: ${testEventCommand(mode)} with the Test URL in place of ${TEST_URL_PLACEHOLDER}. The sandbox sends ${SIGNED_WITH[mode]}; "status" may also be "failed" or "undelivered".`,
		name: mode === 'smsroute' ? 'testEventNotice' : 'testEventNoticeSendCloud',
		type: 'notice',
		default: '',
		displayOptions: { show: { provider: providers } },
	};
}
