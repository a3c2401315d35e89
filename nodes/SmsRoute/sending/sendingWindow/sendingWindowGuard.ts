import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { messageSummary } from '../outputItems';
import { invalid, type OutgoingMessage } from '../outgoingMessage';
import type { ParameterReader } from '../parameterReader';
import { judge, parseWindow, zoneClock, type DailyWindow, type WindowVerdict } from './windowClock';
import { timeZonesForNumber } from './recipientZones';
import { readTimeZoneName } from './timeZoneName';

/** Send and Send in Bulk only: Send and Wait's item must end in a delivery outcome. */
const OPERATIONS = ['send', 'sendBulk'];

/** Read per item by guards/guardrails.ts (a `{{ $json.timeZone }}` override differs by item). */
export const SENDING_WINDOW_OPTIONS = ['sendingWindow', 'sendingWindowTimeZone'] as const;

/**
 * The two entries of the Guardrails collection (the window and its time-zone override), which
 * actions/message/guardFields.ts adds on Send and Send in Bulk.
 */
export const sendingWindowOptions: INodeProperties[] = [
	{
		displayName: 'Sending Window',
		name: 'sendingWindow',
		type: 'string',
		default: '08:00-21:00',
		placeholder: '08:00-21:00',
		description:
			'The hours in which sending IS allowed (HH:MM-HH:MM), in the recipient\'s local time: the zones of the number, or Sending Window Time Zone. Outside it (the quiet hours) the item is not sent: it comes out with status "deferred" and sendAfter, the next moment the window opens. A number with several zones must be inside in all of them.',
		hint: 'When sending is allowed: 08:00-21:00 sends in the daytime. A start after the end crosses midnight, so 21:00-08:00 sends only at night. Judged when the node runs.',
	},
	{
		displayName: 'Sending Window Time Zone',
		name: 'sendingWindowTimeZone',
		type: 'string',
		default: '',
		placeholder: 'e.g. America/Chicago or {{ $json.timeZone }}',
		description:
			"IANA time zone (Area/City, such as America/New_York; links such as US/Eastern work too) that wins over the number's zones, e.g. from a CRM field. Abbreviations (EST, PST, BST) and Etc/GMT+5 are refused: they do not follow a place's clock changes. Empty: the zones of the number.",
	},
];

interface Judgement {
	window: DailyWindow;
	zones: readonly string[];
	verdict: Exclude<WindowVerdict, { never: true }>;
	/** The Sending Window Time Zone the item gave, when it gave one. */
	override?: string;
}

/** A zone set whose windows never overlap: an error for each item that has it. */
type Judged = Judgement | { never: true; window: DailyWindow; zones: readonly string[] };

/**
 * One run's judgements: `now` is taken once, so every item is judged at the same instant, and
 * each judgement is kept per window and zone set, keyed by the table's own (shared, frozen)
 * zone list for a number, by the name given for an override. One lookup per item, nothing built.
 */
class WindowJudge {
	private readonly windows = new Map<string, DailyWindow | string>();
	private readonly byZones = new Map<DailyWindow, Map<readonly string[], Judged>>();
	private readonly byOverride = new Map<DailyWindow, Map<string, Judged | string>>();

	constructor(private readonly now: number) {}

	/** The window a Sending Window value gives, or why it is not one. */
	window(text: unknown): DailyWindow | string {
		let window = typeof text === 'string' ? this.windows.get(text) : undefined;
		if (window === undefined) {
			window = parseWindow(text);
			if (typeof text === 'string') this.windows.set(text, window);
		}
		return window;
	}

	/** The judgement in a zone the user named, or why the name is refused. */
	inNamedZone(window: DailyWindow, override: string): Judged | string {
		let known = this.byOverride.get(window);
		if (!known) this.byOverride.set(window, (known = new Map()));
		let entry = known.get(override);
		if (entry === undefined) {
			// Intl's check builds a formatter (tens of µs): once per distinct zone name.
			const name = readTimeZoneName(override);
			entry = 'zone' in name ? this.judged(window, [name.zone], override) : name.problem;
			known.set(override, entry);
		}
		return entry;
	}

	/** The judgement in a number's zones (from recipientZones.ts). */
	inZones(window: DailyWindow, zones: readonly string[]): Judged {
		let known = this.byZones.get(window);
		if (!known) this.byZones.set(window, (known = new Map()));
		let entry = known.get(zones);
		if (entry === undefined) {
			entry = this.judged(window, zones);
			known.set(zones, entry);
		}
		return entry;
	}

