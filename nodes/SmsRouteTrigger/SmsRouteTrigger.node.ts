import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { SeenRecord } from './dedupe';
import type { KeyedEvent, NormalizedStatus } from './normalize';
import { normalizeSendcloud, normalizeSmsroute } from './normalize';
import { parseRawBody } from './parseBody';
import {
	extractSendcloudFields,
	looksLikeSendcloud,
	verifySendcloudSignature,
} from './verify/sendcloudSignature';
import type { SmsrouteKey } from './verify/smsrouteSignature';
import { SMSROUTE_SIGNATURE_HEADER, verifySmsrouteSignature } from './verify/smsrouteSignature';

const DEFAULT_TOLERANCE_SECONDS = 300;

type Provider = 'auto' | 'smsroute' | 'sendcloud';

/** The slice of express's request/response the trigger uses. */
interface RawRequest {
	rawBody?: unknown;
}
interface JsonResponse {
	status(code: number): JsonResponse;
	json(body: unknown): unknown;
}

class Rejection {
	constructor(
		readonly status: 400 | 401,
		readonly reason: string,
	) {}
}

/**
 * Answers the request directly and tells n8n not to answer or run anything: n8n only skips
 * the execution when no workflowData is returned, and only keeps our status code when the
 * node has written the response itself (noWebhookResponse).
 */
function reject(context: IWebhookFunctions, rejection: Rejection): IWebhookResponseData {
	// Only the short reason is logged or sent: never a key, a header or the body.
	context.logger?.debug(`SMS Route Trigger refused a request (${rejection.status})`, {
		reason: rejection.reason,
	});
	const res = context.getResponseObject() as unknown as JsonResponse;
	res.status(rejection.status).json({ error: rejection.reason });
	return { noWebhookResponse: true };
}

function logUnexpected(context: IWebhookFunctions, error: unknown): void {
	context.logger?.warn('SMS Route Trigger could not process a request', {
		error: error instanceof Error ? error.name : typeof error,
	});
}

async function optionalCredentials(
	context: IWebhookFunctions,
	name: string,
): Promise<ICredentialDataDecryptedObject | undefined> {
	try {
		return await context.getCredentials<ICredentialDataDecryptedObject>(name);
	} catch {
		// n8n throws when the node has no credential of this type; the caller answers 401
		// naming the credential to add.
		return undefined;
	}
}

function keyField(credentials: ICredentialDataDecryptedObject, field: string): string {
	const value = credentials[field];
	// Trimmed like the action node does: a pasted newline must not break every signature.
	return typeof value === 'string' ? value.trim() : '';
}

async function handleSmsroute(
	context: IWebhookFunctions,
	rawBody: Buffer,
	contentType: string | undefined,
	header: string | string[] | undefined,
	toleranceSeconds: number,
	receivedAt: Date,
): Promise<KeyedEvent[] | Rejection> {
	const credentials = await optionalCredentials(context, 'smsRouteApi');
	const keys: SmsrouteKey[] = [];
	if (credentials) {
		const testKey = keyField(credentials, 'testApiKey');
		const liveKey = keyField(credentials, 'liveApiKey');
		if (testKey) keys.push({ key: testKey, livemode: false });
		if (liveKey) keys.push({ key: liveKey, livemode: true });
	}
	if (keys.length === 0) {
		return new Rejection(
			401,
			'smsroute webhook received but no SMS Route API credential with a Test or Live API Key is set on the trigger',
		);
	}
	// Verify the exact bytes before parsing anything an attacker could have sent.
	const verified = verifySmsrouteSignature({
		rawBody,
		header,
		keys,
		toleranceSeconds,
		nowMs: receivedAt.getTime(),
	});
	if (!verified.ok) return new Rejection(401, verified.reason);

	const parsed = parseRawBody(rawBody, contentType);
	if (!parsed.ok) return new Rejection(400, parsed.reason);
	const normalized = normalizeSmsroute(parsed.body as IDataObject, {
		livemode: verified.livemode,
		receivedAt,
	});
	if (!normalized.ok) return new Rejection(400, normalized.reason);
	return normalized.events;
}

async function handleSendcloud(
	context: IWebhookFunctions,
	body: IDataObject,
	rawBody: Buffer,
	toleranceSeconds: number,
	receivedAt: Date,
	seen: SeenRecord,
): Promise<KeyedEvent[] | Rejection> {
	const credentials = await optionalCredentials(context, 'sendCloudSmsHookApi');
	const appKey = credentials ? keyField(credentials, 'appKey') : '';
	if (!appKey) {
		return new Rejection(
			401,
			'SendCloud callback received but no SendCloud SMSHook API credential with an App Key is set on the trigger',
		);
	}
	const fields = extractSendcloudFields(body);
	if (!fields.ok) return new Rejection(401, fields.reason);
	const nowMs = receivedAt.getTime();
	const verified = verifySendcloudSignature({
		appKey,
		fields: fields.fields,
		timestampMs: fields.timestampMs,
		toleranceSeconds,
		nowMs,
	});
	if (!verified.ok) return new Rejection(401, verified.reason);
	// The body is not signed: a genuine token seen again with another body is a replay. With
	// the same body it is SendCloud redelivering, and the event record keeps it from emitting twice.
	const tokenUse = seen.tokenUse(fields.fields.token, rawBody);
	if (tokenUse === 'replay') return new Rejection(401, 'token already used');

	const normalized = normalizeSendcloud(body, { timestampMs: fields.timestampMs, receivedAt });
	if (!normalized.ok) return new Rejection(400, normalized.reason);
	if (tokenUse === 'new') seen.addToken(fields.fields.token, rawBody, fields.timestampMs, nowMs, toleranceSeconds);
	return normalized.events;
}

