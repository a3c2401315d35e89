/**
 * Hostile review of the guardrails (issue 21): opt-out lists written the ways CRMs and phones
 * export numbers, and To values a CSV row or a form can send.
 */
import { readDoNotSendTo, readOptOuts } from '../../../nodes/SmsRoute/sending/guards/doNotSendTo';
import { readPhoneNumber } from '../../../nodes/SmsRoute/sending/numbers/phoneNumber';
import { runSmsRoute } from '../../helpers/runWorkflow';
import { useSandboxRun } from '../../helpers/sandboxRun';

const UK_MOBILE = '+447400123456';

describe('Do Not Send To matches the message a listed entry stands for', () => {
	// The message side: how each of these is sent (E.164 as given, or read with Default Country).
	it.each(['', 'GB', 'US'])(
		'an E.164 entry with the trunk prefix in brackets, "+44 (0)7400 123456" (Default Country "%s")',
		(defaultCountry) => {
			expect(readPhoneNumber('+44 (0)7400 123456', 'GB').e164).toBe(UK_MOBILE);
			expect(readDoNotSendTo('+44 (0)7400 123456', defaultCountry).has(UK_MOBILE)).toBe(true);
			expect(readDoNotSendTo(['+44(0)7400123456'], defaultCountry).has(UK_MOBILE)).toBe(true);
		},
	);

	it.each([
		['a tel: URI (RFC 3966, vCard and CRM exports)', 'tel:+447400123456'],
		['a tel: URI with visual separators', 'tel:+44-7400-123456'],
		['a left-to-right mark pasted from a phone or a right-to-left page', '\u200e+447400123456'],
		["a spreadsheet's leading apostrophe", "'+447400123456"],
		['quotes from a CSV export', '"+447400123456"'],
	])('%s', (_, entry) => {
		expect(readDoNotSendTo(entry, '').has(UK_MOBILE)).toBe(true);
		expect(readDoNotSendTo([entry], 'GB').has(UK_MOBILE)).toBe(true);
	});
});

describe('a To that is no phone number', () => {
	it('a 200 kB CSV row with a slash in it is refused as too long, not parsed', () => {
		// The extension check's slash pattern backtracks quadratically: 16 kB took 0.1 s, 200 kB
		// some 16 s of n8n's main thread per item before this was refused.
		const row = `030 / 1234567;${'1'.repeat(200_000)}`;
		const read = readPhoneNumber(row, 'DE');
		expect(read.e164).toBeNull();
		expect(read.reason).toMatch(/too long/);
		expect(readPhoneNumber(`+4915123456789 /${' 1'.repeat(100_000)}`, '').reason).toMatch(
			/too long/,
		);
		// In Do Not Send To the semicolon starts a second entry: the number before it is listed,
		// the 200,000 digits are reported as no number (issue 26).
		const optOuts = readOptOuts([row], 'DE');
		expect([...optOuts.listed]).toEqual(['+49301234567']);
		expect(optOuts.unreadable).toEqual([`${'1'.repeat(40)}… (200000 characters)`]);
	});

	it('a number with generous spacing is still read', () => {
		expect(readPhoneNumber(`  +44 ${' '.repeat(30)}7400 123456  `, '').e164).toBe(UK_MOBILE);
		// A fixed-width export pads the column; the padding does not make it too long.
		expect(readPhoneNumber(`+44 7400 123456${' '.repeat(200)}`, '').e164).toBe(UK_MOBILE);
		expect(readPhoneNumber(`${' '.repeat(200)}07400 123456`, 'GB').e164).toBe(UK_MOBILE);
	});
});

