'use strict';
/**
 * The workflows the Send and Wait end-to-end tests run (single instance and queue mode):
 * an SMS Route Trigger to relay delivery events, and Webhook → one item per recipient →
 * Send and Wait for Delivery → a No-Op per output (+ Get Status after Timed Out).
 */
const crypto = require('node:crypto');

const ACTION = 'n8n-nodes-smsroute.smsRoute';
const TRIGGER = 'n8n-nodes-smsroute.smsRouteTrigger';

/** Creates and activates the trigger workflow; returns it with its production URL path. */
async function createTriggerWorkflow(n8n, credentialRef, name = 'send and wait: trigger') {
	const webhookId = crypto.randomUUID();
	const workflow = await n8n.createWorkflow({
		name,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'SMS Route Trigger',
				type: TRIGGER,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { provider: 'smsroute', events: [] },
				credentials: { smsRouteApi: credentialRef },
			},
		],
		connections: {},
	});
	await n8n.activateWorkflow(workflow.id);
	const webhookPath = `${webhookId}/webhook`;
	await n8n.callWebhook('GET', webhookPath); // registered (n8n can 404 right after activation)
	return { workflow, webhookPath };
}

const node = (name, type, position, parameters, extra = {}) => ({
	id: crypto.randomUUID(),
	name,
	type,
	typeVersion: 1,
	position,
	parameters,
	...extra,
});
const link = (to) => [{ node: to, type: 'main', index: 0 }];

