'use strict';
/**
 * Would n8n still understand a saved node's parameters? Checked against the node type n8n
 * serves the editor (/types/nodes.json), two ways:
 * - unknownParameters(): every saved parameter name, collection field and option value is one
 *   the description still has (a renamed parameter or operation value shows up here; n8n itself
 *   would keep running with the default and say nothing);
 * - droppedByN8n(): n8n-workflow's own getNodeParameters, as the editor runs it when it opens
 *   the workflow, keeps every saved value (a parameter hidden for the saved typeVersion would be
 *   dropped on the next save).
 */
const { NodeHelpers } = require('n8n-workflow');

const isExpression = (v) => typeof v === 'string' && v.startsWith('=');
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Problems of `values` against `properties` (all definitions: displayOptions are not judged here). */
function unknownParameters(properties, values, path = '') {
	const problems = [];
	for (const [name, value] of Object.entries(values ?? {})) {
		const here = `${path}${name}`;
		const defs = properties.filter((p) => p.name === name);
		if (defs.length === 0) {
			problems.push(`${here}: no such parameter`);
			continue;
		}
		if (isExpression(value)) continue;
		// The value must fit at least one definition of that name (operations reuse names).
		const fits = defs.map((def) => valueProblems(def, value, here));
		if (fits.every((p) => p.length > 0)) problems.push(...fits[0]);
	}
	return problems;
}

function valueProblems(def, value, here) {
	const known = (def.options ?? []).map((o) => o.value);
	switch (def.type) {
		case 'options':
			return known.includes(value) ? [] : [`${here}: "${value}" is not an option`];
		case 'multiOptions':
			return (Array.isArray(value) ? value : [value])
				.filter((v) => !isExpression(v) && !known.includes(v))
				.map((v) => `${here}: "${v}" is not an option`);
		case 'collection':
			return isObject(value)
				? unknownParameters(def.options ?? [], value, `${here}.`)
				: [`${here}: not an object`];
		case 'fixedCollection': {
			if (!isObject(value)) return [`${here}: not an object`];
			const problems = [];
			for (const [group, entries] of Object.entries(value)) {
				const option = (def.options ?? []).find((o) => o.name === group);
				if (!option) {
					problems.push(`${here}.${group}: no such group`);
					continue;
				}
				for (const entry of Array.isArray(entries) ? entries : [entries])
					problems.push(...unknownParameters(option.values ?? [], entry, `${here}.${group}.`));
			}
			return problems;
		}
		default:
			return [];
	}
}

/** Saved values getNodeParameters (as the editor runs it on load) no longer returns. */
function droppedByN8n(description, node) {
	const resolved = NodeHelpers.getNodeParameters(
		description.properties,
		node.parameters,
		true,
		false,
		node,
		description,
	);
	const problems = [];
	const walk = (saved, got, path) => {
		for (const [k, v] of Object.entries(saved ?? {})) {
			const p = `${path}${k}`;
			if (!isObject(got) || !(k in got)) problems.push(`${p}: dropped`);
			else if (isObject(v)) walk(v, got[k], `${p}.`);
			else if (JSON.stringify(v) !== JSON.stringify(got[k]))
				problems.push(`${p}: ${JSON.stringify(v)} became ${JSON.stringify(got[k])}`);
		}
	};
	walk(node.parameters, resolved, '');
	return problems;
}

/** The description of `type` that covers `typeVersion`, from /types/nodes.json. */
function descriptionFor(types, type, typeVersion) {
	return types.find((t) => t.name === type && [t.version].flat().includes(typeVersion));
}

module.exports = { unknownParameters, droppedByN8n, descriptionFor };
