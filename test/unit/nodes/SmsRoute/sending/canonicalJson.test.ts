/**
 * Issue 31, section 3: the canonical JSON spelling idempotency keys are made of. One spelling
 * per value (key order, whitespace, escapes, `1.0` vs `1`), never one spelling for two values
 * (integers beyond 2^53, long decimals), any depth, linear time on hostile text.
 */
import {
	CanonicalJsonError,
	canonicalJsonText,
	canonicalJsonValue,
} from '../../../../../nodes/SmsRoute/sending/canonicalJson';

/** A deterministic pseudo-random source, so a failure reproduces. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return state / 2 ** 32;
	};
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const KEY_CHARS = ['a', 'b', 'Z', '1', '0', 'é', 'я', '王', '😀', ' ', '"', '\\', '_', '\u2028'];

function randomString(next: () => number): string {
	let text = '';
	for (let i = Math.floor(next() * 4); i > 0; i--)
		text += KEY_CHARS[Math.floor(next() * KEY_CHARS.length)];
	return text;
}

function randomJson(next: () => number, depth = 0): Json {
	const kind = Math.floor(next() * (depth > 3 ? 4 : 6));
	if (kind === 0) return null;
	if (kind === 1) return next() < 0.5;
	if (kind === 2)
		return [0, -1, 1.5, 0.1, 1e-7, 123456, -0.000001, 2 ** 53 - 1][Math.floor(next() * 8)];
	if (kind === 3) return randomString(next);
	if (kind === 4)
		return Array.from({ length: Math.floor(next() * 4) }, () => randomJson(next, depth + 1));
	const object: { [key: string]: Json } = {};
	for (let i = Math.floor(next() * 5); i > 0; i--)
		object[randomString(next)] = randomJson(next, depth + 1);
	return object;
}

/** The same value with every object's keys in reverse order, and spaces, as another tool writes it. */
function respelled(value: Json): string {
	if (Array.isArray(value)) return `[ ${value.map(respelled).join(' , ')} ]`;
	if (value && typeof value === 'object')
		return `{ ${Object.keys(value)
			.reverse()
			.map((key) => `${JSON.stringify(key)} : ${respelled(value[key])}`)
			.join(',\n')} }`;
	return JSON.stringify(value);
}