	private judged(window: DailyWindow, zones: readonly string[], override?: string): Judged {
		const verdict = judge(window, zones.map(zoneClock), this.now);
		return 'never' in verdict
			? { never: true, window, zones }
			: { window, zones, verdict, ...(override ? { override } : {}) };
	}
}

/**
 * Whether the Sending Window's options were added, from the saved parameters: an expression
 * that gives null or '' for some item is a bad window, never "off". Undefined: not checked.
 */
function addedOptions(
	context: IExecuteFunctions,
): { windowAdded: boolean; zoneAdded: boolean } | undefined {
	if (!OPERATIONS.includes(String(context.getNodeParameter('operation', 0)))) return undefined;
	const saved = context.getNodeParameter(
		'guardrails',
		0,
		{},
		{
			rawExpressions: true,
		},
	) as IDataObject;
	const windowAdded = saved.sendingWindow !== undefined;
	const zoneAdded = saved.sendingWindowTimeZone !== undefined;
	return windowAdded || zoneAdded ? { windowAdded, zoneAdded } : undefined;
}

/** A message outside the window: not sent, with what the Wait loop needs to send it later. */
function deferredItem(
	message: OutgoingMessage,
	found: Judgement,
	sendAfter: string,
	dryRun: boolean,
): INodeExecutionData {
	return {
		json: {
			...(dryRun ? { dryRun: true } : {}),
			...messageSummary(message),
			status: 'deferred',
			sendAfter,
			sendingWindow: found.window.text,
			timeZones: [...found.zones],
			...(found.override ? { sendingWindowTimeZone: found.override } : {}),
			// What the Wait loop needs to send it later, with the same idempotency key.
			body: message.body,
			...(message.from ? { from: message.from } : {}),
			...(message.metadata ? { metadata: message.metadata } : {}),
		},
		pairedItem: { item: message.itemIndex },
	};
}

/**
 * The Sending Window check of one run (judgements shared through a WindowJudge: a 100,000-row
 * bulk has a few dozen, so an item costs a zone lookup and two map reads).
 * `guardrails` reads the window's two entries of the Guardrails collection per item (each field
 * on its own, a `{{ $json.timeZone }}` override straight from the items).
 * Returns, per message, undefined to send it, or its "deferred" item.
 */
export function sendingWindowGuard(
	context: IExecuteFunctions,
	guardrails: ParameterReader,
): (message: OutgoingMessage) => INodeExecutionData | undefined {
	const added = addedOptions(context);
	if (!added) return () => undefined;
	const dryRun = context.getNodeParameter('options.dryRun', 0, false) === true;
	const judgeOf = new WindowJudge(Date.now());

	function judgement(message: OutgoingMessage): Judgement {
		// The error item names the message (to, key), as the guards' refusals do.
		const refuse = (field: string, problem: string) =>
			invalid(context, message.itemIndex, field, problem, messageSummary(message));
		const given = guardrails(message.itemIndex) as IDataObject | undefined;
		const rawZone = given?.sendingWindowTimeZone;
		const override = rawZone === undefined || rawZone === null ? '' : String(rawZone).trim();
		if (!added?.windowAdded) {
			throw refuse(
				'Sending Window Time Zone',
				'is set but Sending Window is not: add the Sending Window guardrail with its window, or remove the time zone',
			);
		}
		const window = judgeOf.window(given?.sendingWindow);
		if (typeof window === 'string') throw refuse('Sending Window', window);
		let found: Judged | string;
		if (override) {
			found = judgeOf.inNamedZone(window, override);
			// Refused on the item, never judged: Intl's reading of EST or Etc/GMT+5 sends at the
			// wrong hour for half the year.
			if (typeof found === 'string') throw refuse('Sending Window Time Zone', found);
		} else {
			const zones = timeZonesForNumber(message.to);
			if (zones.length === 0) {
				throw refuse(
					'To',
					`has no time zone in libphonenumber's map (got "${message.to}"), so the Sending Window cannot be judged: give one in Sending Window Time Zone`,
				);
			}
			found = judgeOf.inZones(window, zones);
		}
		if ('never' in found) {
			throw refuse(
				'Sending Window',
				`${found.window.text} is never open in all of the number's time zones at once (${found.zones.join(', ')}): give the recipient's zone in Sending Window Time Zone`,
			);
		}
		return found;
	}

	return (message) => {
		const found = judgement(message);
		if (found.verdict.send) return undefined;
		return deferredItem(message, found, found.verdict.sendAfter, dryRun);
	};
}