const webhookNode = (path) =>
	node(
		'Webhook',
		'n8n-nodes-base.webhook',
		[0, 0],
		{ httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		{ typeVersion: 2, webhookId: crypto.randomUUID() },
	);
const codeNode = (name, position, jsCode) =>
	node(name, 'n8n-nodes-base.code', position, { jsCode }, { typeVersion: 2 });
const noOp = (name, position) => node(name, 'n8n-nodes-base.noOp', position, {});
const sendAndWaitNode = (name, position, credentialRef, parameters) =>
	node(
		name,
		ACTION,
		position,
		{
			resource: 'message',
			operation: 'sendAndWait',
			body: 'Your code is 123456',
			options: {},
			...parameters,
		},
		{ credentials: { smsRouteApi: credentialRef } },
	);
/** A node's three outputs to three nodes. */
const outputsTo = (...names) => ({ main: names.map(link) });

/**
 * Webhook (POST `{ to: [number], fallback: number }`) → Start → "Send and Wait" → Delivered /
 * "Fallback" / Timed Out, where "Fallback" is a second Send and Wait (to `fallback`) →
 * "Fallback Delivered" / "Fallback Not Delivered" / "Fallback Timed Out": the fallback pattern.
 */
async function createFallbackWorkflow(n8n, credentialRef, { name, fallbackOptions = {} }) {
	const path = `send-and-wait-fallback-${crypto.randomUUID()}`;
	const nodes = [
		webhookNode(path),
		codeNode('Start', [220, 0], 'return [{ json: { to: $input.first().json.body.to[0] } }];'),
		sendAndWaitNode('Send and Wait', [440, 0], credentialRef, { to: '={{ $json.to }}' }),
		noOp('Delivered', [700, -200]),
		sendAndWaitNode('Fallback', [700, 0], credentialRef, {
			to: "={{ $('Webhook').first().json.body.fallback }}",
			options: fallbackOptions,
		}),
		noOp('Timed Out', [700, 200]),
		noOp('Fallback Delivered', [960, -100]),
		noOp('Fallback Not Delivered', [960, 0]),
		noOp('Fallback Timed Out', [960, 100]),
	];
	const connections = {
		Webhook: { main: [link('Start')] },
		Start: { main: [link('Send and Wait')] },
		'Send and Wait': outputsTo('Delivered', 'Fallback', 'Timed Out'),
		Fallback: outputsTo('Fallback Delivered', 'Fallback Not Delivered', 'Fallback Timed Out'),
	};
	const workflow = await n8n.createWorkflow({ name, nodes, connections });
	await n8n.activateWorkflow(workflow.id);
	return { workflow, path };
}

/**
 * Webhook (POST `{ to: [number] }`) → Start (round 1) → "Send and Wait" (round in metadata) →
 * Delivered → "Next Round" → back to "Send and Wait" while the round is below `rounds`: the
 * same node waits again in the same execution, at run index 1, 2, …
 */
async function createLoopWorkflow(
	n8n,
	credentialRef,
	{ name, rounds = 3, additionalFields = {}, options = {} },
) {
	const path = `send-and-wait-loop-${crypto.randomUUID()}`;
	const nodes = [
		webhookNode(path),
		codeNode(
			'Start',
			[220, 0],
			'return [{ json: { to: $input.first().json.body.to[0], round: 1 } }];',
		),
		sendAndWaitNode('Send and Wait', [440, 0], credentialRef, {
			to: '={{ $json.to }}',
			additionalFields: {
				metadata: '={{ JSON.stringify({ round: $json.round }) }}',
				...additionalFields,
			},
			options,
		}),
		codeNode(
			'Next Round',
			[700, -200],
			// $runIndex too: a replayed message keeps its round, and must not loop forever.
			`return $input.all().filter((i) => i.json.metadata.round < ${rounds} && $runIndex < ${rounds - 1}).map((i) => ({ json: { to: i.json.to, round: i.json.metadata.round + 1 } }));`,
		),
		noOp('Not Delivered', [700, 0]),
		noOp('Timed Out', [700, 200]),
	];
	const connections = {
		Webhook: { main: [link('Start')] },
		Start: { main: [link('Send and Wait')] },
		'Send and Wait': outputsTo('Next Round', 'Not Delivered', 'Timed Out'),
		'Next Round': { main: [link('Send and Wait')] },
	};
	const workflow = await n8n.createWorkflow({ name, nodes, connections });
	await n8n.activateWorkflow(workflow.id);
	return { workflow, path };
}

/**
 * Creates and activates Webhook (POST `{ to: [...] }`, answered at once) → Recipients →
 * "Send and Wait" → Delivered / Not Delivered / Timed Out (→ Get Status); each branch node adds
 * `pairedInput`, the item's input found through n8n's paired-item lineage. `branches: false`
 * leaves the outputs unconnected. Returns { workflow, path, smsNodeId }.
 */
async function createWaitWorkflow(
	n8n,
	credentialRef,
	{ name, options = {}, branches = true, additionalFields = {} },
) {
	const path = `send-and-wait-${crypto.randomUUID()}`;
	const smsRouteApi = { smsRouteApi: credentialRef };
	const send = node(
		'Send and Wait',
		ACTION,
		[440, 0],
		{
			resource: 'message',
			operation: 'sendAndWait',
			to: '={{ $json.to }}',
			body: 'Your code is 123456',
			additionalFields: {
				metadata: '={{ JSON.stringify({ orderId: "A-" + $itemIndex }) }}',
				...additionalFields,
			},
			options,
		},
		{ credentials: smsRouteApi },
	);
	const nodes = [
		webhookNode(path),
		codeNode(
			'Recipients',
			[220, 0],
			'return $input.first().json.body.to.map((to) => ({ json: { to } }));',
		),
		send,
	];
	const connections = {
		Webhook: { main: [link('Recipients')] },
		Recipients: { main: [link('Send and Wait')] },
	};
	// Each branch node reads the item's input through n8n's paired-item lineage.
	const branch = (name, y) =>
		node(
			name,
			'n8n-nodes-base.set',
			[700, y],
			{
				mode: 'manual',
				includeOtherFields: true,
				assignments: {
					assignments: [
						{
							id: crypto.randomUUID(),
							name: 'pairedInput',
							value: "={{ $('Recipients').item.json.to }}",
							type: 'string',
						},
					],
				},
				options: {},
			},
			{ typeVersion: 3.4 },
		);
	if (branches) {
		nodes.push(
			branch('Delivered', -200),
			branch('Not Delivered', 0),
			branch('Timed Out', 200),
			node(
				'Get Status',
				ACTION,
				[920, 200],
				{ resource: 'message', operation: 'get', messageId: '={{ $json.id }}', options: {} },
				{ credentials: smsRouteApi },
			),
		);
		connections['Send and Wait'] = {
			main: [link('Delivered'), link('Not Delivered'), link('Timed Out')],
		};
		connections['Timed Out'] = { main: [link('Get Status')] };
	}
	const workflow = await n8n.createWorkflow({ name, nodes, connections });
	await n8n.activateWorkflow(workflow.id);
	return { workflow, path, smsNodeId: send.id };
}

module.exports = {
	ACTION,
	TRIGGER,
	createTriggerWorkflow,
	createWaitWorkflow,
	createFallbackWorkflow,
	createLoopWorkflow,
};
