'use strict';
/**
 * What the crash tests share (crashAck.test.js, queue-mode.test.js): signed smsroute events with
 * unique ids, a sender that stops when told (n8n was killed), and where each event ended up.
 */
const { http, sleep } = require('./http');
const { smsRouteTestHeader } = require('../helpers/signing');
const { DEFAULT_TEST_KEY } = require('../sandbox/server');

/** SMSROUTE_CRASH_ACKS: acknowledgements before the kill (default 150, as in issue 28). */
const KILL_AFTER = Number(process.env.SMSROUTE_CRASH_ACKS || 150);
const CONCURRENCY = 8;

function signedEvent(messageId) {
	const body = JSON.stringify({
		type: 'message.delivered',
		message_id: messageId,
		status: 'delivered',
		timestamp: new Date().toISOString(),
		to: '+15005550001',
		livemode: false,
		reason: null,
		metadata: {},
	});
	return { messageId, body };
}

const headersFor = (body) => ({
	'content-type': 'application/json',
	'x-smsroute-signature': smsRouteTestHeader({ key: DEFAULT_TEST_KEY, body }),
});

/**
 * Sends `events` to `url`, CONCURRENCY at a time, until `stopped()`; each outcome is 'ok' (an
 * answer of 200), 'refused' (another status) or 'none' (no answer: the connection died).
 */
async function sendUntilStopped(url, events, stopped, onAck) {
	const outcome = new Map();
	let next = 0;
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (next < events.length && !stopped()) {
				const event = events[next++];
				outcome.set(event.messageId, 'none');
				try {
					const res = await http('POST', url, {
						body: event.body,
						headers: headersFor(event.body),
						fresh: true,
					});
					outcome.set(event.messageId, res.status === 200 ? 'ok' : 'refused');
					if (res.status === 200) onAck?.();
				} catch {
					// No answer: the sender will send it again.
				}
			}
		}),
	);
	return outcome;
}

/** message id → how many executions carry it (any status: finished, crashed, never run). */
function executionsPerEvent(executions, messageIds) {
	const count = new Map(messageIds.map((id) => [id, 0]));
	for (const execution of executions) {
		const text = JSON.stringify(execution.data ?? {});
		// Quoted: msg_…_1 must not match msg_…_10.
		for (const id of messageIds) if (text.includes(`"${id}"`)) count.set(id, count.get(id) + 1);
	}
	return count;
}

const UNFINISHED = ['new', 'running', 'waiting'];

/**
 * Waits until every execution of the workflow has ended, or until those that have not stayed
 * exactly as they were for `stableMs`: a process killed between writing an execution and
 * starting or queueing it leaves it 'new' or 'running' for good (n8n's recovery does not reach
 * every such case), and nothing will ever end it. Returns the ids left that way.
 */
async function waitForExecutionsToSettle(
	n8n,
	workflowId,
	{ stableMs = 20_000, timeoutMs = 4 * 60_000, intervalMs = 1000 } = {},
) {
	const deadline = Date.now() + timeoutMs;
	let seen = '';
	let since = Date.now();
	for (;;) {
		const open = (await n8n.listExecutions(workflowId, { includeData: false }))
			.filter((e) => UNFINISHED.includes(e.status))
			.map((e) => `${e.id}:${e.status}`)
			.sort();
		if (open.length === 0) return [];
		const now = open.join(',');
		if (now !== seen) [seen, since] = [now, Date.now()];
		else if (Date.now() - since >= stableMs) return open.map((e) => e.split(':')[0]);
		if (Date.now() > deadline)
			throw new Error(`executions of ${workflowId} still changing after ${timeoutMs} ms: ${now}`);
		await sleep(intervalMs);
	}
}

module.exports = {
	KILL_AFTER,
	CONCURRENCY,
	signedEvent,
	headersFor,
	sendUntilStopped,
	executionsPerEvent,
	waitForExecutionsToSettle,
};
