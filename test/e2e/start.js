'use strict';
/**
 * `npm start`: the package inside a real n8n, wired to the local smsroute sandbox, with the
 * example workflows imported and active. No smsroute account needed.
 *
 *   sandbox  http://127.0.0.1:5055 (API at /v1, admin at /__sandbox/…)
 *   n8n      http://127.0.0.1:5678 (user folder .n8n-e2e/start, kept between runs)
 *
 * The sandbox sends its delivery webhooks to a small relay in this process that forwards the
 * exact bytes and headers to every example trigger workflow, so each of them gets the same
 * signed events (the signatures are still checked by n8n, not here). Ctrl-C stops everything.
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { ROOT, startN8n, freePort } = require('./n8n');
const { createSandboxCredentials } = require('./sandboxCredentials');
// docs/development.md shows the same command.
const { testEventCommand, TEST_URL_PLACEHOLDER } = require('../sandbox/testEventCommand');

const N8N_PORT = Number(process.env.SMSROUTE_N8N_PORT || 5678);
const SANDBOX_PORT = Number(process.env.SMSROUTE_SANDBOX_PORT || 5055);
const USER_FOLDER = path.join(ROOT, '.n8n-e2e', 'start');
const EXAMPLES_DIR = path.join(ROOT, 'examples');
const SENDCLOUD_APP_KEY = 'sendcloud_sandbox_app_key';
/** The opt-out list of the guarded OTP example (its Do Not Send To reads the phone column). */
const OPT_OUTS_TABLE = { name: 'SMS opt-outs', columns: [{ name: 'phone', type: 'string' }] };
const DATA_TABLE = {
	name: 'SMS delivery status',
	columns: [
		{ name: 'messageId', type: 'string' },
		{ name: 'phone', type: 'string' },
		{ name: 'status', type: 'string' },
		{ name: 'final', type: 'boolean' },
		{ name: 'reason', type: 'string' },
		{ name: 'provider', type: 'string' },
		{ name: 'lastEventAt', type: 'string' },
	],
};

const log = (line) => process.stdout.write(`[start] ${line}\n`);

/** Forwards each request (same bytes, same signature headers) to all targets; answers with the first one's reply. */
function createRelay(getTargets) {
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const body = Buffer.concat(chunks);
			const headers = {};
			for (const name of ['content-type', 'x-smsroute-signature', 'user-agent']) {
				if (req.headers[name]) headers[name] = req.headers[name];
			}
			const answers = await Promise.all(
				getTargets().map(async (target) => {
					try {
						const r = await fetch(target, {
							method: req.method,
							headers,
							body: req.method === 'GET' ? undefined : body,
						});
						return { status: r.status, text: await r.text() };
					} catch (error) {
						return { status: 502, text: String(error.message) };
					}
				}),
			);
			const first = answers[0] ?? { status: 404, text: 'no trigger workflow is active' };
			res.writeHead(first.status, { 'content-type': 'text/plain' });
			res.end(first.text);
		});
	});
	return server;
}

