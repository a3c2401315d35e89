import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { description as messageDescription } from './actions/message/Message.resource';
import { toolDescriptions } from './actions/message/toolDescription';
import { router } from './actions/router';
import { smsRouteApiTest } from './shared/credentialTest';
import { outputsExpression, resumeWebhooks } from './waitForDelivery/description';
import { resumeOnDelivery } from './waitForDelivery/resumeWebhook';

export class SmsRoute implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SMS Route',
		name: 'smsRoute',
		icon: { light: 'file:smsroute.svg', dark: 'file:smsroute.dark.svg' },
		group: ['output'],
		// 1.1 (CHANGELOG): Block Number Types blocks premium rate and shared cost numbers by default.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Send SMS one by one or in bulk through smsroute, with retries and exactly-once delivery',
		defaults: { name: 'SMS Route' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Send and Wait for Delivery has three outputs; every other operation keeps one.
		outputs: outputsExpression,
		credentials: [{ name: 'smsRouteApi', required: true, testedBy: 'smsRouteApiTest' }],
		// Send and Wait for Delivery's resume URL (relayed delivery events).
		webhooks: resumeWebhooks,
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Message', value: 'message' }],
				default: 'message',
			},
			...messageDescription,
			...toolDescriptions,
		],
	};

	methods = { credentialTest: { smsRouteApiTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeOnDelivery.call(this);
	}
}
