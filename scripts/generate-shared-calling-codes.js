#!/usr/bin/env node
'use strict';
// The calling codes several regions share, from libphonenumber-js's metadata (the same data as
// the country table), as the Markdown table docs/guardrails.md shows under Allowed Countries:
// a region there is libphonenumber's, so US is not Puerto Rico and GB is not Guernsey.
//
//   node scripts/generate-shared-calling-codes.js          rewrites the table in docs/guardrails.md
//   node scripts/generate-shared-calling-codes.js --check  exits 1 when the page's table differs
// Run it after updating the libphonenumber-js dev dependency; a test checks the page is current.

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const DOC = path.join(root, 'docs', 'guardrails.md');
const START = '<!-- shared-calling-codes:start (scripts/generate-shared-calling-codes.js) -->';
const END = '<!-- shared-calling-codes:end -->';

const metadataPath = require.resolve('libphonenumber-js/metadata.max.json', { paths: [root] });
const metadata = JSON.parse(fs.readFileSync(metadataPath, 'utf8'));
const sourceVersion = JSON.parse(
	fs.readFileSync(path.join(path.dirname(metadataPath), 'package.json'), 'utf8'),
).version;

const names = new Intl.DisplayNames(['en'], { type: 'region' });
const label = (region) => `${names.of(region) ?? region} (${region})`;

/** [calling code, regions] for every code with more than one region; the main region first. */
function sharedCallingCodes() {
	return Object.entries(metadata.country_calling_codes)
		.filter(([, regions]) => regions.length > 1)
		.sort(([a], [b]) => Number(a) - Number(b));
}

function table() {
	const rows = sharedCallingCodes().map(
		([code, [main, ...others]]) =>
			`| +${code} | ${label(main)} | ${others.map(label).join(', ')} |`,
	);
	return [
		START,
		`Generated from libphonenumber-js ${sourceVersion}: ${rows.length} calling codes shared by several regions.`,
		'',
		'| Calling code | Main region | Other regions with the same code (not included in the main one) |',
		'|---|---|---|',
		...rows,
		END,
	].join('\n');
}

/** The page with its table replaced by the generated one. */
function withTable(page) {
	const start = page.indexOf(START);
	const end = page.indexOf(END);
	if (start < 0 || end < start) throw new Error(`${DOC}: no ${START} … ${END} block`);
	return page.slice(0, start) + table() + page.slice(end + END.length);
}

module.exports = { sharedCallingCodes, table, withTable, DOC };

if (require.main === module) {
	const page = fs.readFileSync(DOC, 'utf8');
	const generated = withTable(page);
	if (process.argv.includes('--check')) {
		if (generated !== page) {
			console.error(`${DOC}: the shared calling codes table is not current; run ${__filename}`);
			process.exit(1);
		}
	} else if (generated !== page) {
		fs.writeFileSync(DOC, generated);
		console.log(`wrote the table into ${path.relative(root, DOC)}`);
	}
}
