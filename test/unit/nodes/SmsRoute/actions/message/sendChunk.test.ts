/**
 * Chunk narrowing (actions/message/sendChunk.ts), tested here only: when smsroute rejects a bulk
 * request with 400, the culprits are found (named by index, or by bisection) and set aside as
 * error items, the rest sent once; a 400 for the whole chunk stops the narrowing early. Against
 * the sandbox (its ledger proves what was charged) and a programmable server (exact answers).
 */
import type { IDataObject } from 'n8n-workflow';

import {
	sendJson,
	startHostileServer,
	type HostileServer,
} from '../../../../../helpers/hostileServer';
import { runSmsRoute } from '../../../../../helpers/runWorkflow';
import { useSandboxRun } from '../../../../../helpers/sandboxRun';

const sandbox = useSandboxRun(7);
let hostile: HostileServer;
beforeAll(async () => {
	hostile = await startHostileServer();
});
afterAll(async () => await hostile.stop());
beforeEach(() => {
	hostile.requests.length = 0;
	sandbox.sandbox().configure({ optedOut: [], optOutNamesIndex: true });
});

const SEND_PARAMS = { resource: 'message', to: '={{ $json.to }}', body: '={{ $json.body }}' };

const hostileCredentials = () => ({
	environment: 'test',
	testApiKey: 'sk_test_narrowing_0000000000000',
	liveApiKey: '',
	baseUrl: `${hostile.origin}/v1`,
});

function makeItems(count: number, prefix = 'msg'): IDataObject[] {
	return Array.from({ length: count }, (_, i) => ({
		to: `+1201${String(2000000 + i).slice(-7)}`,
		body: `${prefix} ${i}`,
	}));
}

/** The ledger charged each of these items' bodies exactly once. */
function expectChargedOnceEach(ledger: Array<{ body: string }>, items: IDataObject[]) {
	const bodies = ledger.map((entry) => entry.body);
	expect(new Set(bodies).size).toBe(bodies.length);
	expect(bodies.sort()).toEqual(items.map((item) => item.body as string).sort());
}

describe('actions/message/sendChunk: a 400 for part of a chunk', () => {
	it.each([
		['names the index', true, 1 + 2],
		['names no index (bisection)', false, 0],
	])(
		'a chunk smsroute rejects with 400 (%s): culprits become error items, the rest are sent once',
		async (_label, namesIndex, exactRequests) => {
			const items = makeItems(1000);
			const optedOut = [items[10].to, items[777].to] as string[];
			sandbox.sandbox().configure({ optedOut, optOutNamesIndex: namesIndex });
			const { output, error } = await runSmsRoute({
				items,
				parameters: { ...SEND_PARAMS, operation: 'sendBulk' },
				credentials: sandbox.credentials(),
				continueOnFail: true,
			});
			expect(error).toBeUndefined();
			const ledger = sandbox.sandbox().ledger();
			expect(ledger).toHaveLength(998);
			expectChargedOnceEach(
				ledger,
				items.filter((_, i) => i !== 10 && i !== 777),
			);
			expect(output![10].json.error).toMatch(/\(400\).*opted out/);
			expect(output![777].json.error).toMatch(/\(400\).*opted out/);
			expect(output![777].pairedItem).toEqual({ item: 777 });
			expect(output!.filter((o) => o.json.id)).toHaveLength(998);
			const requests = sandbox.sandbox().stats().requests['POST /v1/messages/bulk'];
			// Named: one request per culprit plus the final one. Bisection: about 2·log2(1000) per culprit.
			if (exactRequests) expect(requests).toBe(exactRequests);
			else expect(requests).toBeLessThanOrEqual(2 * 2 * 10 + 1);
		},
	);
});

describe('actions/message/sendChunk: a 400 for the whole chunk', () => {
	it('fails the chunk after a few requests instead of bisecting it into ~2N', async () => {
		hostile.handle = (_req, res) =>
			sendJson(res, 400, { error: 'from: sender id "ACME" is not allowed for this account' });
		const items = makeItems(1000);
		const { output, error } = await runSmsRoute({
			items,
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', additionalFields: { from: 'ACME' } },
			credentials: hostileCredentials(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(output).toHaveLength(1000);
		expect(hostile.requests.length).toBeLessThanOrEqual(8);
		for (const item of output!)
			expect(item.json.error).toMatch(/\(400\).*sender id "ACME" is not allowed/);
	});
	it('a chunk-wide 400 that names an index (messages[0].from) is found after a short streak, not one request per message', async () => {
		hostile.handle = (_req, res) =>
			sendJson(res, 400, { error: 'messages[0].from: sender id "ACME" is not allowed' });
		const { output, error } = await runSmsRoute({
			items: makeItems(1000),
			parameters: { ...SEND_PARAMS, operation: 'sendBulk', additionalFields: { from: 'ACME' } },
			credentials: hostileCredentials(),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(hostile.requests.length).toBeLessThanOrEqual(5);
		expect(output).toHaveLength(1000);
		for (const item of output!)
			expect(item.json.error).toMatch(/\(400\).*sender id "ACME" is not allowed/);
	});

	it('many named culprits with the same error are still set aside one by one, the rest sent', async () => {
		// smsroute names the first opted-out recipient of each request; every 10th one is opted out.
		const items = makeItems(60);
		const optedOut = new Set(items.filter((_, i) => i % 10 === 3).map((item) => item.to));
		hostile.handle = (req, res) => {
			const messages = (JSON.parse(req.body) as { messages: IDataObject[] }).messages;
			const bad = messages.findIndex((m) => optedOut.has(m.to as string));
			if (bad >= 0)
				return sendJson(res, 400, { error: `messages[${bad}].to: recipient has opted out` });
			sendJson(res, 200, {
				ids: messages.map((m) => `msg_${String(m.body).replace(/\W/g, '')}`),
				count: messages.length,
			});
		};
		const { output } = await runSmsRoute({
			items,
			parameters: { ...SEND_PARAMS, operation: 'sendBulk' },
			credentials: hostileCredentials(),
			continueOnFail: true,
		});
		output!.forEach((item, i) => {
			if (i % 10 === 3) expect(item.json.error).toMatch(/opted out/);
			else expect(item.json.id).toBe(`msg_msg${i}`);
		});
		expect(hostile.requests.length).toBeLessThanOrEqual(6 + 2 + 1);
	});
});