/** Verifies, parses and normalizes one POST; a Rejection says how to answer instead. */
async function receive(
	context: IWebhookFunctions,
	request: {
		provider: Provider;
		rawBody: unknown;
		contentType: string | undefined;
		signatureHeader: string | string[] | undefined;
		toleranceSeconds: number;
		receivedAt: Date;
		seen: SeenRecord;
	},
): Promise<KeyedEvent[] | Rejection> {
	const { provider, rawBody, contentType, signatureHeader, toleranceSeconds, receivedAt, seen } =
		request;
	if (!Buffer.isBuffer(rawBody)) {
		// Never fall back to re-serialised JSON: it is not what was signed.
		return new Rejection(401, 'raw request body unavailable; cannot verify signature');
	}
	const useSmsroute =
		provider === 'smsroute' || (provider === 'auto' && signatureHeader !== undefined);
	if (useSmsroute) {
		return await handleSmsroute(
			context,
			rawBody,
			contentType,
			signatureHeader,
			toleranceSeconds,
			receivedAt,
		);
	}
	const parsed = parseRawBody(rawBody, contentType);
	if (!parsed.ok) return new Rejection(400, parsed.reason);
	if (provider === 'auto' && !looksLikeSendcloud(parsed.body)) {
		return new Rejection(
			401,
			'unrecognized sender: no x-smsroute-signature header and no SendCloud token/timestamp/signature',
		);
	}
	return await handleSendcloud(context, parsed.body as IDataObject, rawBody, toleranceSeconds, receivedAt, seen);
}

export class SmsRouteTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'SMS Route Trigger',
		name: 'smsRouteTrigger',
		icon: { light: 'file:smsroute.svg', dark: 'file:smsroute.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"Provider: " + $parameter["provider"]}}',
		description:
			'Starts the workflow on verified smsroute delivery webhooks and SendCloud SMSHook callbacks',
		defaults: { name: 'SMS Route Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'smsRouteApi',
				required: false,
				displayOptions: { show: { provider: ['auto', 'smsroute'] } },
			},
			{
				name: 'sendCloudSmsHookApi',
				required: false,
				testedBy: 'sendCloudSmsHookApiTest',
				displayOptions: { show: { provider: ['auto', 'sendcloud'] } },
			},
		],
		webhooks: [
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' },
			// SendCloud checks the URL with a GET before it activates the hook.
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'webhook' },
		],
		properties: [
			{
				displayName:
					'Nothing is registered automatically. Copy the Production URL above and paste it as the webhook URL in the smsroute dashboard, and/or in the SendCloud dashboard under 【SMSHook】 (choose the events, enter the URL, save). SendCloud checks the URL with a GET before it saves, so activate this workflow first.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
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
							'Smsroute when the x-smsroute-signature header is present, SendCloud when the body carries token/timestamp/signature',
					},
					{ name: 'SendCloud SMSHook', value: 'sendcloud' },
					{ name: 'Smsroute', value: 'smsroute' },
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

		const receivedAt = new Date();
		const provider = this.getNodeParameter('provider', 'auto') as Provider;
		const events = this.getNodeParameter('events', []) as NormalizedStatus[];
		const options = this.getNodeParameter('options', {}) as { toleranceSeconds?: number };
		const toleranceSeconds =
			typeof options.toleranceSeconds === 'number' && options.toleranceSeconds > 0
				? options.toleranceSeconds
				: DEFAULT_TOLERANCE_SECONDS;

		const request = this.getRequestObject() as unknown as RawRequest;
		const headers = this.getHeaderData();
		const contentType = headers['content-type'];
		const signatureHeader = headers[SMSROUTE_SIGNATURE_HEADER];
		const seen = new SeenRecord(this.getWorkflowStaticData('node'));

		let outcome: KeyedEvent[] | Rejection;
		try {
			outcome = await receive(this, {
				provider,
				rawBody: request.rawBody,
				contentType,
				signatureHeader,
				toleranceSeconds,
				receivedAt,
				seen,
			});
		} catch (error) {
			// Nothing above is expected to throw; if it does, the sender still gets a plain
			// 4xx rather than an n8n error page, and no input is echoed back.
			logUnexpected(this, error);
			outcome = new Rejection(400, 'malformed request');
		}
		if (outcome instanceof Rejection) return reject(this, outcome);
		const accepted = outcome;

		const wanted = events.length > 0 ? new Set<string>(events) : null;
		const fresh: KeyedEvent[] = [];
		for (const item of accepted) {
			if (wanted && !wanted.has(item.event.status)) continue;
			if (seen.hasEvent(item.key)) continue;
			seen.addEvent(item.key);
			fresh.push(item);
		}
		seen.save();

		const webhookResponse = { received: accepted.length, emitted: fresh.length };
		if (fresh.length === 0) {
			// Acknowledge duplicates and filtered events so the provider stops retrying,
			// without starting an execution.
			return { webhookResponse };
		}
		const items: INodeExecutionData[] = fresh.map(({ event }) => ({ json: event }));
		return { webhookResponse, workflowData: [items] };
	}
}
