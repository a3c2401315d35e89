/**
 * The one result shape of the package's checks: `{ ok: true, …value }` or `{ ok: false, …why }`.
 * Narrowed by `ok`, so a caller cannot read a value without first handling the failure.
 */
export type Result<Value extends object = object, Failure extends object = { reason: string }> =
	({ ok: true } & Value) | ({ ok: false } & Failure);

/** A webhook request answered without starting anything: the HTTP status and a short reason. */
export interface Refusal {
	status: 400 | 401 | 503;
	reason: string;
	/** Sent as Retry-After with a 503: when the sender should try again. */
	retryAfterSeconds?: number;
}

export function refusal(status: Refusal['status'], reason: string): { ok: false } & Refusal {
	return { ok: false, status, reason };
}