describe('in a run (n8n-core and the sandbox ledger)', () => {
	const { sandbox, credentials, charged } = useSandboxRun(21);

	it.each(['send', 'sendBulk'])(
		"%s: Do Not Send To with a Default Country per item reads national opt-outs in each item's country",
		async (operation) => {
			// A CRM with customers in two countries, opt-outs kept as they were typed in.
			const { output, error } = await runSmsRoute({
				items: [
					{ to: '(201) 555-0100', country: 'US', body: 'sent' },
					{ to: '07400 123456', country: 'GB', body: 'opted out' },
					{ to: '(201) 555-0101', country: 'US', body: 'opted out' },
				],
				parameters: {
					resource: 'message',
					operation,
					to: '={{ $json.to }}',
					body: '={{ $json.body }}',
					options: { defaultCountry: '={{ $json.country }}' },
					guardrails: { doNotSendTo: '07400 123456\n(201) 555-0101' },
				},
				credentials: credentials(),
				typeVersion: 1.1,
			});
			expect(error).toBeUndefined();
			expect(output!.map((item) => [item.json.to, item.json.status])).toEqual([
				['+12015550100', 'queued'],
				[UK_MOBILE, 'skipped'],
				['+12015550101', 'skipped'],
			]);
			expect(charged()).toEqual(['+12015550100']);
		},
	);

	it.each([
		['the rows instead of their phone field', "={{ $('Items').all().map(i => i.json) }}"],
		['a column of names', '={{ ["Ada Lovelace", "Alan Turing"] }}'],
	])(
		'a Do Not Send To list in which nothing is a number stops the run (%s), not sends to all',
		async (_, doNotSendTo) => {
			const { error } = await runSmsRoute({
				items: [
					{ to: '+15005550001', body: 'opted out', phone: '+15005550001' },
					{ to: '+15005550003', body: 'b', phone: '+15005550002' },
				],
				parameters: {
					resource: 'message',
					operation: 'sendBulk',
					to: '={{ $json.to }}',
					body: '={{ $json.body }}',
					guardrails: { doNotSendTo },
				},
				credentials: credentials(),
				typeVersion: 1.1,
			});
			expect(error?.message).toMatch(/^'Do Not Send To' has 2 entries and none is a phone number/);
			expect(charged()).toEqual([]);
		},
	);

	it.each([
		['Allowed Countries', { allowedCountries: '={{ $json.allowed }}' }],
		['Allowed Countries', { allowedCountries: "={{ $json.allowed ?? '' }}" }],
		['Max Messages per Execution', { maxMessagesPerExecution: '={{ $json.cap }}' }],
		['Max Messages per Execution', { maxMessagesPerExecution: '={{ "ten" }}' }],
	])(
		'%s from an expression that gives nothing stops the run, not turns the guard off (%j)',
		async (field, guardrails) => {
			const { error } = await runSmsRoute({
				items: [{ to: UK_MOBILE, body: 'no allowed countries, no cap in this item' }],
				parameters: {
					resource: 'message',
					operation: 'send',
					to: '={{ $json.to }}',
					body: '={{ $json.body }}',
					guardrails,
				},
				credentials: credentials(),
				typeVersion: 1.1,
			});
			expect(error?.message).toMatch(new RegExp(`^'${field}' is an expression that gave`));
			expect(charged()).toEqual([]);
		},
	);

	it.each([
		['a mistyped field', '={{ $json.optOutz }}'],
		['null', '={{ null }}'],
	])(
		'Do Not Send To from an expression that gives nothing (%s) stops the run, not turns the opt-outs off',
		async (_, doNotSendTo) => {
			const { error } = await runSmsRoute({
				items: [{ to: '+15005550001', body: 'opted out', optOuts: ['+15005550001'] }],
				parameters: {
					resource: 'message',
					operation: 'sendBulk',
					to: '={{ $json.to }}',
					body: '={{ $json.body }}',
					guardrails: { doNotSendTo },
				},
				credentials: credentials(),
				typeVersion: 1.1,
			});
			expect(error?.message).toMatch(/^'Do Not Send To' is an expression that gave nothing/);
			expect(charged()).toEqual([]);
		},
	);

	it('Do Not Send To from an expression that gives "" or [] is an empty list: the run goes on', async () => {
		for (const doNotSendTo of ["={{ '' }}", '={{ [] }}']) {
			const { error } = await runSmsRoute({
				items: [{ to: '+15005550001', body: 'sent' }],
				parameters: {
					resource: 'message',
					operation: 'send',
					to: '={{ $json.to }}',
					body: '={{ $json.body }}',
					guardrails: { doNotSendTo },
				},
				credentials: credentials(),
				typeVersion: 1.1,
			});
			expect(error).toBeUndefined();
		}
		expect(charged()).toEqual(['+15005550001', '+15005550001']);
	});

	it.each(['send', 'sendBulk'])(
		'%s: unreadable Do Not Send To entries are listed by Dry Run on the first item and noticed on a real run',
		async (operation) => {
			const run = (dryRun: boolean) =>
				runSmsRoute({
					items: [
						{ to: '+15005550001', body: 'opted out' },
						{ to: '+15005550002', body: 'sent' },
					],
					parameters: {
						resource: 'message',
						operation,
						to: '={{ $json.to }}',
						body: '={{ $json.body }}',
						guardrails: { doNotSendTo: '+1 500\u2013555\u20130001 (mobile)\nn/a\n12' },
						options: dryRun ? { dryRun: true } : {},
					},
					credentials: credentials(),
					typeVersion: 1.1,
				});
			const dry = await run(true);
			expect(dry.error).toBeUndefined();
			expect(dry.output![0].json).toMatchObject({
				wouldSend: false,
				doNotSendToUnreadableCount: 2,
				doNotSendToUnreadable: ['n/a', '12'],
			});
			expect(dry.output![1].json.doNotSendToUnreadable).toBeUndefined();
			expect(charged()).toEqual([]);

			const real = await run(false);
			expect(real.output!.map((item) => item.json.status)).toEqual(['skipped', 'queued']);
			expect(real.output![0].json.doNotSendToUnreadable).toBeUndefined();
			const hints = real.run.data.resultData.runData['SMS Route'][0].hints ?? [];
			expect(hints.map((hint) => hint.message)).toEqual([
				'Do Not Send To: 2 entries read as no phone number and match no one ("n/a", "12"). Dry Run lists them.',
			]);
			expect(charged()).toEqual(['+15005550002']);
		},
	);

	it('Send in Bulk with Continue On Fail: every item in input order, each paired, only the sendable charged', async () => {
		const { output, error } = await runSmsRoute({
			items: [
				{
					to: '\uff0b\uff14\uff14\uff17\uff14\uff10\uff10\uff11\uff12\uff13\uff14\uff15\uff16',
					body: 'full-width digits',
				},
				{ to: 'tel:+15005550001', body: 'tel: URI' },
				{ to: '+1 (800) 555-0199', body: 'toll-free' },
				{ to: '+15005550001', body: 'sent' },
				{
					to: '\u0660\u0667\u0664\u0660\u0660 \u0661\u0662\u0663\u0664\u0665\u0666',
					body: 'Arabic-Indic digits',
				},
				{ to: '+15005550003', body: 'opted out' },
				{ to: UK_MOBILE, body: 'not allowed' },
			],
			parameters: {
				resource: 'message',
				operation: 'sendBulk',
				to: '={{ $json.to }}',
				body: '={{ $json.body }}',
				options: { defaultCountry: 'gb' },
				guardrails: {
					allowedCountries: 'us, ca',
					blockNumberTypes: ['tollFree', 'premiumRate'],
					doNotSendTo: 'tel:+1-500-555-0003',
				},
			},
			credentials: credentials(),
			typeVersion: 1.1,
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output!.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3, 4, 5, 6].map((item) => ({ item })),
		);
		expect(output!.map((item) => item.json.status ?? item.json.refusedBy ?? 'invalid')).toEqual([
			'invalid',
			'invalid',
			'blockNumberTypes',
			'queued',
			'invalid',
			'skipped',
			'allowedCountries',
		]);
		expect(output![0].json.error).toMatch(/^Item 0: 'To' /);
		expect(charged()).toEqual(['+15005550001']);
	});

	it("n8n's Retry On Fail with Max Messages per Execution: the retry of the same run is not counted again", async () => {
		// The first attempt is counted (and charged, its answer lost); n8n runs the node again
		// with the same keys. The cap must let that retry through: it sends nothing new.
		sandbox().queueFaults(['drop', 'drop']);
		const items = [0, 1].map((i) => ({ to: `+1500555000${i + 1}`, body: `m${i}` }));
		const { output, error } = await runSmsRoute({
			items,
			parameters: {
				resource: 'message',
				operation: 'sendBulk',
				to: '={{ $json.to }}',
				body: '={{ $json.body }}',
				options: { maxAttempts: 2 },
				guardrails: { maxMessagesPerExecution: 2 },
			},
			credentials: credentials(),
			typeVersion: 1.1,
			retryOnFail: { maxTries: 2, waitBetweenTries: 0 },
		});
		expect(error).toBeUndefined();
		expect(output!.map((item) => item.json.status)).toEqual(['queued', 'queued']);
		expect(charged()).toEqual(['+15005550001', '+15005550002']);
	});
});
