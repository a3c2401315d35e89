'use strict';
// A newcomer finds each behaviour by folder and file name alone (issue 27): docs/development.md
// keeps a "behaviour → file" table, and this reads it back, so a moved file or a renamed
// function cannot leave the map pointing at nothing. Source and test paths the docs cite are
// checked too.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const read = (p) => fs.readFileSync(path.join(ROOT, p), 'utf8');

const BEHAVIOURS = [
	'chunking',
	'429 retry',
	'the smsroute signature',
	'SendCloud normalization',
	'duplicate drop',
	'Send and Wait resume',
	'Do Not Send To matching',
	"the guardrails' order",
	"the sending window's zone",
	'the n8n internals',
	'the automatic key',
	"the trigger's answers",
];

/** The rows of the table under "## Where each behaviour lives": [behaviour, file, function]. */
function mapRows(markdown) {
	const section = markdown.split(/^## /m).find((s) => s.startsWith('Where each behaviour lives'));
	if (!section) throw new Error('docs/development.md has no "Where each behaviour lives" section');
	return section
		.split('\n')
		.filter((line) => /^\|/.test(line) && !/^\|\s*-/.test(line))
		.slice(1)
		.map((line) =>
			line
				.split('|')
				.slice(1, -1)
				.map((cell) => cell.trim().replace(/^`|`$/g, '')),
		);
}

const rows = mapRows(read('docs/development.md'));

test('the map names each of its behaviours once', () => {
	expect(rows.map(([behaviour]) => behaviour).sort()).toEqual([...BEHAVIOURS].sort());
});

test.each(rows)('%s: %s exports %s', (_behaviour, file, name) => {
	expect(file).toMatch(/^nodes\/SmsRoute\/.+\.ts$/);
	expect(fs.existsSync(path.join(ROOT, file))).toBe(true);
	const declared = new RegExp(
		`export (async )?(function|const|class|type|interface) ${name.replace(/\W/g, '')}\\b`,
	);
	expect(read(file)).toMatch(declared);
});

test('the map parser refuses a table that lost its rows or names a missing file', () => {
	expect(mapRows('## Where each behaviour lives\n\n| a | b | c |\n|---|---|---|\n')).toEqual([]);
	expect(() => mapRows('## Elsewhere\n')).toThrow(/no "Where each behaviour lives"/);
	expect(fs.existsSync(path.join(ROOT, 'nodes/SmsRoute/helpers/concurrency.ts'))).toBe(false);
});

/** Every nodes/… and test/… file a doc cites (dist/….js read as its .ts source). */
function citedSourcePaths(markdown) {
	const found = new Set();
	for (const [, dist, p, ext] of markdown.matchAll(
		/(?<![\w/.-])(dist\/)?((?:nodes\/SmsRoute|test)\/[\w./-]+?)\.(ts|js|json)\b/g,
	))
		found.add(dist && ext === 'js' ? `${p}.ts` : `${p}.${ext}`);
	return [...found];
}

const DOCS = [
	...fs
		.readdirSync(path.join(ROOT, 'docs'))
		.filter((f) => f.endsWith('.md'))
		.map((f) => `docs/${f}`),
	'BENCHMARKS.md',
	'test/sandbox/README.md',
];

test.each(DOCS)('%s cites only source files that exist', (doc) => {
	const missing = citedSourcePaths(read(doc)).filter((p) => !fs.existsSync(path.join(ROOT, p)));
	expect(missing).toEqual([]);
});

test('a cited dist path is checked as its source, a test path as itself', () => {
	expect(
		citedSourcePaths(
			'`dist/nodes/SmsRoute/a/b.js`, nodes/SmsRoute/c.ts and (test/unit/nodes/SmsRoute/d.test.ts)',
		),
	).toEqual(['nodes/SmsRoute/a/b.ts', 'nodes/SmsRoute/c.ts', 'test/unit/nodes/SmsRoute/d.test.ts']);
});
