/**
 * The Sending Window through the whole node (n8n-core against the sandbox). The window is made from
 * the current time so that Berlin is inside it and New York, six hours behind, is not; what is
 * expected is worked out here with Intl, and the sandbox ledger shows what was really sent.
 */
import type { IDataObject } from 'n8n-workflow';

import { description as sendAndWaitDescription } from '../../../nodes/SmsRoute/actions/message/sendAndWait.operation';
import { description as sendDescription } from '../../../nodes/SmsRoute/actions/message/send.operation';
import { hhmm, localMinute } from '../../helpers/localClock';
import { runSmsRoute } from '../../helpers/runWorkflow';
import { useSandboxRun } from '../../helpers/sandboxRun';

const sandboxRun = useSandboxRun(22);
const { credentials } = sandboxRun;
const SEND_PARAMS = { resource: 'message', to: '={{ $json.to }}', body: '={{ $json.body }}' };
const json = (output: Array<{ json: IDataObject }> | undefined) =>
	(output ?? []).map((o) => o.json);

const BERLIN = '+4930901820';
const NEW_YORK = '+12125550123';

/** Berlin's local time now ± 2 hours: Berlin inside, New York (6 hours behind) outside. */
function berlinWindow() {
	const now = Date.now();
	const berlin = localMinute('Europe/Berlin', now);
	const start = berlin - 120;
	const window = `${hhmm(start)}-${hhmm(berlin + 120)}`;
	// New York reaches the start when its clock has gone (start - its time now) minutes further.
	const wait = (((start - localMinute('America/New_York', now)) % 1440) + 1440) % 1440;
	const sendAfter = new Date((Math.floor(now / 60_000) + wait) * 60_000)
		.toISOString()
		.replace('.000Z', 'Z');
	return { window, sendAfter };
}

const items = [
	{ to: BERLIN, body: 'Berlin, inside' },
	{ to: NEW_YORK, body: 'New York, outside' },
	{ to: BERLIN, body: 'Berlin number, New York override', timeZone: 'America/New_York' },
	{ to: NEW_YORK, body: 'New York number, Berlin override', timeZone: 'Europe/Berlin' },
];

