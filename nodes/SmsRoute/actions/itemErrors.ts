import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { redactSecrets } from '../shared/redact';
import { SmsRouteRequestError } from '../transport/smsRouteRequest';

/**
 * How a failed item reaches n8n: a node error (smsroute's answer as NodeApiError with its HTTP
 * code), or an error item with Continue On Fail. The operations' side of transport's errors.
 */

/** The node error for one item: NodeApiError when smsroute answered, NodeOperationError otherwise. */
export function toNodeError(
	context: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const message = redactSecrets(error instanceof Error ? error.message : String(error));
	if (error instanceof SmsRouteRequestError && error.statusCode !== undefined) {
		return new NodeApiError(
			context.getNode(),
			{ message, error: error.apiError ?? null } as JsonObject,
			{
				message,
				description: `Item ${itemIndex}`,
				httpCode: String(error.statusCode),
				itemIndex,
			},
		);
	}
	return new NodeOperationError(context.getNode(), message, {
		itemIndex,
		description: `Item ${itemIndex}`,
	});
}

/**
 * An item that could not be sent. With "Continue On Fail" it becomes an error item paired to
 * its input, so nothing is dropped silently; without it, this throws the node error naming the item.
 */
export function errorItemOrThrow(
	context: IExecuteFunctions,
	itemIndex: number,
	error: unknown,
	details: IDataObject = {},
): INodeExecutionData {
	const nodeError = toNodeError(context, error, itemIndex);
	if (!context.continueOnFail()) throw nodeError;
	const httpCode = nodeError instanceof NodeApiError ? nodeError.httpCode : null;
	return {
		json: {
			...details,
			error: nodeError.message,
			statusCode: httpCode ? Number(httpCode) : null,
			itemIndex,
		},
		pairedItem: { item: itemIndex },
	};
}
