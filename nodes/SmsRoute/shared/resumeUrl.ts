/**
 * Which resume URLs the SMS Route Trigger may relay a delivery event to.
 *
 * The URL comes from a message's metadata, and metadata is whatever was sent with the message:
 * anyone with an API key of the account can put any URL there. Relaying must therefore never
 * reach anything but this n8n's own waiting-webhook endpoint (no other host, port, scheme or
 * path), or the trigger becomes a request forwarder for signed events.
 */

/** The metadata key the action node puts the execution's signed resume URL under. */
export const RESUME_URL_METADATA_KEY = 'n8nResumeUrl';

/** n8n's default waiting-webhook endpoint (N8N_ENDPOINT_WEBHOOK_WAIT); a custom one is not relayed to. */
export const WAITING_ENDPOINT = 'webhook-waiting';

const MAX_URL_LENGTH = 2048;
/** Execution ids are database integers; node ids are UUIDs (n8n encodes them with encodeURIComponent). */
const RESUME_PATH = /^\d{1,20}\/[A-Za-z0-9_-]{1,64}$/;
/** n8n's resume signature: hex HMAC-SHA256, in the `signature` query parameter. */
const SIGNATURE = /^[0-9a-f]{64}$/;
/** Printable ASCII without space, backslash, quotes or angle brackets: nothing a parser could read two ways. */
const PLAIN_URL = /^[\x21\x23-\x26\x28-\x3b\x3d\x3f-\x5b\x5d-\x7e]+$/;

/** `http://host:port/path/` with a trailing slash, or null when `base` is not an http(s) URL. */
export function normalizeBase(base: string | undefined): string | null {
	if (!base) return null;
	let url: URL;
	try {
		url = new URL(base);
	} catch {
		return null;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
	if (url.username || url.password) return null;
	const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
	return `${url.origin}${path}`;
}

/**
 * The n8n base URL a production webhook URL hangs off: `<base><endpoint>/<webhookId>/<path>` →
 * `<base>`. Returns null when the URL does not end in `/<webhookId>/<path>`.
 */
export function webhookBaseOf(
	webhookUrl: string | undefined,
	webhookId: string | undefined,
	path: string,
): string | null {
	if (!webhookUrl || !webhookId) return null;
	const suffix = `/${webhookId}/${path}`;
	if (!webhookUrl.endsWith(suffix)) return null;
	const endpointAndBase = webhookUrl.slice(0, -suffix.length);
	const lastSlash = endpointAndBase.lastIndexOf('/');
	if (lastSlash < 0) return null;
	return normalizeBase(endpointAndBase.slice(0, lastSlash + 1));
}

/**
 * The URL to relay to, or null to refuse. `candidate` must be exactly
 * `<base>webhook-waiting/<executionId>/<nodeId>?signature=<hex>` for one of `bases`, both as
 * written (so encoded or disguised hosts are refused outright) and after WHATWG parsing (so
 * `..` segments, userinfo and default ports cannot move it elsewhere).
 */
export function relayTarget(
	candidate: unknown,
	bases: ReadonlyArray<string | null | undefined>,
): string | null {
	if (
		typeof candidate !== 'string' ||
		candidate.length > MAX_URL_LENGTH ||
		!PLAIN_URL.test(candidate)
	) {
		return null;
	}
	let url: URL;
	try {
		url = new URL(candidate);
	} catch {
		return null;
	}
	if (url.username || url.password || url.hash) return null;
	const keys = [...url.searchParams.keys()];
	const signature = url.searchParams.get('signature');
	if (keys.length !== 1 || !signature || !SIGNATURE.test(signature)) return null;

	for (const rawBase of bases) {
		const base = normalizeBase(rawBase ?? undefined);
		if (!base) continue;
		const prefix = `${base}${WAITING_ENDPOINT}/`;
		// As written: no alternative spelling of the host, port or path.
		if (!candidate.startsWith(prefix)) continue;
		// As parsed: the same origin and a resume path with nothing else in it.
		const parsedPath = `${url.origin}${url.pathname}`;
		if (!parsedPath.startsWith(prefix)) continue;
		const rest = parsedPath.slice(prefix.length);
		if (!RESUME_PATH.test(rest)) continue;
		if (candidate !== `${prefix}${rest}?signature=${signature}`) continue;
		return url.href;
	}
	return null;
}
