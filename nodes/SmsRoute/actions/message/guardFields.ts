import type { INodeProperties } from 'n8n-workflow';

import { COUNTRY_PLANS } from '../../sending/numbers/countryTable';
import { NUMBER_TYPE_LABELS, countryLabel } from '../../sending/guards/messageChecks';
import type { PhoneNumberType } from '../../sending/numbers/phoneNumber';
import { sendingWindowOptions } from '../../sending/sendingWindow/sendingWindowGuard';

/**
 * The Guardrails as the editor shows them, the Sending Window's entries included, so an operation
 * imports only guardrailsCollection; sending/guards/guardrails.ts reads and judges them.
 */

const countryOptions = Object.keys(COUNTRY_PLANS)
	.map((code) => ({ name: countryLabel(code), value: code }))
	.sort((a, b) => a.name.localeCompare(b.name));

const numberTypeOptions = (Object.keys(NUMBER_TYPE_LABELS) as PhoneNumberType[])
	.map((type) => ({
		name: NUMBER_TYPE_LABELS[type].replace(/^./, (c) => c.toUpperCase()),
		value: type,
	}))
	.sort((a, b) => a.name.localeCompare(b.name));

/** Send, Send in Bulk and Send and Wait: where a message may go and how many may. */
export const guardOptions: INodeProperties[] = [
	{
		displayName: 'Allowed Countries',
		name: 'allowedCountries',
		type: 'multiOptions',
		options: countryOptions,
		default: [],
		description:
			'Countries messages may go to; a number anywhere else is an error item naming it and its country, and nothing is sent for it. Empty: every country.',
		hint: "Regions as libphonenumber draws them: US does not include Puerto Rico, Guam or the US Virgin Islands (PR, GU, VI, all +1); GB does not include Guernsey, Jersey or the Isle of Man (GG, JE, IM), so +44 7911 123456 (Guernsey) is refused under GB. Dry Run shows each number's region.",
	},
	{
		displayName: 'Block Number Types',
		name: 'blockNumberTypes',
		type: 'multiOptions',
		options: numberTypeOptions,
		// BLOCKED_BY_DEFAULT, written out for the editor's linter.
		default: ['premiumRate', 'sharedCost'],
		description:
			'Number types never sent to (by libphonenumber metadata); such a number is an error item naming its type. Nodes added since version 0.3.0 block premium rate and shared cost unless this option says otherwise.',
	},
	{
		displayName: 'Do Not Send To',
		name: 'doNotSendTo',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: "={{ $('Opt-outs').all().map(i => i.json.phone) }}",
		description:
			'Numbers never sent to (opt-outs): a list from an expression, or text with one number per line or comma-separated, read with the same Default Country. A listed recipient comes out with status "skipped" and skipReason "doNotSendTo".',
	},
	{
		displayName: 'Max Messages per Execution',
		name: 'maxMessagesPerExecution',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Most messages this node may send in one execution, all its runs counted (a loop runs it several times). A run that would go over is refused before anything is sent. 0 = no limit.',
		hint: 'Each Execute Workflow call is an execution of its own, with its own count: a sub-workflow called 10 times may send 10 times the cap. For one cap over all of them, send from the calling workflow (docs/guardrails.md).',
	},
];

/**
 * The Guardrails collection of a sending operation: the guards, and with `sendingWindow` the
 * Sending Window and its time zone (Send and Send in Bulk; Send and Wait's items must reach a
 * delivery outcome). Newer than Options (CHANGELOG), so no saved workflow has them there.
 */
export function guardrailsCollection({
	sendingWindow = false,
}: { sendingWindow?: boolean } = {}): INodeProperties {
	const extras = sendingWindow ? sendingWindowOptions : [];
	return {
		displayName: 'Guardrails',
		name: 'guardrails',
		type: 'collection',
		placeholder: 'Add Guardrail',
		default: {},
		description:
			'Checks that keep an SMS from going where you did not mean it to go: countries, number types, opt-outs, a cap per execution and the hours it may be sent. Checked on every item before anything is sent.',
		options: [...guardOptions, ...extras].sort((a, b) =>
			a.displayName.localeCompare(b.displayName),
		),
	};
}
