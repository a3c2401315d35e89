import type { IExecuteFunctions } from 'n8n-workflow';

/** The first item's Campaign ID, or '' (unreadable counts as unset: the notice then shows). */
export function firstCampaignId(context: IExecuteFunctions): string {
	try {
		return String(context.getNodeParameter('options.campaignId', 0, '') ?? '');
	} catch {
		return '';
	}
}

/** A warning on the node's run in the execution (n8n shows it above the node's output). */
export function notice(context: IExecuteFunctions, message: string): void {
	// Hand-made contexts in tests and other hosts may lack it; the run must not fail for a notice.
	if (typeof context.addExecutionHints !== 'function') return;
	context.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
}

const TOOL_WITHOUT_EXECUTION =
	'SMS Route as a tool without an execution (the MCP Server Trigger runs each tool call inside its own HTTP request, before n8n makes an execution): n8n gives the node nothing that stays the same from one call to the next, so a client that calls again with the same arguments (after a lost answer, or by itself) sends the message again. Set the Campaign ID option (for example to an expression over an order id the client passes) to make such a repeated call replay instead.';

/**
 * A tool call with no execution id has no stable identity (n8n 2.41.0 and 1.123.81
 * webhook-helpers executeWebhook: the MCP Server Trigger's webhook runs the tool before any
 * execution exists, with a run data of its own per request): say so, unless Campaign ID is set.
 */
export function noticeToolWithoutExecution(context: IExecuteFunctions): void {
	if (firstCampaignId(context) === '') notice(context, TOOL_WITHOUT_EXECUTION);
}
