'use strict';
/**
 * The golden comparison of savedWorkflows.test.js: what it forgives (ids, timestamps, new
 * fields) and what it must catch (a renamed or dropped field, a changed type or decision, an
 * item on another output). No n8n needed.
 */
const { normalize, normalizeExecution, compareShape } = require('./savedWorkflowShape');
const { unknownParameters } = require('./savedWorkflowParameters');

const sent = (over = {}) => ({
	id: 'msg_8f3k2',
	to: '+15005550001',
	status: 'queued',
	segments: 1,
	encoding: 'GSM-7',
	createdAt: '2026-11-25T10:00:00.000Z',
	idempotencyKey: 'n8n-abc',
	metadata: { n8nResumeUrl: 'http://127.0.0.1:5678/webhook-waiting/7/x?signature=ab' },
	...over,
});
const execution = (outputs) => ({
	status: 'success',
	data: { resultData: { runData: { Send: [{ data: { main: outputs } }] } } },
});
const shapeOf = (outputs) => normalizeExecution(execution(outputs), ['Send']);
const golden = shapeOf([[{ json: sent() }], []]);

test('ids, timestamps, keys and URLs drop out; decisions and types stay', () => {
	expect(normalize(sent())).toEqual({
		createdAt: '<string>',
		encoding: 'GSM-7',
		id: '<string>',
		idempotencyKey: '<string>',
		metadata: { n8nResumeUrl: '<string>' },
		segments: 1,
		status: 'queued',
		to: '+15005550001',
	});
	const other = sent({ id: 'msg_other', createdAt: '2027-01-01T00:00:00.000Z' });
	expect(compareShape(golden, shapeOf([[{ json: other }], []]))).toEqual({
		problems: [],
		added: [],
	});
});

test('a new field is allowed and reported', () => {
	const diff = compareShape(golden, shapeOf([[{ json: sent({ sendAfter: null }) }], []]));
	expect(diff).toEqual({ problems: [], added: ['$.nodes.Send[0].outputs[0][0].sendAfter'] });
});

test('a field that was null may get a value; a decision that was null may not change', () => {
	const before = shapeOf([[{ json: sent({ creditsUsed: null, status: null }) }], []]);
	expect(
		compareShape(before, shapeOf([[{ json: sent({ creditsUsed: 2, status: null }) }], []])),
	).toEqual({ problems: [], added: [] });
	expect(
		compareShape(before, shapeOf([[{ json: sent({ creditsUsed: 2, status: 'sent' }) }], []]))
			.problems,
	).toEqual(['$.nodes.Send[0].outputs[0][0].status: expected null, got "sent"']);
	const { creditsUsed, ...dropped } = sent({ creditsUsed: null });
	expect(creditsUsed).toBeNull();
	expect(compareShape(before, shapeOf([[{ json: dropped }], []])).problems).toEqual([
		'$.nodes.Send[0].outputs[0][0].creditsUsed: missing (was "<null>")',
		'$.nodes.Send[0].outputs[0][0].status: expected null, got "queued"',
	]);
});

test('a renamed or dropped field, a changed type or decision, a moved item are caught', () => {
	const { segments, ...withoutSegments } = sent();
	const cases = [
		[{ ...withoutSegments, segmentCount: segments }],
		[sent({ segments: '1' })],
		[sent({ status: 'sent' })],
		[sent({ metadata: {} })],
	];
	for (const json of cases)
		expect(
			compareShape(golden, shapeOf([json.map((j) => ({ json: j })), []])).problems,
		).toHaveLength(1);
	expect(compareShape(golden, shapeOf([[], [{ json: sent() }]])).problems).toEqual([
		'$.nodes.Send[0].outputs[0]: expected 1 entries, got 0',
		'$.nodes.Send[0].outputs[1]: expected 0 entries, got 1',
	]);
	expect(compareShape(golden, shapeOf([[{ json: sent() }]])).problems).toEqual([
		'$.nodes.Send[0].outputs: expected 2 entries, got 1',
	]);
	expect(compareShape(golden, { ...golden, status: 'error' }).problems).toEqual([
		'$.status: expected "success", got "error"',
	]);
});

test('a saved parameter or option value the node no longer has is reported', () => {
	const properties = [
		{ name: 'operation', type: 'options', options: [{ value: 'send' }, { value: 'sendBulk' }] },
		{ name: 'options', type: 'collection', options: [{ name: 'chunkSize', type: 'number' }] },
	];
	expect(
		unknownParameters(properties, { operation: 'sendBulk', options: { chunkSize: 5 } }),
	).toEqual([]);
	expect(unknownParameters(properties, { operation: '={{ $json.op }}' })).toEqual([]);
	expect(
		unknownParameters(properties, {
			operation: 'bulkSend',
			options: { batchSize: 5 },
			resource: 'message',
		}),
	).toEqual([
		'operation: "bulkSend" is not an option',
		'options.batchSize: no such parameter',
		'resource: no such parameter',
	]);
});
