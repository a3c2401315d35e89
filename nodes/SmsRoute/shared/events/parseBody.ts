/**
 * Turns the exact request bytes into an object. n8n has usually parsed the body already,
 * but the trigger parses `rawBody` itself so that what it verifies, what it limits and what
 * it emits are the same bytes, and so that bad input becomes a 400 instead of an exception.
 */

import { isPlainObject, ownValue } from '../objects';
import type { Result } from '../result';

/** Delivery callbacks are a few hundred bytes; 1 MiB leaves room for big fan-outs. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Same cap n8n puts on urlencoded bodies (querystring maxKeys). */
const MAX_FORM_FIELDS = 1000;

/** Keys that would reach Object.prototype when assigned on a plain object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type ParsedBody = Result<{ body: Record<string, unknown>; format: 'json' | 'form' }>;

function mediaType(contentType: string | undefined): { type: string; charset: string | null } {
	const [type = '', ...params] = (contentType ?? '').split(';');
	let charset: string | null = null;
	for (const param of params) {
		const [name, value] = param.split('=');
		if (name?.trim().toLowerCase() === 'charset' && value) {
			charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
		}
	}
	return { type: type.trim().toLowerCase(), charset };
}

/** Strict UTF-8: a lossy decode would silently turn bad bytes into U+FFFD. */
export function decodeUtf8(raw: Buffer): string | null {
	const text = raw.toString('utf8');
	return Buffer.from(text, 'utf8').equals(raw) ? text : null;
}

/**
 * SendCloud may post arrays and objects as JSON text inside form fields
 * (`smsIds=["a","b"]`, `customArgs={"k":"v"}`); decode those, keep anything else as text.
 */
function decodeJsonField(value: string): unknown {
	const trimmed = value.trim();
	if (!(trimmed.startsWith('[') || trimmed.startsWith('{'))) return value;
	try {
		return JSON.parse(trimmed) as unknown;
	} catch {
		// Text that merely starts with a bracket (a message, a reply) stays text.
		return value;
	}
}

function decodeFormComponent(part: string): string {
	// decodeURIComponent throws on malformed escapes and on escapes that are not UTF-8.
	return decodeURIComponent(part.replace(/\+/g, ' '));
}

// Where `.` stops in a pattern: the names below keep the rule of the patterns they replace.
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;

/**
 * `name` of `name[]`: what /^(.+)\[\]$/ gave, without a pattern (that one and the next were
 * quadratic on a run of "[": a 1 MiB body held n8n for minutes).
 */
export function listName(rawName: string): string | undefined {
	if (rawName.length < 3 || !rawName.endsWith('[]')) return undefined;
	const name = rawName.slice(0, -2);
	return LINE_TERMINATOR.test(name) ? undefined : name;
}

/** `[name, key]` of `name[key]`: what /^(.+)\[([^\]]+)\]$/ gave (the last "[" that fits). */
export function objectName(rawName: string): [string, string] | undefined {
	const last = rawName.length - 1;
	if (last < 3 || rawName[last] !== ']') return undefined;
	const lineEnd = rawName.search(LINE_TERMINATOR);
	const open = rawName.lastIndexOf('[', lineEnd === -1 ? last - 2 : Math.min(last - 2, lineEnd));
	if (open < 1 || open < rawName.lastIndexOf(']', last - 1)) return undefined;
	return [rawName.slice(0, open), rawName.slice(open + 1, last)];
}

