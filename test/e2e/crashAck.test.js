'use strict';
/**
 * Issue 28: an event the SMS Route Trigger answered 2xx is never lost, even when n8n dies the
 * next moment. Per n8n version: signed smsroute events go to the trigger and, as the yardstick,
 * to n8n's own Webhook node (Respond: Immediately), 8 at a time each; n8n is SIGKILLed once the
 * trigger has answered KILL_AFTER of them with 200, then started again on the same database.
 *
 *   - lost: an event answered 200 whose id is in no execution (finished, crashed or never run);
 *     the trigger must lose none (the Webhook node's count is printed, not asserted);
 *   - the sender then sends again every event it got no answer for (as smsroute does): each is
 *     emitted, and none answered 200 is emitted twice; one that got no answer may be, when n8n
 *     was killed between creating its execution and answering (at most the requests in flight).
 *   - n8n 1.x answers before it creates the execution (for its own Webhook node too), so there
 *     the trigger can lose what was in flight at the kill, as the Webhook node does; 2.x: none.
 *
 * SMSROUTE_CRASH_ACKS (default 150) sets KILL_AFTER. Needs `npm run build` first.
 */
const crypto = require('node:crypto');
const { startN8n, resolveVersion, N8N_VERSIONS } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
const { webhookNode } = require('../bench/workflows');
const {
	KILL_AFTER,
	CONCURRENCY,
	signedEvent,
	headersFor,
	sendUntilStopped,
	executionsPerEvent,
	waitForExecutionsToSettle,
} = require('./crash');

const TRIGGER = 'n8n-nodes-smsroute.smsRouteTrigger';
const VERSIONS = process.env.SMSROUTE_E2E_N8N_VERSIONS
	? process.env.SMSROUTE_E2E_N8N_VERSIONS.split(',')
			.filter(Boolean)
			.map((v) => resolveVersion(v))
	: N8N_VERSIONS;

