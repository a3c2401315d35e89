import type { IDataObject } from 'n8n-workflow';

/** Reading objects that came from a request body or an expression, without surprises. */

/** An object that is not an array (nor null): what a JSON object parses to. */
export function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value of an own property, or undefined: a name from a body such as "constructor" or
 * "toString" must not find Object.prototype's.
 */
export function ownValue<T>(
	table: Readonly<Record<string | number, T>>,
	name: string | number,
): T | undefined {
	return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}
