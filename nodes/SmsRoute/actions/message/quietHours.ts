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

/** A zone set whose windows never overlap: an error for each item that has it. */
type Judged = Judgement | { never: true; window: QuietHoursWindow; zones: readonly string[] };

/**
 * The Quiet Hours check of one run: `now` is taken once, so every item is judged at the same
 * instant, and each judgement is kept per window and zone set (a 100,000-row bulk has a few
 * dozen), so an item costs a zone lookup and two map reads.
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
	const dryRun = context.getNodeParameter('options.dryRun', 0, false) === true;
	const now = Date.now();
	const windows = new Map<string, QuietHoursWindow | string>();
	// Per window, the judgement of each zone set: keyed by the table's own (shared, frozen) zone
	// list for a number, by the name given for an override. One lookup per item, nothing built.
	const byZones = new Map<QuietHoursWindow, Map<readonly string[], Judged>>();
	const byOverride = new Map<QuietHoursWindow, Map<string, Judged | string>>();

	function judged(window: QuietHoursWindow, zones: readonly string[], override?: string): Judged {
		const verdict = judge(window, zones.map(zoneClock), now);
		return 'never' in verdict
			? { never: true, window, zones }
			: { window, zones, verdict, ...(override ? { override } : {}) };
	}

	function judgement(message: OutgoingMessage): Judgement {
		const { itemIndex } = message;
		const given = options(itemIndex) as IDataObject | undefined;
		const rawZone = given?.quietHoursTimeZone;
		const override = rawZone === undefined || rawZone === null ? '' : String(rawZone).trim();
		if (!windowAdded) {
			throw invalid(
				context,
				itemIndex,
				'Quiet Hours Time Zone',
				'is set but Quiet Hours is not: add the Quiet Hours option with its window, or remove the time zone',
			);
		}
		const text = given?.quietHours;
		let window = typeof text === 'string' ? windows.get(text) : undefined;
		if (window === undefined) {
			window = parseWindow(text);
			if (typeof text === 'string') windows.set(text, window);
		}
		if (typeof window === 'string') throw invalid(context, itemIndex, 'Quiet Hours', window);

		let found: Judged;
		if (override) {
			let known = byOverride.get(window);
			if (!known) byOverride.set(window, (known = new Map()));
			let entry = known.get(override);
			if (entry === undefined) {
				// Intl's check builds a formatter (tens of µs): once per distinct zone name.
				const zone = checkTimeZone(override);
				entry = zone ? judged(window, [zone], override) : '';
				known.set(override, entry);
			}
			if (typeof entry === 'string') {
				throw invalid(
					context,
					itemIndex,
					'Quiet Hours Time Zone',
					`must be an IANA time zone like Europe/Berlin or America/New_York (got "${override}")`,
				);
			}
			found = entry;
		} else {
			const zones = timeZonesForNumber(message.to);
			if (zones.length === 0) {
				throw invalid(
					context,
					itemIndex,
					'To',
					`has no time zone in libphonenumber's map (got "${message.to}"), so Quiet Hours cannot be judged: give one in Quiet Hours Time Zone`,
				);
			}
			let known = byZones.get(window);
			if (!known) byZones.set(window, (known = new Map()));
			let entry = known.get(zones);
			if (entry === undefined) {
				entry = judged(window, zones);
				known.set(zones, entry);
			}
			found = entry;
		}
		if ('never' in found) {
			throw invalid(
				context,
				itemIndex,
				'Quiet Hours',
				`${found.window.text} is never open in all of the number's time zones at once (${found.zones.join(', ')}): give the recipient's zone in Quiet Hours Time Zone`,
			);
		}
		return found;
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
