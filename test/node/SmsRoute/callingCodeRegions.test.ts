/**
 * Allowed Countries goes by libphonenumber's regions (issue 26, section 6): a calling code shared
 * by several regions does not make them one country. libphonenumber-js is the oracle; the table
 * in docs/guardrails.md is generated from it (scripts/generate-shared-calling-codes.js).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
	getExampleNumber,
	parsePhoneNumberFromString,
	type CountryCode,
} from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';

import { allowedCountriesCheck } from '../../../nodes/SmsRoute/sending/guards/messageChecks';
import { classifyE164 } from '../../../nodes/SmsRoute/sending/numbers/phoneNumber';
import { runSmsRoute } from '../../helpers/runWorkflow';
import { useSandboxRun } from '../../helpers/sandboxRun';

// The generator of the page's table, a plain Node script.
const generator = createRequire(__filename)(
	'../../../scripts/generate-shared-calling-codes.js',
) as {
	sharedCallingCodes(): Array<[string, string[]]>;
	DOC: string;
};

const shared = generator.sharedCallingCodes();

describe('regions that share a calling code', () => {
	it('are what libphonenumber-js lists (US and PR, GB and GG among them)', () => {
		const byCode = Object.fromEntries(shared);
		expect(byCode['1']).toEqual(expect.arrayContaining(['US', 'PR', 'GU', 'VI', 'CA']));
		expect(byCode['1'][0]).toBe('US');
		expect(byCode['44']).toEqual(['GB', 'GG', 'IM', 'JE']);
	});

	const cases = shared.flatMap(([code, regions]) =>
		regions.map((region) => [code, region, regions[0]] as const),
	);
	it.each(cases)(
		'+%s: the example number of %s is where libphonenumber-js places it, and Allowed Countries %s alone refuses it unless that is the place',
		(_code, region, main) => {
			const example = getExampleNumber(region as CountryCode, examples);
			if (!example) return; // counted below
			const e164 = example.number;
			// Where a range is shared, libphonenumber-js may place a region's own example in
			// the main region (the Isle of Man's +44 7924 123456 is GB): the node agrees with it.
			const place = parsePhoneNumberFromString(e164)?.country;
			const classified = classifyE164(e164);
			expect(classified?.country).toBe(place);
			const verdict = allowedCountriesCheck(new Set([main]))!.check({
				to: e164,
				country: classified?.country,
			} as never);
			expect(verdict.action).toBe(place === main ? 'send' : 'refuse');
		},
	);

	it("places most of the smaller regions' example numbers in them, not in the main region", () => {
		const others = shared.flatMap(([, [, ...rest]]) => rest);
		const own = others.filter((region) => {
			const example = getExampleNumber(region as CountryCode, examples);
			return example && classifyE164(example.number)?.country === region;
		});
		expect(own).toEqual(expect.arrayContaining(['PR', 'GU', 'VI', 'GG', 'JE', 'CA', 'KZ']));
		expect(own.length).toBeGreaterThan(others.length / 2);
	});

	it('has an example number for all but a few regions, so the sweep above means something', () => {
		const regions = shared.flatMap(([, list]) => list);
		const without = regions.filter((region) => !getExampleNumber(region as CountryCode, examples));
		expect(regions.length).toBeGreaterThan(40);
		expect(without.length).toBeLessThanOrEqual(2);
	});

	it("docs/guardrails.md lists them as libphonenumber-js does (codes and regions; names are Intl's)", () => {
		const page = readFileSync(generator.DOC, 'utf8');
		const rows = [...page.matchAll(/^\| \+(\d+) \| (.*) \| (.*) \|$/gm)].map(
			([, code, main, others]) => [
				code,
				[...`${main}, ${others}`.matchAll(/\(([A-Z]{2})\)/g)].map((m) => m[1]),
			],
		);
		expect(rows).toEqual(
			shared.map(([code, regions]) => [code, [regions[0], ...regions.slice(1)]]),
		);
		expect(join('docs', 'guardrails.md')).toBe(
			generator.DOC.slice(-join('docs', 'guardrails.md').length),
		);
	});
});

describe('+44 7911 123456 through the node', () => {
	const { credentials, charged } = useSandboxRun(26);
	const GUERNSEY = '+44 7911 123456';

	it('Dry Run shows its region (GG) with no guard set, so a list can be checked first', async () => {
		const { output, error } = await runSmsRoute({
			items: [{ to: GUERNSEY, body: 'x' }],
			parameters: {
				resource: 'message',
				operation: 'sendBulk',
				to: '={{ $json.to }}',
				body: '={{ $json.body }}',
				options: { dryRun: true },
			},
			credentials: credentials(),
		});
		expect(error).toBeUndefined();
		expect(output![0].json).toMatchObject({ dryRun: true, to: '+447911123456', country: 'GG' });
		expect(charged()).toEqual([]);
	});

	it('is refused under Allowed Countries GB, naming Guernsey; sent under GB, GG', async () => {
		const run = (allowedCountries: string[]) =>
			runSmsRoute({
				items: [{ to: GUERNSEY, body: 'x' }],
				parameters: {
					resource: 'message',
					operation: 'send',
					to: '={{ $json.to }}',
					body: '={{ $json.body }}',
					guardrails: { allowedCountries },
				},
				credentials: credentials(),
				typeVersion: 1.1,
			});
		const refused = await run(['GB']);
		expect(refused.error?.message).toBe(
			"Item 0: 'To' +447911123456 is in Guernsey (GG), not one of the Allowed Countries (GB)",
		);
		expect(charged()).toEqual([]);
		const sent = await run(['GB', 'GG']);
		expect(sent.error).toBeUndefined();
		expect(charged()).toEqual(['+447911123456']);
	});
});
