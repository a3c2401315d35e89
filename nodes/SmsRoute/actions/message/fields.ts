import type { INodeProperties } from 'n8n-workflow';

import { requestOptions } from '../options';

/** Field definitions several message operations share; each operation picks its own. */

/** Shows `properties` for one operation of the message resource only (as n8n's updateDisplayOptions). */
export function forOperation(operation: string, properties: INodeProperties[]): INodeProperties[] {
	const show = { resource: ['message'], operation: [operation] };
	return properties.map((property) => ({ ...property, displayOptions: { show } }));
}

/** The Options collection, its entries in alphabetical order as n8n's editor lists them. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [...options].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** To, Body and Additional Fields: one message per item. */
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
	},
	{
		displayName: 'Body',
		name: 'body',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 3 },
		description:
			'Message text. Over 160 GSM-7 characters (70 with emoji or non-Latin text) it is split into several SMS, each charged.',
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
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
];

/** How a message is checked and encoded before it is sent (Options). */
export const messageOptions: INodeProperties[] = [
	{
		displayName: 'Campaign ID',
		name: 'campaignId',
		type: 'string',
		default: '',
		placeholder: 'e.g. newsletter-2026-12',
		description:
			'Names the campaign so running the workflow again resends nothing that already went out: each automatic idempotency key is made from this ID and the message (to, body, from, metadata) instead of the execution. Two identical messages in one campaign are sent once; the second comes out with duplicateOf. An Idempotency Key you set still wins.',
		hint: "smsroute remembers keys for 24 hours: a re-run after that sends again. Keep your own record by writing the output's id and idempotencyKey to a sheet or Data Table.",
	},
	{
		displayName: 'Default Country',
		name: 'defaultCountry',
		type: 'string',
		default: '',
		placeholder: 'e.g. GB',
		description:
			"Two-letter country code (ISO 3166-1 alpha-2) for numbers written without +. National numbers (07700 900123, (201) 555-0123), numbers missing their leading 0, 00/international-prefix numbers and country codes without + become E.164 by that country's numbering plan. Empty: every number must be E.164.",
		hint: 'A number that reads two valid ways is an error item, never a guess. The output shows what was sent (to) and what came in (toInput).',
	},
	{
		displayName: 'Max Segments',
		name: 'maxSegments',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Most SMS parts (credits) one message may take; a longer message is an error item naming its encoding, parts and the characters that forced UCS-2. Checked before anything is sent. 0 = no limit.',
	},
	{
		displayName: 'Smart Encoding',
		name: 'smartEncoding',
		type: 'boolean',
		default: false,
		description:
			'Whether to replace characters that have a GSM-7 look-alike (curly quotes, dashes, ellipsis, special spaces) when that keeps the message GSM-7: 160 characters a part instead of 70',
	},
];

export const dryRunOption: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description:
		'Whether to only check the items and estimate encoding and segments (credits), sending nothing',
};

/**
 * The Options of an operation that sends: its own entries first, then what every sending
 * operation shares (the message options), its extras, and the request options. The guards are
 * in their own collection (guardrailsCollection).
 */
export function sendingOptions(
	own: INodeProperties[],
	extras: INodeProperties[] = [],
): INodeProperties {
	return optionsCollection([...own, ...messageOptions, ...extras, ...requestOptions]);
}