describe('the Sending Window on Send and Send in Bulk', () => {
	it.each(['send', 'sendBulk'])(
		'%s sends the items inside the window and defers the others, in input order',
		async (operation) => {
			const { window, sendAfter } = berlinWindow();
			const { output, error } = await runSmsRoute({
				items,
				parameters: {
					...SEND_PARAMS,
					operation,
					guardrails: {
						sendingWindow: window,
						sendingWindowTimeZone: '={{ $json.timeZone ?? "" }}',
					},
				},
				credentials: credentials(),
			});
			expect(error).toBeUndefined();
			const out = json(output);
			expect(out.map((o) => o.status === 'deferred')).toEqual([false, true, true, false]);
			expect(out[1]).toMatchObject({
				status: 'deferred',
				sendAfter,
				to: NEW_YORK,
				body: 'New York, outside',
				sendingWindow: window,
				timeZones: ['America/New_York'],
			});
			expect(out[1].idempotencyKey).toMatch(/^n8n_/);
			expect(out[1].sendingWindowTimeZone).toBeUndefined();
			expect(out[2]).toMatchObject({
				sendAfter,
				timeZones: ['America/New_York'],
				sendingWindowTimeZone: 'America/New_York',
			});
			expect(out[0].id).toBeTruthy();
			expect(out[3].id).toBeTruthy();
			expect(output!.map((o) => o.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
			expect(
				sandboxRun
					.sandbox()
					.ledger()
					.map((entry) => entry.body)
					.sort(),
			).toEqual(['Berlin, inside', 'New York number, Berlin override']);
		},
	);

	it('Dry Run reports the same decision per item and sends nothing', async () => {
		const { window, sendAfter } = berlinWindow();
		const { output, error } = await runSmsRoute({
			items,
			parameters: {
				...SEND_PARAMS,
				operation: 'sendBulk',
				options: { dryRun: true },
				guardrails: { sendingWindow: window, sendingWindowTimeZone: '={{ $json.timeZone ?? "" }}' },
			},
			credentials: credentials(),
		});
		expect(error).toBeUndefined();
		const out = json(output);
		expect(out.map((o) => o.dryRun)).toEqual([true, true, true, true]);
		expect(out.map((o) => o.status ?? 'would send')).toEqual([
			'would send',
			'deferred',
			'deferred',
			'would send',
		]);
		expect(out[1].sendAfter).toBe(sendAfter);
		expect(sandboxRun.sandbox().ledger()).toHaveLength(0);
	});

	it('off by default: the same items all go out', async () => {
		const { output } = await runSmsRoute({
			items,
			parameters: { ...SEND_PARAMS, operation: 'sendBulk' },
			credentials: credentials(),
		});
		expect(json(output).every((o) => o.status === 'queued')).toBe(true);
		expect(sandboxRun.sandbox().ledger()).toHaveLength(4);
	});

	it('the deferred item, sent again later with its own fields and key, goes out once', async () => {
		const { window } = berlinWindow();
		const first = await runSmsRoute({
			items: [{ to: NEW_YORK, body: 'later' }],
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', guardrails: { sendingWindow: window } },
			credentials: credentials(),
		});
		const deferred = json(first.output)[0];
		expect(deferred.status).toBe('deferred');
		expect(sandboxRun.sandbox().ledger()).toHaveLength(0);
		// The Wait loop's second node: the window is open for New York now (override to Berlin,
		// as if the time had come), the key is the deferred item's. Run twice: one message.
		const again = {
			...SEND_PARAMS,
			operation: 'send',
			additionalFields: { idempotencyKey: '={{ $json.idempotencyKey }}' },
			guardrails: { sendingWindow: window, sendingWindowTimeZone: 'Europe/Berlin' },
		};
		for (let run = 0; run < 2; run++) {
			const { output } = await runSmsRoute({
				items: [deferred],
				parameters: again,
				credentials: credentials(),
			});
			expect(json(output)[0]).toMatchObject({
				idempotencyKey: deferred.idempotencyKey,
				to: NEW_YORK,
			});
		}
		expect(sandboxRun.sandbox().ledger()).toHaveLength(1);
		expect(sandboxRun.sandbox().ledger()[0]).toMatchObject({
			body: 'later',
			idempotencyKey: deferred.idempotencyKey,
		});
	});
});

describe('the Sending Window: hostile input', () => {
	const run = (
		guardrails: IDataObject,
		runItems: IDataObject[] = [{ to: BERLIN, body: 'hi' }],
		continueOnFail = false,
	) =>
		runSmsRoute({
			items: runItems,
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', guardrails },
			credentials: credentials(),
			continueOnFail,
		});

	it.each([
		['', /^Item 0: 'Sending Window' must be a daily window like 08:00-21:00 \(got ""\)$/],
		['8pm-9am', /^Item 0: 'Sending Window' must be a daily window/],
		['08:00-08:00', /^Item 0: 'Sending Window' starts and ends at the same time/],
		['25:00-08:00', /^Item 0: 'Sending Window' has a time that does not exist/],
	])('window %j stops the run before anything is sent', async (sendingWindow, message) => {
		const { error } = await run({ sendingWindow });
		expect(error?.message).toMatch(message);
		expect(sandboxRun.sandbox().ledger()).toHaveLength(0);
	});

	it('an unknown zone names the item and the field; with Continue On Fail the rest go out', async () => {
		const { error } = await run({
			sendingWindow: '00:00-23:59',
			sendingWindowTimeZone: 'Mars/Olympus',
		});
		expect(error?.message).toBe(
			'Item 0: \'Sending Window Time Zone\' must be an IANA time zone like Europe/Berlin or America/New_York (got "Mars/Olympus")',
		);
		const { output } = await run(
			{ sendingWindow: '00:00-23:59', sendingWindowTimeZone: '={{ $json.zone }}' },
			[
				{ to: BERLIN, body: 'a', zone: 'Europe/Berlin' },
				{ to: BERLIN, body: 'b', zone: 'Europe/Berlín' },
			],
			true,
		);
		expect(json(output)[1]).toMatchObject({ itemIndex: 1 });
		expect(String(json(output)[1].error)).toMatch(/Item 1: 'Sending Window Time Zone'/);
		expect(
			sandboxRun
				.sandbox()
				.ledger()
				.map((entry) => entry.body),
		).toEqual(['a']);
	});

	// Issue 26: Intl reads EST as America/Panama (no summer time), so a New York contact whose
	// CRM says EST got messages an hour late all summer; Etc/GMT+5 is UTC-5, not UTC+5.
	it.each([
		[
			'EST',
			/is "EST", an abbreviation .*Intl reads it as America\/Panama.*e\.g\. America\/New_York/,
		],
		['PST', /is "PST", an abbreviation .*e\.g\. America\/Los_Angeles/],
		['BST', /is "BST", an abbreviation .*Intl reads it as Asia\/Dhaka.*e\.g\. Europe\/London/],
		['Etc/GMT+5', /is "Etc\/GMT\+5", a fixed offset \(UTC−05:00/],
	])(
		'zone %s is refused on its item (Continue On Fail), naming the zone to use; never sent',
		async (zone, problem) => {
			const items = [
				{ to: NEW_YORK, body: 'abbreviated', zone },
				{ to: BERLIN, body: 'named', zone: 'Europe/Berlin' },
			];
			const guardrails = {
				sendingWindow: '00:00-23:59',
				sendingWindowTimeZone: '={{ $json.zone }}',
			};
			const { output, error } = await run(guardrails, items, true);
			expect(error).toBeUndefined();
			const out = json(output);
			expect(out[0]).toMatchObject({ itemIndex: 0, to: NEW_YORK });
			expect(String(out[0].error)).toMatch(/^Item 0: 'Sending Window Time Zone' /);
			expect(String(out[0].error)).toMatch(problem);
			expect(out[0].status).toBeUndefined();
			const bodies = sandboxRun
				.sandbox()
				.ledger()
				.map((entry) => entry.body);
			expect(bodies).not.toContain('abbreviated');
			// 23:59 Berlin is the one closed minute: sent unless the run hit it.
			expect(bodies.length + (out[1].status === 'deferred' ? 1 : 0)).toBe(1);

			// Without Continue On Fail the run stops before anything is sent.
			const stopped = await run(guardrails, items);
			expect(stopped.error?.message).toMatch(problem);
			expect(
				sandboxRun
					.sandbox()
					.ledger()
					.map((entry) => entry.body),
			).toEqual(bodies);
		},
	);

	it("an alias such as US/Eastern is taken, on New York's clock", async () => {
		const { window, sendAfter } = berlinWindow();
		const { output, error } = await run(
			{ sendingWindow: window, sendingWindowTimeZone: 'US/Eastern' },
			[{ to: BERLIN, body: 'Berlin number, New York zone' }],
		);
		expect(error).toBeUndefined();
		expect(json(output)[0]).toMatchObject({
			status: 'deferred',
			sendAfter,
			timeZones: ['America/New_York'],
			sendingWindowTimeZone: 'US/Eastern',
		});
	});

	it('a number with no time zone is an error on To unless a zone is given', async () => {
		const { error } = await run({ sendingWindow: '00:00-23:59' }, [
			{ to: '+80012345678', body: 'x' },
		]);
		expect(error?.message).toMatch(/^Item 0: 'To' has no time zone in libphonenumber's map/);
		const { output } = await run({ sendingWindow: '00:00-23:59', sendingWindowTimeZone: 'UTC' }, [
			{ to: '+80012345678', body: 'x' },
		]);
		// 23:59 local is the only closed minute: sent unless the run hit it.
		expect(['queued', 'deferred']).toContain(json(output)[0].status);
	});

	it('zones that never overlap in the window are an error naming them', async () => {
		const { error } = await run({ sendingWindow: '08:00-09:00' }, [
			{ to: '+12085550123', body: 'Idaho, Mountain and Pacific' },
		]);
		expect(error?.message).toMatch(
			/^Item 0: 'Sending Window' 08:00-09:00 is never open in all of the number's time zones at once \(America\/Boise, America\/Los_Angeles\)/,
		);
	});

	it('a window from an expression is judged per item; an empty one is an error, never "off"', async () => {
		const { output } = await run(
			{ sendingWindow: '={{ $json.window }}', sendingWindowTimeZone: '={{ $json.zone }}' },
			[
				{ to: BERLIN, body: 'open all day', window: '00:00-23:59' },
				{ to: BERLIN, body: 'no window', window: null },
				{ to: BERLIN, body: 'empty window', window: '' },
				{ to: BERLIN, body: 'zone given', window: '00:00-23:59', zone: 'Asia/Tokyo' },
			],
			true,
		);
		const out = json(output);
		expect(out.map((o) => o.error === undefined)).toEqual([true, false, false, true]);
		expect(String(out[1].error)).toMatch(
			/^Item 1: 'Sending Window' must be a daily window .*\(got null\)$/,
		);
		expect(String(out[2].error)).toMatch(
			/^Item 2: 'Sending Window' must be a daily window .*\(got ""\)$/,
		);
		// 23:59 is the one closed minute: the two others are sent unless the run hit it.
		expect(
			sandboxRun.sandbox().ledger().length + out.filter((o) => o.status === 'deferred').length,
		).toBe(2);
	});

	it('a time zone without a Sending Window is an error, not silently ignored', async () => {
		const { error } = await run({ sendingWindowTimeZone: 'Europe/Berlin' });
		expect(error?.message).toMatch(
			/^Item 0: 'Sending Window Time Zone' is set but Sending Window is not/,
		);
	});

	it('is offered under Guardrails on Send and Send in Bulk, not on Send and Wait', () => {
		const names = (properties: typeof sendDescription, collection: string) =>
			(properties.find((p) => p.name === collection)?.options ?? []).map((o) => o.name);
		expect(names(sendDescription, 'guardrails')).toEqual(
			expect.arrayContaining(['sendingWindow', 'sendingWindowTimeZone']),
		);
		expect(names(sendDescription, 'options')).not.toContain('sendingWindow');
		expect(names(sendAndWaitDescription, 'guardrails')).not.toContain('sendingWindow');
	});

	it('is not applied by Send and Wait even when a saved workflow carries it', async () => {
		const { output } = await runSmsRoute({
			items: [{ to: '+15005550001', body: 'otp' }],
			parameters: {
				...SEND_PARAMS,
				operation: 'sendAndWait',
				guardrails: { sendingWindow: '08:00-08:01' },
				options: { waitTimeoutSeconds: 5 },
			},
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(json(output)[0]?.status).not.toBe('deferred');
	});
});
