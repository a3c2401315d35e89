'use strict';
/**
 * Spawning one n8n process (`n8n start`, `n8n worker` or `n8n webhook`) with the harness's
 * environment, its output appended to a log file, and waiting until it answers.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { http, sleep } = require('./http');
const { ownerEnv } = require('./n8n-session');

const ENCRYPTION_KEY = 'n8n-nodes-smsroute-e2e-encryption-key-0001';

function tail(file, lines = 80) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

/** The environment of every n8n process the harness starts; `extra` wins. */
function n8nEnv({ rt, userFolder, port, brokerPort, extra }) {
	const base = {};
	// Keep the parent's basics, not its npm/jest/N8N settings.
	for (const key of ['HOME', 'USER', 'LANG', 'TZ', 'TMPDIR', 'TERM', 'SHELL', 'LOGNAME']) {
		if (process.env[key] !== undefined) base[key] = process.env[key];
	}
	return {
		...base,
		PATH: `${path.dirname(rt.node)}:${process.env.PATH}`,
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		DB_TYPE: 'sqlite',
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		// Headless and offline.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// 2.x: the owner comes from the environment, no setup screen (1.x: see setupOwner).
		...ownerEnv(rt),
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		...rt.env,
		...extra,
	};
}

function killGroup(child, signal) {
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal); // the process group we created (detached)
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/** Readiness of each kind of n8n process: the URL that answers 200 once it can do its job. */
const READY = {
	// Readiness answers once the database is migrated; n8n 1.x mounts its REST routes a few
	// seconds later (a 404 for /rest/* until then), so wait for those as well.
	start: async (url) =>
		(await http('GET', `${url}/healthz/readiness`)).status === 200 &&
		(await http('GET', `${url}/rest/settings`)).status === 200,
	webhook: async (url) => (await http('GET', `${url}/healthz/readiness`)).status === 200,
	// A worker has no HTTP server unless its health check is on (QUEUE_HEALTH_CHECK_ACTIVE).
	worker: async (url) => (await http('GET', `${url}/healthz/readiness`)).status === 200,
};

/**
 * Spawns `n8n <command>` in its own process group (n8n and its task runner, nothing else) and
 * waits until READY[command] holds at `readyUrl`. Fails with the log's tail when it exits or
 * does not get ready. → { child, pid, logFile, startMs, exited, logTail(), stop(), kill() }
 */
async function spawnN8n({
	rt,
	command = 'start',
	args = [],
	env,
	cwd,
	logFile,
	readyUrl,
	readyTimeoutMs = 180_000,
	label,
}) {
	const logFd = fs.openSync(logFile, 'a');
	fs.writeSync(
		logFd,
		`\n===== n8n ${rt.version} ${command} (node ${rt.node}) start ${new Date().toISOString()} ${readyUrl} =====\n`,
	);
	const started = Date.now();
	const child = spawn(rt.node, [rt.n8nBin, command, ...args], {
		cwd,
		env,
		stdio: ['ignore', logFd, logFd],
		detached: true,
	});
	fs.closeSync(logFd);
	let exited = null;
	const exitPromise = new Promise((resolve) => {
		child.once('exit', (code, signal) => {
			exited = { code, signal };
			resolve(exited);
		});
	});
	// If the test process dies, do not leave n8n behind.
	const onExit = () => killGroup(child, 'SIGKILL');
	process.once('exit', onExit);

	const name = label ?? `n8n ${command}`;
	const fail = (message) => {
		killGroup(child, 'SIGKILL');
		process.removeListener('exit', onExit);
		throw new Error(`${name}: ${message}\n--- ${logFile} (last lines) ---\n${tail(logFile)}`);
	};
	for (;;) {
		if (exited) fail(`exited during start (${JSON.stringify(exited)})`);
		if (Date.now() - started > readyTimeoutMs) fail(`not ready after ${readyTimeoutMs / 1000} s`);
		try {
			if (await READY[command](readyUrl)) break;
		} catch {
			/* not listening yet */
		}
		await sleep(250);
	}

	let stopping = null;
	return {
		child,
		pid: child.pid,
		logFile,
		startMs: Date.now() - started,
		get exited() {
			return exited;
		},
		logTail: (lines) => tail(logFile, lines),
		/** SIGTERM (n8n's graceful shutdown), SIGKILL after timeoutMs; the task runner goes too. */
		async stop({ timeoutMs = 20_000 } = {}) {
			if (stopping) return await stopping;
			stopping = (async () => {
				process.removeListener('exit', onExit);
				if (exited) return exited;
				killGroup(child, 'SIGTERM');
				const timer = setTimeout(() => killGroup(child, 'SIGKILL'), timeoutMs);
				const result = await exitPromise;
				clearTimeout(timer);
				// The internal task runner is in the same group; make sure it is gone too.
				killGroup({ pid: child.pid, exitCode: null, signalCode: null, kill() {} }, 'SIGKILL');
				return result;
			})();
			return await stopping;
		},
		/** SIGKILL to the whole group at once: a crash, no graceful shutdown. */
		async kill() {
			process.removeListener('exit', onExit);
			killGroup({ pid: child.pid, exitCode: null, signalCode: null, kill() {} }, 'SIGKILL');
			return await exitPromise;
		},
	};
}

module.exports = { ENCRYPTION_KEY, n8nEnv, spawnN8n, killGroup, tail };
