'use strict';
/**
 * Issue 31, section 3, in real n8n: a campaign key means the message, not its metadata's JSON
 * spelling. The Metadata field as n8n hands it to the node (typed JSON is text; an expression's
 * object holds numbers n8n already parsed), counted on the sandbox's ledger:
 * - the campaign run again from a workflow whose typed metadata has its keys in another order
 *   charges nothing twice;
 * - typed metadata that differs only in an integer beyond 2^53 is another message, charged;
 * - an expression's object holding an integer beyond 2^53 - 1 (from the webhook's JSON body,
 *   parsed by n8n) stops the run before anything is sent, naming the item and the field.
 *
 * SMSROUTE_E2E_N8N_VERSIONS narrows the versions (default 2.41.0 and 1.123.81). Needs
 * `npm run build` first.
 */
const { E2E_VERSIONS, useN8nWithSandbox } = require('./suite');
const {
	recipients,
	createCampaignWorkflow,
	runCampaign,
	ledgerFor,
	report,
} = require('./campaign');

const VERSIONS = E2E_VERSIONS;

jest.setTimeout(5 * 60_000);

describe.each(VERSIONS)('n8n %s: campaign keys mean the message', (version) => {
	let sandbox;
	let n8n;
	let credential;

	useN8nWithSandbox(version, (started) => ({ sandbox, n8n, credential } = started));

	/** A campaign workflow whose Metadata field is `metadata` (typed JSON or an expression). */
	const campaign = async (name, metadata) =>
		await createCampaignWorkflow(n8n, credential, {
			name: `e2e campaign keys: ${name}`,
			options: { campaignId: 'orders-2026-12', chunkSize: 5 },
			additionalFields: { metadata },
		});

	test('typed metadata: keys reordered → nothing charged twice; an integer beyond 2^53 changed → sent again', async () => {
		const list = recipients(41, 6, 'order shipped');
		const first = await campaign('typed', '{"order":9007199254740993,"shop":{"id":"eu","tier":1}}');
		expect((await runCampaign(n8n, first, list)).status).toBe('success');
		expect(ledgerFor(sandbox, list).charged).toBe(6);

		const reordered = await campaign(
			'typed, keys reordered',
			'{\n  "shop": { "tier": 1.0, "id": "eu" },\n  "order": 9007199254740993\n}',
		);
		expect((await runCampaign(n8n, reordered, list)).status).toBe('success');
		const again = ledgerFor(sandbox, list);
		report(`${version} campaign keys: run again with metadata keys reordered`, again);
		expect({ charged: again.charged, twice: again.twice }).toEqual({ charged: 6, twice: 0 });

		// JavaScript reads 9007199254740992 and …993 as one number; the key does not.
		const other = await campaign(
			'typed, another order',
			'{"order":9007199254740992,"shop":{"id":"eu","tier":1}}',
		);
		expect((await runCampaign(n8n, other, list)).status).toBe('success');
		const otherOrder = ledgerFor(sandbox, list);
		report(
			`${version} campaign keys: metadata differing only in an integer beyond 2^53`,
			otherOrder,
		);
		expect({ charged: otherOrder.charged, distinct: otherOrder.distinct }).toEqual({
			charged: 12,
			distinct: 6,
		});
	});

	test("an expression's object with an integer beyond 2^53 - 1 (parsed by n8n) stops the run before anything is sent", async () => {
		const list = recipients(42, 3, 'order shipped').map((r, i) => ({
			...r,
			order: i === 2 ? 2 ** 53 + 2 : i + 1,
		}));
		const flow = await campaign('expression object', '={{ { order: $json.order } }}');
		const run = await runCampaign(n8n, flow, list);
		expect(run.status).toBe('error');
		const execution = await n8n.getExecution(run.id);
		expect(JSON.stringify(execution.data.resultData.error)).toContain(
			"Item 2: 'Metadata' holds the number 9007199254740994 at order, beyond 9007199254740991 (2^53 - 1)",
		);
		expect(ledgerFor(sandbox, list).charged).toBe(0);
	});
});
