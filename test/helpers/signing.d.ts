/** Types for signing.js (the one webhook signer of the tests, the sandbox and the benches). */
export function smsRouteV1(key: string, t: number | string, body: Buffer | string): string;
export function smsRouteTestHeader(options: {
	key: string;
	body: Buffer | string;
	timestamp?: number;
	nowMs?: number;
}): string;
export function sendCloudTestSignature(
	appKey: string,
	timestamp: number | string,
	token: string,
): string;
