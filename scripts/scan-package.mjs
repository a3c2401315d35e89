#!/usr/bin/env node
// Runs n8n's own community-package scanner rules (@n8n/scan-community-package) on this package,
// the two ways n8n runs them before it verifies a package: on the sources (nodes/, credentials/,
// package.json) and on the tarball `npm pack` makes. The scanner's CLI downloads a published
// version from the registry; its lint stage is what decides, so that is what runs here, with the
// scanner's own ESLint configuration (buildScanConfig) and file patterns.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = process.argv[2]
	? path.resolve(process.argv[2])
	: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'smsroute-scan-'));

try {
	const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', work], {
		cwd: root,
		encoding: 'utf8',
		env: { ...process.env, npm_config_ignore_scripts: 'true' },
	});
	if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
	const tarball = fs.readdirSync(work).find((f) => f.endsWith('.tgz'));
	const packageDir = path.join(work, 'package');
	fs.mkdirSync(packageDir);
	const tar = spawnSync('tar', [
		'-xzf',
		path.join(work, tarball),
		'-C',
		packageDir,
		'--strip-components=1',
	]);
	if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
	if (!fs.existsSync(path.join(packageDir, 'dist')))
		throw new Error('the tarball has no dist/: run `npm run build` first');

	const legs = [
		['sources', await analyzePackage(root, SOURCE_FILE_PATTERNS)],
		[`tarball ${tarball}`, await analyzePackage(packageDir, ['**/*.js', 'package.json'])],
	];
	let failed = false;
	for (const [name, result] of legs) {
		if (result.passed) {
			console.log(`n8n scanner (${name}): passed`);
		} else {
			failed = true;
			console.error(
				`n8n scanner (${name}): ${result.message}\n${result.details ?? result.error ?? ''}`,
			);
		}
	}
	process.exitCode = failed ? 1 : 0;
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
