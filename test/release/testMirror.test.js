'use strict';
// The rule docs/development.md states for test/unit/ (issue 34), checked both ways: every test
// in test/unit/ mirrors a module that exists and imports it (or names it and runs the node);
// every module in nodes/ has its mirrored test, or a row in "Modules tested through another
// suite" naming the suite that runs it (a suite that exists); every operation under actions/
// has its mirrored test.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const SOURCE = 'nodes/SmsRoute';
const read = (p) => fs.readFileSync(path.join(ROOT, p), 'utf8');

function files(dir, suffix) {
	return fs
		.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
		.flatMap((entry) =>
			entry.isDirectory()
				? files(`${dir}/${entry.name}`, suffix)
				: entry.name.endsWith(suffix)
					? [`${dir}/${entry.name}`]
					: [],
		);
}

/** One test for both providers' constructEvent.ts, as docs/development.md says. */
const SHARED_TESTS = {
	'test/unit/nodes/SmsRoute/shared/events/constructEvent.test.ts': [
		'shared/events/smsRoute/constructEvent.ts',
		'shared/events/sendCloud/constructEvent.ts',
	],
};

/**
 * Tests of one property across many modules (docs/development.md says which): they must import
 * what they check, but they are no module's own test.
 */
const CROSS_CUTTING_TESTS = new Set(['test/unit/nodes/SmsRoute/linearTime.test.ts']);

/** The modules a cross-cutting test imports from nodes/SmsRoute. */
function importedModules(testFile) {
	const imports = read(testFile).matchAll(/nodes\/SmsRoute\/([\w/]+)'/g);
	return [...new Set([...imports].map((m) => `${m[1]}.ts`))];
}

/** The modules (relative to nodes/SmsRoute) a test/unit file mirrors. */
function mirroredBy(testFile) {
	if (SHARED_TESTS[testFile]) return SHARED_TESTS[testFile];
	if (CROSS_CUTTING_TESTS.has(testFile)) return importedModules(testFile);
	const base = testFile.replace(/^test\/unit\/nodes\/SmsRoute\//, '').replace(/\.test\.ts$/, '');
	// `<module>.test.ts`, or `<module>.<suffix>.test.ts`: one more test of the same module.
	const candidates = [`${base}.ts`, `${base.replace(/\.[^./]+$/, '')}.ts`];
	const found = candidates.find((module) => fs.existsSync(path.join(ROOT, SOURCE, module)));
	return found ? [found] : [];
}

/** The table of docs/development.md: module → suite. */
function otherSuites(markdown) {
	const section = markdown.split(/^### /m).find((s) => s.startsWith('Modules tested through'));
	if (!section) throw new Error('docs/development.md has no "Modules tested through" section');
	const rows = new Map();
	for (const line of section.split('\n').filter((l) => /^\| `/.test(l))) {
		const [suite, modules] = line.split('|').slice(1, 3);
		const suiteFile = /`([^`]+)`/.exec(suite)[1];
		for (const m of modules.matchAll(/`([^`]+)`/g)) rows.set(m[1], suiteFile);
	}
	return rows;
}

const modules = files(SOURCE, '.ts').map((file) => file.slice(SOURCE.length + 1));
const unitTests = files('test/unit', '.test.ts');
const mirrored = new Set(unitTests.filter((t) => !CROSS_CUTTING_TESTS.has(t)).flatMap(mirroredBy));
const listed = otherSuites(read('docs/development.md'));

/** Whether the test imports the module, or names it and runs it through the node. */
function exercises(source, target) {
	if (source.includes(`nodes/SmsRoute/${target.replace(/\.ts$/, '')}'`)) return true;
	return source.includes(target) && source.includes("helpers/runWorkflow'");
}

test.each(unitTests)('%s mirrors a module that exists, and imports or runs it', (testFile) => {
	const targets = mirroredBy(testFile);
	expect(targets.length).toBeGreaterThan(0);
	const source = read(testFile);
	for (const target of targets) expect(exercises(source, target)).toBe(true);
});

test.each(modules)('%s has its mirrored test or the suite that runs it', (module) => {
	const suite = listed.get(module);
	// One or the other, not both: a row for a module with its own test would be stale.
	expect(mirrored.has(module) !== (suite !== undefined)).toBe(true);
	if (suite) expect(fs.existsSync(path.join(ROOT, suite))).toBe(true);
});

test('every row names a module that exists', () => {
	expect([...listed.keys()].filter((module) => !modules.includes(module))).toEqual([]);
});

test('every operation under actions/ has its mirrored test', () => {
	const operations = modules.filter((m) => /^actions\/.*\.operation\.ts$/.test(m));
	expect(operations.length).toBeGreaterThanOrEqual(4);
	expect(operations.filter((m) => !mirrored.has(m))).toEqual([]);
});

test('the check bites: a test with no module, and a module with neither, are found', () => {
	expect(mirroredBy('test/unit/nodes/SmsRoute/sending/nowhere.test.ts')).toEqual([]);
	expect(mirroredBy('test/unit/nodes/SmsRoute/sending/numbers/phoneNumber.corpus.test.ts')).toEqual(
		['sending/numbers/phoneNumber.ts'],
	);
	const table = '### Modules tested through another suite\n\n| suite | modules |\n|---|---|\n';
	expect(otherSuites(`${table}| \`test/node/x.test.ts\` | \`a.ts\`, \`b/c.ts\` |\n`)).toEqual(
		new Map([
			['a.ts', 'test/node/x.test.ts'],
			['b/c.ts', 'test/node/x.test.ts'],
		]),
	);
	expect(() => otherSuites('## Tests\n')).toThrow(/no "Modules tested through"/);
	expect(exercises("import { x } from '../nodes/SmsRoute/a/b';", 'a/b.ts')).toBe(true);
	expect(exercises("import { x } from '../nodes/SmsRoute/a/bc';", 'a/b.ts')).toBe(false);
	expect(
		exercises("// a/b.ts\nimport { runSmsRoute } from '../helpers/runWorkflow';", 'a/b.ts'),
	).toBe(true);
});
