import type { INodeProperties } from 'n8n-workflow';

import { NUMBER_TYPE_LABELS } from '../../sending/guards/messageChecks';
import { BLOCKED_BY_DEFAULT, GUARD_DEFAULTS_VERSION } from '../../sending/guards/guardSettings';

/**
 * As an AI agent's tool, the description the model reads. n8n adds a fixed one unless the node
 * has its own. This one says what this node's Guardrails actually do, so the agent does not try
 * numbers that will be refused nor expect a refusal that will not come: one property per node
 * version, since version 1 blocks no number type unless told to and 1.1 blocks two.
 */

// The collection as saved: its entries are not evaluated here, so a list given by an
// expression is a string and is described without its values.
const GUARDRAILS = '($parameter.guardrails || {})';

function sentences(blockedByDefault: readonly string[]): string[] {
	const labels = JSON.stringify(NUMBER_TYPE_LABELS);
	const blocked = `${GUARDRAILS}.blockNumberTypes === undefined ? ${JSON.stringify(blockedByDefault)} : ${GUARDRAILS}.blockNumberTypes`;
	return [
		"'Sends an SMS through smsroute to one phone number, written in international E.164 form (+ and the country code). '",
		`(Array.isArray(${GUARDRAILS}.allowedCountries) && ${GUARDRAILS}.allowedCountries.length ? 'It can only send to numbers in these countries (ISO codes, regions as libphonenumber draws them: US does not include Puerto Rico or Guam, GB does not include Guernsey, Jersey or the Isle of Man): ' + ${GUARDRAILS}.allowedCountries.join(', ') + '. Any other number is refused. ' : typeof ${GUARDRAILS}.allowedCountries === 'string' ? 'It can only send to the countries the node allows; any other number is refused. ' : '')`,
		`[${blocked}].map((types) => Array.isArray(types) ? (types.length ? 'Numbers of these types are refused: ' + types.map((type) => (${labels})[type] || type).join(', ') + '. ' : '') : 'Some number types may be refused. ')[0]`,
		`(${GUARDRAILS}.doNotSendTo ? 'A number on the opt-out list is skipped, not sent. ' : '')`,
		`(Number(${GUARDRAILS}.maxMessagesPerExecution) > 0 ? 'At most ' + ${GUARDRAILS}.maxMessagesPerExecution + ' messages per workflow execution; more are refused. ' : '')`,
		`(typeof ${GUARDRAILS}.sendingWindow === 'string' && ${GUARDRAILS}.sendingWindow ? 'A message is sent only inside its Sending Window (' + (${GUARDRAILS}.sendingWindow.startsWith('=') ? 'set per message' : ${GUARDRAILS}.sendingWindow) + ' in the recipient\\'s local time); outside it, it is not sent but comes back with status deferred and sendAfter. ' : '')`,
	];
}

function toolDescriptionFor(
	versions: INodeProperties['displayOptions'],
	blockedByDefault: readonly string[],
): INodeProperties {
	return {
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 3 },
		displayOptions: versions,
		default: `={{ ${sentences(blockedByDefault).join(' + ')} }}`,
		description:
			'Explain to the AI agent what this tool does. The default describes the Guardrails set on this node (countries, blocked number types, opt-outs, cap, Sending Window).',
	};
}

/** Only on the tool variant: version 1 blocks nothing by default, 1.1 premium rate and shared cost. */
export const toolDescriptions: INodeProperties[] = [
	toolDescriptionFor({ show: { '@tool': [true], '@version': [1] } }, []),
	toolDescriptionFor(
		{ show: { '@tool': [true], '@version': [{ _cnd: { gte: GUARD_DEFAULTS_VERSION } }] } },
		BLOCKED_BY_DEFAULT,
	),
];