jest.setTimeout(10 * 60_000);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(VERSIONS)('n8n %s: SIGKILL after acknowledgements', (version) => {
	let n8n;
	afterAll(async () => {
		if (n8n) await n8n.stop();
	}, 60_000);

	test(`the trigger loses no event it answered 200 (kill after ${KILL_AFTER}), and a resend is emitted once`, async () => {
		const started = Date.now();
		n8n = await startN8n({ version });
		const { smsRouteApi } = await createSandboxCredentials(n8n, {
			baseUrl: 'http://127.0.0.1:9/v1',
		});
		const webhookId = crypto.randomUUID();
		const trigger = await n8n.createWorkflow({
			name: 'crash: SMS Route Trigger',
			nodes: [
				{
					id: crypto.randomUUID(),
					name: 'SMS Route Trigger',
					type: TRIGGER,
					typeVersion: 1.1,
					position: [0, 0],
					webhookId,
					parameters: { provider: 'smsroute', events: [] },
					credentials: { smsRouteApi },
				},
			],
			connections: {},
		});
		const plainPath = `crash-plain-${crypto.randomUUID().slice(0, 8)}`;
		const plain = await n8n.createWorkflow({
			name: 'crash: Webhook node',
			nodes: [webhookNode(plainPath, { responseMode: 'onReceived' })],
			connections: {},
		});
		await n8n.activateWorkflow(trigger.id);
		await n8n.activateWorkflow(plain.id);
		const triggerPath = `${webhookId}/webhook`;
		expect((await n8n.callWebhook('GET', triggerPath)).status).toBe(200);

		const run = crypto.randomUUID().slice(0, 8);
		const make = (kind) =>
			Array.from({ length: KILL_AFTER * 3 }, (_, i) => signedEvent(`msg_${kind}_${run}_${i}`));
		const triggerEvents = make('trg');
		const plainEvents = make('hook');

		let acks = 0;
		let killed = null;
		const kill = () => {
			killed ??= n8n.kill();
		};
		const [triggerOutcome, plainOutcome] = await Promise.all([
			sendUntilStopped(
				`${n8n.url}/webhook/${triggerPath}`,
				triggerEvents,
				() => killed !== null,
				() => {
					if (++acks >= KILL_AFTER) kill();
				},
			),
			sendUntilStopped(`${n8n.url}/webhook/${plainPath}`, plainEvents, () => killed !== null),
		]);
		await killed;
		const sentAt = Date.now();

		n8n = await startN8n({ version, userFolder: n8n.userFolder });
		const table = [];
		const check = async (receiver, workflowId, outcome) => {
			const ids = [...outcome.keys()];
			const acked = ids.filter((id) => outcome.get(id) === 'ok');
			const per = executionsPerEvent(
				await n8n.listExecutions(workflowId, { includeData: true }),
				ids,
			);
			const lost = acked.filter((id) => per.get(id) === 0);
			table.push({
				receiver,
				'answered 200': acked.length,
				found: acked.length - lost.length,
				lost: lost.length,
				'no answer': ids.length - acked.length,
			});
			return { lost, per };
		};
		const plainResult = await check('Webhook node (Respond: Immediately)', plain.id, plainOutcome);
		const triggerResult = await check('SMS Route Trigger', trigger.id, triggerOutcome);

		// smsroute sends again what it got no answer for.
		const unanswered = triggerEvents.filter((e) => triggerOutcome.get(e.messageId) === 'none');
		const resent = await Promise.all(
			unanswered.map(async (e) => {
				const res = await n8n.callWebhook('POST', triggerPath, {
					body: e.body,
					headers: headersFor(e.body),
				});
				return { status: res.status, body: res.body };
			}),
		);
		// n8n 2.x can leave an execution 'running' for good after the kill (its recovery skips one
		// whose event log has no node message); the lost count above does not depend on it.
		const leftOver = await waitForExecutionsToSettle(n8n, trigger.id);
		const sentIds = [...triggerOutcome.keys()];
		// Right after it finishes, an execution's saved data can lag its status for a moment.
		let after;
		for (let tries = 0; tries < 20; tries++) {
			after = executionsPerEvent(
				await n8n.listExecutions(trigger.id, { includeData: true }),
				sentIds,
			);
			if (unanswered.every((e) => after.get(e.messageId) > 0)) break;
			await sleep(1000);
		}
		const twice = sentIds.filter((id) => after.get(id) > 1);
		const resentMissing = unanswered.filter((e) => after.get(e.messageId) === 0);
		// An event answered 200 is never sent again, so never emitted twice. One that got no
		// answer can be: n8n created its execution but was killed before it saved the duplicate
		// record and answered (docs/verification.md, What a 200 means): at most the requests in
		// flight at the kill.
		const ackedTwice = twice.filter((id) => triggerOutcome.get(id) === 'ok');
		process.stderr.write(
			`[crash-e2e] n8n ${version}: killed after ${KILL_AFTER} trigger acks (send phase ${((sentAt - started) / 1000).toFixed(1)} s, whole test ${((Date.now() - started) / 1000).toFixed(1)} s)\n` +
				`${table.map((row) => JSON.stringify(row)).join('\n')}\n` +
				`never ended after the restart: ${leftOver.length}; resent ${unanswered.length} unanswered: ${resent.filter((a) => a.body?.emitted === 1).length} emitted, ${resent.filter((a) => a.body?.emitted === 0).length} duplicates; in two executions: ${twice.length} (answered 200 before the kill: ${ackedTwice.length}); resent but in no execution: ${resentMissing.length}\n`,
		);

		if (n8n.major >= 2) {
			expect({ lost: triggerResult.lost }).toEqual({ lost: [] });
		} else {
			// n8n 1.x answers onReceived before it creates the execution (its own Webhook node
			// too): what was in flight at the kill can be lost there, and nothing more.
			expect(triggerResult.lost.length).toBeLessThanOrEqual(CONCURRENCY);
		}
		expect(resent.every((answer) => answer.status === 200)).toBe(true);
		expect({ ackedTwice }).toEqual({ ackedTwice: [] });
		expect(twice.length).toBeLessThanOrEqual(CONCURRENCY);
		expect(resentMissing.map((e) => e.messageId)).toEqual([]);
		expect(plainResult.per.size).toBeGreaterThan(0);
	});
});
