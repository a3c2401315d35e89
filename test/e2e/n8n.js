'use strict';
/**
 * Runs the built package inside a real n8n 2.41.0 process, the way users install it.
 *
 *   const { startN8n } = require('./n8n');
 *   const n8n = await startN8n({ port: 0 });            // installs n8n first when needed
 *   await n8n.createCredential({ name, type, data });
 *   const wf = await n8n.createWorkflow(workflowJson);
 *   await n8n.activateWorkflow(wf.id);
 *   await n8n.stop();
 *
 * n8n itself lives in a cache folder (see install-n8n.sh) and runs under Node 24; the
 * package is linked into $N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-smsroute,
 * exactly where n8n puts a community package installed from the UI. Only 127.0.0.1 is used.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { request, Agent } = require('undici');

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-smsroute';
const N8N_VERSION = process.env.N8N_VERSION || '2.41.0';
const NODE24_VERSION = process.env.NODE24_VERSION || '24.21.0';
const CACHE = process.env.SMSROUTE_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-smsroute');
const NODE24_DIR = path.join(CACHE, `node-${NODE24_VERSION}`);
const NODE24 = path.join(NODE24_DIR, 'bin', 'node');
const N8N_DIR = path.join(CACHE, `n8n-${N8N_VERSION}`);
const N8N_BIN = path.join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
const E2E_DIR = path.join(ROOT, '.n8n-e2e');

const OWNER = Object.freeze({
	email: 'owner@smsroute.test',
	password: 'SmsRoute-e2e-2024',
	firstName: 'Sandbox',
	lastName: 'Owner',
});
const ENCRYPTION_KEY = 'n8n-nodes-smsroute-e2e-encryption-key-0001';
const BROWSER_ID = 'n8n-nodes-smsroute-e2e';
const API_KEY_LABEL = 'smsroute harness';

// Long enough for a 2,500-message bulk send answered through a webhook.
const httpAgent = new Agent({ headersTimeout: 15 * 60_000, bodyTimeout: 15 * 60_000 });

function isN8nInstalled() {
	return fs.existsSync(path.join(N8N_DIR, '.complete')) && fs.existsSync(NODE24);
}

/**
 * Runs install-n8n.sh when n8n or Node 24 is missing (idempotent; several minutes the first
 * time). Its output goes to stderr.
 */
async function ensureN8nInstalled() {
	if (isN8nInstalled()) return { node: NODE24, n8n: N8N_BIN, dir: N8N_DIR };
	const script = path.join(__dirname, 'install-n8n.sh');
	const child = spawn('bash', [script], {
		stdio: ['ignore', 'inherit', 'inherit'],
		env: { ...process.env, N8N_VERSION, NODE24_VERSION, SMSROUTE_CACHE: CACHE },
	});
	const [code, signal] = await new Promise((resolve) => child.once('exit', (...a) => resolve(a)));
	if (code !== 0 || !isN8nInstalled()) {
		throw new Error(`test/e2e/install-n8n.sh failed (exit ${code}, signal ${signal}); see its output above`);
	}
	return { node: NODE24, n8n: N8N_BIN, dir: N8N_DIR };
}

/** bcrypt hash made by the bcryptjs n8n itself ships (n8n checks logins with it). */
function hashPassword(password) {
	const result = spawnSync(
		NODE24,
		['-e', 'process.stdout.write(require(process.argv[1]).hashSync(process.argv[2], 10))', path.join(N8N_DIR, 'node_modules', 'bcryptjs'), password],
		{ encoding: 'utf8' },
	);
	if (result.status !== 0) throw new Error(`could not hash the owner password: ${result.stderr}`);
	return result.stdout.trim();
}

