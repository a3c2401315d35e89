import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * The SendCloud app key signs SMSHook callbacks (HMAC-SHA256 over timestamp + token).
 * It is only used locally to verify them, so there is no API to test it against:
 * the trigger node tests it (testedBy) by checking its form.
 */
export class SendCloudSmsHookApi implements ICredentialType {
	name = 'sendCloudSmsHookApi';

	displayName = 'SendCloud SMSHook API';

	icon: Icon = { light: 'file:sendcloud.svg', dark: 'file:sendcloud.dark.svg' };

	documentationUrl =
		'https://github.com/n8n-nodes-smsroute/n8n-nodes-smsroute#sendcloud-smshook-api-sendcloudsmshookapi';

	properties: INodeProperties[] = [
		{
			displayName: 'App Key',
			name: 'appKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The SMS app key from the SendCloud dashboard; it signs every SMSHook callback',
		},
	];
}
