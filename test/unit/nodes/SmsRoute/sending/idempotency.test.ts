import { createHash } from 'node:crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	CanonicalJsonError,
	canonicalJsonText,
} from '../../../../../nodes/SmsRoute/sending/canonicalJson';
import {
	automaticKeys,
	campaignKey,
	chunkIdempotencyKey,
	headerIdempotencyKey,
	type KeyedMessage,
} from '../../../../../nodes/SmsRoute/sending/idempotency';

describe('idempotency keys', () => {
	it('derives the same key from the same instance, workflow, execution, node, run, item and message, and another otherwise', () => {
		const context = (
			executionId: string,
			nodeId: string,
			runIndex: number,
			workflowId = 'wf-1',
			instanceId = 'inst-1',
		) =>
			({
				getExecutionId: () => executionId,
				getNode: () => ({ id: nodeId, name: 'SMS Route' }),
				// Where n8n-core keeps it: a field, not a getRunIndex() method (n8n 2.41.0, 1.123.81).
				runIndex,
				getWorkflow: () => ({ id: workflowId }),
				getInstanceId: () => instanceId,
			}) as unknown as IExecuteFunctions;
		const message = { to: '+15551234567', body: 'hi', from: 'ACME', metadata: { order: 1 } };
		const key = automaticKeys(context('exec-1', 'node-a', 0))(3, message);
		expect(automaticKeys(context('exec-1', 'node-a', 0))(3, { ...message })).toBe(key);
		expect(automaticKeys(context('exec-2', 'node-a', 0))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-b', 0))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 1))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 0, 'wf-2'))(3, message)).not.toBe(key);
		expect(automaticKeys(context('exec-1', 'node-a', 0, 'wf-1', 'inst-2'))(3, message)).not.toBe(
			key,
		);
		expect(automaticKeys(context('exec-1', 'node-a', 0))(4, message)).not.toBe(key);
		for (const change of [
			{ to: '+15551234568' },
			{ body: 'hi!' },
			{ from: undefined },
			{ metadata: { order: 2 } },
		]) {
			expect(automaticKeys(context('exec-1', 'node-a', 0))(3, { ...message, ...change })).not.toBe(
				key,
			);
		}
		expect(key).toMatch(/^n8n_[0-9a-f]{32}$/);
		expect(chunkIdempotencyKey(['a', 'b'])).toBe(chunkIdempotencyKey(['a', 'b']));
		expect(chunkIdempotencyKey(['a', 'b'])).not.toBe(chunkIdempotencyKey(['a']));
	});

	it('makes user keys header-safe: plain ASCII as given, anything else encoded, never colliding', () => {
		expect(headerIdempotencyKey('A-17 order')).toBe('A-17 order');
		const ivan = headerIdempotencyKey('Иван-17');
		const wang = headerIdempotencyKey('王伟-17');
		for (const key of [ivan, wang]) expect(key).toMatch(/^[\x21-\x7e]+$/);
		expect(ivan).not.toBe(wang);
		expect(headerIdempotencyKey('Иван-17')).toBe(ivan);
		expect(headerIdempotencyKey(ivan)).not.toBe(ivan);
		expect(headerIdempotencyKey('王'.repeat(200))).toMatch(/^sha256:[0-9a-f]{64}$/);
		expect(headerIdempotencyKey('王'.repeat(200)).length).toBeLessThanOrEqual(255);
	});
});

/**
 * Issue 31, section 3: keys mean the message, not its JSON spelling. `typed` is metadata as the
 * user typed it in the JSON field (text, read as written); an object is what an expression gave.
 */
describe('keys of messages with metadata', () => {
	const context = {
		getExecutionId: () => 'exec-1',
		getNode: () => ({ id: 'node-a', name: 'SMS Route' }),
		runIndex: 0,
		getWorkflow: () => ({ id: 'wf-1' }),
		getInstanceId: () => 'inst-1',
		getContext: () => ({}),
	} as unknown as IExecuteFunctions;
	const base = { to: '+15551234567', body: 'Your order shipped', from: 'ACME' };
	const typed = (text: string): KeyedMessage => ({
		...base,
		metadata: JSON.parse(text) as IDataObject,
		metadataJson: canonicalJsonText(text),
	});
	const object = (metadata: IDataObject): KeyedMessage => ({ ...base, metadata });
	/** The automatic key and the campaign key of one message. */
	const keys = (message: KeyedMessage) => [
		automaticKeys(context)(3, message),
		campaignKey('spring', message),
	];

	it('the same metadata with its keys in another order makes the same keys', () => {
		expect(keys(typed('{"b":2,"a":1}'))).toEqual(keys(typed('{"a":1,"b":2}')));
		expect(keys(object({ b: 2, a: 1 }))).toEqual(keys(object({ a: 1, b: 2 })));
		expect(keys(object({ b: 2, a: 1 }))).toEqual(keys(typed('{ "a" : 1.0, "b" : 2 }')));
		expect(keys(object({ '10': 1, '2': 2, b: 3 }))).toEqual(keys(typed('{"b":3,"2":2,"10":1}')));
	});

	it('nested objects in another key order, at every depth, make the same keys; arrays keep their order', () => {
		const one = typed(
			'{"order":{"lines":[{"sku":"A","qty":1},{"sku":"B","qty":2}],"id":"A-17"},"v":1}',
		);
		const reordered = object({
			v: 1,
			order: {
				id: 'A-17',
				lines: [
					{ qty: 1, sku: 'A' },
					{ qty: 2, sku: 'B' },
				],
			},
		});
		expect(keys(reordered)).toEqual(keys(one));
		const swapped = object({
			v: 1,
			order: {
				id: 'A-17',
				lines: [
					{ qty: 2, sku: 'B' },
					{ qty: 1, sku: 'A' },
				],
			},
		});
		for (const [i, key] of keys(swapped).entries()) expect(key).not.toBe(keys(one)[i]);
	});

	it('integers beyond 2^53 typed as JSON stay distinct (they used to collapse), and different values never meet', () => {
		const a = keys(typed('{"order":9007199254740993}'));
		const b = keys(typed('{"order":9007199254740992}'));
		for (const [i, key] of a.entries()) expect(key).not.toBe(b[i]);
		// What 0.3.0 before this fix made of both: one key, so the second order was never sent.
		expect(JSON.stringify(JSON.parse('{"order":9007199254740993}'))).toBe(
			JSON.stringify(JSON.parse('{"order":9007199254740992}')),
		);
		expect(keys(typed('{"order":9007199254740993}'))).toEqual(a);
		const different: IDataObject[] = [
			{ order: '9007199254740993' },
			{ order: 9007199254740991 },
			{ order: 1 },
			{ order: '1' },
			{ order: true },
			{ order: null },
			{ order: [1] },
			{ order: { '1': 1 } },
			{},
		];
		const all = new Set([...a, ...b, ...different.flatMap((metadata) => keys(object(metadata)))]);
		expect(all.size).toBe(2 * (different.length + 2));
	});

	it('an integer beyond 2^53 - 1 that n8n had already parsed is refused, naming where it is', () => {
		const lost = object({ customer: { ids: [1, 2 ** 53 + 2] } });
		expect(() => automaticKeys(context)(0, lost)).toThrow(CanonicalJsonError);
		expect(() => campaignKey('spring', lost)).toThrow(
			expect.objectContaining({ problem: 'lostPrecision', path: 'customer.ids[1]' }),
		);
	});

	it('messages without metadata, or with metadata already in key order, keep their 0.2.0 keys byte for byte', () => {
		// 0.2.0's formulas, written out independently.
		const seedHash = createHash('sha256');
		for (const part of ['inst-1', 'wf-1', 'exec-1', 'node-a', '0'])
			seedHash.update(part).update('\u0000');
		const seed = seedHash.digest('hex').slice(0, 32);
		const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);
		const old = (message: KeyedMessage) => [
			`n8n_${sha(seed + JSON.stringify([3, message.to, message.body, message.from ?? null, message.metadata ?? null]))}`,
			`n8n_c_${sha(JSON.stringify(['campaign', 'spring', message.to, message.body, message.from ?? null, message.metadata ?? null]))}`,
		];
		const messages: KeyedMessage[] = [
			{ to: base.to, body: base.body },
			{ ...base },
			{ ...base, metadata: undefined },
			object({}),
			typed('{}'),
			object({ a: 'x', b: { c: [1, 1.5, null, 'ü'] } }),
			typed('{ "a": "x", "b": { "c": [1, 1.50, null, "\\u00fc"] } }'),
		];
		for (const message of messages) expect(keys(message)).toEqual(old(message));
	});

	it('random metadata whose keys are already in order keeps its 0.2.0 keys; the same reversed gets them too', () => {
		let state = 31;
		const next = () => {
			state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
			return state / 2 ** 32;
		};
		const letters = ['a', 'b', 'é', 'я', '王', '😀', 'Z', '_', ' '];
		const word = () =>
			Array.from(
				{ length: 1 + Math.floor(next() * 3) },
				() => letters[Math.floor(next() * 9)],
			).join('');
		const value = (depth: number): IDataObject[string] => {
			const kind = Math.floor(next() * (depth > 2 ? 4 : 6));
			if (kind === 0) return null;
			if (kind === 1) return [0.1, -2, 1e-7, 123456789, 2 ** 53 - 1][Math.floor(next() * 5)];
			if (kind === 2) return word();
			if (kind === 3) return next() < 0.5;
			if (kind === 4) return [value(depth + 1), value(depth + 1)] as IDataObject[];
			return sortedObject(depth + 1);
		};
		// Keys inserted in code-unit order (none integer-like, which JavaScript would list first).
		const sortedObject = (depth: number): IDataObject => {
			const object: IDataObject = {};
			const keys = [...new Set(Array.from({ length: Math.floor(next() * 4) }, word))].sort();
			for (const key of keys) object[key] = value(depth);
			return object;
		};
		const reversed = (v: unknown): unknown =>
			Array.isArray(v)
				? v.map(reversed)
				: v && typeof v === 'object'
					? Object.fromEntries(
							Object.entries(v)
								.reverse()
								.map(([k, x]) => [k, reversed(x)]),
						)
					: v;
		const seedHash = createHash('sha256');
		for (const part of ['inst-1', 'wf-1', 'exec-1', 'node-a', '0'])
			seedHash.update(part).update('\u0000');
		const seed = seedHash.digest('hex').slice(0, 32);
		for (let i = 0; i < 500; i++) {
			const metadata = sortedObject(0);
			const message = object(metadata);
			const old = `n8n_${createHash('sha256')
				.update(seed + JSON.stringify([3, base.to, base.body, base.from, metadata]))
				.digest('hex')
				.slice(0, 32)}`;
			expect(automaticKeys(context)(3, message)).toBe(old);
			expect(automaticKeys(context)(3, object(reversed(metadata) as IDataObject))).toBe(old);
			expect(automaticKeys(context)(3, typed(JSON.stringify(reversed(metadata))))).toBe(old);
		}
	});

	it('non-ASCII metadata: one key however it is spelt or ordered, and another for other characters', () => {
		const one = keys(typed('{"имя":"Иван","城市":"北京","emoji":"😀"}'));
		expect(
			keys(typed('{"emoji":"\\ud83d\\ude00","城市":"北京","имя":"\\u0418\\u0432\\u0430\\u043d"}')),
		).toEqual(one);
		expect(keys(object({ 城市: '北京', emoji: '😀', имя: 'Иван' }))).toEqual(one);
		// "é" precomposed and "e" + a combining accent are different text: never normalised into one.
		const precomposed = keys(object({ name: 'Zo\u00e9' }));
		const combining = keys(object({ name: 'Zoe\u0301' }));
		for (const [i, key] of precomposed.entries()) expect(key).not.toBe(combining[i]);
	});
});