async function freePort() {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

async function isPortFree(port) {
	return await new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * Links the package as an installed community package:
 * <userFolder>/.n8n/nodes/package.json + node_modules/n8n-nodes-smsroute -> packageDir.
 */
function linkPackage(userFolder, packageDir = ROOT) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const modules = path.join(nodesDir, 'node_modules');
	fs.mkdirSync(modules, { recursive: true });
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const manifest = {
		name: 'installed-nodes',
		private: true,
		dependencies: { [pkg.name]: pkg.version },
	};
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
	const link = path.join(modules, pkg.name);
	fs.rmSync(link, { recursive: true, force: true });
	fs.symlinkSync(path.resolve(packageDir), link, 'dir');
	return link;
}

/**
 * Keeps the `keep` newest .n8n-e2e/run-* folders (their n8n.log helps after a failure). A folder
 * whose log was written in the last hour is never removed: another test run may be using it.
 */
function pruneRunFolders(keep) {
	const lastUse = (dir) => {
		let t = fs.statSync(dir).mtimeMs;
		try {
			t = Math.max(t, fs.statSync(path.join(dir, 'n8n.log')).mtimeMs);
		} catch {
			/* no log */
		}
		return t;
	};
	const runs = fs
		.readdirSync(E2E_DIR)
		.filter((name) => name.startsWith('run-'))
		.map((name) => ({ dir: path.join(E2E_DIR, name), used: lastUse(path.join(E2E_DIR, name)) }))
		.sort((a, b) => b.used - a.used);
	for (const { dir, used } of runs.slice(keep)) {
		if (Date.now() - used > 3600_000) fs.rmSync(dir, { recursive: true, force: true });
	}
}

function checkBuilt(packageDir) {
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const files = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = files.filter((file) => !fs.existsSync(path.join(packageDir, file)));
	if (missing.length) {
		throw new Error(`the package is not built (missing ${missing.join(', ')}): run "npm run build" first`);
	}
}

function tail(file, lines = 80) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

function n8nEnv({ userFolder, port, brokerPort, extra }) {
	const base = {};
	// Keep the parent's basics, not its npm/jest/N8N settings.
	for (const key of ['HOME', 'USER', 'LANG', 'TZ', 'TMPDIR', 'TERM', 'SHELL', 'LOGNAME']) {
		if (process.env[key] !== undefined) base[key] = process.env[key];
	}
	return {
		...base,
		PATH: `${path.join(NODE24_DIR, 'bin')}:${process.env.PATH}`,
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
		N8N_DISABLED_MODULES:
			'mcp-registry,instance-ai,workflow-builder,chat-hub,insights,instance-registry',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_MODE: 'internal',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		// The owner comes from the environment: no setup screen.
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: hashPassword(OWNER.password),
		N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
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

/** A small HTTP client; JSON in, JSON (or text) out. Never follows redirects. */
async function http(method, url, { body, headers = {}, raw = false } = {}) {
	const init = { method, headers: { accept: 'application/json', ...headers }, dispatcher: httpAgent };
	if (body !== undefined) {
		if (typeof body === 'string' || Buffer.isBuffer(body)) {
			init.body = body;
		} else {
			init.body = JSON.stringify(body);
			init.headers['content-type'] = 'application/json';
		}
	}
	const res = await request(url, init);
	const text = await res.body.text();
	let json;
	try {
		json = text ? JSON.parse(text) : undefined;
	} catch {
		json = undefined;
	}
	const out = { status: res.statusCode, headers: res.headers, text, body: json ?? text };
	if (raw) return out;
	return out;
}

function expectOk(res, what) {
	if (res.status < 200 || res.status >= 300) {
		const err = new Error(`${what} → HTTP ${res.status}: ${res.text.slice(0, 2000)}`);
		err.response = res;
		throw err;
	}
	return res.body;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `n8n start` with the package loaded.
 * @param {object} [o]
 * @param {string} [o.userFolder] default: a fresh folder under .n8n-e2e/
 * @param {boolean} [o.fresh] delete userFolder first (default: true when userFolder is not given)
 * @param {number} [o.port] 0 or undefined = a free port
 * @param {string} [o.packageDir] the package to link (default: the repo root, built)
 * @param {object} [o.env] extra environment for n8n
 * @param {number} [o.readyTimeoutMs]
 * @param {(line: string) => void} [o.log]
 */
async function startN8n(o = {}) {
	const log = o.log ?? ((line) => process.stderr.write(`[n8n-e2e] ${line}\n`));
	await ensureN8nInstalled();
	// SMSROUTE_E2E_PACKAGE_DIR: run the suite against another build of the package (e.g. a packed copy).
	const packageDir = path.resolve(o.packageDir ?? process.env.SMSROUTE_E2E_PACKAGE_DIR ?? ROOT);
	checkBuilt(packageDir);

	let userFolder = o.userFolder;
	let fresh = o.fresh;
	if (!userFolder) {
		fs.mkdirSync(E2E_DIR, { recursive: true });
		pruneRunFolders(5);
		userFolder = fs.mkdtempSync(path.join(E2E_DIR, 'run-'));
		fresh = false;
	}
	userFolder = path.resolve(userFolder);
	if (fresh) fs.rmSync(userFolder, { recursive: true, force: true });
	fs.mkdirSync(userFolder, { recursive: true });
	linkPackage(userFolder, packageDir);

	const port = o.port ? o.port : await freePort();
	if (o.port && !(await isPortFree(o.port))) {
		throw new Error(`port ${o.port} on 127.0.0.1 is already in use (another n8n or "npm start" running?)`);
	}
	const brokerPort = o.brokerPort ?? (await freePort());
	const url = `http://127.0.0.1:${port}`;
	const logFile = path.join(userFolder, 'n8n.log');
	const logFd = fs.openSync(logFile, 'a');
	fs.writeSync(logFd, `\n===== n8n start ${new Date().toISOString()} port ${port} =====\n`);

	const started = Date.now();
	const child = spawn(NODE24, [N8N_BIN, 'start'], {
		cwd: userFolder,
		env: n8nEnv({ userFolder, port, brokerPort, extra: o.env }),
		stdio: ['ignore', logFd, logFd],
		detached: true, // own process group: stop() ends n8n and its task runner, nothing else
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

	const fail = async (message) => {
		killGroup(child, 'SIGKILL');
		process.removeListener('exit', onExit);
		throw new Error(`${message}\n--- ${logFile} (last lines) ---\n${tail(logFile)}`);
	};

	const readyTimeoutMs = o.readyTimeoutMs ?? 180_000;
	for (;;) {
		if (exited) return await fail(`n8n exited during start (${JSON.stringify(exited)})`);
		if (Date.now() - started > readyTimeoutMs) {
			return await fail(`n8n was not ready after ${readyTimeoutMs / 1000} s`);
		}
		try {
			const res = await http('GET', `${url}/healthz/readiness`);
			if (res.status === 200) break;
		} catch {
			/* not listening yet */
		}
		await sleep(250);
	}
	const startMs = Date.now() - started;
	log(`n8n ready at ${url} in ${(startMs / 1000).toFixed(1)} s (log: ${logFile})`);

	// Session for the internal REST API (/rest), then a public-API key (/api/v1).
	let cookie;
	const restHeaders = () => ({ cookie, 'browser-id': BROWSER_ID });
	try {
		const login = await http('POST', `${url}/rest/login`, {
			body: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
			headers: { 'browser-id': BROWSER_ID },
		});
		expectOk(login, 'POST /rest/login');
		const setCookie = [].concat(login.headers['set-cookie'] ?? []);
		cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
		if (!cookie.includes('n8n-auth=')) throw new Error('POST /rest/login set no n8n-auth cookie');
	} catch (error) {
		return await fail(`login failed: ${error.message}`);
	}

	const rest = async (method, p, body) =>
		await http(method, `${url}/rest${p}`, { body, headers: restHeaders() });

	let apiKey;
	try {
		// A persistent user folder would collect one key per start: drop the harness's old ones.
		const existing = await rest('GET', '/api-keys');
		const keys = Array.isArray(existing.body?.data) ? existing.body.data : existing.body?.data?.items ?? [];
		for (const key of keys) {
			if (typeof key.label === 'string' && key.label.startsWith(API_KEY_LABEL)) {
				await rest('DELETE', `/api-keys/${key.id}`);
			}
		}
		const scopes = expectOk(await rest('GET', '/api-keys/scopes'), 'GET /rest/api-keys/scopes').data;
		const created = expectOk(
			await rest('POST', '/api-keys', { label: `${API_KEY_LABEL} ${Date.now()}`, scopes, expiresAt: null }),
			'POST /rest/api-keys',
		).data;
		apiKey = created.rawApiKey;
		if (!apiKey) throw new Error(`no rawApiKey in ${JSON.stringify(created)}`);
	} catch (error) {
		return await fail(`could not create a public-API key: ${error.message}`);
	}

	/** Public API call; returns {status, body, text, headers}. */
	const api = async (method, p, body) =>
		await http(method, `${url}/api/v1${p}`, { body, headers: { 'x-n8n-api-key': apiKey } });
	const apiOk = async (method, p, body) => expectOk(await api(method, p, body), `${method} /api/v1${p}`);

	let stopping = null;
	const instance = {
		url,
		port,
		brokerPort,
		userFolder,
		logFile,
		pid: child.pid,
		startMs,
		apiKey,
		owner: { email: OWNER.email, password: OWNER.password },
		api,
		apiOk,
		/** Internal REST API (/rest) with the owner's session; returns {status, body, text, headers}. */
		rest,
		restOk: async (method, p, body) => expectOk(await rest(method, p, body), `${method} /rest${p}`),
		/** Raw HTTP helper against any path of this n8n, e.g. webhooks. `session: true` sends the owner's cookie. */
		request: async (method, p, { session = false, headers = {}, ...opts } = {}) =>
			await http(method, `${url}${p}`, { ...opts, headers: session ? { ...restHeaders(), ...headers } : headers }),
		/** The node types n8n knows (what the editor loads), e.g. to check the package loaded. */
		async nodeTypes() {
			return expectOk(await http('GET', `${url}/types/nodes.json`, { headers: restHeaders() }), 'GET /types/nodes.json');
		},
		async credentialTypes() {
			return expectOk(await http('GET', `${url}/types/credentials.json`, { headers: restHeaders() }), 'GET /types/credentials.json');
		},
		logTail: (lines) => tail(logFile, lines),
		get exited() {
			return exited;
		},

		async createCredential({ name, type, data }) {
			return await apiOk('POST', '/credentials', { name, type, data });
		},
		async listCredentials() {
			const all = [];
			let cursor;
			do {
				const qs = new URLSearchParams({ limit: '250' });
				if (cursor) qs.set('cursor', cursor);
				const page = await apiOk('GET', `/credentials?${qs}`);
				all.push(...page.data);
				cursor = page.nextCursor;
			} while (cursor);
			return all;
		},
		/** Creates the credential, or updates the one with the same name and type. */
		async upsertCredential({ name, type, data }) {
			const found = (await instance.listCredentials()).find((c) => c.name === name && c.type === type);
			if (!found) return await instance.createCredential({ name, type, data });
			return await apiOk('PATCH', `/credentials/${found.id}`, { name, type, data });
		},
		/** Tests a stored credential the way the editor's "Retest" button does. → {status:'OK'|'Error', message} */
		async testCredential(id) {
			const res = await api('POST', `/credentials/${id}/test`);
			if (res.status === 200) return res.body.data ?? res.body;
			// Fall back to the editor's endpoint.
			const cred = expectOk(await rest('GET', `/credentials/${id}?includeData=true`), 'GET /rest/credentials/:id').data;
			const out = expectOk(
				await rest('POST', '/credentials/test', {
					credentials: { id: cred.id, name: cred.name, type: cred.type, data: cred.data },
				}),
				'POST /rest/credentials/test',
			);
			return out.data ?? out;
		},
		async createWorkflow(workflow) {
			const { name, nodes, connections, settings } = workflow;
			return await apiOk('POST', '/workflows', {
				name,
				nodes,
				connections,
				settings: settings ?? { executionOrder: 'v1' },
			});
		},
		async findWorkflowsByName(name) {
			const page = await apiOk('GET', `/workflows?name=${encodeURIComponent(name)}&limit=250`);
			return page.data.filter((w) => w.name === name && !w.isArchived);
		},
		/** Creates the workflow, or replaces the nodes of the one with the same name. */
		async upsertWorkflow(workflow) {
			const [found] = await instance.findWorkflowsByName(workflow.name);
			if (!found) return await instance.createWorkflow(workflow);
			const { name, nodes, connections, settings } = workflow;
			return await apiOk('PUT', `/workflows/${found.id}`, {
				name,
				nodes,
				connections,
				settings: settings ?? { executionOrder: 'v1' },
			});
		},
		async activateWorkflow(id) {
			return await apiOk('POST', `/workflows/${id}/activate`);
		},
		async deactivateWorkflow(id) {
			return await apiOk('POST', `/workflows/${id}/deactivate`);
		},
		/** All executions of a workflow (newest first), with their data. */
		async listExecutions(workflowId, { includeData = true, status } = {}) {
			const all = [];
			let cursor;
			do {
				const qs = new URLSearchParams({ workflowId: String(workflowId), includeData: String(includeData), limit: '250' });
				if (status) qs.set('status', status);
				if (cursor) qs.set('cursor', cursor);
				const page = await apiOk('GET', `/executions?${qs}`);
				all.push(...page.data);
				cursor = page.nextCursor;
			} while (cursor);
			return all;
		},
		async getExecution(id, { includeData = true } = {}) {
			return await apiOk('GET', `/executions/${id}?includeData=${includeData}`);
		},
		/**
		 * Calls a production webhook; retries the 404 n8n can answer right after activation.
		 * → {status, body, text, headers}
		 */
		async callWebhook(method, webhookPath, opts = {}) {
			const deadline = Date.now() + (opts.registerTimeoutMs ?? 15_000);
			for (;;) {
				const res = await http(method, `${url}/webhook/${webhookPath.replace(/^\//, '')}`, opts);
				if (res.status !== 404 || Date.now() > deadline) return res;
				await sleep(250);
			}
		},
		/**
		 * Waits until `predicate(executions)` holds (polling the public API).
		 * Returns the executions. Executions still running are included.
		 */
		async waitForExecutions(workflowId, predicate, { timeoutMs = 30_000, intervalMs = 300 } = {}) {
			const deadline = Date.now() + timeoutMs;
			let last = [];
			for (;;) {
				last = await instance.listExecutions(workflowId);
				if (predicate(last)) return last;
				if (Date.now() > deadline) {
					const summary = last.map((e) => `${e.id}:${e.status}`).join(', ');
					throw new Error(`timed out waiting for executions of workflow ${workflowId} (have: [${summary}])`);
				}
				await sleep(intervalMs);
			}
		},
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
	};
	return instance;
}

/** The node output items of an execution (public API with includeData=true). */
function nodeOutput(execution, nodeName, { output = 0, run = -1 } = {}) {
	const runs = execution?.data?.resultData?.runData?.[nodeName];
	if (!runs || runs.length === 0) return undefined;
	const r = runs.at(run);
	return (r?.data?.main?.[output] ?? []).map((item) => item.json);
}

module.exports = {
	ROOT,
	PACKAGE_NAME,
	N8N_VERSION,
	N8N_DIR,
	NODE24,
	OWNER,
	E2E_DIR,
	ensureN8nInstalled,
	isN8nInstalled,
	hashPassword,
	freePort,
	linkPackage,
	startN8n,
	nodeOutput,
	http,
};
