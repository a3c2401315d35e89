/**
 * The one result shape of the package's checks: `{ ok: true, …value }` or `{ ok: false, …why }`.
 * Narrowed by `ok`, so a caller cannot read a value without first handling the failure.
 */
export type Result<Value extends object = object, Failure extends object = { reason: string }> =
	({ ok: true } & Value) | ({ ok: false } & Failure);