describe('a tool call without an execution (the MCP Server Trigger)', () => {
	const toolContext = (o: { executionId?: string; campaignId?: string; tool?: boolean }) => {
		const hints: string[] = [];
		const context = {
			getExecutionId: () => o.executionId,
			getNode: () => ({ id: 'node-a', name: 'SMS Route' }),
			runIndex: 0,
			// n8n 1.123.81's mark of a sub-node tool run (2.41.0 also has isToolExecution()).
			connectionType: o.tool === false ? 'main' : 'ai_tool',
			getWorkflow: () => ({ id: 'wf-1' }),
			getInstanceId: () => 'inst-1',
			getContext: () => ({}),
			getNodeParameter: (name: string, _item: number, fallback: unknown) =>
				name === 'options.campaignId' ? (o.campaignId ?? fallback) : fallback,
			addExecutionHints: (...added: { message: string }[]) =>
				hints.push(...added.map((h) => h.message)),
		} as unknown as IExecuteFunctions;
		return { context, hints };
	};
	const message = { to: '+15551234567', body: 'hi' };

	it('gets new keys at every call, and a notice naming Campaign ID', () => {
		const first = toolContext({});
		const second = toolContext({});
		const firstKey = automaticKeys(first.context)(0, message);
		expect(automaticKeys(second.context)(0, message)).not.toBe(firstKey);
		expect(first.hints).toHaveLength(1);
		expect(first.hints[0]).toMatch(/MCP Server Trigger/);
		expect(first.hints[0]).toMatch(/Campaign ID/);
	});

	it('with Campaign ID: the same key at every call, and no notice', () => {
		const first = toolContext({ campaignId: 'orders' });
		const second = toolContext({ campaignId: 'orders' });
		const key = automaticKeys(first.context)(0, message, 'orders');
		expect(automaticKeys(second.context)(0, message, 'orders')).toBe(key);
		expect([...first.hints, ...second.hints]).toEqual([]);
	});

	it('no notice for a tool run in an execution, nor for a run that is not a tool', () => {
		const inExecution = toolContext({ executionId: 'exec-1' });
		const notTool = toolContext({ tool: false });
		automaticKeys(inExecution.context)(0, message);
		automaticKeys(notTool.context)(0, message);
		expect([...inExecution.hints, ...notTool.hints]).toEqual([]);
	});
});
