import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import {
	SMSROUTE_DEFAULT_BASE_URL,
	selectApiKey,
} from '../nodes/SmsRoute/shared/smsRouteCredential';

export class SmsRouteApi implements ICredentialType {
	name = 'smsRouteApi';

	displayName = 'SMS Route API';

	icon: Icon = { light: 'file:smsroute.svg', dark: 'file:smsroute.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-smsroute/n8n-nodes-smsroute#sms-route-api-smsrouteapi';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Test Mode (No Real SMS)', value: 'test' },
				{ name: 'Live', value: 'live' },
			],
			default: 'test',
			description: 'Which key sends messages. The trigger verifies webhooks with both keys.',
		},
		{
			displayName: 'Test API Key',
			name: 'testApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'sk_test_...',
			description: 'Sandbox key: no real SMS, no charge, webhooks still fire',
		},
		{
			displayName: 'Live API Key',
			name: 'liveApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'sk_live_...',
			description: 'Production key: real SMS, real charges',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: SMSROUTE_DEFAULT_BASE_URL,
			description: 'Change only to reach smsroute through a proxy or a test server',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${selectApiKey(credentials)}` },
		};
	}

	// No `test` here: n8n would use it before the nodes' own test, and its rules cannot take
	// a 404 as success. Both nodes test this credential with smsRouteApiTest
	// (nodes/SmsRoute/shared/credentialTest.ts).
}
