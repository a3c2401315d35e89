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
function targetNode(
	variant,
	{ credential, baseUrl, apiKey, concurrency, chunkSize, nodeOptions = {} },
) {
	const base = { id: crypto.randomUUID(), position: [440, 0] };
	if (variant === 'smsrouteGuarded') {
		// Every guard on (issue 21): version 1.1 (premium rate and shared cost blocked), three
		// allowed countries, a cap, and the opt-out list from the request, as a user feeds it from
		// a Data Table or sheet node.
		const node = targetNode('smsroute', { credential, baseUrl, apiKey, concurrency, chunkSize });
		return {
			...node,
			typeVersion: 1.1,
			parameters: {
				...node.parameters,
				guardrails: {
					allowedCountries: ['US', 'CA', 'GB'],
					maxMessagesPerExecution: 10_000_000,
					doNotSendTo: "={{ $('Webhook').first().json.body.optOuts }}",
				},
				options: { ...node.parameters.options, ...nodeOptions },
			},
		};
	}
	if (variant === 'smsrouteCampaign') {
		// Campaign ID set (issue 25): keys from the campaign and the message, not the execution.
		const node = targetNode('smsroute', { credential, baseUrl, apiKey, concurrency, chunkSize });
		return {
			...node,
			parameters: {
				...node.parameters,
				options: { ...node.parameters.options, campaignId: 'bench-2026-12', ...nodeOptions },
			},
		};
	}
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
				options: {
					batching: {
						batch: { batchSize: concurrency, batchInterval: nodeOptions.batchIntervalMs ?? 20 },
					},
				},
			},
		};
	}
	if (variant === 'noOp') {
		return {
			...base,
			name: 'No Operation',
			type: 'n8n-nodes-base.noOp',
			typeVersion: 1,
			parameters: {},
		};
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

/** The SMS Route Trigger alone; typeVersion 1.1 is what a new node gets (1 = saved workflows). */
function triggerWorkflow({ credential, typeVersion = 1.1 }) {
	const webhookId = crypto.randomUUID();
	return {
		webhookPath: `${webhookId}/webhook`,
		workflow: {
			name: `bench smsroute trigger v${typeVersion}`,
			nodes: [
				{
					id: crypto.randomUUID(),
					name: 'SMS Route Trigger',
					type: TRIGGER,
					typeVersion,
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

/** The bench's do-nothing community trigger (test/bench/fixtures/n8n-nodes-floor). */
function floorWorkflow() {
	const webhookId = crypto.randomUUID();
	return {
		webhookPath: `${webhookId}/webhook`,
		workflow: {
			name: 'bench floor trigger',
			nodes: [
				{
					id: crypto.randomUUID(),
					name: 'Floor Trigger',
					type: 'n8n-nodes-floor.floorTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					parameters: {},
				},
			],
			connections: {},
		},
	};
}

/**
 * n8n's Webhook node answering on receipt. With `headerAuth` (an httpHeaderAuth credential) it
 * has what every verifying trigger has, a credential: n8n checks a workflow's credentials before
 * it creates each execution (a database query on the request's path, WorkflowRunner.run →
 * CredentialsPermissionChecker.check), which a workflow without one skips.
 */
function plainWebhookWorkflow(path, headerAuth) {
	const node = webhookNode(path, { responseMode: 'onReceived' });
	if (headerAuth) {
		node.parameters.authentication = 'headerAuth';
		node.credentials = { httpHeaderAuth: { id: headerAuth.id, name: headerAuth.name } };
	}
	return {
		name: `bench plain webhook${headerAuth ? ' (header auth)' : ''}`,
		nodes: [node],
		connections: {},
	};
}

/**
 * The Code node of the hand-built verification: HMAC-SHA256 over "<t>." + the raw body bytes
 * (the Webhook node's rawBody option puts them in binary "data"), every v1 compared in constant
 * time, t within the tolerance. Runs in n8n's task runner: needs NODE_FUNCTION_ALLOW_BUILTIN=crypto.
 */
function verifyCode(key, toleranceSeconds) {
	return [
		"const crypto = require('crypto');",
		`const key = ${JSON.stringify(key)};`,
		'const item = $input.first();',
		"const header = String(item.json.headers['x-smsroute-signature'] || '');",
		'let t = NaN; const sigs = [];',
		"for (const part of header.split(',')) {",
		"  const [name, value = ''] = part.trim().split('=');",
		"  if (name === 't') t = Number(value); else if (name === 'v1') sigs.push(Buffer.from(value, 'hex'));",
		'}',
		'const bin = item.binary && item.binary.data;',
		"const raw = !bin ? Buffer.alloc(0) : bin.id ? await this.helpers.getBinaryDataBuffer(0, 'data') : Buffer.from(bin.data, 'base64');",
		"const expected = crypto.createHmac('sha256', key).update(`${t}.`).update(raw).digest();",
		`const fresh = Number.isFinite(t) && Math.abs(Date.now() / 1000 - t) <= ${toleranceSeconds};`,
		'let match = false;',
		'for (const sig of sigs) if (sig.length === expected.length && crypto.timingSafeEqual(sig, expected)) match = true;',
		'return [{ json: { valid: fresh && match } }];',
	].join('\n');
}

function respondNode(name, responseCode, position) {
	return {
		id: crypto.randomUUID(),
		name,
		type: 'n8n-nodes-base.respondToWebhook',
		typeVersion: 1.1,
		position,
		parameters: { respondWith: 'noData', options: { responseCode } },
	};
}

/**
 * What users build without this package: Webhook (raw body, answer from a Respond node) → Code
 * (HMAC in constant time) → IF → Respond to Webhook 200 / 401.
 */
function handBuiltWorkflow({ path, key, toleranceSeconds = 300 }) {
	const hook = webhookNode(path, { responseMode: 'responseNode' });
	hook.parameters.options = { rawBody: true };
	const code = {
		id: crypto.randomUUID(),
		name: 'Verify HMAC',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [220, 0],
		parameters: {
			mode: 'runOnceForAllItems',
			language: 'javaScript',
			jsCode: verifyCode(key, toleranceSeconds),
		},
	};
	const check = {
		id: crypto.randomUUID(),
		name: 'Valid?',
		type: 'n8n-nodes-base.if',
		typeVersion: 2,
		position: [440, 0],
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'strict' },
				conditions: [
					{
						id: crypto.randomUUID(),
						leftValue: '={{ $json.valid }}',
						rightValue: '',
						operator: { type: 'boolean', operation: 'true', singleValue: true },
					},
				],
				combinator: 'and',
			},
			options: {},
		},
	};
	const ok = respondNode('Respond 200', 200, [660, -100]);
	const refused = respondNode('Respond 401', 401, [660, 100]);
	return {
		name: 'bench hand-built verification',
		nodes: [hook, code, check, ok, refused],
		connections: {
			[hook.name]: { main: [[{ node: code.name, type: 'main', index: 0 }]] },
			[code.name]: { main: [[{ node: check.name, type: 'main', index: 0 }]] },
			[check.name]: {
				main: [
					[{ node: ok.name, type: 'main', index: 0 }],
					[{ node: refused.name, type: 'main', index: 0 }],
				],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

module.exports = {
	webhookNode,
	ACTION,
	TRIGGER,
	bulkWorkflow,
	triggerWorkflow,
	plainWebhookWorkflow,
	handBuiltWorkflow,
	floorWorkflow,
};
