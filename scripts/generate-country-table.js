#!/usr/bin/env node
'use strict';
// Generates nodes/SmsRoute/sending/numbers/countryTable.generated.json from libphonenumber-js's metadata
// (Google's libphonenumber numbering plans, kept up to date by that project), so the node can
// turn national numbers into E.164 without a runtime dependency.
//
// Regenerate (after updating the libphonenumber-js dev dependency):
//   node scripts/generate-country-table.js
// An optional argument writes elsewhere (the tests use it to check the committed table is current).
//
// Only what number parsing and validation need is kept per country: calling code, international
// (IDD) prefix, the general national-number pattern, the possible national lengths, the trunk
// prefix with libphonenumber's parsing rule for it, the leading digits that tell countries sharing
// a calling code apart, and the per-type patterns of the full ("max") metadata: a number is valid
// only when it matches one of them, exactly as libphonenumber-js/max decides (isValid, getType).
// Formatting rules are left out.

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const metadataPath = require.resolve('libphonenumber-js/metadata.max.json', { paths: [root] });
const metadata = JSON.parse(fs.readFileSync(metadataPath, 'utf8'));
const sourceVersion = JSON.parse(
	fs.readFileSync(path.join(path.dirname(metadataPath), 'package.json'), 'utf8'),
).version;

// Indexes into a country's array in metadata format version 4 (libphonenumber-js metadata.js).
const CALLING_CODE = 0;
const IDD_PREFIX = 1;
const NATIONAL_PATTERN = 2;
const POSSIBLE_LENGTHS = 3;
const NATIONAL_PREFIX = 5;
const NATIONAL_PREFIX_FOR_PARSING = 7;
const NATIONAL_PREFIX_TRANSFORM = 8;
const LEADING_DIGITS = 10;
const TYPES = 11;
// The order of the types array in metadata format 4 (libphonenumber-js metadata.js getType).
const TYPE_NAMES = [
	'fixedLine',
	'mobile',
	'tollFree',
	'premiumRate',
	'personalNumber',
	'voicemail',
	'uan',
	'pager',
	'voip',
	'sharedCost',
];

if (metadata.version !== 4) {
	throw new Error(`metadata format ${metadata.version} is not the version 4 this script reads`);
}

function row(data, withIdd) {
	const out = { code: data[CALLING_CODE] };
	if (withIdd) out.idd = data[IDD_PREFIX];
	out.pattern = data[NATIONAL_PATTERN];
	out.lengths = data[POSSIBLE_LENGTHS];
	if (data[NATIONAL_PREFIX]) out.trunk = data[NATIONAL_PREFIX];
	if (data[NATIONAL_PREFIX_FOR_PARSING]) out.trunkForParsing = data[NATIONAL_PREFIX_FOR_PARSING];
	if (data[NATIONAL_PREFIX_TRANSFORM]) out.trunkTransform = data[NATIONAL_PREFIX_TRANSFORM];
	if (data[LEADING_DIGITS]) out.leadingDigits = data[LEADING_DIGITS];
	out.types = types(data[TYPES]);
	return out;
}

// { mobile: [pattern, lengths?] }: lengths only where they differ from the country's. An empty
// mobile pattern is kept: libphonenumber removes it when it equals the fixed-line one, and then
// reads such numbers as "fixed line or mobile".
function types(list) {
	const out = {};
	(list || []).forEach((type, index) => {
		if (!type) return;
		out[TYPE_NAMES[index]] = type[1] ? [type[0], type[1]] : [type[0]];
	});
	return out;
}

const countries = {};
for (const iso of Object.keys(metadata.countries).sort())
	countries[iso] = row(metadata.countries[iso], true);
const nonGeographic = {};
for (const code of Object.keys(metadata.nonGeographic).sort()) {
	const { code: _code, ...rest } = row(metadata.nonGeographic[code], false);
	nonGeographic[code] = rest;
}

// JSON, one country per line: tsc copies it to dist/ as it is (no source map of a data file, no
// code wrapper), and a regenerated table diffs line by line. Types: sending/numbers/countryTable.ts.
const entries = (object) =>
	Object.entries(object).map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
const lines = [
	'{',
	`"source":${JSON.stringify(`libphonenumber-js ${sourceVersion} metadata.max.json, by scripts/generate-country-table.js: do not edit by hand`)},`,
	`"numberTypes":${JSON.stringify(TYPE_NAMES)},`,
	`"sharedCallingCodes":{${entries(
		Object.fromEntries(
			Object.entries(metadata.country_calling_codes).filter(([, list]) => list.length > 1),
		),
	).join(',')}},`,
	'"countries":{',
	entries(countries).join(',\n'),
	'},',
	'"nonGeographic":{',
	entries(nonGeographic).join(',\n'),
	'}',
	'}',
	'',
];

const target = path.resolve(
	process.argv[2] ?? path.join(root, 'nodes/SmsRoute/sending/numbers/countryTable.generated.json'),
);
fs.writeFileSync(target, lines.join('\n'));
console.log(
	`wrote ${path.relative(root, target)}: ${Object.keys(countries).length} countries, ` +
		`${Object.keys(nonGeographic).length} non-geographic codes, ${fs.statSync(target).size} bytes`,
);
