'use strict';
/**
 * `npm run scan` runs n8n's own scanner rules; `npm test` runs it on this package. This proves
 * the wrapper really fails a package the scanner rejects, on both legs (sources and tarball).
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'scan-package.mjs');

test('a package whose author has no email fails the scan, on the sources and the tarball', () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsroute-scan-bad-'));
	try {
		fs.writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify(
				{
					name: 'n8n-nodes-scan-fixture',
					version: '0.0.1',
					description: 'fixture',
					keywords: ['n8n-community-node-package'],
					license: 'MIT',
					author: { name: 'Nobody' },
					files: ['dist'],
					n8n: { n8nNodesApiVersion: 1, nodes: [], credentials: [] },
				},
				null,
				2,
			),
		);
		fs.mkdirSync(path.join(dir, 'dist'));
		fs.writeFileSync(path.join(dir, 'dist', 'index.js'), 'module.exports = {};\n');
		const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8', timeout: 120_000 });
		expect(r.status).toBe(1);
		expect(r.stderr).toMatch(/n8n scanner \(sources\): ESLint violations found[\s\S]*valid-author/);
		expect(r.stderr).toMatch(
			/n8n scanner \(tarball [^)]*\): ESLint violations found[\s\S]*valid-author/,
		);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
});