export function parseForm(text: string): ParsedBody {
	const body: Record<string, unknown> = {};
	const pairs = text.split('&').filter((pair) => pair !== '');
	if (pairs.length > MAX_FORM_FIELDS) return { ok: false, reason: 'too many form fields' };
	for (const pair of pairs) {
		const eq = pair.indexOf('=');
		let rawName: string;
		let rawValue: string;
		try {
			rawName = decodeFormComponent(eq === -1 ? pair : pair.slice(0, eq));
			rawValue = decodeFormComponent(eq === -1 ? '' : pair.slice(eq + 1));
		} catch {
			return { ok: false, reason: 'malformed form body' };
		}
		// `smsIds[]=a&smsIds[]=b` and repeated `smsIds=a&smsIds=b` both mean a list;
		// `customArgs[k]=v` means one level of object.
		const arrayMatch = listName(rawName);
		const objectMatch = objectName(rawName);
		const name = arrayMatch ?? objectMatch?.[0] ?? rawName;
		if (FORBIDDEN_KEYS.has(name) || (objectMatch && FORBIDDEN_KEYS.has(objectMatch[1]))) continue;
		const value = decodeJsonField(rawValue);
		const existing = ownValue(body, name);
		if (objectMatch && !arrayMatch) {
			const target: Record<string, unknown> = isPlainObject(existing) ? existing : {};
			target[objectMatch[1]] = value;
			body[name] = target;
		} else if (arrayMatch) {
			const list = Array.isArray(existing) ? existing : existing === undefined ? [] : [existing];
			if (Array.isArray(value)) list.push(...(value as unknown[]));
			else list.push(value);
			body[name] = list;
		} else if (existing !== undefined) {
			body[name] = Array.isArray(existing)
				? [...(existing as unknown[]), value]
				: [existing, value];
		} else {
			body[name] = value;
		}
	}
	return { ok: true, body, format: 'form' };
}

const LONG_DIGIT_RUN = /\d{16}/;

function isDigit(code: number): boolean {
	return code >= 48 && code <= 57;
}

/**
 * Wraps integer literals that a double cannot hold (beyond 2^53) in quotes, so ids like
 * 9007199254740993 reach the event as their exact digits instead of collapsing into a
 * neighbour. One pass, outside strings only; skipped unless a 16-digit run exists at all.
 */
export function quoteUnsafeIntegers(text: string): string {
	if (!LONG_DIGIT_RUN.test(text)) return text;
	const parts: string[] = [];
	let copied = 0;
	let inString = false;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		if (inString) {
			if (code === 92)
				i++; // backslash: skip the escaped character
			else if (code === 34) inString = false;
			continue;
		}
		if (code === 34) {
			inString = true;
			continue;
		}
		if (code !== 45 && !isDigit(code)) continue;
		let end = i + 1;
		while (end < text.length && /[0-9.eE+-]/.test(text[end])) end++;
		const literal = text.slice(i, end);
		if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
			parts.push(text.slice(copied, i), '"', literal, '"');
			copied = end;
		}
		i = end - 1;
	}
	if (copied === 0) return text;
	parts.push(text.slice(copied));
	return parts.join('');
}

export function parseJson(text: string): ParsedBody {
	let value: unknown;
	try {
		value = JSON.parse(quoteUnsafeIntegers(text)) as unknown;
	} catch {
		return { ok: false, reason: 'invalid JSON' };
	}
	if (!isPlainObject(value)) return { ok: false, reason: 'JSON body must be an object' };
	return { ok: true, body: value, format: 'json' };
}

export function parseRawBody(
	raw: Buffer,
	contentType: string | undefined,
	maxBytes: number = MAX_BODY_BYTES,
): ParsedBody {
	if (raw.length === 0) return { ok: false, reason: 'empty body' };
	if (raw.length > maxBytes) return { ok: false, reason: 'body too large' };
	const { type, charset } = mediaType(contentType);
	if (charset && !['utf-8', 'utf8', 'us-ascii'].includes(charset)) {
		return { ok: false, reason: 'unsupported charset (only UTF-8 is accepted)' };
	}
	const decoded = decodeUtf8(raw);
	if (decoded === null) return { ok: false, reason: 'body is not valid UTF-8' };
	// A byte-order mark is not content: the signature covered it (raw bytes), parsing skips it.
	const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;

	if (type === 'application/json' || type.endsWith('+json')) return parseJson(text);
	if (type === 'application/x-www-form-urlencoded') return parseForm(text);
	// Missing or generic content type: go by the first character.
	const first = text.trimStart()[0];
	if (first === '{' || first === '[') return parseJson(text);
	if (text.includes('=')) return parseForm(text.trim());
	return { ok: false, reason: 'unsupported body: expected JSON or form-urlencoded' };
}
