'use strict';
/**
 * What the Send and Wait end-to-end tests do with n8n: start a workflow through its webhook,
 * wait for an execution's status, and read a node's runs and output items.
 */

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const runsOf = (execution, node) => execution.data?.resultData?.runData?.[node] ?? [];
const itemsOn = (execution, node, output = 0, run = -1) =>
	runsOf(execution, node).at(run)?.data?.main?.[output] ?? [];

function createWaitHarness(n8n) {
	/**
	 * Starts the workflow with `body` and returns the id of the execution it made (n8n lists an
	 * execution once it waits or ends: `timeoutMs` covers a long-running one).
	 */
	async function start({ workflow, path }, body, { timeoutMs = 30_000 } = {}) {
		const before = new Set(
			(await n8n.listExecutions(workflow.id, { includeData: false })).map((e) => e.id),
		);
		const res = await n8n.callWebhook('POST', path, { body });
		if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
		const all = await n8n.waitForExecutions(
			workflow.id,
			(list) => list.some((e) => !before.has(e.id)),
			{ timeoutMs },
		);
		return all.find((e) => !before.has(e.id)).id;
	}

	async function waitForStatus(executionId, wanted, timeoutMs = 30_000) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const execution = await n8n.getExecution(executionId);
			if (wanted.includes(execution.status)) return execution;
			if (Date.now() > deadline)
				throw new Error(
					`execution ${executionId} is "${execution.status}", not ${wanted.join('/')}`,
				);
			await sleep(250);
		}
	}

	return { start, waitForStatus };
}

module.exports = { createWaitHarness, runsOf, itemsOn, sleep };
