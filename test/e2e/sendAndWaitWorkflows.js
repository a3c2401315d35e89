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

/**
 * Creates and activates Webhook (POST `{ to: [...] }`, answered at once) → Recipients →
 * "Send and Wait" → Delivered / Not Delivered / Timed Out (→ Get Status); each branch node adds
 * `pairedInput`, the item's input found through n8n's paired-item lineage. `branches: false`
 * leaves the outputs unconnected. Returns { workflow, path, smsNodeId }.
 */
async function createWaitWorkflow(n8n, credentialRef, { name, options = {}, branches = true }) {
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
			additionalFields: { metadata: '={{ JSON.stringify({ orderId: "A-" + $itemIndex }) }}' },
			options,
		},
		{ credentials: smsRouteApi },
	);
	const nodes = [
		node(
			'Webhook',
			'n8n-nodes-base.webhook',
			[0, 0],
			{ httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			{
				typeVersion: 2,
				webhookId: crypto.randomUUID(),
			},
		),
		node(
			'Recipients',
			'n8n-nodes-base.code',
			[220, 0],
			{ jsCode: 'return $input.first().json.body.to.map((to) => ({ json: { to } }));' },
			{ typeVersion: 2 },
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

module.exports = { ACTION, TRIGGER, createTriggerWorkflow, createWaitWorkflow };
