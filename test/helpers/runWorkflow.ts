/**
 * Runs a workflow in-process with n8n-core's own WorkflowExecute: the node under test gets
 * the real execution context (parameters, expressions, continueOnFail, httpRequestWithAuthentication,
 * credential authentication) rather than a hand-made `this`. Credentials come from memory.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	ICredentials,
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type IVersionedNodeType,
} from 'n8n-workflow';

import { SmsRouteApi } from '../../credentials/SmsRouteApi.credentials';
import { SmsRoute } from '../../nodes/SmsRoute/SmsRoute.node';

/** A start node that emits the items it is given: stands in for a spreadsheet or a trigger. */
class ItemsSource implements INodeType {
	description = {
		displayName: 'Items',
		name: 'itemsSource',
		group: ['input'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Items' },
		inputs: [],
		outputs: ['main'],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[]' } as INodeProperties,
		],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as unknown;
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

const nodeTypeMap: Record<string, INodeType> = {
	'test.itemsSource': new ItemsSource(),
	'n8n-nodes-smsroute.smsRoute': new SmsRoute(),
};

class TestNodeTypes implements INodeTypes {
	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = nodeTypeMap[nodeType];
		if (!type) throw new Error(`Unknown node type: ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes() {
		return {};
	}
}

const credentialTypes: Record<string, ICredentialType> = { smsRouteApi: new SmsRouteApi() };

class MemoryCredentials extends ICredentials {
	constructor(
		details: INodeCredentialsDetails,
		type: string,
		private value: ICredentialDataDecryptedObject,
	) {
		super(details, type);
	}

	async getData() {
		return this.value;
	}

	getDataToSave() {
		return { id: this.id, name: this.name, type: this.type, data: '' };
	}

	async setData(data: ICredentialDataDecryptedObject) {
		this.value = data;
	}

	async updateData(toUpdate: Partial<ICredentialDataDecryptedObject>) {
		this.value = { ...this.value, ...toUpdate } as ICredentialDataDecryptedObject;
	}
}

class MemoryCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const authenticate = credentialTypes[typeName]?.authenticate;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		return requestOptions;
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(details: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		return new MemoryCredentials(details, type, this.credentials[type] ?? {});
	}

	async getDecrypted(
		_additionalData: unknown,
		_details: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		return { ...(this.credentials[type] ?? {}) };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes[type].properties;
	}
}

export interface SmsRouteRunOptions {
	items: IDataObject[];
	parameters: IDataObject;
	credentials: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	retryOnFail?: { maxTries: number; waitBetweenTries: number };
	executionId?: string;
	workflowId?: string;
	/** The SMS Route node's version: 1 (default: saved 0.1.0/0.2.0 workflows) or 1.1. */
	typeVersion?: number;
	/**
	 * Runs as n8n's Retry of this failed run (cli ExecutionService.retryExecution, 1.x and 2.x):
	 * a new execution in mode "retry" from the failed one's saved data (JSON, as stored), the
	 * failed node's error run removed. The stack's nodes are this run's (`parameters`), which
	 * is "Retry with currently saved workflow"; unchanged parameters are "original workflow".
	 */
	retryOf?: IRun;
}

export interface SmsRouteRunResult {
	run: IRun;
	/** The SMS Route node's output items, or undefined when the node failed. */
	output: INodeExecutionData[] | undefined;
	/** The error the node (and so the run) failed with, if any. */
	error: (Error & { description?: string; context?: IDataObject; httpCode?: string }) | undefined;
}

let executionCounter = 0;

/** Runs Items → SMS Route once, the way n8n runs a manual execution. */
export async function runSmsRoute(options: SmsRouteRunOptions): Promise<SmsRouteRunResult> {
	const executionId = options.executionId ?? `test-${++executionCounter}`;
	const workflowId = options.workflowId ?? 'wf-test';
	const nodes: INode[] = [
		{
			id: 'items',
			name: 'Items',
			type: 'test.itemsSource',
			typeVersion: 1,
			position: [0, 0],
			parameters: { items: JSON.stringify(options.items) },
		},
		{
			id: 'sms',
			name: 'SMS Route',
			type: 'n8n-nodes-smsroute.smsRoute',
			typeVersion: options.typeVersion ?? 1,
			position: [200, 0],
			parameters: options.parameters as INode['parameters'],
			credentials: { smsRouteApi: { id: '1', name: 'SMS Route sandbox' } },
			...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			...(options.retryOnFail
				? {
						retryOnFail: true,
						maxTries: options.retryOnFail.maxTries,
						waitBetweenTries: options.retryOnFail.waitBetweenTries,
					}
				: {}),
		},
	];
	const connections = {
		Items: { main: [[{ node: 'SMS Route', type: 'main' as const, index: 0 }]] },
	};
	const workflowData = {
		id: workflowId,
		name: 'SMS Route test',
		nodes,
		connections,
		active: false,
		settings: {},
	} as unknown as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowId,
		nodes,
		connections,
		nodeTypes: new TestNodeTypes(),
		active: false,
		settings: {},
	});
	const additionalData = {
		executionId,
		credentialsHelper: new MemoryCredentialsHelper({ smsRouteApi: options.credentials }),
		hooks: new ExecutionLifecycleHooks('manual', executionId, workflowData),
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		variables: {},
		logAiEvent: () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;

	if (options.retryOf) {
		const data = JSON.parse(JSON.stringify(options.retryOf.data)) as IRun['data'];
		const { lastNodeExecuted, runData } = data.resultData;
		delete data.resultData.error;
		if (lastNodeExecuted && runData[lastNodeExecuted]?.at(-1)?.error !== undefined)
			runData[lastNodeExecuted].pop();
		for (const entry of data.executionData?.nodeExecutionStack ?? [])
			entry.node = workflow.getNode(entry.node.name) ?? entry.node;
		const run = await new WorkflowExecute(additionalData, 'retry', data).processRunExecutionData(
			workflow,
		);
		const taskData = run.data.resultData.runData['SMS Route']?.at(-1);
		const error = (run.data.resultData.error ?? taskData?.error) as SmsRouteRunResult['error'];
		return { run, output: taskData?.data?.main?.[0] ?? undefined, error };
	}

	const startNode = workflow.getNode('Items') ?? undefined;
	const execute = new WorkflowExecute(additionalData, 'manual');
	// n8n-core 1.x takes run(workflow, startNode), 2.x run({ workflow, startNode }): the same
	// tests can then run against n8n 1.x's core (jest moduleNameMapper onto an installed 1.x).
	const run =
		execute.run.length > 1
			? await (execute.run as unknown as (w: Workflow, s?: INode) => Promise<IRun>)(
					workflow,
					startNode,
				)
			: await execute.run({ workflow, startNode });
	const taskData = run.data.resultData.runData['SMS Route']?.[0];
	const error = (run.data.resultData.error ?? taskData?.error) as SmsRouteRunResult['error'];
	return { run, output: taskData?.data?.main?.[0] ?? undefined, error };
}
