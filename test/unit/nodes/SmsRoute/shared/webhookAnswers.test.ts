import {
	WEBHOOK_ANSWERS,
	answerFor,
	refusal,
	type Refusal,
	type RefusalKind,
} from '../../../../../nodes/SmsRoute/shared/webhookAnswers';

/**
 * The one table of what the webhooks answer a refused request. The statuses are the ones
 * docs/verification.md promises providers (a 2xx would stop their retries, a 401 for a busy
 * process would never be retried successfully), so each kind is pinned here.
 */
const PROMISED: Record<RefusalKind, 400 | 401 | 503> = {
	badSignature: 401,
	unrecognizedSender: 401,
	noSmsRouteKey: 401,
	noSendCloudKey: 401,
	tokenReused: 401,
	malformed: 400,
	unexpectedError: 400,
	tokenRecordFull: 503,
	relaysFull: 503,
	pendingResend: 503,
};

describe('shared/webhookAnswers: a refusal kind → status, Retry-After and text', () => {
	it('answers each kind with the status providers are promised, and lists no other kind', () => {
		expect(Object.keys(WEBHOOK_ANSWERS).sort()).toEqual(Object.keys(PROMISED).sort());
		for (const [kind, status] of Object.entries(PROMISED)) {
			expect([kind, WEBHOOK_ANSWERS[kind as RefusalKind].status]).toEqual([kind, status]);
		}
	});

	it("a checked kind sends the failing check's own reason, never another kind's text", () => {
		expect(answerFor(refusal('badSignature', 'timestamp too old'))).toEqual({
			status: 401,
			body: { error: 'timestamp too old' },
		});
		// Non-ASCII and JSON-looking reasons travel as plain text inside { error }.
		const odd = 'unexpected token "}" near 王伟 😀';
		expect(answerFor(refusal('malformed', odd))).toEqual({ status: 400, body: { error: odd } });
	});

	it('a fixed kind sends its own text, whatever else the refusal object carries', () => {
		// A caller that smuggles a reason into a fixed kind cannot change what is sent.
		const smuggled = { kind: 'tokenReused', reason: 'sk_live_secret' } as unknown as Refusal;
		expect(answerFor(smuggled).body).toEqual({ error: 'token already used' });
		expect(answerFor(refusal('tokenReused'))).toEqual({
			status: 401,
			body: { error: 'token already used' },
		});
		expect(answerFor(refusal('unexpectedError')).body).toEqual({ error: 'malformed request' });
		expect(answerFor(refusal('noSmsRouteKey')).body.error).toMatch(/no SMS Route API credential/);
		expect(answerFor(refusal('noSendCloudKey')).body.error).toMatch(/no SendCloud SMSHook API/);
	});

	it('only a pending resend names when to try again (Retry-After: 5)', () => {
		const withHeaders = (Object.keys(PROMISED) as RefusalKind[]).filter((kind) => {
			const refused = (
				kind === 'badSignature' || kind === 'malformed' ? refusal(kind, 'x') : refusal(kind)
			) as Refusal;
			return answerFor(refused).headers !== undefined;
		});
		expect(withHeaders).toEqual(['pendingResend']);
		expect(answerFor(refusal('pendingResend'))).toEqual({
			status: 503,
			body: { error: 'this event is still being started by an earlier delivery; retry later' },
			headers: { 'retry-after': '5' },
		});
	});

	it('refusal() builds the failure branch a Result narrows on', () => {
		expect(refusal('relaysFull')).toEqual({ ok: false, kind: 'relaysFull' });
		expect(refusal('malformed', 'missing message_id')).toEqual({
			ok: false,
			kind: 'malformed',
			reason: 'missing message_id',
		});
	});
});
