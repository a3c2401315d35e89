/**
 * Keeps API keys out of everything that leaves the node (output, errors, error details, logs).
 * A server or proxy may echo the key in any form: raw, glued to other text, URL-encoded, escaped
 * in a JSON string, or inside base64 (a Basic or Bearer header echoed back). The credential's own key values are
 * matched in all those forms; a pattern catches keys the node was not given.
 */

export type Redact = (text: string) => string;

const MASK = '***';

// No \b: a key glued to a word character ("xsk_live_…") must still match; "%5F" is a URL-encoded "_".
const SECRET_PATTERN = /(sk(?:_|%5F)(?:test|live)(?:_|%5F))[A-Za-z0-9_%+/=-]+/gi;

/** Pattern-only redaction, for text produced where the credential is not at hand. */
export function redactSecrets(text: string): string {
	return text.replace(SECRET_PATTERN, `$1${MASK}`);
}

/**
 * The base64 text that any base64 encoding containing `secret` must contain: the secret's bytes
 * from each of the three alignments, cut to whole 3-byte groups (standard and URL alphabets).
 */
function base64Cores(secret: string): string[] {
	const bytes = Buffer.from(secret, 'utf8');
	const cores: string[] = [];
	for (let skip = 0; skip < 3; skip++) {
		const aligned = bytes.subarray(skip);
		const whole = aligned.subarray(0, aligned.length - (aligned.length % 3));
		if (whole.length < 6) continue;
		const core = whole.toString('base64');
		cores.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
	}
	return cores;
}

/** The secret inside a JSON string: escaped as JSON.stringify does, and with `\/` as PHP does. */
function jsonEscapedForms(secret: string): string[] {
	const escaped = JSON.stringify(secret).slice(1, -1);
	return [escaped, escaped.replace(/\//g, '\\/')];
}

function secretForms(secret: string): string[] {
	const encoded = encodeURIComponent(secret);
	return [
		secret,
		encoded,
		encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
		...jsonEscapedForms(secret),
		...base64Cores(secret),
	];
}

/** A redactor for these key values (too-short values are ignored: masking them would mask noise). */
export function createRedactor(secrets: readonly unknown[]): Redact {
	const values = secrets.filter((s): s is string => typeof s === 'string').map((s) => s.trim());
	const forms = [...new Set(values.filter((s) => s.length >= 8).flatMap(secretForms))].sort(
		(a, b) => b.length - a.length,
	);
	return (text) => {
		let result = text;
		for (const form of forms) if (result.includes(form)) result = result.split(form).join(MASK);
		return redactSecrets(result);
	};
}

/** The same redaction over every string in a JSON value (a message smsroute returned, say). */
export function redactJson<T>(value: T, redact: Redact): T {
	if (typeof value === 'string') return redact(value) as T;
	if (Array.isArray(value)) return value.map((entry) => redactJson(entry, redact)) as T;
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => [redact(key), redactJson(entry, redact)]),
		) as T;
	}
	return value;
}
