/**
 * One spelling per JSON value, for idempotency keys: the same metadata in another key order, or
 * with other whitespace or escapes, is the same message; different values never share a text.
 *
 * - Object keys are sorted by UTF-16 code units at every depth; a repeated key keeps its last
 *   value (as JSON.parse does). Arrays keep their order.
 * - Strings are written as JSON.stringify writes them, whatever escapes they came with.
 * - A number that a JavaScript number holds exactly (every number n8n itself produces) is written
 *   as JSON.stringify writes that number: `1.0`, `1e0` and `1` are all `1`. A number literal with
 *   more precision than that (an integer beyond 2^53, a long decimal) keeps its exact value:
 *   sign, significant digits and exponent, as plain digits for an integer of up to 100 digits
 *   (`9007199254740993`) and as `<digits>e<exponent>` otherwise. The two forms never meet: a
 *   value written the second way is by construction not the value of any JavaScript number.
 *
 * Linear in the text (object keys add a sort): no recursion, so any depth reads; the output is
 * built as pieces and joined once.
 */

/** A value read: a scalar as its canonical text, an array, or an object (key → value). */
type Node = string | Node[] | Map<string, Node>;

export type JsonReadProblem = 'syntax' | 'lostPrecision' | 'exponent';

/** Why a value cannot be spelt canonically; `path` names where (e.g. `items[2].id`). */
export class CanonicalJsonError extends Error {
	constructor(
		readonly problem: JsonReadProblem,
		message: string,
		readonly path = '',
		readonly literal = '',
	) {
		super(message);
	}
}

/** The largest exponent read exactly; beyond it a literal is refused rather than misread. */
const MAX_EXPONENT_DIGITS = 9;
/** Integers of up to this many digits are written out in full. */
const MAX_PLAIN_DIGITS = 100;

interface Decimal {
	negative: boolean;
	/** Significant digits, no leading or trailing zeros ('' for zero). */
	digits: string;
	/** The value is digits × 10^exponent. */
	exponent: number;
}

// Character codes the reader looks for.
const Code = {
	Quote: 34,
	Backslash: 92,
	Minus: 45,
	Plus: 43,
	Dot: 46,
	Zero: 48,
	Nine: 57,
	LowerE: 101,
	UpperE: 69,
} as const;

function isDigit(code: number): boolean {
	return code >= Code.Zero && code <= Code.Nine;
}

/** The decimal value of a JSON number literal (or of String(n)), whose parts are already checked. */
function decimalOf(literal: string): Decimal {
	const negative = literal.charCodeAt(0) === Code.Minus;
	let mantissaEnd = literal.length;
	let exponent = 0;
	const e = literal.search(/[eE]/);
	if (e >= 0) {
		mantissaEnd = e;
		const expText = literal.slice(e + 1).replace(/^[+-]?0*/, '');
		if (expText.length > MAX_EXPONENT_DIGITS)
			throw new CanonicalJsonError('exponent', `a number's exponent is too long to read exactly`);
		exponent = (literal.charCodeAt(e + 1) === Code.Minus ? -1 : 1) * Number(expText || '0');
	}
	const mantissa = literal.slice(negative ? 1 : 0, mantissaEnd);
	const dot = mantissa.indexOf('.');
	let all = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
	if (dot >= 0) exponent -= mantissa.length - dot - 1;
	let start = 0;
	while (start < all.length && all.charCodeAt(start) === Code.Zero) start++;
	let end = all.length;
	while (end > start && all.charCodeAt(end - 1) === Code.Zero) end--;
	exponent += all.length - end;
	all = all.slice(start, end);
	return { negative, digits: all, exponent: all === '' ? 0 : exponent };
}

