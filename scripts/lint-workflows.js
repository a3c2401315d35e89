#!/usr/bin/env node
'use strict';
/**
 * npm run lint:workflows  — actionlint over every GitHub Actions workflow.
 *
 *   node scripts/lint-workflows.js [dir-or-file ...]   (default: .github/workflows)
 *
 * Uses the `actionlint` dev dependency: the real actionlint compiled to WebAssembly, so no Go
 * binary and no download. Its API (node_modules/actionlint/types.d.ts): `createLinter()` resolves
 * to `lint(source, path)` returning `{file, line, column, message, kind}[]`.
 * Prints one `file:line:column: message [kind]` line per finding; exit code 1 on any finding,
 * 2 when there is nothing to lint (a missing workflows folder must not pass silently).
 */
const fs = require('node:fs');
const path = require('node:path');
const { createLinter } = require('actionlint');

const ROOT = path.join(__dirname, '..');
const WORKFLOW_FILE = /\.ya?ml$/;

function workflowFiles(targets) {
	const files = [];
	for (const target of targets) {
		const stat = fs.statSync(target, { throwIfNoEntry: false });
		if (!stat) throw new Error(`${target}: no such file or folder`);
		if (stat.isFile()) files.push(target);
		else
			files.push(
				...fs
					.readdirSync(target)
					.filter((name) => WORKFLOW_FILE.test(name))
					.sort()
					.map((name) => path.join(target, name)),
			);
	}
	return files;
}

/** Lints the files; resolves to every finding, across all files. */
async function lintWorkflows(files) {
	const findings = [];
	let lint = null;
	for (const file of files) {
		const shown = path.relative(process.cwd(), file) || file;
		lint ??= await createLinter();
		try {
			findings.push(...lint(fs.readFileSync(file, 'utf8'), shown));
		} catch (error) {
			// The wasm build aborts ("unreachable") instead of reporting a YAML syntax error, and
			// the instance is unusable afterwards: report the file, start a fresh one for the next.
			findings.push({
				file: shown,
				line: 1,
				column: 1,
				message: `actionlint could not parse this file, most likely invalid YAML (${String(error.message).split('\n')[0]})`,
				kind: 'syntax-check',
			});
			lint = null;
		}
	}
	return findings;
}

async function main(argv) {
	const targets = argv.length ? argv : [path.join(ROOT, '.github', 'workflows')];
	const files = workflowFiles(targets);
	if (!files.length) {
		console.error(`lint-workflows: no workflow files (*.yml, *.yaml) in ${targets.join(', ')}`);
		return 2;
	}
	const findings = await lintWorkflows(files);
	for (const f of findings)
		console.error(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
	console.log(`lint-workflows: ${files.length} workflow file(s), ${findings.length} finding(s)`);
	return findings.length ? 1 : 0;
}

if (require.main === module) {
	main(process.argv.slice(2)).then(
		(code) => (process.exitCode = code),
		(error) => {
			console.error(`lint-workflows: ${error.message}`);
			process.exitCode = 2;
		},
	);
}

module.exports = { lintWorkflows, workflowFiles };
