import type { INodeProperties, IWebhookDescription } from 'n8n-workflow';

/** The pieces of the SMS Route node's description that Send and Wait for Delivery adds. */

export const SEND_AND_WAIT = 'sendAndWait';
export const MAX_WAIT_MESSAGES = 100;
export const DEFAULT_LIMIT_MINUTES = 30;
/** The outputs' names, in the order of OUTPUT (outputDecision.ts). */
export const OUTPUT_NAMES = ['Delivered', 'Not Delivered', 'Timed Out'] as const;

/**
 * Three outputs for Send and Wait, one for every other operation. An expression, like n8n's
 * Switch and If nodes, so saved workflows of the other operations keep their single output.
 */
const OUTPUTS = JSON.stringify(OUTPUT_NAMES.map((displayName) => ({ type: 'main', displayName })));
export const outputsExpression =
	`={{ $parameter["operation"] === "${SEND_AND_WAIT}" ? ${OUTPUTS} : ["main"] }}` as const;

/**
 * The resume URL n8n signs for the waiting node (`/webhook-waiting/<execution>/<node id>`), as
 * n8n's own send-and-wait nodes declare it. Only POST: relayed delivery events.
 */
export const resumeWebhooks: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		responseData: '',
		path: '={{ $nodeId }}',
		restartWebhook: true,
		isFullPath: true,
	},
];

/** Entries of Send and Wait's Options collection. */
export const waitOptions: INodeProperties[] = [
	{
		displayName: 'Limit Wait Time',
		name: 'limitWaitTime',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: DEFAULT_LIMIT_MINUTES,
		description:
			'How long to wait for the final statuses. Messages without one by then leave on Timed Out; follow with Get Status to look again.',
	},
	{
		displayName: 'Limit Wait Time Unit',
		name: 'limitWaitTimeUnit',
		type: 'options',
		options: [
			{ name: 'Seconds', value: 'seconds' },
			{ name: 'Minutes', value: 'minutes' },
			{ name: 'Hours', value: 'hours' },
			{ name: 'Days', value: 'days' },
		],
		default: 'minutes',
	},
];
