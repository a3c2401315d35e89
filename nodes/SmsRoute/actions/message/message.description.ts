import type { INodeProperties } from 'n8n-workflow';

import { waitOptions } from '../../waitForDelivery/description';

const SENDING = { resource: ['message'], operation: ['send', 'sendBulk', 'sendAndWait'] };

export const messageOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['message'] } },
	options: [
		{
			name: 'Get Status',
			value: 'get',
			action: 'Get a message and its delivery status',
			description: 'Look up one message by its ID and see its current delivery status',
		},
		{
			name: 'Send',
			value: 'send',
			action: 'Send an SMS',
			description: 'One request per item, several in flight at once',
		},
		{
			name: 'Send and Wait for Delivery',
			value: 'sendAndWait',
			action: 'Send an SMS and wait for delivery',
			description:
				'Send up to 100 messages, then pause until each is delivered or not, or the time limit. Needs an active SMS Route Trigger.',
		},
		{
			name: 'Send in Bulk',
			value: 'sendBulk',
			action: 'Send SMS in bulk',
			description: 'All items through the bulk endpoint, in chunks of up to 1,000',
		},
	],
	default: 'send',
};

export const messageFields: INodeProperties[] = [
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+15551234567',
		description:
			'Recipient in E.164 format; spaces, dashes and brackets are removed. With the Default Country option, national numbers work too.',
		hint: 'With a test key, +15005550001 is delivered, +15005550002 fails and +15005550003 is undelivered. No real SMS is sent.',
		displayOptions: { show: SENDING },
	},
	{
		displayName: 'Body',
		name: 'body',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 3 },
		description: 'Message text. Over 160 GSM-7 characters (70 with emoji or non-Latin text) it is split into several SMS, each charged.',
		displayOptions: { show: SENDING },
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: SENDING },
		options: [
			{
				displayName: 'From',
				name: 'from',
				type: 'string',
				default: '',
				description: 'Sender ID or number, where your smsroute account allows one',
			},
			{
				displayName: 'Idempotency Key',
				name: 'idempotencyKey',
				type: 'string',
				default: '',
				placeholder: '={{ $json.orderId }}',
				description:
					'Same key within 24 hours = same message, sent and charged once. Leave empty for a key made from the workflow, execution, item and message, reused on every retry.',
			},
			{
				displayName: 'Metadata',
				name: 'metadata',
				type: 'json',
				default: '{}',
				description: 'A JSON object stored with the message and returned in delivery events',
				hint: 'Type JSON, or switch to Expression for values from the input: {{ { orderId: $json.orderId } }}. JSON text from an expression works too.',
			},
		],
	},
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'msg_1a2b3c4d5e6f7g8h',
		description: 'The ID returned when the message was sent',
		displayOptions: { show: { resource: ['message'], operation: ['get'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				displayName: 'Chunk Size',
				name: 'chunkSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1000 },
				default: 1000,
				description: 'Messages per bulk request (smsroute takes at most 1,000)',
				displayOptions: { show: { '/operation': ['sendBulk'] } },
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 5,
				description:
					'Requests (Send, Get Status) or bulk chunks (Send in Bulk) in flight at once. Without this option: 10 requests, or 5 chunks.',
			},
			{
				displayName: 'Default Country',
				name: 'defaultCountry',
				type: 'string',
				default: '',
				placeholder: 'e.g. GB',
				description:
					'Two-letter country code (ISO 3166-1 alpha-2) for numbers written without +. National numbers (07700 900123, (201) 555-0123), numbers missing their leading 0, 00/international-prefix numbers and country codes without + become E.164 by that country\'s numbering plan. Empty: every number must be E.164.',
				hint: 'A number that reads two valid ways is an error item, never a guess. The output shows what was sent (to) and what came in (toInput).',
				displayOptions: { show: { '/operation': ['send', 'sendBulk', 'sendAndWait'] } },
			},
			{
				displayName: 'Dry Run',
				name: 'dryRun',
				type: 'boolean',
				default: false,
				description:
					'Whether to only check the items and estimate encoding and segments (credits), sending nothing',
				displayOptions: { show: { '/operation': ['send', 'sendBulk'] } },
			},
			...waitOptions,
			{
				displayName: 'Longest Wait (Seconds)',
				name: 'maxRetryWaitSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description:
					'Longest pause before a retry. A rate limit (429) asking for longer fails the item with a clear error.',
			},
			{
				displayName: 'Max Attempts',
				name: 'maxAttempts',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 20 },
				default: 5,
				description:
					'Attempts per request on 429, 5xx, timeouts and dropped connections (400, 401, 402 and 404 are never retried)',
			},
			{
				displayName: 'Max Segments',
				name: 'maxSegments',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'Most SMS parts (credits) one message may take; a longer message is an error item naming its encoding, parts and the characters that forced UCS-2. Checked before anything is sent. 0 = no limit.',
				displayOptions: { show: { '/operation': ['send', 'sendBulk', 'sendAndWait'] } },
			},
			{
				displayName: 'Smart Encoding',
				name: 'smartEncoding',
				type: 'boolean',
				default: false,
				description:
					'Whether to replace characters that have a GSM-7 look-alike (curly quotes, dashes, ellipsis, special spaces) when that keeps the message GSM-7: 160 characters a part instead of 70',
				displayOptions: { show: { '/operation': ['send', 'sendBulk', 'sendAndWait'] } },
			},
			{
				displayName: 'Timeout (Seconds)',
				name: 'timeoutSeconds',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 30,
				description: 'Longest time one attempt may take, whole response included, before it is retried',
			},
		],
	},
];
