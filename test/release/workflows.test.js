'use strict';
// What n8n's verification and the README promise about releases, read from the workflow files:
// CI runs the README's test command exactly as .ci/run does, and a version tag is published
// with npm provenance only after that same suite passed.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const read = (p) => fs.readFileSync(path.join(ROOT, p), 'utf8');
// Comments can say anything; the assertions are about what runs.
const code = (p) =>
	read(p)
		.replace(/^\s*#.*$/gm, '')
		.replace(/ #.*$/gm, '');

describe('.github/workflows/ci.yml', () => {
	const ci = code('.github/workflows/ci.yml');

	test('runs .ci/run, which is the README test command', () => {
		expect(ci).toMatch(/^\s+run: \.ci\/run$/m);
		expect(read('.ci/run')).toMatch(/^npm ci && npm test$/m);
		expect(read('README.md')).toContain('`npm ci && npm test`');
	});

	test('Node 20 as root on an Ubuntu runner, callable from the publish workflow', () => {
		expect(ci).toMatch(/runs-on: ubuntu-latest/);
		// A Node 20 container runs as root (services.sh needs it for apt-get); no user override.
		expect(ci).toMatch(/container:\n\s+image: node:20-bookworm$/m);
		expect(ci).not.toMatch(/--user|options:/);
		expect(ci).toMatch(/^\s+workflow_call:/m);
	});
});

describe('.github/workflows/publish.yml', () => {
	const pub = code('.github/workflows/publish.yml');

	test('triggers on version tags only', () => {
		expect(pub).toMatch(/^on:\n\s+push:\n\s+tags: \['v\*'\]\n\n/m);
	});

	test('the publish job needs the CI suite first', () => {
		expect(pub).toMatch(/^ {2}test:\n\s+uses: \.\/\.github\/workflows\/ci\.yml$/m);
		expect(pub).toMatch(/^ {2}publish:\n\s+needs: test$/m);
	});

	test('publishes with provenance and an OIDC token, read-only contents', () => {
		expect(pub).toMatch(/run: npm publish --provenance --access public$/m);
		const job = pub.slice(pub.indexOf('  publish:'));
		expect(job).toMatch(/permissions:\n\s+contents: read\n\s+id-token: write\n/);
		expect(pub).not.toMatch(/contents: write/);
	});

	test('builds dist before publishing (package.json "files" is dist only)', () => {
		expect(JSON.parse(read('package.json')).files).toEqual(['dist']);
		expect(pub.indexOf('run: npm run build')).toBeGreaterThan(-1);
		expect(pub.indexOf('run: npm run build')).toBeLessThan(pub.indexOf('npm publish'));
	});

	test('package.json names the GitHub repository (npm rejects provenance whose repository.url does not match)', () => {
		const pkg = JSON.parse(read('package.json'));
		const repo = /^git\+https:\/\/github\.com\/([\w.-]+\/[\w.-]+)\.git$/.exec(pkg.repository.url);
		expect(repo).not.toBeNull();
		expect(pkg.homepage).toBe(`https://github.com/${repo[1]}#readme`);
	});

	test('refuses a tag that is not v + package.json version', () => {
		expect(pub).toMatch(/"\$TAG" != "v\$version"/);
	});
});