describe('canonical JSON', () => {
	it('spells the same value one way: key order at every depth, whitespace, escapes, number forms', () => {
		const one = canonicalJsonText('{"b":1,"a":{"d":[1,{"z":1,"y":2}],"c":"x"}}');
		expect(one).toBe('{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}');
		expect(
			canonicalJsonText(
				' { "a" : { "c" : "\\u0078", "d" : [ 1.0, { "y" : 2e0, "z" : 10e-1 } ] }, "b" : 1 } ',
			),
		).toBe(one);
		expect(canonicalJsonValue({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' } })).toBe(one);
		expect(canonicalJsonText('{"a":-0,"b":0.0,"c":-0e5}')).toBe('{"a":0,"b":0,"c":0}');
		// A repeated key keeps its last value, as JSON.parse (and so the message sent) does.
		expect(canonicalJsonText('{"a":1,"a":2}')).toBe(canonicalJsonValue({ a: 2 }));
	});

	it('agrees with JSON.parse + sorted JSON.stringify on random values, however their keys are ordered', () => {
		const next = random(31);
		for (let i = 0; i < 2000; i++) {
			const value = { v: randomJson(next) };
			const canonical = canonicalJsonValue(value);
			expect(canonicalJsonText(respelled(value))).toBe(canonical);
			expect(canonicalJsonText(JSON.stringify(value))).toBe(canonical);
			expect(JSON.parse(canonical)).toEqual(JSON.parse(JSON.stringify(value)));
		}
	});

	it('never spells two different random values the same way', () => {
		const next = random(7);
		const seen = new Map<string, string>();
		for (let i = 0; i < 5000; i++) {
			const value = randomJson(next);
			const canonical = canonicalJsonValue(value);
			const plain = JSON.stringify(JSON.parse(canonical));
			const before = seen.get(canonical);
			if (before !== undefined) expect(plain).toBe(before);
			seen.set(canonical, plain);
		}
		expect(seen.size).toBeGreaterThan(1000);
	});

	it('keeps integers beyond 2^53 and long decimals exact when read from text', () => {
		const spell = (literal: string) => canonicalJsonText(`{"n":${literal}}`);
		expect(spell('9007199254740993')).toBe('{"n":9007199254740993}');
		expect(spell('9007199254740993')).not.toBe(spell('9007199254740992'));
		expect(spell('9007199254740993.0')).toBe(spell('9007199254740993'));
		expect(spell('90071992547409930e-1')).toBe(spell('9007199254740993'));
		expect(spell('-12345678901234567890123')).toBe('{"n":-12345678901234567890123}');
		expect(spell('0.10000000000000000001')).not.toBe(spell('0.1'));
		expect(spell('0.1')).toBe('{"n":0.1}');
		expect(spell('1e400')).not.toBe(spell('1e401'));
		expect(spell('1e400')).not.toBe(spell('null'));
		// A number a JavaScript number holds exactly is spelt as JSON.stringify spells it.
		expect(spell('9007199254740992')).toBe('{"n":9007199254740992}');
		expect(spell('1E21')).toBe(canonicalJsonText('{"n":1e+21}'));
	});

	it('refuses an already-parsed integer beyond 2^53 - 1, naming where it is', () => {
		const refusal = (value: unknown) => {
			try {
				canonicalJsonValue(value);
			} catch (error) {
				return error as CanonicalJsonError;
			}
			throw new Error('not refused');
		};
		const error = refusal({ order: { lines: [{ id: 1 }, { id: Number('9007199254740993') }] } });
		expect(error).toBeInstanceOf(CanonicalJsonError);
		expect(error).toMatchObject({
			problem: 'lostPrecision',
			path: 'order.lines[1].id',
			literal: '9007199254740992',
		});
		expect(refusal({ 'a b': -(2 ** 60) }).path).toBe('["a b"]');
		expect(refusal({ big: 1e21 }).literal).toBe('1e+21');
		expect(
			canonicalJsonValue({ max: Number.MAX_SAFE_INTEGER, min: -Number.MAX_SAFE_INTEGER }),
		).toBe('{"max":9007199254740991,"min":-9007199254740991}');
		// Every double that large is an integer: a lost id and a float look alike, both refused.
		expect(refusal({ float: 1.5e300 }).literal).toBe('1.5e+300');
		expect(canonicalJsonValue({ small: [1.5, 1e-7, -0.25] })).toBe('{"small":[1.5,1e-7,-0.25]}');
	});

	it('spells non-ASCII keys and values one way, sorted by UTF-16 code units', () => {
		expect(canonicalJsonText('{"я":"Иван","王":"伟","😀":"\\ud83d\\ude00","é":"caf\\u00e9"}')).toBe(
			'{"é":"café","я":"Иван","王":"伟","😀":"😀"}',
		);
		expect(canonicalJsonText('{"a":"\\ud800"}')).toBe(canonicalJsonValue({ a: '\ud800' }));
		expect(canonicalJsonText('{"a":"\\ud800"}')).not.toBe(canonicalJsonText('{"a":"\\ud801"}'));
		expect(canonicalJsonText('{"__proto__":{"x":1},"constructor":2}')).toBe(
			'{"__proto__":{"x":1},"constructor":2}',
		);
	});

	it('refuses what JSON.parse refuses', () => {
		for (const bad of [
			'',
			'{',
			'{"a":}',
			'{"a":01}',
			'[1,]',
			'{"a":1}x',
			'"\\x"',
			'{"a" 1}',
			'[1 2]',
			'{"a":1,}',
			'{a:1}',
			'"\n"',
			'[.5]',
			'[1.]',
			'[1e]',
			'[-]',
			'[tru]',
			'[NaN]',
			"['a']",
			'\ufeff{}',
		]) {
			expect(() => JSON.parse(bad)).toThrow();
			expect(() => canonicalJsonText(bad)).toThrow(CanonicalJsonError);
		}
		expect(() => canonicalJsonText('[1e1234567890]')).toThrow(/exponent/);
	});

	it('reads any depth without recursion', () => {
		const depth = 200000;
		const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
		expect(canonicalJsonText(deep)).toBe(deep);
		const objects = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
		expect(canonicalJsonText(objects)).toBe(objects);
	});
});

/** Hostile texts of about `size` characters, each aimed at one part of the reader. */
const HOSTILE: Record<string, (size: number) => string> = {
	'deep arrays': (size) => `${'['.repeat(size / 2)}${']'.repeat(size / 2)}`,
	'deep objects': (size) => `${'{"k":'.repeat(size / 6)}0${'}'.repeat(size / 6)}`,
	'one huge number': (size) => `[${'9'.repeat(size - 2)}]`,
	'huge numbers with long fractions and exponents': (size) =>
		`[${Array.from({ length: size / 100 }, (_, i) => `1${String(i).padStart(48, '7')}.${'0'.repeat(30)}1e-123456789`).join(',')}]`,
	'a long string of escapes': (size) => `["${'\\u00e9\\n'.repeat(size / 8)}"]`,
	'many keys sharing a long prefix': (size) =>
		`{${Array.from({ length: size / 40 }, (_, i) => `"${'p'.repeat(24)}${String((i * 7919) % (size / 40)).padStart(7, '0')}":1`).join(',')}}`,
};

/**
 * time(2 × size) / time(size), each the median of `runs` timings taken alternately (so both
 * sizes see the same load) of enough calls to last about 40 ms at the small size.
 */
function growthRatio(small: string, large: string, runs = 7): number {
	// CPU time, not wall time: waiting for a core on a busy machine is not the reader's cost.
	const time = (text: string, calls: number) => {
		const started = process.cpuUsage();
		for (let i = 0; i < calls; i++) canonicalJsonText(text);
		const used = process.cpuUsage(started);
		return used.user + used.system;
	};
	time(large, 1);
	let calls = 1;
	while (time(small, calls) < 40e3 && calls < 1024) calls *= 2;
	const smallTimes: number[] = [];
	const largeTimes: number[] = [];
	for (let run = 0; run < runs; run++) {
		smallTimes.push(time(small, calls));
		largeTimes.push(time(large, calls));
	}
	const median = (times: number[]) => times.sort((a, b) => a - b)[Math.floor(runs / 2)];
	return median(largeTimes) / median(smallTimes);
}

/**
 * The lowest of up to three growth ratios: other work on the machine only ever adds time, so
 * a ratio under the bound once is the reader's own; a quadratic reader is near 4 every time.
 */
function bestGrowthRatio(make: (size: number) => string, size: number): number {
	const small = make(size);
	const large = make(size * 2);
	let best = Infinity;
	for (let attempt = 0; attempt < 3 && best >= 2.5; attempt++)
		best = Math.min(best, growthRatio(small, large));
	return best;
}

describe('canonical JSON on hostile text', () => {
	for (const [name, make] of Object.entries(HOSTILE)) {
		it(`${name}: twice the text (100,000 → 200,000 characters) costs at most about twice the time`, () => {
			expect(make(100000).length).toBeGreaterThan(90000);
			expect(() => canonicalJsonText(make(100000))).not.toThrow();
			// Linear is 2×, n log n (the key sort) about 2.1×, quadratic 4×: 2.5 tells them apart.
			expect(bestGrowthRatio(make, 100000)).toBeLessThan(2.5);
		});
	}
});
