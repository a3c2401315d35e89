import { execFileSync } from 'node:child_process';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { sendCloudTestSignature, smsRouteTestHeader } from './signing';
import { SmsRouteTrigger } from '../../nodes/SmsRoute/SmsRouteTrigger.node';

/**
 * HMAC-SHA256 computed by openssl, outside the project's code, so a bug shared by the
 * verifier and a test helper cannot cancel out. The message goes on stdin byte for byte.
 */
export function opensslHmacHex(key: string, message: Buffer | string): string {
	const output = execFileSync('openssl', ['dgst', '-sha256', '-hmac', key], {
		input: typeof message === 'string' ? Buffer.from(message, 'utf8') : message,
	}).toString('utf8');
	const match = /([0-9a-f]{64})\s*$/.exec(output.trim());
	if (!match) throw new Error(`unexpected openssl output: ${output}`);
	return match[1];
}

export { smsRouteV1 } from './signing';
export const sendCloudSignature = sendCloudTestSignature;

export function smsRouteHeader(key: string, t: number, body: Buffer | string): string {
	return smsRouteTestHeader({ key, timestamp: t, body });
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A 50-character token like SendCloud's, different for each call. */
let tokenCounter = 0;
export function newToken(): string {
	tokenCounter += 1;
	return `VDymF6ihuJkKZjHiJZkLKGmY6q9qAQ2WGopLh7mBsDeA${String(tokenCounter).padStart(6, '0')}`;
}

export const TEST_KEY = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc';
export const LIVE_KEY = 'sk_live_9fK2mQ7rTzXw1bVn5cLp8sHd';
export const APP_KEY = 'sc_appkey_0123456789abcdef0123456789abcdef';

export interface CallOptions {
	webhookName?: 'default' | 'setup';
	headers?: Record<string, string | string[]>;
	rawBody?: Buffer | string | null;
	provider?: 'auto' | 'smsroute' | 'sendcloud';
	events?: string[];
	options?: IDataObject;
	credentials?: Record<string, IDataObject>;
	staticData?: IDataObject;
	/** Calls with the same workflow id share the trigger's in-memory record. Default: one id per
	 * staticData object, so calls that share static data act as one workflow and others do not. */
	workflowId?: string;
	/** Each getCredentials() call pushes the credential type here. */
	credentialLoads?: string[];
	/** Credential id per type on the node (default "<type>-id"); calls that share workflow and
	 * credential id share the key cache. */
	credentialIds?: Record<string, string>;
	/** Leave rawBody for the node to read through req.readRawBody(), as n8n does for a 1.1
	 * node when the content type is not one it parses itself. */
	lazyRawBody?: boolean;
	/** What getWorkflowStaticData('global') gives (default: staticData, as for the node). */
	globalStaticData?: IDataObject;
	/** Leave webhookResponse unread, as n8n does until it has created the execution (2.x). */
	unanswered?: boolean;
	/** More of the webhook context (the relay's URL helpers and httpRequest, say). */
	context?: object;
}

const workflowIds = new WeakMap<object, string>();
let workflowCounter = 0;
function workflowIdFor(staticData: IDataObject): string {
	let id = workflowIds.get(staticData);
	if (!id) workflowIds.set(staticData, (id = `wf-${++workflowCounter}`));
	return id;
}

export interface CallResult {
	result: IWebhookResponseData;
	/** What the node wrote itself through getResponseObject(). */
	statusCode?: number;
	body?: unknown;
	/** Headers the node set on its own answer. */
	headers?: Record<string, string>;
	/** The n8n-visible outcome: the status the client gets and the items emitted. */
	httpStatus: number;
	responseBody: unknown;
	items: IDataObject[];
}

export const defaultCredentials = (): Record<string, IDataObject> => ({
	smsRouteApi: {
		environment: 'test',
		testApiKey: TEST_KEY,
		liveApiKey: LIVE_KEY,
		baseUrl: 'https://api.smsroute.cc/v1',
	},
	sendCloudSmsHookApi: { appKey: APP_KEY },
});

/** What n8n 2.x's database write does before it reads the answer, under fake timers too. */
async function letTheEventLoopTurn(): Promise<void> {
	if ('clock' in setTimeout || jest.isMockFunction(setTimeout)) {
		jest.advanceTimersByTime(0);
		for (let i = 0; i < 3; i++) await Promise.resolve();
		return;
	}
	await new Promise((resolve) => setTimeout(resolve, 2));
}

/** Calls the trigger's webhook() with a small stub of IWebhookFunctions. */
export async function callWebhook(opts: CallOptions): Promise<CallResult> {
	const node = new SmsRouteTrigger();
	const captured: { statusCode?: number; body?: unknown; headers?: Record<string, string> } = {};
	const res = {
		setHeader(name: string, value: string) {
			captured.headers = { ...captured.headers, [name.toLowerCase()]: value };
			return res;
		},
		status(code: number) {
			captured.statusCode = code;
			return res;
		},
		json(body: unknown) {
			captured.body = body;
			return res;
		},
	};
	const headers = Object.fromEntries(
		Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
	);
	const rawBody =
		opts.rawBody === null
			? undefined
			: typeof opts.rawBody === 'string'
				? Buffer.from(opts.rawBody, 'utf8')
				: (opts.rawBody ?? Buffer.alloc(0));
	const params: IDataObject = {
		provider: opts.provider ?? 'auto',
		events: opts.events ?? [],
		options: opts.options ?? {},
	};
	const credentials = opts.credentials ?? defaultCredentials();
	const request: {
		rawBody?: Buffer;
		headers: typeof headers;
		body: IDataObject;
		readRawBody?: () => Promise<void>;
	} = {
		rawBody: opts.lazyRawBody ? undefined : rawBody,
		headers,
		body: {},
	};
	if (opts.lazyRawBody) {
		request.readRawBody = async () => {
			request.rawBody = rawBody;
		};
	}
	const staticData = opts.staticData ?? {};
	const context = {
		getWebhookName: () => opts.webhookName ?? 'default',
		getRequestObject: () => request,
		getResponseObject: () => res,
		getHeaderData: () => headers,
		getBodyData: () => ({}),
		getNodeParameter: (name: string, fallback?: unknown) => params[name] ?? fallback,
		getCredentials: async (name: string) => {
			opts.credentialLoads?.push(name);
			if (!credentials[name]) throw new Error('Node does not have any credentials set');
			return { ...credentials[name] };
		},
		getWorkflowStaticData: (type: string) =>
			type === 'global' && opts.globalStaticData ? opts.globalStaticData : staticData,
		getWorkflow: () => ({
			id: opts.workflowId ?? workflowIdFor(staticData),
			name: 'test',
			active: true,
		}),
		getNode: () => ({
			id: 'trigger-node',
			name: 'SMS Route Trigger',
			type: 'n8n-nodes-smsroute.smsRouteTrigger',
			credentials: Object.fromEntries(
				Object.keys(credentials).map((type) => [
					type,
					{ id: opts.credentialIds?.[type] ?? `${type}-id`, name: type },
				]),
			),
		}),
		...opts.context,
	} as unknown as IWebhookFunctions;

	const result = await node.webhook.call(context);
	const items = (result.workflowData?.[0] ?? []).map((item) => item.json);
	// Mirrors n8n: a node that answered itself keeps its status; otherwise n8n answers
	// 200 with webhookResponse, and runs the workflow only when workflowData is present.
	const httpStatus = result.noWebhookResponse ? (captured.statusCode ?? 200) : 200;
	// n8n reads webhookResponse when it answers, on n8n 2.x after creating the execution (a
	// database write: the event loop turns first); `unanswered` leaves that to the test.
	const body = () => (result.noWebhookResponse ? captured.body : result.webhookResponse);
	if (!opts.unanswered && result.workflowData) await letTheEventLoopTurn();
	const responseBody = opts.unanswered ? undefined : body();
	return {
		result,
		...captured,
		httpStatus,
		get responseBody() {
			return opts.unanswered ? body() : responseBody;
		},
		items,
	};
}

export function smsRoutePayload(overrides: IDataObject = {}): IDataObject {
	return {
		type: 'message.delivered',
		message_id: 'msg_1a2b3c4d5e6f7g8h',
		status: 'delivered',
		timestamp: '2024-01-15T10:30:00Z',
		to: '+15005550001',
		livemode: false,
		reason: null,
		metadata: { orderId: 'A-17' },
		...overrides,
	};
}

export function sendCloudPayload(overrides: IDataObject = {}, appKey = APP_KEY): IDataObject {
	const timestamp = (overrides.timestamp as number | undefined) ?? Date.now();
	const token = (overrides.token as string | undefined) ?? newToken();
	return {
		event: 'Delivered',
		eventType: 20,
		message: 'delivered',
		userId: 19999,
		smsUser: 'App',
		smsIds: ['1652150994014_9373_14466_36735_99drnc$13888888888'],
		templateId: 29999,
		phones: ['13888888888'],
		customArgs: { campaign: 'spring' },
		...overrides,
		timestamp,
		token,
		signature:
			(overrides.signature as string | undefined) ?? sendCloudSignature(appKey, timestamp, token),
	};
}

/** application/x-www-form-urlencoded with arrays/objects as JSON text, as SendCloud may send. */
export function toForm(body: IDataObject): string {
	return Object.entries(body)
		.map(([key, value]) => {
			const text =
				typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
			return `${encodeURIComponent(key)}=${encodeURIComponent(text)}`;
		})
		.join('&');
}
