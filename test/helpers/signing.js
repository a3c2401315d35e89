'use strict';
/**
 * The one place tests, the sandbox and the benches sign webhooks, as the providers do (like
 * stripe-node's generateTestHeaderString). It is written from the provider documents, not from
 * the verifier in nodes/, so a bug in the verifier cannot cancel out here; signing.test.ts checks
 * this file against openssl.
 *
 *   smsroute: x-smsroute-signature: t=<unix s>,v1=<hex HMAC-SHA256(key, "<t>." + raw body)>
 *   SendCloud SMSHook: signature = hex HMAC-SHA256(app key, "<timestamp><token>")
 */
const crypto = require('node:crypto');

function hmacHex(key, ...parts) {
	const hmac = crypto.createHmac('sha256', key);
	for (const part of parts)
		hmac.update(typeof part === 'string' ? Buffer.from(part, 'utf8') : part);
	return hmac.digest('hex');
}

/** The v1 value for a body (string or exact bytes) signed at `t` (unix seconds). */
function smsRouteV1(key, t, body) {
	return hmacHex(key, `${t}.`, body);
}

/**
 * A signature header for `body`. `timestamp` is unix seconds (default: now); `nowMs` is accepted
 * for callers that think in milliseconds.
 */
function smsRouteTestHeader({ key, body, timestamp, nowMs }) {
	const t = timestamp ?? Math.floor((nowMs ?? Date.now()) / 1000);
	return `t=${t},v1=${smsRouteV1(key, t, body)}`;
}

function sendCloudTestSignature(appKey, timestamp, token) {
	return hmacHex(appKey, `${timestamp}${token}`);
}

module.exports = { smsRouteV1, smsRouteTestHeader, sendCloudTestSignature };
