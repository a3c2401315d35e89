import type {
	IDataObject,
	IExecuteData,
	IExecuteFunctions,
	INodeExecutionData,
	IRunExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

/**
 * Every reliance of this package on n8n beyond its public node API, one function each, so an n8n
 * upgrade has one place to look. Each names the n8n versions it was checked against; each is
 * checked against the installed n8n-core and n8n-workflow by
 * test/unit/nodes/SmsRoute/shared/n8nInternals.test.ts (this repository's 2.41.0, the 1.x
 * install with jest.n8n1.config.js) and against the real installs by
 * test/e2e/n8nInternals.test.js, so a changed assumption fails there first.
 *
 * Used by: subExecutionOriginOf, onExecutionEnd → sending/subWorkflowSeed.ts; runIndexOf,
 * isToolRun → sending/idempotency.ts (runIndexOf also actions/message/sendAndWait.operation.ts);
 * isFirstOutputOnlyEngine → waitForDelivery/refuseUnsupported.ts; setTimeoutOutputs, pairOutputsWithSingleInput,
 * waitingEntryOf → waitForDelivery/waitingState.ts; readRawBody → trigger/receiveWebhook.ts,
 * waitForDelivery/resumeWebhook.ts; writeJsonResponse → shared/webhookRequest.ts;
 * answerWhenExecutionExists, onAnswered → trigger/receiveWebhook.ts; instanceBaseUrlOf → trigger/relay.ts; withCancelSignal →
 * transport/deadline.ts; networkCodeFields → transport/retryPolicy.ts.
 */

/** n8n-core's execute and webhook contexts as far as this package reads them. */
interface ContextFields {
	runIndex?: unknown;
	connectionType?: unknown;
	isToolExecution?: unknown;
	getRunIndex?: unknown;
	setSignatureValidationRequired?: unknown;
	executeData?: IExecuteData;
	runExecutionData?: IRunExecutionData;
	additionalData?: { hooks?: LifecycleHooks };
}

/** n8n-core's ExecutionLifecycleHooks, as far as onExecutionEnd uses them. */
interface LifecycleHooks {
	addHandler?: (
		name: 'workflowExecuteAfter',
		handler: (run?: { finished?: unknown; waitTill?: unknown }) => void,
	) => void;
}

const fieldsOf = (context: object) => context as ContextFields;

/** The n8n versions whose execute contexts runIndexOf was checked against. */
export const RUN_INDEX_CHECKED_VERSIONS = 'n8n 1.123.81 and 2.41.0';

/**
 * The run index of the node's current run (0, then 1, 2 … when a loop runs it again).
 * n8n 2.41.0 and 1.123.81 have no getRunIndex() on IExecuteFunctions; n8n-core's contexts keep
 * the index in their `runIndex` field (NodeExecutionContext). getRunIndex() is used where an
 * n8n has it. Neither there: it throws rather than guess, since a guessed 0 gives every loop
 * round the first round's idempotency keys and round 2 would be "sent" as a replay of round 1.
 */
export function runIndexOf(context: IExecuteFunctions): number {
	const fields = fieldsOf(context);
	const runIndex =
		typeof fields.getRunIndex === 'function'
			? Number(fields.getRunIndex.call(context))
			: fields.runIndex;
	if (typeof runIndex === 'number' && Number.isInteger(runIndex) && runIndex >= 0) return runIndex;
	throw new NodeOperationError(
		context.getNode(),
		'This n8n does not tell the node its run index, so it cannot make safe idempotency keys',
		{
			description: `Nothing was sent. The SMS Route node reads the run index the way ${RUN_INDEX_CHECKED_VERSIONS} keep it; use one of those n8n versions (or a newer package of this node that supports yours).`,
		},
	);
}

/**
 * True when an AI agent calls the node as a tool. Two ways, both with a new run index for every
 * call:
 * - As a sub-node (the agent's tool invocation: Tools Agent 1.x/2.x, an agent used as a tool, the
 *   MCP Server Trigger): n8n-core runs the tool in a SupplyDataContext on the `ai_tool`
 *   connection, and gives every Retry On Fail attempt a new run index too
 *   (makeHandleToolInvocation). 2.41.0 says so through isToolExecution(); 1.123.81 has no such
 *   method, only the context's `connectionType` field.
 * - Through an engine request (AI Agent 3 and 3.1: n8n 1.123.81 and 2.41.0): the agent returns
 *   the tool calls, and n8n-core runs the tool as an ordinary node in an ExecuteContext, whose
 *   isToolExecution() is always false (2.41.0) or missing (1.123.81). n8n-core marks each such
 *   stack entry with `metadata.preserveSourceOverwrite` (requests-response.js, both versions), and
 *   itself tells a tool run by that mark (2.41.0 resolveSourceOverwrite, 1.123.81
 *   WorkflowExecute: `isToolExecution = !!executionData.metadata?.preserveSourceOverwrite`).
 */
export function isToolRun(context: IExecuteFunctions): boolean {
	const fields = fieldsOf(context);
	if (typeof fields.isToolExecution === 'function' && fields.isToolExecution.call(context) === true)
		return true;
	if (fields.connectionType === 'ai_tool') return true;
	return isEngineRequestedToolRun(context);
}

/** The engine-request half of isToolRun: the stack entry n8n-core made for an agent's tool call. */
function isEngineRequestedToolRun(context: IExecuteFunctions): boolean {
	if (typeof context.getExecuteData !== 'function') return false;
	return context.getExecuteData()?.metadata?.preserveSourceOverwrite === true;
}

/** What a sub-execution (started by an Execute Workflow node) knows of the execution that called it. */
export interface SubExecutionOrigin {
	parentExecutionId: string;
	parentWorkflowId: string;
	/**
	 * When the calling execution's first run began (its execution context's `establishedAt`), or
	 * undefined where n8n does not pass it: n8n 1.x, or a caller that is itself a sub-execution.
	 */
	parentStartedAt?: number;
	/** The JSON of the items the sub-workflow was called with (its start node's output), or undefined if not found. */
	input?: unknown[];
}

/** The calling execution's context, as n8n 2.x hands it to a sub-execution. */
interface CallerContext {
	establishedAt?: unknown;
	parentExecutionId?: unknown;
}

/**
 * The execution that called this one through an Execute Workflow node, or undefined when this
 * is not a sub-execution. n8n's cli starts a sub-execution with `parentExecution`
 * ({ executionId, workflowId } from the Execute Workflow node) on its run data and on its start
 * node's stack entry, whose task data keeps it as `metadata.parentExecution`
 * (workflow-execute-additional-data getRunData: 2.41.0, 1.123.81). 2.41.0 adds the caller's
 * execution context (n8n-core BaseExecuteContext.executeWorkflow), whose `establishedAt` is set
 * once, at the first run, and kept by a Retry, which continues the saved run data
 * (ExecutionService.retry; establishExecutionContext leaves existing runtimeData alone).
 * n8n-core's contexts keep the run data in their `runExecutionData` field.
 */
export function subExecutionOriginOf(context: IExecuteFunctions): SubExecutionOrigin | undefined {
	const runData = fieldsOf(context).runExecutionData;
	const parent = runData?.parentExecution;
	if (!parent || typeof parent.executionId !== 'string') return undefined;
	const caller = (parent.executionContext ?? {}) as CallerContext;
	const nested = typeof caller.parentExecutionId === 'string';
	const startedAt = caller.establishedAt;
	const start = Object.values(runData.resultData?.runData ?? {})
		.map((runs) => runs[0])
		.find((task) => task?.metadata?.parentExecution !== undefined);
	return {
		parentExecutionId: parent.executionId,
		parentWorkflowId: String(parent.workflowId ?? ''),
		parentStartedAt:
			!nested && typeof startedAt === 'number' && Number.isFinite(startedAt)
				? startedAt
				: undefined,
		input: start?.data?.main?.[0]?.map((item) => item.json),
	};
}

/**
 * Calls `listener` once the execution the node runs in ends, with whether it succeeded (finished,
 * or waiting, as a parent sees a sub-workflow that waits), and returns true; false where the
 * context has no lifecycle hooks. n8n-core's contexts keep the execution's additionalData, whose
 * `hooks` (ExecutionLifecycleHooks) run every `workflowExecuteAfter` handler with the run when
 * the execution ends: success, error or cancel (WorkflowExecute.processSuccessExecution and its
 * error path; 2.41.0, 1.123.81). The listener must not throw.
 */
export function onExecutionEnd(
	context: IExecuteFunctions,
	listener: (succeeded: boolean) => void,
): boolean {
	const hooks = fieldsOf(context).additionalData?.hooks;
	if (typeof hooks?.addHandler !== 'function') return false;
	hooks.addHandler('workflowExecuteAfter', (run) =>
		listener(run?.finished === true || (run?.waitTill !== undefined && run?.waitTill !== null)),
	);
	return true;
}

/**
 * True on an engine that passes only the first output of a resumed node on (no
 * `forwardAllOutputs`): n8n 1.x. Recognised by setSignatureValidationRequired() on the execute
 * context, which 1.123.81 has and 2.41.0 dropped (resume URL signatures are always checked there).
 */
export function isFirstOutputOnlyEngine(context: IExecuteFunctions): boolean {
	return typeof fieldsOf(context).setSignatureValidationRequired === 'function';
}

/**
 * Makes `outputs` what a waiting node produces when n8n ends its wait at the limit. n8n does not
 * run the node again then: it marks the saved stack entry (getExecuteData(), the very object it
 * saves with the execution) disabled and passes its `data` through, all outputs when
 * `metadata.forwardAllOutputs` is set (WorkflowExecute.handleWaitingState / handleDisabledNode,
 * n8n 2.41.0; 1.123.81 passes the first output only, see isFirstOutputOnlyEngine).
 */
export function setTimeoutOutputs(
	context: IExecuteFunctions,
	outputs: INodeExecutionData[][],
): void {
	const entry = context.getExecuteData();
	entry.data = { main: outputs };
	entry.metadata = { ...entry.metadata, forwardAllOutputs: true };
}

/**
 * For a node with one input item: makes every output's items trace back to it. On resume n8n
 * re-pairs the k-th item of output j as "item k of input j" (from the stack entry's `source`), so
 * each output j needs the node's input as its source j. Leaves the lineage alone otherwise
 * (several items would name other inputs' items). Checked: n8n 2.41.0.
 */
export function pairOutputsWithSingleInput(context: IExecuteFunctions, outputCount: number): void {
	const entry = context.getExecuteData();
	const source = entry.source?.main;
	if (context.getInputData().length === 1 && source?.length === 1 && source[0]) {
		entry.source = { ...entry.source, main: Array.from({ length: outputCount }, () => source[0]) };
	}
}

/**
 * The waiting node's saved stack entry, in the webhook() that a resume request reaches: n8n-core's
 * WebhookContext keeps it in its public `executeData` field (the first entry of the execution's
 * nodeExecutionStack), not on IWebhookFunctions. Checked: n8n 2.41.0, 1.123.81.
 */
export function waitingEntryOf(context: IWebhookFunctions): IExecuteData | undefined {
	return fieldsOf(context).executeData;
}

/** The slice of express's request the webhooks use. */
interface RawRequest {
	rawBody?: unknown;
	/** n8n's reader (cli middlewares, rawBodyReader): fills rawBody from the stream once. */
	readRawBody?: () => Promise<void>;
}

/**
 * The exact bytes of the request, or undefined. n8n's request carries `rawBody` (a Buffer) once
 * its body parser ran: always for a version 1 node, for 1.1 only when the content type is JSON,
 * form, text or XML; otherwise `readRawBody()` reads it. Checked: n8n 2.41.0, 1.123.81.
 */
export async function readRawBody(context: IWebhookFunctions): Promise<unknown> {
	const request = context.getRequestObject() as unknown as RawRequest;
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function') {
		try {
			await request.readRawBody();
		} catch {
			// An unreadable stream (multipart already consumed, aborted request) is answered as a
			// missing raw body.
		}
	}
	return request.rawBody;
}

