import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	answer,
	malformedRequest,
	readTriggerParameters,
	receiveWebhook,
	type WebhookAnswer,
} from './trigger/receiveWebhook';
import { testEventNotice } from './trigger/testEventNotice';
import { smsRouteApiTest } from './shared/credentialTest';
import { DEFAULT_TOLERANCE_SECONDS } from './shared/webhookRequest';

export class SmsRouteTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SMS Route Trigger',
		name: 'smsRouteTrigger',
		icon: { light: 'file:smsroute.svg', dark: 'file:smsroute.dark.svg' },
		group: ['trigger'],
		// 1.1 behaves like 1. It exists for n8n: for a version-1 node n8n evaluates an expression
		// while it reads every request body (cli webhook-helpers parseRequestBody), which takes an
		// expression isolate even under N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE; for 1.1 it does not.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{"Provider: " + $parameter["provider"]}}',
		description:
			'Starts the workflow on verified smsroute delivery webhooks and SendCloud SMSHook callbacks',
		defaults: { name: 'SMS Route Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Both optional and always shown: n8n's editor hides a parameter that credentials key their
		// displayOptions on (it takes it for an authentication selector), which hid Provider.
		// Labelled by what each verifies: without displayName n8n's editor (2.41) labels both
		// "Credential", and nothing tells which one is for which provider.
		credentials: [
			{
				name: 'smsRouteApi',
				displayName: 'smsroute API Key (verifies smsroute webhooks)',
				required: false,
				testedBy: 'smsRouteApiTest',
			},
			{
				name: 'sendCloudSmsHookApi',
				displayName: 'SendCloud App Key (verifies SMSHook callbacks)',
				required: false,
				testedBy: 'sendCloudSmsHookApiTest',
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Empty: left undefined, n8n 2.x answers the text "firstEntryJson" instead of our
				// webhookResponse. (A request that starts an execution is answered by webhook() itself.)
				responseData: '',
				path: 'webhook',
			},
			// SendCloud checks the URL with a GET before it activates the hook.
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'webhook' },
		],
		properties: [
			{
				displayName:
					'Add the credential of each provider you use. Nothing is registered automatically. Copy the Production URL above and paste it as the webhook URL in the smsroute dashboard, and/or in the SendCloud dashboard under SMSHook (choose the events, enter the URL, save). SendCloud checks the URL with a GET before it saves, so activate this workflow first.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			testEventNotice('smsroute', ['auto', 'smsroute']),
			testEventNotice('sendcloud', ['sendcloud']),
			{
				displayName: 'Provider',
				name: 'provider',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Auto-Detect',
						value: 'auto',
						description:
							'Picks smsroute when the x-smsroute-signature header is present, SendCloud when the body carries token/timestamp/signature',
					},
					{ name: 'SendCloud SMSHook', value: 'sendcloud' },
					// The service as it spells itself (its domain): n8n's linter title-cases a bare "smsroute".
					{ name: 'smsroute.cc', value: 'smsroute' },
				],
				default: 'auto',
				description: 'Which provider calls this URL; requests of the other kind are refused',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{ name: 'Delivered', value: 'delivered' },
					{ name: 'Failed', value: 'failed' },
					{ name: 'Queued', value: 'queued' },
					{ name: 'Replied', value: 'replied' },
					{ name: 'Requested', value: 'requested' },
					{ name: 'Sent', value: 'sent' },
					{ name: 'Suppressed', value: 'suppressed' },
					{ name: 'Template Verify', value: 'template_verify' },
					{ name: 'Undelivered', value: 'undelivered' },
				],
				default: [],
				description:
					'Normalized statuses to emit. Leave empty to emit all. Others are acknowledged (200) without starting the workflow.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Timestamp Tolerance (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_TOLERANCE_SECONDS,
						description:
							'Refuse requests whose signed timestamp is further than this from now, in either direction (smsroute t=, SendCloud timestamp in ms)',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			smsRouteApiTest,
			// SendCloud offers no endpoint to check an app key, so only its form is tested.
			async sendCloudSmsHookApiTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const appKey = credential.data?.appKey;
				if (typeof appKey !== 'string' || appKey === '') {
					return { status: 'Error', message: 'The App Key is empty' };
				}
				if (/\s/.test(appKey)) {
					return {
						status: 'Error',
						message: 'The App Key contains whitespace (often a pasted space or line break)',
					};
				}
				return {
					status: 'OK',
					message:
						'The App Key is well-formed. SendCloud has no API to test it; it is checked on every SMSHook callback.',
				};
			},
		},
	};

	// Both providers take the URL pasted in their dashboards, so there is nothing to register
	// or remove remotely; reporting "exists" keeps n8n from calling create.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		if (this.getWebhookName() === 'setup') {
			// SendCloud's URL check: answer 200 and start nothing (no workflowData).
			return { webhookResponse: { ok: true, service: 'SMS Route Trigger' } };
		}
		const parameters = readTriggerParameters(this);
		let webhookAnswer: WebhookAnswer;
		try {
			webhookAnswer = await receiveWebhook(this, parameters);
		} catch (error) {
			webhookAnswer = malformedRequest(this, error);
		}
		return answer(this, webhookAnswer);
	}
}
