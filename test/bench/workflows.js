'use strict';
// Workflow JSON used by the benchmarks. Every bulk workflow is started the same way:
// Webhook (POST {items:[{to, body}]}) → Split Out (one item per element) → the node under test.
const crypto = require('node:crypto');

const ACTION = 'n8n-nodes-smsroute.smsRoute';
const TRIGGER = 'n8n-nodes-smsroute.smsRouteTrigger';

const credentialRef = (c) => ({ id: c.id, name: c.name });

function webhookNode(path, { responseMode = 'lastNode', responseData = 'firstEntryJson' } = {}) {
	const webhookId = crypto.randomUUID();
	const parameters = { httpMethod: 'POST', path, responseMode, options: {} };
	if (responseMode === 'lastNode') parameters.responseData = responseData;
	return {
		id: crypto.randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId,
		parameters,
	};
}

function splitOutNode() {
	return {
		id: crypto.randomUUID(),
		name: 'Split Out',
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: [220, 0],
		parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
	};
}

/** The node under test for a bulk variant. */
function targetNode(variant, { credential, baseUrl, apiKey, concurrency, chunkSize, nodeOptions = {} }) {
	const base = { id: crypto.randomUUID(), position: [440, 0] };
	if (variant === 'smsroute') {
		return {
			...base,
			name: 'SMS Route',
			type: ACTION,
			typeVersion: 1,
			parameters: {
				resource: 'message',
				operation: 'sendBulk',
				to: '={{ $json.to }}',
				body: '={{ $json.body }}',
				additionalFields: {},
				options: { concurrency, chunkSize, ...nodeOptions },
			},
			credentials: { smsRouteApi: credentialRef(credential) },
		};
	}
	if (variant === 'httpRequest') {
		// What users build today: one POST /v1/messages per item. n8n's batching option is a
		// throttle (fire `batchSize` requests, sleep `batchInterval` ms, repeat) rather than a
		// concurrency limit; an interval equal to the sandbox latency keeps about `concurrency`
		// requests in flight.
		return {
			...base,
			name: 'HTTP Request',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			parameters: {
				method: 'POST',
				url: `${baseUrl}/messages`,
				authentication: 'none',
				sendHeaders: true,
				headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${apiKey}` }] },
				sendBody: true,
				contentType: 'json',
				specifyBody: 'keypair',
				bodyParameters: {
					parameters: [
						{ name: 'to', value: '={{ $json.to }}' },
						{ name: 'body', value: '={{ $json.body }}' },
					],
				},
				options: { batching: { batch: { batchSize: concurrency, batchInterval: nodeOptions.batchIntervalMs ?? 20 } } },
			},
		};
	}
	if (variant === 'noOp') {
		return { ...base, name: 'No Operation', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} };
	}
	throw new Error(`unknown variant ${variant}`);
}

function bulkWorkflow(variant, opts) {
	const hook = webhookNode(opts.path, { responseData: opts.responseData ?? 'firstEntryJson' });
	const split = splitOutNode();
	const target = targetNode(variant, opts);
	return {
		name: `bench ${variant} ${opts.path}`,
		nodes: [hook, split, target],
		connections: {
			[hook.name]: { main: [[{ node: split.name, type: 'main', index: 0 }]] },
			[split.name]: { main: [[{ node: target.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1', ...(opts.settings ?? {}) },
		targetName: target.name,
	};
}

function triggerWorkflow({ credential }) {
	const webhookId = crypto.randomUUID();
	return {
		webhookPath: `${webhookId}/webhook`,
		workflow: {
			name: 'bench smsroute trigger',
			nodes: [
				{
					id: crypto.randomUUID(),
					name: 'SMS Route Trigger',
					type: TRIGGER,
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					parameters: { provider: 'smsroute', events: [] },
					credentials: { smsRouteApi: credentialRef(credential) },
				},
			],
			connections: {},
		},
	};
}

function plainWebhookWorkflow(path) {
	return {
		name: 'bench plain webhook',
		nodes: [webhookNode(path, { responseMode: 'onReceived' })],
		connections: {},
	};
}

module.exports = { ACTION, TRIGGER, bulkWorkflow, triggerWorkflow, plainWebhookWorkflow };
