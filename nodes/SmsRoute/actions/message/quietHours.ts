import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { messageSummary } from '../../helpers/itemResults';
import { invalid, type OutgoingMessage } from '../../helpers/outgoingMessage';
import type { ParameterReader } from '../../helpers/parameterReader';
import {
	checkTimeZone,
	judge,
	parseWindow,
	timeZonesForNumber,
	zoneClock,
	type QuietHoursVerdict,
	type QuietHoursWindow,
} from '../../helpers/quietHours';

/** Send and Send in Bulk only: Send and Wait's item must end in a delivery outcome. */
const OPERATIONS = ['send', 'sendBulk'];

/** The names prepareMessages reads per item (a `{{ $json.timeZone }}` override differs by item). */
export const QUIET_HOURS_OPTIONS = ['quietHours', 'quietHoursTimeZone'] as const;

/** The two entries of the Options collection (its name and its override). */
export const quietHoursOptions: INodeProperties[] = [
	{
		displayName: 'Quiet Hours',
		name: 'quietHours',
		type: 'string',
		default: '08:00-21:00',
		placeholder: '08:00-21:00',
		description:
			'Daily window (HH:MM-HH:MM) in which a message may go out, in the recipient\'s local time zone from the number (or Quiet Hours Time Zone). Outside it the item is not sent: it comes out with status "deferred" and sendAfter, the next moment the window opens. A number with several zones must be inside in all of them.',
		hint: 'A start after the end crosses midnight: 21:00-08:00 allows the night. Judged when the node runs.',
	},
	{
		displayName: 'Quiet Hours Time Zone',
		name: 'quietHoursTimeZone',
		type: 'string',
		default: '',
		placeholder: 'e.g. America/Chicago or {{ $json.timeZone }}',
		description:
			"IANA time zone that wins over the number's zones for Quiet Hours, e.g. from a CRM field. Empty: the zones of the number.",
	},
];

interface Judgement {
	window: QuietHoursWindow;
	zones: readonly string[];
	verdict: Exclude<QuietHoursVerdict, { never: true }>;
	/** The Quiet Hours Time Zone the item gave, when it gave one. */
	override?: string;
}

/**
 * The Quiet Hours check of one run: `now` is taken once, so every item is judged at the same
 * instant, and each verdict is kept per window and zones (a 100,000-row bulk has a few dozen).
 * `options` is the run's reader of the Options collection (the one the message was read with:
 * each field read on its own, a `{{ $json.timeZone }}` override straight from the items).
 * Returns, per message, undefined to send it, or its "deferred" item.
 */
export function quietHoursGuard(
	context: IExecuteFunctions,
	options: ParameterReader,
): (message: OutgoingMessage) => INodeExecutionData | undefined {
	if (!OPERATIONS.includes(String(context.getNodeParameter('operation', 0))))
		return () => undefined;
	// Whether the options were added, from the saved parameters: an expression that gives
	// null or '' for some item is a bad window, never "off".
	const saved = context.getNodeParameter('options', 0, {}, { rawExpressions: true }) as IDataObject;
	const windowAdded = saved.quietHours !== undefined;
	const zoneAdded = saved.quietHoursTimeZone !== undefined;
	if (!windowAdded && !zoneAdded) return () => undefined;
	const given = (itemIndex: number) => (options(itemIndex) ?? {}) as IDataObject;
	const dryRun = context.getNodeParameter('options.dryRun', 0, false) === true;
	const now = Date.now();
	const windows = new Map<string, QuietHoursWindow | string>();
	const verdicts = new Map<string, QuietHoursVerdict>();
	const checkedZones = new Map<string, string>();

	function judgement(message: OutgoingMessage): Judgement {
		const { itemIndex } = message;
		const rawZone = given(itemIndex).quietHoursTimeZone;
		const override = rawZone === undefined || rawZone === null ? '' : String(rawZone).trim();
		if (!windowAdded) {
			throw invalid(
				context,
				itemIndex,
				'Quiet Hours Time Zone',
				'is set but Quiet Hours is not: add the Quiet Hours option with its window, or remove the time zone',
			);
		}
		const text = given(itemIndex).quietHours;
		let window = typeof text === 'string' ? windows.get(text) : undefined;
		if (window === undefined) {
			window = parseWindow(text);
			if (typeof text === 'string') windows.set(text, window);
		}
		if (typeof window === 'string') throw invalid(context, itemIndex, 'Quiet Hours', window);

		let zones: readonly string[];
		if (override) {
			// Intl's check builds a formatter (tens of µs): once per distinct zone name.
			let zone = checkedZones.get(override);
			if (zone === undefined) {
				zone = checkTimeZone(override) ?? '';
				checkedZones.set(override, zone);
			}
			if (!zone) {
				throw invalid(
					context,
					itemIndex,
					'Quiet Hours Time Zone',
					`must be an IANA time zone like Europe/Berlin or America/New_York (got "${override}")`,
				);
			}
			zones = [zone];
		} else {
			zones = timeZonesForNumber(message.to);
			if (zones.length === 0) {
				throw invalid(
					context,
					itemIndex,
					'To',
					`has no time zone in libphonenumber's map (got "${message.to}"), so Quiet Hours cannot be judged: give one in Quiet Hours Time Zone`,
				);
			}
		}
		const key = `${window.text} ${zones.join(' ')}`;
		let verdict = verdicts.get(key);
		if (!verdict) {
			verdict = judge(window, zones.map(zoneClock), now);
			verdicts.set(key, verdict);
		}
		if ('never' in verdict) {
			throw invalid(
				context,
				itemIndex,
				'Quiet Hours',
				`${window.text} is never open in all of the number's time zones at once (${zones.join(', ')}): give the recipient's zone in Quiet Hours Time Zone`,
			);
		}
		return { window, zones, verdict, ...(override ? { override } : {}) };
	}

	return (message) => {
		const found = judgement(message);
		if (found.verdict.send) return undefined;
		return {
			json: {
				...(dryRun ? { dryRun: true } : {}),
				...messageSummary(message),
				status: 'deferred',
				sendAfter: found.verdict.sendAfter,
				quietHours: found.window.text,
				timeZones: [...found.zones],
				...(found.override ? { quietHoursTimeZone: found.override } : {}),
				// What the Wait loop needs to send it later, with the same idempotency key.
				body: message.body,
				...(message.from ? { from: message.from } : {}),
				...(message.metadata ? { metadata: message.metadata } : {}),
			},
			pairedItem: { item: message.itemIndex },
		};
	};
}
