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
 * fields straight from the items.
 */
function collectionReader(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	name: string,
	raw: IDataObject,
): ParameterReader {
	return fieldsReader(context, items, name, Object.keys(raw));
}

/**
 * Reads only the named entries of a collection (such as Options) per item. n8n evaluates a whole
 * collection on every read, so an expression in another entry (a Do Not Send To list from
 * $('Opt-outs').all()) would run once per item: 100,000 times for a 100,000-row send.
 */
export function createCollectionReader(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	collection: string,
	names: readonly string[],
): ParameterReader {
	const raw = context.getNodeParameter(collection, 0, {}, { rawExpressions: true }) as IDataObject;
	return fieldsReader(
		context,
		items,
		collection,
		names.filter((name) => raw[name] !== undefined),
	);
}

/**
 * The entries the user added, each read on its own. An entry whose expression gives nothing
 * stays in (null, as n8n gives it), so its check can say so instead of taking it as "off".
 */
function fieldsReader(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	collection: string,
	names: readonly string[],
): ParameterReader {
	const readers = names.map(
		(name) => [name, createParameterReader(context, items, `${collection}.${name}`, null)] as const,
	);
	// None added (the common case): one empty object for the run, not a new one per item.
	if (readers.length === 0) {
		const none: IDataObject = {};
		return () => none;
	}
	// Several steps read the same item's collection (message, then the Sending Window): kept once.
	let last: { itemIndex: number; value: IDataObject } | undefined;
	return (itemIndex) => {
		if (last?.itemIndex === itemIndex) return last.value;
		const values: IDataObject = {};
		for (const [name, read] of readers) values[name] = read(itemIndex) as IDataObject[string];
		last = { itemIndex, value: values };
		return values;
	};
}