interface JsonResponse {
	status(code: number): JsonResponse;
	json(body: unknown): unknown;
	setHeader?(name: string, value: string): unknown;
}

/**
 * Writes the HTTP answer, with `headers`, through express's response (the caller then returns
 * `noWebhookResponse`): the only way to answer a refused request with our own status code and no
 * execution. Checked: n8n 2.41.0, 1.123.81.
 */
export function writeJsonResponse(
	context: IWebhookFunctions,
	status: number,
	body: object,
	headers?: Record<string, string>,
): void {
	const res = context.getResponseObject() as unknown as JsonResponse;
	for (const [name, value] of Object.entries(headers ?? {})) res.setHeader?.(name, value);
	res.status(status).json(body);
}

/**
 * The answer to a request that starts an execution, left for n8n to send (`webhookResponse` with
 * `workflowData`, response mode onReceived), calling `beforeSave` when n8n reads it. n8n reads
 * it once, and in the same synchronous step answers and saves the workflow's static data (cli
 * webhooks/webhook-helpers executeWebhook → extractWebhookOnReceivedResponse → responseCallback
 * → webhooks/live-webhooks executeWebhook's callback → WorkflowStaticDataService.saveStaticData,
 * which writes only when the `__dataChanged` mark is set, then resolves so the 200 is written):
 * - 2.41.0: after WorkflowRunner.run() returned, so the execution row exists (regular mode:
 *   activeExecutions.add; queue mode: add, then the job is queued). run() first wraps the static
 *   data in new Workflow objects (establishContextForPersistence, runMainProcess), which clears
 *   the mark, so a change made in webhook() alone is never saved: `beforeSave` sets it again.
 * - 1.123.81: before run(): n8n answers onReceived before it creates the execution (for its own
 *   Webhook node too); nothing clears the mark in between.
 * Anything `beforeSave` writes to static data is saved before the answer in both. It is told
 * whether the execution exists: creating it is database I/O (and Redis in queue mode), so the
 * event loop has turned since webhook() returned (2.41.0); 1.123.81 reads the answer in the
 * same turn, with no I/O in between. It must not throw (n8n would answer 500 for an execution
 * that exists); errors are swallowed.
 */