function sameDecimal(a: Decimal, b: Decimal): boolean {
	if (a.digits === '' && b.digits === '') return true;
	return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

const SHORT_INTEGER = /^(?:0|-?[1-9]\d{0,14})$/;

/**
 * The canonical text of a number literal. `parsedBefore`: the literal is how JSON.stringify
 * wrote a number n8n had already read, so an integer beyond 2^53 may have lost digits before
 * the node saw it: refused.
 */
function canonicalNumber(literal: string, parsedBefore: boolean): string {
	// The common case, an integer of up to 15 digits, is already spelt as JSON.stringify would.
	if (SHORT_INTEGER.test(literal)) return literal;
	const value = Number(literal);
	if (parsedBefore && Number.isInteger(value) && !Number.isSafeInteger(value))
		throw new CanonicalJsonError('lostPrecision', 'an integer beyond 2^53 - 1', '', literal);
	const exact = decimalOf(literal);
	if (Number.isFinite(value) && sameDecimal(exact, decimalOf(String(value))))
		return JSON.stringify(value);
	const sign = exact.negative ? '-' : '';
	if (exact.exponent >= 0 && exact.digits.length + exact.exponent <= MAX_PLAIN_DIGITS)
		return `${sign}${exact.digits}${'0'.repeat(exact.exponent)}`;
	return `${sign}${exact.digits}e${exact.exponent}`;
}

/** A frame of the reader's stack: an open array, or an open object and the key being read. */
type Frame = { array: Node[] } | { object: Map<string, Node>; key: string };

class Reader {
	pos = 0;
	readonly stack: Frame[] = [];

	constructor(
		readonly text: string,
		readonly parsedBefore: boolean,
	) {}

	fail(what: string): never {
		throw new CanonicalJsonError('syntax', `not valid JSON: ${what} at character ${this.pos}`);
	}

	skipSpace(): void {
		const { text } = this;
		let pos = this.pos;
		for (let c = text.charCodeAt(pos); c === 32 || c === 9 || c === 10 || c === 13;)
			c = text.charCodeAt(++pos);
		this.pos = pos;
	}

	/** A string token, decoded. Escapes are decoded by JSON.parse of the token alone. */
	readString(): string {
		const { text } = this;
		const start = this.pos;
		let pos = start + 1;
		let escaped = false;
		for (;;) {
			const c = text.charCodeAt(pos);
			if (Number.isNaN(c) || c < 32) this.fail('an unterminated string');
			if (c === Code.Quote) break;
			if (c === Code.Backslash) {
				escaped = true;
				pos++;
			}
			pos++;
		}
		this.pos = pos + 1;
		if (!escaped) return text.slice(start + 1, pos);
		try {
			return JSON.parse(text.slice(start, pos + 1)) as string;
		} catch {
			return this.fail('a bad escape in a string');
		}
	}

	readNumber(): string {
		const { text } = this;
		const start = this.pos;
		let pos = start;
		if (text.charCodeAt(pos) === Code.Minus) pos++;
		const intStart = pos;
		while (isDigit(text.charCodeAt(pos))) pos++;
		const leadingZero = text.charCodeAt(intStart) === Code.Zero && pos - intStart > 1;
		if (pos === intStart || leadingZero) this.fail('a bad number');
		if (text.charCodeAt(pos) === Code.Dot) {
			const fraction = ++pos;
			while (isDigit(text.charCodeAt(pos))) pos++;
			if (pos === fraction) this.fail('a bad number');
		}
		const e = text.charCodeAt(pos);
		if (e === Code.LowerE || e === Code.UpperE) {
			const sign = text.charCodeAt(++pos);
			if (sign === Code.Plus || sign === Code.Minus) pos++;
			const digits = pos;
			while (isDigit(text.charCodeAt(pos))) pos++;
			if (pos === digits) this.fail('a bad number');
		}
		this.pos = pos;
		try {
			return canonicalNumber(text.slice(start, pos), this.parsedBefore);
		} catch (error) {
			throw this.located(error);
		}
	}

	/** An error from inside a value, with the path of that value. */
	located(error: unknown): unknown {
		if (!(error instanceof CanonicalJsonError)) return error;
		return new CanonicalJsonError(error.problem, error.message, this.path(), error.literal);
	}

	/** Where the reader is, as `a.b[2]["x y"]`. */
	path(): string {
		let path = '';
		for (const frame of this.stack) {
			if ('array' in frame) path += `[${frame.array.length}]`;
			else if (/^[A-Za-z_$][\w$]*$/.test(frame.key)) path += `${path ? '.' : ''}${frame.key}`;
			else path += `[${JSON.stringify(frame.key)}]`;
		}
		return path;
	}

	/** `"key":` of an object member, after `{` or `,`. */
	readKey(): string {
		this.skipSpace();
		if (this.text.charCodeAt(this.pos) !== Code.Quote) this.fail('a missing object key');
		const key = this.readString();
		this.skipSpace();
		if (this.text[this.pos] !== ':') this.fail("a missing ':'");
		this.pos++;
		return key;
	}

	/** A scalar, an empty container, or undefined after opening a container (pushed). */
	readValueStart(): Node | undefined {
		this.skipSpace();
		const { text } = this;
		const c = text[this.pos];
		if (c === '"') return JSON.stringify(this.readString());
		if (c === '{' || c === '[') {
			this.pos++;
			this.skipSpace();
			const close = c === '{' ? '}' : ']';
			if (text[this.pos] === close) {
				this.pos++;
				return c === '{' ? new Map() : [];
			}
			this.stack.push(c === '{' ? { object: new Map(), key: this.readKey() } : { array: [] });
			return undefined;
		}
		if (c === '-' || isDigit(text.charCodeAt(this.pos))) return this.readNumber();
		for (const word of ['true', 'false', 'null']) {
			if (text.startsWith(word, this.pos)) {
				this.pos += word.length;
				return word;
			}
		}
		return this.fail('an unexpected character');
	}

	/**
	 * Puts a finished value into the open container; returns the finished container when the
	 * value was its last, undefined when the next value is to be read, or the root when done.
	 */
	attach(value: Node): { done: Node } | { finished: Node } | undefined {
		const top = this.stack[this.stack.length - 1];
		if (!top) return { done: value };
		if ('array' in top) top.array.push(value);
		else top.object.set(top.key, value);
		this.skipSpace();
		const c = this.text[this.pos++];
		if (c === ',') {
			if ('object' in top) top.key = this.readKey();
			return undefined;
		}
		if (c === ('array' in top ? ']' : '}')) {
			this.stack.pop();
			return { finished: 'array' in top ? top.array : top.object };
		}
		this.pos--;
		return this.fail("a missing ',' or closing bracket");
	}

	read(): Node {
		for (;;) {
			let value = this.readValueStart();
			while (value !== undefined) {
				const next = this.attach(value);
				if (next && 'done' in next) {
					this.skipSpace();
					if (this.pos < this.text.length) this.fail('text after the value');
					return next.done;
				}
				value = next?.finished;
			}
		}
	}
}

/** The canonical text of a tree read by Reader: pieces pushed on an explicit stack, joined once. */
function write(root: Node): string {
	const out: string[] = [];
	const work: Node[] = [root];
	while (work.length > 0) {
		const node = work.pop()!;
		if (typeof node === 'string') {
			out.push(node);
		} else if (Array.isArray(node)) {
			work.push(']');
			for (let i = node.length - 1; i >= 0; i--) work.push(node[i], i > 0 ? ',' : '');
			work.push('[');
		} else {
			const keys = [...node.keys()].sort();
			work.push('}');
			for (let i = keys.length - 1; i >= 0; i--)
				work.push(node.get(keys[i])!, ':', JSON.stringify(keys[i]), i > 0 ? ',' : '');
			work.push('{');
		}
	}
	return out.join('');
}

/** The canonical text of JSON text as the user wrote it: every number literal read exactly. */
export function canonicalJsonText(text: string): string {
	return write(new Reader(text, false).read());
}

/**
 * The canonical text of a value n8n has already parsed (an expression's object). Written by
 * JSON.stringify first (toJSON, undefined members, as the message is sent), then read back, so
 * it agrees with canonicalJsonText of the same JSON. An integer beyond 2^53 − 1 is refused: its
 * digits may be gone already, and two different ids could then become one message.
 */
export function canonicalJsonValue(value: unknown): string {
	const text = JSON.stringify(value) as string | undefined;
	return write(new Reader(text ?? 'null', true).read());
}
