import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/** Reads one node parameter for a given item. */
export type ParameterReader = (itemIndex: number) => unknown;

// `{{ $json.phone }}`, `{{ $json.contact.phone }}`, `{{ $json["phone number"] }}`: nothing else.
const SIMPLE_JSON_REFERENCE =
	/^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[\s*(?:"[^"\\]*"|'[^'\\]*')\s*\])+)\s*\}\}$/;
const PATH_SEGMENT = /\.([A-Za-z_$][\w$]*)|\[\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\]/g;

function jsonPath(reference: string): string[] {
	return [...reference.matchAll(PATH_SEGMENT)].map((m) => m[1] ?? m[2] ?? m[3]);
}

function containsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(containsExpression);
	if (value && typeof value === 'object') return Object.values(value).some(containsExpression);
	return false;
}

/**
 * n8n evaluates an expression per item at a cost of about 150 µs each: for a 100,000-row bulk
 * send that is most of the run. A parameter is the same expression for every item, so its raw
 * form is looked at once: a fixed value is read once, a plain `{{ $json.field }}` reference is
 * read straight from each item (the very value the expression would give), and anything else
 * is evaluated by n8n per item as usual.
 */
export function createParameterReader(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	name: string,
	fallback: unknown,
): ParameterReader {
	const raw = context.getNodeParameter(name, 0, fallback, { rawExpressions: true }) as unknown;
	if (!containsExpression(raw)) {
		const value = context.getNodeParameter(name, 0, fallback) as unknown;
		return () => value;
	}
	const match = typeof raw === 'string' ? SIMPLE_JSON_REFERENCE.exec(raw) : null;
	if (match) {
		const path = jsonPath(match[1]);
		return (itemIndex) => {
			let value: unknown = items[itemIndex]?.json;
			for (const key of path) {
				if (value === null || typeof value !== 'object') return undefined;
				value = (value as IDataObject)[key];
			}
			return value;
		};
	}
	if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
		return collectionReader(context, items, name, raw as IDataObject);
	}
	return (itemIndex) => context.getNodeParameter(name, itemIndex, fallback) as unknown;
}

/**
 * A collection (Options, Additional Fields) with an expression in some fields: n8n would
 * evaluate all of it per item. Each field is read as its own parameter ("options.timeZone")
 * instead, the same value n8n gives for it, so fixed fields are read once and `{{ $json.x }}`
 * fields straight from the items: one such field in Options no longer costs every item a full
 * evaluation of the collection. The last item's value is kept, for readers of the same item.
 */
function collectionReader(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	name: string,
	raw: IDataObject,
): ParameterReader {
	const fields = Object.keys(raw).map(
		(key) => [key, createParameterReader(context, items, `${name}.${key}`, null)] as const,
	);
	// Several steps read the same item's collection (message, then Quiet Hours): kept once.
	let last: { itemIndex: number; value: IDataObject } | undefined;
	return (itemIndex) => {
		if (last?.itemIndex === itemIndex) return last.value;
		const value: IDataObject = {};
		for (const [key, read] of fields) value[key] = read(itemIndex) as IDataObject[string];
		last = { itemIndex, value };
		return value;
	};
}
