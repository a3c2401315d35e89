import type {
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
} from 'n8n-workflow';

import { withCancelSignal } from '../shared/n8nInternals';

/** The node contexts that call smsroute: a run of the node, or the resume webhook of Send and Wait. */
export type RequestContext = IExecuteFunctions | IWebhookFunctions;

/** An attempt that ran past its deadline; ETIMEDOUT makes the retry policy treat it as a timeout. */
export class DeadlineExceeded extends Error {
	readonly code = 'ETIMEDOUT';

	constructor(timeoutMs: number) {
		super(
			`smsroute sent no complete response within ${Math.round(timeoutMs / 1000)} s (the Timeout option)`,
		);
		this.name = 'DeadlineExceeded';
	}
}

/**
 * One authenticated request with a hard deadline. The request's own `timeout` is an idle timeout:
 * a server sending one byte now and then holds it for ever. So the attempt is raced against a
 * deadline signal, which also aborts the request so its socket is not left behind.
 *
 * The deadline's signal, joined with the execution's cancel signal, reaches the request through
 * the context (withCancelSignal: n8n takes the abort signal from there, not from the options).
 */
export async function requestWithDeadline(
	context: RequestContext,
	timeoutMs: number,
	options: IHttpRequestOptions,
): Promise<IN8nHttpFullResponse> {
	const deadline = AbortSignal.timeout(timeoutMs);
	// A webhook context has no cancel signal: the deadline alone ends its request.
	const { getExecutionCancelSignal } = context as Partial<IExecuteFunctions>;
	const cancel =
		typeof getExecutionCancelSignal === 'function'
			? getExecutionCancelSignal.call(context)
			: undefined;
	const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
	const cancellable = withCancelSignal(context, signal);

	let onDeadline = () => {};
	const expired = new Promise<never>((_resolve, reject) => {
		onDeadline = () => reject(new DeadlineExceeded(timeoutMs));
		deadline.addEventListener('abort', onDeadline, { once: true });
	});
	const request = context.helpers.httpRequestWithAuthentication.call(cancellable, 'smsRouteApi', {
		...options,
		timeout: timeoutMs,
		abortSignal: signal,
	}) as Promise<IN8nHttpFullResponse>;
	// The losing promise must not surface as an unhandled rejection.
	request.catch(() => undefined);
	try {
		return await Promise.race([request, expired]);
	} catch (error) {
		// Whichever settles first, an attempt cut off by the deadline is reported as such.
		throw deadline.aborted ? new DeadlineExceeded(timeoutMs) : error;
	} finally {
		deadline.removeEventListener('abort', onDeadline);
	}
}