async function main() {
	fs.mkdirSync(USER_FOLDER, { recursive: true });
	const { createSandbox, DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('../sandbox/server');

	let triggerUrls = [];
	const relay = createRelay(() => triggerUrls);
	const relayPort = await freePort();
	await new Promise((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
	const relayUrl = `http://127.0.0.1:${relayPort}/`;

	const sandbox = createSandbox({
		port: SANDBOX_PORT,
		webhook: { url: relayUrl, mode: 'smsroute', sendCloudAppKey: SENDCLOUD_APP_KEY },
	});
	let n8n;
	let stopping = false;
	const shutdown = async (code = 0) => {
		if (stopping) return;
		stopping = true;
		log('stopping n8n and the sandbox…');
		// The sandbox first, so no delivery webhooks arrive while n8n shuts down.
		await Promise.allSettled([sandbox.stop(), new Promise((r) => relay.close(r))]);
		await n8n?.stop();
		process.exit(code);
	};
	process.on('SIGINT', () => shutdown(0));
	process.on('SIGTERM', () => shutdown(0));

	try {
		const { url: sandboxUrl, baseUrl } = await sandbox.start();
		log(`sandbox ready at ${sandboxUrl}`);

		n8n = await startN8n({ userFolder: USER_FOLDER, fresh: false, port: N8N_PORT, log });

		const credentialsByType = await createSandboxCredentials(n8n, {
			baseUrl,
			sendCloudAppKey: SENDCLOUD_APP_KEY,
			names: { smsRouteApi: 'SMS Route sandbox', sendCloudSmsHookApi: 'SendCloud SMSHook sandbox' },
			upsert: true,
		});
		log('credentials ready: "SMS Route sandbox", "SendCloud SMSHook sandbox"');

		await ensureDataTable(n8n, DATA_TABLE, 'the CRM example needs it');
		await ensureDataTable(n8n, OPT_OUTS_TABLE, 'the guarded OTP example reads it');

		const imported = [];
		for (const file of fs
			.readdirSync(EXAMPLES_DIR)
			.filter((f) => f.endsWith('.json'))
			.sort()) {
			const workflow = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
			for (const node of workflow.nodes) {
				for (const type of Object.keys(node.credentials ?? {})) {
					if (credentialsByType[type]) node.credentials[type] = credentialsByType[type];
				}
			}
			const saved = await n8n.upsertWorkflow(workflow);
			try {
				await n8n.activateWorkflow(saved.id);
			} catch (error) {
				log(`could not activate "${workflow.name}": ${error.message}`);
			}
			imported.push({ file, workflow, id: saved.id });
		}
		triggerUrls = imported.flatMap(({ workflow }) =>
			workflow.nodes
				.filter((n) => n.type === 'n8n-nodes-smsroute.smsRouteTrigger' && !n.disabled)
				.map((n) => `${n8n.url}/webhook/${n.webhookId}/webhook`),
		);
		// The first call right after activation can answer 404: wait until the triggers answer.
		for (const u of triggerUrls)
			await n8n.callWebhook('GET', u.slice(`${n8n.url}/webhook/`.length));

		// Show something happening: send the bulk example once (sandbox numbers, no real SMS).
		const bulk = imported.find(({ workflow }) =>
			workflow.nodes.some((n) => n.parameters?.path === 'smsroute-example-bulk-send'),
		);
		if (bulk) {
			const res = await n8n.callWebhook('POST', 'smsroute-example-bulk-send', { body: {} });
			const sent = Array.isArray(res.body) ? res.body : [];
			log(
				`bulk example sent ${sent.length} SMS through the sandbox (HTTP ${res.status}); delivery events follow in a second`,
			);
		}

		const line = '─'.repeat(72);
		process.stdout.write(
			[
				'',
				line,
				` n8n with n8n-nodes-smsroute is running`,
				'',
				`   Editor:    ${n8n.url}`,
				`   Login:     ${n8n.owner.email}`,
				`   Password:  ${n8n.owner.password}`,
				'',
				`   Sandbox:   ${sandboxUrl}  (API ${baseUrl}; keys ${DEFAULT_TEST_KEY} / ${DEFAULT_LIVE_KEY})`,
				`   Ledger:    ${sandboxUrl}/__sandbox/ledger     Webhook log: ${sandboxUrl}/__sandbox/webhooks`,
				'',
				'   Workflows (active):',
				...imported.map(({ workflow, id }) => `     ${n8n.url}/workflow/${id}   ${workflow.name}`),
				'',
				'   Send more: open "SMS Route example: bulk send from a list" and click Execute workflow,',
				`   or: curl -X POST ${n8n.url}/webhook/smsroute-example-bulk-send`,
				`   OTP, send and wait for delivery (+15005550002 fails): curl -X POST ${n8n.url}/webhook/smsroute-example-otp \\`,
				`                    -H 'content-type: application/json' -d '{"phone":"+15005550001"}'`,
				`   OTP from a public form, guarded (US/CA only, no premium rate, 1 SMS per submission, opt-outs in`,
				`                    the data table "SMS opt-outs"): ${n8n.url}/form/smsroute-example-guarded-otp`,
				`   Emit an event: curl -X POST ${sandboxUrl}/__sandbox/webhooks/emit -H 'content-type: application/json' \\`,
				`                    -d '{"status":"delivered","mode":"sendcloud"}'`,
				'   Test a trigger in the editor: click its "Execute step" (it listens), copy its Test URL, then run',
				`     ${testEventCommand('smsroute', TEST_URL_PLACEHOLDER, sandboxUrl)}`,
				`     with the Test URL for ${TEST_URL_PLACEHOLDER} ("mode":"sendcloud" sends a SendCloud callback).`,
				'',
				`   n8n log: ${n8n.logFile}`,
				'   Ctrl-C stops n8n and the sandbox.',
				line,
				'',
			].join('\n'),
		);
	} catch (error) {
		process.stderr.write(`[start] ${error.stack || error.message}\n`);
		await shutdown(1);
	}
}

async function ensureDataTable(n8n, table, why) {
	try {
		const list = await n8n.apiOk(
			'GET',
			`/data-tables?filter=${encodeURIComponent(JSON.stringify({ name: table.name }))}`,
		);
		if ((list.data ?? []).some((t) => t.name === table.name)) return;
		await n8n.apiOk('POST', '/data-tables', table);
		log(`data table "${table.name}" created`);
	} catch (error) {
		log(`could not create the data table "${table.name}" (${why}): ${error.message}`);
	}
}

main();
