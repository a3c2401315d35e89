/**
 * Runs the in-process node tests against n8n 1.x's own n8n-core and n8n-workflow (the install
 * that test/e2e/install-n8n.sh caches), instead of the 2.x dev dependencies:
 *   npx jest -c jest.n8n1.config.js test/node/SmsRoute/hardening.test.ts --runInBand --forceExit
 * N8N1_MODULES=<dir>/node_modules picks another install.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { n8nModulesConfig } = require('./test/helpers/jestN8nModules');

function n8n1Modules() {
	if (process.env.N8N1_MODULES) return process.env.N8N1_MODULES;
	const cache = path.join(os.homedir(), '.cache', 'n8n-nodes-smsroute');
	const install =
		fs.existsSync(cache) &&
		fs.readdirSync(cache).find((name) => /^n8n-1\.[\d.]+-[0-9a-f]+$/.test(name));
	if (!install)
		throw new Error(
			`No n8n 1.x install in ${cache}: run test/e2e/install-n8n.sh, or set N8N1_MODULES`,
		);
	return path.join(cache, install, 'node_modules');
}

module.exports = n8nModulesConfig(n8n1Modules());
