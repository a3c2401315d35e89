/**
 * What the package's two webhooks (the SMS Route Trigger's and Send and Wait's resume) answer a
 * request they refuse, in one table: the checks say which kind of refusal it is, this file alone
 * says the HTTP status, the Retry-After header and the text (`{ "error": text }`) the sender gets.
 * Nothing refused starts an execution (shared/webhookRequest.ts `refuseRequest` writes it).
 */

/** Kinds whose text is the reason the failing check gave (which header, which field, …). */
const CHECKED_KINDS = ['badSignature', 'malformed'] as const;
type CheckedKind = (typeof CHECKED_KINDS)[number];

export type RefusalKind =
	| CheckedKind
	| 'unrecognizedSender'
	| 'noSmsRouteKey'
	| 'noSendCloudKey'
	| 'tokenReused'
	| 'unexpectedError'
	| 'tokenRecordFull'
	| 'relaysFull'
	| 'pendingResend';

type FixedKind = Exclude<RefusalKind, CheckedKind>;

/** A checked kind sends the failing check's own reason; every other kind its fixed text. */
interface AnswerRow {
	status: 400 | 401 | 503;
	/** Sent as Retry-After: when the sender should try again. */
	retryAfterSeconds?: number;
}
type AnswerRows = {
	[K in RefusalKind]: K extends CheckedKind ? AnswerRow : AnswerRow & { text: string };
};

/**
 * 401: the sender is not proven (a provider retries and keeps failing until the key is fixed);
 * 400: proven but unreadable; 503: this process cannot take it now, so the provider sends it
 * again (docs/verification.md).
 */
export const WEBHOOK_ANSWERS: Readonly<AnswerRows> = {
	// Missing, malformed, forged or stale signature, or no raw body to check it over.
	badSignature: { status: 401 },
	unrecognizedSender: {
		status: 401,
		text: 'unrecognized sender: no x-smsroute-signature header and no SendCloud token/timestamp/signature',
	},
	noSmsRouteKey: {
		status: 401,
		text: 'smsroute webhook received but no SMS Route API credential with a Test or Live API Key is set on the trigger',
	},
	noSendCloudKey: {
		status: 401,
		text: 'SendCloud callback received but no SendCloud SMSHook API credential with an App Key is set on the trigger',
	},
	// SendCloud does not sign the body, so a token seen again may carry a forged one.
	tokenReused: { status: 401, text: 'token already used' },
	// A body that does not parse, or an event without the fields it needs.
	malformed: { status: 400 },
	// A throw nothing expected: no input is echoed back.
	unexpectedError: { status: 400, text: 'malformed request' },
	// Forgetting a token early would reopen it to replay; SendCloud retries in 3 minutes.
	tokenRecordFull: {
		status: 503,
		text: 'too many SendCloud callbacks within the tolerance window; retry later',
	},
	relaysFull: { status: 503, text: 'too many delivery events waiting to be relayed; retry later' },
	// A resend while the first delivery is still starting its execution (trigger/dedupe.ts).
	pendingResend: {
		status: 503,
		text: 'this event is still being started by an earlier delivery; retry later',
		retryAfterSeconds: 5,
	},
};

/** A refused request: its kind, and for a checked kind the check's reason. */
export type Refusal = { kind: CheckedKind; reason: string } | { kind: FixedKind };

export function refusal(kind: FixedKind): { ok: false } & Refusal;
export function refusal(kind: CheckedKind, reason: string): { ok: false } & Refusal;
export function refusal(kind: RefusalKind, reason?: string): { ok: false } & Refusal {
	return (reason === undefined ? { ok: false, kind } : { ok: false, kind, reason }) as {
		ok: false;
	} & Refusal;
}

export interface WebhookRefusalAnswer {
	status: 400 | 401 | 503;
	body: { error: string };
	headers?: Record<string, string>;
}

function isChecked(refused: Refusal): refused is { kind: CheckedKind; reason: string } {
	return (CHECKED_KINDS as readonly string[]).includes(refused.kind);
}

/** A fixed kind's text is its own, whatever else the refusal object carries. */
function textOf(refused: Refusal): string {
	return isChecked(refused) ? refused.reason : WEBHOOK_ANSWERS[refused.kind].text;
}

/** The status, body and headers a refusal is answered with. */
export function answerFor(refused: Refusal): WebhookRefusalAnswer {
	const row: AnswerRow = WEBHOOK_ANSWERS[refused.kind];
	const answer: WebhookRefusalAnswer = { status: row.status, body: { error: textOf(refused) } };
	if (row.retryAfterSeconds !== undefined)
		answer.headers = { 'retry-after': String(row.retryAfterSeconds) };
	return answer;
}
