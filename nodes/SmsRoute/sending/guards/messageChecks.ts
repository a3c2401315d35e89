/**
 * Guardrails: checks a message must pass before it may be sent. Each check looks at one message
 * and returns a verdict: send (passes), refuse (an error item naming the item, the number and
 * why) or hold (not sent and not an error: an output item saying why, such as an opt-out).
 * The Guardrails' entry point (guardrails.ts) asks every check in order (verdictFor); the first
 * verdict other than send decides.
 *
 * Adding a guard is one more entry in the `checks` list readGuardSettings returns
 * (guardSettings.ts). The Sending Window is not one of them: guardrails.ts asks it last
 * (sending/sendingWindow/sendingWindowGuard.ts), and it holds a message as "deferred" the way Do
 * Not Send To holds one as "skipped".
 */
import type { IDataObject } from 'n8n-workflow';

import type { OutgoingMessage } from '../outgoingMessage';
import { NON_GEOGRAPHIC, type PhoneNumberType } from '../numbers/phoneNumber';

export type Verdict =
	| { action: 'send' }
	| { action: 'refuse'; guard: string; problem: string }
	/** Not sent, not an error: `fields` go on the item's output (status, skipReason, …). */
	| { action: 'hold'; guard: string; fields: IDataObject };

export interface MessageCheck {
	/** The option's parameter name, as Dry Run reports it. */
	guard: string;
	check: (message: OutgoingMessage) => Verdict;
}

export const SEND: Verdict = { action: 'send' };

/** The first verdict other than send, or send when every check passes. */
export function verdictFor(message: OutgoingMessage, checks: readonly MessageCheck[]): Verdict {
	for (const { check } of checks) {
		const verdict = check(message);
		if (verdict.action !== 'send') return verdict;
	}
	return SEND;
}

/** Dry Run: what every check would do with this message, not just the first that objects. */
export function guardReport(
	message: OutgoingMessage,
	checks: readonly MessageCheck[],
): IDataObject {
	const report: IDataObject = {};
	for (const { guard, check } of checks) {
		const verdict = check(message);
		report[guard] =
			verdict.action === 'send'
				? 'pass'
				: verdict.action === 'refuse'
					? `refuse: ${verdict.problem}`
					: `${String(verdict.fields.status ?? 'hold')}: ${verdict.guard}`;
	}
	return report;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** "Egypt (EG)", or what a +800-style number is. */
export function countryLabel(country: string | undefined): string {
	if (!country) return 'an unknown country';
	if (country === NON_GEOGRAPHIC) return 'no country (a global number such as +800)';
	return `${regionNames.of(country) ?? country} (${country})`;
}

export const NUMBER_TYPE_LABELS: Readonly<Record<PhoneNumberType, string>> = {
	fixedLine: 'fixed line',
	fixedLineOrMobile: 'fixed line or mobile',
	mobile: 'mobile',
	pager: 'pager',
	personalNumber: 'personal number',
	premiumRate: 'premium rate',
	sharedCost: 'shared cost',
	tollFree: 'toll-free',
	uan: 'UAN (company number)',
	voicemail: 'voicemail access',
	voip: 'VoIP',
};

/** Allowed Countries: empty allows every country. */
export function allowedCountriesCheck(allowed: ReadonlySet<string>): MessageCheck | undefined {
	if (allowed.size === 0) return undefined;
	const list = [...allowed].sort().join(', ');
	return {
		guard: 'allowedCountries',
		check: (message) =>
			message.country && allowed.has(message.country)
				? SEND
				: {
						action: 'refuse',
						guard: 'allowedCountries',
						problem: `${message.to} is in ${countryLabel(message.country)}, not one of the Allowed Countries (${list})`,
					},
	};
}

/**
 * Block Number Types. "Fixed line or mobile" (plans that cannot tell them apart, such as the US)
 * is blocked only when both fixed line and mobile are: blocking landlines must not block phones.
 */
export function blockNumberTypesCheck(
	blocked: ReadonlySet<PhoneNumberType>,
): MessageCheck | undefined {
	if (blocked.size === 0) return undefined;
	const isBlocked = (type: PhoneNumberType | undefined): boolean =>
		type === 'fixedLineOrMobile'
			? blocked.has('fixedLineOrMobile') || (blocked.has('fixedLine') && blocked.has('mobile'))
			: type !== undefined && blocked.has(type);
	return {
		guard: 'blockNumberTypes',
		check: (message) =>
			isBlocked(message.numberType)
				? {
						action: 'refuse',
						guard: 'blockNumberTypes',
						problem: `${message.to} is a ${NUMBER_TYPE_LABELS[message.numberType!]} number in ${countryLabel(message.country)}, blocked by Block Number Types`,
					}
				: SEND,
	};
}

/**
 * Options of Allowed Countries and Block Number Types may come as a list or as text (separated by
 * spaces, commas or semicolons). Each code once, in the order first written: a pasted text of
 * 400,000 characters then holds a few codes in memory, not an entry per separator (an array of
 * 100,000 entries made the reader's cost grow faster than its text, from garbage collection).
 */
export function readCodeList(value: unknown): string[] {
	const codes = new Set<string>();
	const add = (entry: string) => {
		if (entry !== '') codes.add(entry);
	};
	if (Array.isArray(value)) for (const entry of value) add(String(entry).trim());
	else if (typeof value === 'string') {
		let start = 0;
		for (let at = 0; at <= value.length; at++)
			if (at === value.length || isCodeSeparator(value.charCodeAt(at))) {
				if (at > start) add(value.slice(start, at));
				start = at + 1;
			}
	}
	return [...codes];
}

/** What `/[\s,;]/` matches: a comma, a semicolon, or white space as JavaScript counts it. */
function isCodeSeparator(code: number): boolean {
	if (code === 0x2c || code === 0x3b || code === 0x20 || (code >= 0x09 && code <= 0x0d))
		return true;
	return code > 0x7f && /\s/.test(String.fromCharCode(code));
}
