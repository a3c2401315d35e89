'use strict';
/**
 * What every campaign e2e suite sets up the same way: the n8n versions to run
 * (SMSROUTE_E2E_N8N_VERSIONS, else both pinned ones) and, per version, one n8n with the package
 * and a fresh sandbox with its credentials, started before the suite and stopped after it.
 */
const { ensureN8nInstalled, startN8n, resolveVersion, N8N_VERSIONS } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');

const E2E_VERSIONS = process.env.SMSROUTE_E2E_N8N_VERSIONS
	? process.env.SMSROUTE_E2E_N8N_VERSIONS.split(',')
			.filter(Boolean)
			.map((v) => resolveVersion(v))
	: N8N_VERSIONS;

/**
 * Inside a describe block: installs `version` if needed, starts the sandbox and n8n, creates the
 * sandbox credentials, and hands `{ sandbox, n8n, credential }` to `started`; stops both after.
 * A suite that restarts n8n passes `running`, which returns the n8n to stop.
 */
function useN8nWithSandbox(version, started, running) {
	let sandbox;
	let n8n;

	beforeAll(async () => {
		await ensureN8nInstalled(version);
	}, 30 * 60_000);

	beforeAll(async () => {
		const { createSandbox } = require('../sandbox/server');
		sandbox = createSandbox({ port: 0 });
		const { baseUrl } = await sandbox.start();
		n8n = await startN8n({ version });
		const { smsRouteApi: credential } = await createSandboxCredentials(n8n, { baseUrl });
		started({ sandbox, n8n, credential });
	}, 5 * 60_000);

	afterAll(async () => {
		const current = running ? running() : n8n;
		if (current) await current.stop();
		if (sandbox) await sandbox.stop();
	}, 60_000);
}

module.exports = { E2E_VERSIONS, useN8nWithSandbox };