export function answerWhenExecutionExists(
	body: IDataObject,
	workflowData: INodeExecutionData[][],
	beforeSave: (executionExists: boolean) => void,
): IWebhookResponseData {
	let turned = false;
	void sleep(0).then(() => {
		turned = true;
	});
	const response: IWebhookResponseData = { workflowData };
	Object.defineProperty(response, 'webhookResponse', {
		enumerable: true,
		get: () => {
			try {
				beforeSave(turned);
			} catch {
				// The event is safe in its execution; only the duplicate record is not refreshed.
			}
			return body;
		},
	});
	return response;
}

interface AnsweredResponse {
	statusCode?: number;
	writableEnded?: boolean;
	once?: (event: 'finish' | 'close', listener: () => void) => unknown;
}

/** How often, and how long, onAnswered looks for n8n's answer to a request the client left. */
const ABANDONED_POLL_MS = 100;
export const ABANDONED_LIMIT_MS = 60_000;

/**
 * Calls `listener` once with the status code n8n answered the request with: the context's
 * response is express's (a node http.ServerResponse: 'finish' when the answer is handed to the
 * OS). When the client goes away first, Node emits 'close' and never 'finish', but n8n still
 * ends the response once it has created the execution or failed to (webhook-helpers
 * executeWebhook → responseCallback → res.end on the closed socket: `writableEnded` turns true,
 * `statusCode` holds n8n's status). That is looked for every 100 ms; `undefined` when n8n has not
 * ended it within ABANDONED_LIMIT_MS. Does nothing where the response has no events. Checked:
 * 'finish' n8n 2.41.0, 1.123.81; a left client's response ended by n8n 2.41.0
 * (test/e2e/busyDatabase.test.js, SQLITE_BUSY).
 */
