'use strict';
// The docs name options as the editor shows them (issue 34: README and verification.md said
// "Tolerance (Seconds)" where the editor shows "Timestamp Tolerance (Seconds)"). Every name in
// README.md and docs/*.md that looks like an option must be a name the node and credential
// descriptions give: a displayName, an option's name, an operation's action, an output's name.
// Looks like an option: each step of an editor path ("Options → Timestamp Tolerance (Seconds)"),
// and a bold or italic name in Title Case of two words or more, or with a unit in parentheses.
// Names of n8n's own UI and nodes are listed below; each must still occur in the docs.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

/** n8n's own settings, nodes and pages, and the docs' own headings: not this package's options. */
const NOT_OPTIONS = [
	'AI Agent',
	'Community Nodes',
	'Compare Datasets',
	'Continue On Fail',
	'Execute Workflow',
	'Google Sheets',
	'Loop Over Items',
	'Make OTP', // a Code node of the Send and Wait example
	'Manual Trigger',
	'MCP Server Trigger',
	'On Error', // n8n's node setting
	'Production URL',
	'Remove Duplicates',
	'Retry of', // n8n's execution list: "Retry of #123"
	'Retry On Fail',
	'Test URL',
	'With Campaign ID', // headings of docs/recovering-a-campaign.md
	'Without Campaign ID',
];

function sourceFiles(dir) {
	return fs
		.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
		.flatMap((entry) =>
			entry.isDirectory()
				? sourceFiles(path.join(dir, entry.name))
				: entry.name.endsWith('.ts')
					? [path.join(dir, entry.name)]
					: [],
		);
}

/** Every name the descriptions give, as the editor shows it. */
function describedNames() {
	const names = new Set();
	for (const file of [...sourceFiles('nodes'), ...sourceFiles('credentials')]) {
		const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
		for (const m of text.matchAll(
			/\b(?:displayName|name|action)\s*[:=]\s*(['"`])((?:(?!\1).)*)\1/g,
		))
			names.add(m[2]);
		for (const m of text.matchAll(/OUTPUT_NAMES\s*=\s*\[([^\]]*)\]/g))
			for (const name of m[1].matchAll(/'([^']*)'/g)) names.add(name[1]);
	}
	return names;
}

const SMALL_WORDS = new Set([
	'a',
	'an',
	'and',
	'at',
	'by',
	'for',
	'in',
	'no',
	'of',
	'on',
	'or',
	'per',
	'the',
	'to',
	'with',
]);

function looksLikeOption(name) {
	if (/\((Seconds|Minutes|Hours|Days|ms)\)/.test(name)) return true;
	const words = name.split(/\s+/);
	return (
		words.length >= 2 &&
		/^[A-Z]/.test(name) &&
		words.every((word, i) => /^[A-Z0-9(]/.test(word) || (i > 0 && SMALL_WORDS.has(word)))
	);
}

/** The option-like names of one markdown text. */
function optionLikeNames(markdown) {
	const found = [];
	const emphasis = /(?<![*\w])\*\*([^*\n]+)\*\*(?!\*)|(?<![*\w])\*([^*\n]+)\*(?![*\w])/g;
	for (const m of markdown.matchAll(emphasis)) found.push((m[1] ?? m[2]).trim());
	const editorPath = /[A-Z][\w ()]*(?: → [A-Z][\w ()?]*)+/g;
	for (const m of markdown.matchAll(editorPath))
		for (const step of m[0].split(' → ')) found.push(step.trim());
	return found.filter(looksLikeOption);
}

/** The names a text uses that the descriptions do not give. */
function unknownNames(markdown, known) {
	return [...new Set(optionLikeNames(markdown))].filter(
		(name) => !known.has(name) && !NOT_OPTIONS.includes(name),
	);
}

const DOCS = [
	'README.md',
	...fs
		.readdirSync(path.join(ROOT, 'docs'))
		.filter((file) => file.endsWith('.md'))
		.map((file) => `docs/${file}`),
];
const known = describedNames();
const read = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8');

test('the descriptions are read: the names the editor shows are there', () => {
	for (const name of [
		'Timestamp Tolerance (Seconds)',
		'Limit Wait Time',
		'Send and Wait for Delivery',
		'Timed Out',
		'SMS Route API',
		'Environment',
	])
		expect(known).toContain(name);
	expect(known).not.toContain('Tolerance (Seconds)');
});

test.each(DOCS)('%s names only options the editor shows', (file) => {
	expect(unknownNames(read(file), known)).toEqual([]);
});

test('the check fails on a name the editor does not show', () => {
	const old = '| Options → Tolerance (Seconds) | how far a signed timestamp may be from now |';
	expect(unknownNames(old, known)).toEqual(['Tolerance (Seconds)']);
	expect(unknownNames('Set **Limit Wait Tme** to 5.', known)).toEqual(['Limit Wait Tme']);
	expect(unknownNames('Set *Limit Wait Time* and **Timed Out**.', known)).toEqual([]);
	expect(unknownNames('| Options → Timestamp Tolerance (Seconds) | … |', known)).toEqual([]);
});

test.each(NOT_OPTIONS)('"%s" (not an option) still occurs in the docs', (name) => {
	expect(DOCS.some((file) => optionLikeNames(read(file)).includes(name))).toBe(true);
});
