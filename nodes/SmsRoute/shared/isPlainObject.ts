import type { IDataObject } from 'n8n-workflow';

/** An object that is not an array (nor null): what a JSON object parses to. */
export function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