export function onAnswered(
	context: IWebhookFunctions,
	listener: (status: number | undefined) => void,
): void {
	const res = context.getResponseObject() as unknown as AnsweredResponse;
	if (typeof res.once !== 'function') return;
	let done = false;
	const settle = (status: number | undefined) => {
		if (done) return;
		done = true;
		listener(status);
	};
	res.once('finish', () => settle(Number(res.statusCode)));
	res.once('close', () => {
		// 'close' follows 'finish' for every answered request: nothing left to learn then.
		if (done) return;
		const startedMs = Date.now();
		const look = () => {
			if (done) return;
			if (res.writableEnded === true) return settle(Number(res.statusCode));
			if (Date.now() - startedMs >= ABANDONED_LIMIT_MS) return settle(undefined);
			void sleep(ABANDONED_POLL_MS).then(look);
		};
		look();
	});
}

/**
 * This n8n's base URL, or undefined where the helper is missing or throws (n8n-core before
 * getInstanceBaseUrl existed on webhook contexts). Present in 2.41.0 and 1.123.81.
 */
export function instanceBaseUrlOf(context: IWebhookFunctions): string | undefined {
	try {
		const base = context.getInstanceBaseUrl();
		return typeof base === 'string' && base !== '' ? base : undefined;
	} catch {
		return undefined;
	}
}

/**
 * A context (execute or webhook) whose getExecutionCancelSignal() returns `signal`. n8n's
 * httpRequestWithAuthentication overwrites a request's `abortSignal` with the cancel signal of
 * the context it is called on (`this`), so a deadline's signal can only reach the request this
 * way. Checked: n8n-core 2.41.0 (request-helpers/authentication), 1.123.81.
 */
export function withCancelSignal<Context extends IExecuteFunctions | IWebhookFunctions>(
	context: Context,
	signal: AbortSignal,
): Context {
	return Object.create(context, {
		getExecutionCancelSignal: { value: () => signal },
	}) as Context;
}

/**
 * Where an error from n8n's request helper may carry a network code such as ECONNRESET: `code`,
 * or, in n8n 1.x's NodeApiError (1.123.81), only `httpCode`. Follow `cause` for the wrapped error.
 */
export function networkCodeFields(error: unknown): unknown[] {
	if (typeof error !== 'object' || error === null) return [];
	const { code, httpCode } = error as { code?: unknown; httpCode?: unknown };
	return [code, httpCode];
}
