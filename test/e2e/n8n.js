'use strict';
/**
 * Runs the built package inside a real n8n process, the way users install it: n8n 2.41.0 on
 * Node 24 (the default) or n8n 1.123.81, the latest 1.x the registry here has, on the
 * machine's own Node 20.
 *
 *   const { startN8n } = require('./n8n');
 *   const n8n = await startN8n({ port: 0 });            // installs n8n first when needed
 *   const old = await startN8n({ version: '1' });       // n8n 1.x ('1', '1.x' or an exact 1.y.z)
 *   await n8n.createCredential({ name, type, data });
 *   const wf = await n8n.createWorkflow(workflowJson);
 *   await n8n.activateWorkflow(wf.id);
 *   await n8n.stop();
 *
 * The version comes from `o.version`, else SMSROUTE_E2E_N8N_VERSION, else N8N_VERSION, else
 * 2.41.0. Everything that differs between n8n 1.x and 2.x (Node binary, environment, owner
 * setup) lives in runtimeFor() and setupOwner() below, nowhere else.
 *
 * n8n itself lives in a cache folder (see install-n8n.sh); the package is linked into
 * $N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-smsroute, exactly where n8n puts a
 * community package installed from the UI. Only 127.0.0.1 is used.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { request, Agent } = require('undici');

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_NAME = 'n8n-nodes-smsroute';
/** The pinned n8n of each major: 2.41.1 and later need packages the registry here lacks; 1.123.81 is the newest 1.x it has. */
const PINNED = Object.freeze({ 1: '1.123.81', 2: '2.41.0' });
const N8N_VERSIONS = Object.freeze([PINNED[2], PINNED[1]]);
const { CACHE, NODE24_VERSION, NODE24_DIR, n8nDir } = require('./recipe');
const NODE24 = path.join(NODE24_DIR, 'bin', 'node');
const E2E_DIR = path.join(ROOT, '.n8n-e2e');

/** '1', '1.x', '2', '2.x' → the pinned version of that major; an exact version stays as it is. */
function resolveVersion(version) {
	const v = String(version ?? process.env.SMSROUTE_E2E_N8N_VERSION ?? process.env.N8N_VERSION ?? PINNED[2]).trim();
	const alias = /^(\d+)(?:\.x)?$/.exec(v);
	if (alias) {
		if (!PINNED[alias[1]]) throw new Error(`no pinned n8n ${alias[1]}.x (known: ${Object.values(PINNED).join(', ')})`);
		return PINNED[alias[1]];
	}
	if (!/^\d+\.\d+\.\d+$/.test(v)) throw new Error(`not an n8n version: "${v}" (want e.g. 2.41.0, 1.123.81, 1 or 2)`);
	return v;
}

/** The machine's own Node 20 (n8n 1.x runs on it): NODE20, else /usr/bin/node, else this process's node. */
function systemNode() {
	if (process.env.NODE20) return process.env.NODE20;
	if (fs.existsSync('/usr/bin/node')) return '/usr/bin/node';
	return process.execPath;
}

/**
 * Everything version-specific about running n8n, in one place.
 * - node: the Node binary that runs it (and that its native modules were built for).
 * - ownerFromEnv: 2.x takes the owner from N8N_INSTANCE_OWNER_* variables; 1.x has no such
 *   thing, its owner is claimed once with POST /rest/owner/setup.
 * - env: environment only this major understands (1.x rejects module names it does not know,
 *   and its default expression engine needs isolated-vm, which is not built for it).
 * - credentialDomainDefault: 1.123 adds "Allowed HTTP Request Domains" fields to every
 *   credential type with `authenticate`, and its public API schema then demands
 *   `allowedDomains` unless `allowedHttpRequestDomains` is given; the harness sends the
 *   editor's default ('all') when the caller did not (see createCredential).
 * - rejectedKeyMessage: what the credential test reports when the service answers 401. 2.x
 *   shows the credential's own `responseCode` rule message; 1.123's credentials tester only
 *   applies those rules when the error carries the HTTP response (error.cause.response), which
 *   its request helper does not set, so it shows n8n's generic 401 text instead.
 */
function runtimeFor(version) {
	const v = resolveVersion(version);
	const major = Number(v.split('.')[0]);
	const dir = n8nDir(v);
	const common = { version: v, major, dir, n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n') };
	if (major >= 2) {
		return {
			...common,
			node: NODE24,
			nodeDir: NODE24_DIR,
			ownerFromEnv: true,
			credentialDomainDefault: false,
			rejectedKeyMessage: /401|API key/i,
			env: {
				N8N_DISABLED_MODULES:
					'mcp-registry,instance-ai,workflow-builder,chat-hub,insights,instance-registry',
				N8N_RUNNERS_MODE: 'internal',
			},
		};
	}
	if (major === 1) {
		const node = systemNode();
		return {
			...common,
			node,
			nodeDir: path.dirname(path.dirname(node)),
			ownerFromEnv: false,
			credentialDomainDefault: true,
			rejectedKeyMessage: /Authorization failed - please check your credentials/,
			env: {
				// Module names 1.x knows: insights, external-secrets, community-packages, data-table,
				// mcp, chat-hub, provisioning, breaking-changes. Keep community-packages.
				N8N_DISABLED_MODULES: 'insights,chat-hub,mcp',
				// 1.123's default engine "vm" runs expressions in isolated-vm; "legacy" is the 1.x engine.
				N8N_EXPRESSION_ENGINE: 'legacy',
				// Off by default in 1.x; on (and always on) in 2.x: run the Code node the same way.
				N8N_RUNNERS_ENABLED: 'true',
				N8N_RUNNERS_MODE: 'internal',
				// 2.x's default; 1.x's is false.
				N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
			},
		};
	}
	throw new Error(`n8n ${v}: only 1.x and 2.x are supported`);
}

const DEFAULT_RUNTIME = runtimeFor();
/** The default version (what `npm start` and the bench run) and its folder. */
const N8N_VERSION = DEFAULT_RUNTIME.version;
const N8N_DIR = DEFAULT_RUNTIME.dir;

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

function isN8nInstalled(version) {
	const rt = runtimeFor(version);
	return fs.existsSync(path.join(rt.dir, '.complete')) && fs.existsSync(rt.node);
}

/**
 * Runs install-n8n.sh for `version` (default: see resolveVersion). The script is idempotent and
 * always runs: on a ready folder it only proves that the native modules load (about a second),
 * and it rebuilds a folder that fails that check (several minutes, like the first install).
 * Its output goes to stderr. Installs of one process are made once.
 */
const ensured = new Map();
function ensureN8nInstalled(version) {
	const v = resolveVersion(version);
	if (!ensured.has(v)) {
		const p = runInstaller(v);
		ensured.set(v, p);
		p.catch(() => ensured.delete(v));
	}
	return ensured.get(v);
}

async function runInstaller(version) {
	const rt = runtimeFor(version);
	const result = { version: rt.version, node: rt.node, n8n: rt.n8nBin, dir: rt.dir };
	const script = path.join(__dirname, 'install-n8n.sh');
	const env = { ...process.env, N8N_VERSION: rt.version, NODE24_VERSION, SMSROUTE_CACHE: CACHE };
	if (rt.major === 1) env.NODE20 = rt.node;
	const child = spawn('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'], env });
	const [code, signal] = await new Promise((resolve) => child.once('exit', (...a) => resolve(a)));
	if (code !== 0 || !isN8nInstalled(rt.version)) {
		throw new Error(`test/e2e/install-n8n.sh (n8n ${rt.version}) failed (exit ${code}, signal ${signal}); see its output above`);
	}
	return result;
}

/** bcrypt hash made by the bcryptjs n8n itself ships (n8n checks logins with it). */
function hashPassword(password, version) {
	const rt = runtimeFor(version);
	const result = spawnSync(
		rt.node,
		['-e', 'process.stdout.write(require(process.argv[1]).hashSync(process.argv[2], 10))', path.join(rt.dir, 'node_modules', 'bcryptjs'), password],
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

/**
 * n8n migrates its database forward only: a user folder an n8n 2.x has used cannot be opened by
 * 1.x. Records the major in the folder and refuses a downgrade with a clear message.
 */
function checkFolderVersion(userFolder, rt) {
	const marker = path.join(userFolder, '.smsroute-n8n-version');
	let previous;
	try {
		previous = fs.readFileSync(marker, 'utf8').trim();
	} catch {
		/* new folder, or one from before the marker (2.x) */
	}
	if (previous === undefined && fs.existsSync(path.join(userFolder, '.n8n', 'database.sqlite'))) previous = PINNED[2];
	if (previous && Number(previous.split('.')[0]) > rt.major) {
		throw new Error(
			`${userFolder} holds the data of n8n ${previous}; n8n ${rt.version} cannot open it (delete the folder or use another one)`,
		);
	}
	fs.writeFileSync(marker, `${rt.version}\n`);
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
		...(rt.ownerFromEnv
			? {
					N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
					N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
					N8N_INSTANCE_OWNER_PASSWORD_HASH: hashPassword(OWNER.password, rt.version),
					N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
					N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
				}
			: {}),
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

/**
 * n8n 1.x has no owner-from-environment: a fresh instance has a placeholder owner that the
 * first visitor claims with POST /rest/owner/setup (the editor's setup screen). A user folder
 * that was set up before keeps its owner; then this does nothing.
 */
async function setupOwner(rt, url) {
	if (rt.ownerFromEnv) return;
	const settings = expectOk(await http('GET', `${url}/rest/settings`), 'GET /rest/settings');
	if (!(settings.data ?? settings).userManagement?.showSetupOnFirstLoad) return;
	expectOk(
		await http('POST', `${url}/rest/owner/setup`, {
			body: { email: OWNER.email, password: OWNER.password, firstName: OWNER.firstName, lastName: OWNER.lastName },
			headers: { 'browser-id': BROWSER_ID },
		}),
		'POST /rest/owner/setup',
	);
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
async function http(method, url, { body, headers = {}, raw = false, fresh = false } = {}) {
	// fresh: a connection of its own, closed after the answer (no keep-alive reuse).
	const init = { method, headers: { accept: 'application/json', ...headers }, dispatcher: httpAgent, reset: fresh };
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
 * @param {string} [o.version] n8n version: '2.41.0' (default), '1.123.81', or '1' / '2' for the pinned one
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
	const rt = runtimeFor(o.version);
	await ensureN8nInstalled(rt.version);
	// SMSROUTE_E2E_PACKAGE_DIR: run the suite against another build of the package (e.g. a packed copy).
	const packageDir = path.resolve(o.packageDir ?? process.env.SMSROUTE_E2E_PACKAGE_DIR ?? ROOT);
	checkBuilt(packageDir);

	let userFolder = o.userFolder;
	let fresh = o.fresh;
	if (!userFolder) {
		fs.mkdirSync(E2E_DIR, { recursive: true });
		pruneRunFolders(5);
		userFolder = fs.mkdtempSync(path.join(E2E_DIR, `run-${rt.version}-`));
		fresh = false;
	}
	userFolder = path.resolve(userFolder);
	if (fresh) fs.rmSync(userFolder, { recursive: true, force: true });
	fs.mkdirSync(userFolder, { recursive: true });
	checkFolderVersion(userFolder, rt);
	linkPackage(userFolder, packageDir);

	const port = o.port ? o.port : await freePort();
	if (o.port && !(await isPortFree(o.port))) {
		throw new Error(`port ${o.port} on 127.0.0.1 is already in use (another n8n or "npm start" running?)`);
	}
	const brokerPort = o.brokerPort ?? (await freePort());
	const url = `http://127.0.0.1:${port}`;
	const logFile = path.join(userFolder, 'n8n.log');
	const logFd = fs.openSync(logFile, 'a');
	fs.writeSync(logFd, `\n===== n8n ${rt.version} (node ${rt.node}) start ${new Date().toISOString()} port ${port} =====\n`);

	const started = Date.now();
	const child = spawn(rt.node, [rt.n8nBin, 'start'], {
		cwd: userFolder,
		env: n8nEnv({ rt, userFolder, port, brokerPort, extra: o.env }),
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
			// Readiness answers once the database is migrated; n8n 1.x mounts its REST routes a few
			// seconds later (a 404 for /rest/* until then), so wait for those as well.
			const res = await http('GET', `${url}/healthz/readiness`);
			if (res.status === 200 && (await http('GET', `${url}/rest/settings`)).status === 200) break;
		} catch {
			/* not listening yet */
		}
		await sleep(250);
	}
	const startMs = Date.now() - started;
	log(`n8n ${rt.version} ready at ${url} in ${(startMs / 1000).toFixed(1)} s (log: ${logFile})`);

	// Session for the internal REST API (/rest), then a public-API key (/api/v1).
	let cookie;
	const restHeaders = () => ({ cookie, 'browser-id': BROWSER_ID });
	try {
		await setupOwner(rt, url);
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

	/** Credential data as this version's public API accepts it (see runtimeFor). */
	const schemas = new Map();
	const credentialData = async (type, data) => {
		if (!rt.credentialDomainDefault || data?.allowedHttpRequestDomains !== undefined) return data;
		if (!schemas.has(type)) schemas.set(type, await apiOk('GET', `/credentials/schema/${encodeURIComponent(type)}`));
		const hasDomainFields = Boolean(schemas.get(type)?.properties?.allowedHttpRequestDomains);
		return hasDomainFields ? { ...data, allowedHttpRequestDomains: 'all' } : data;
	};

	let stopping = null;
	const instance = {
		version: rt.version,
		major: rt.major,
		node: rt.node,
		/** The version-specific facts of runtimeFor() (rejectedKeyMessage, ownerFromEnv, env, …). */
		runtime: rt,
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
			return await apiOk('POST', '/credentials', { name, type, data: await credentialData(type, data) });
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
			return await apiOk('PATCH', `/credentials/${found.id}`, { name, type, data: await credentialData(type, data) });
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
			const started = Date.now();
			for (let attempt = 1; ; attempt++) {
				let res;
				try {
					// Each call on a connection of its own: a large POST never shares a socket with the
					// pooled REST calls or an earlier 404. A network error is not retried (the POST
					// may have run); it is reported with the n8n log.
					res = await http(method, `${url}/webhook/${webhookPath.replace(/^\//, '')}`, { fresh: true, ...opts });
				} catch (error) {
					error.message = `${method} /webhook/${webhookPath} (attempt ${attempt}, after ${Date.now() - started} ms): ${error.message}\n--- ${logFile} (last lines) ---\n${tail(logFile, 30)}`;
					throw error;
				}
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
	PINNED,
	N8N_VERSIONS,
	N8N_VERSION,
	N8N_DIR,
	NODE24,
	OWNER,
	E2E_DIR,
	ensureN8nInstalled,
	isN8nInstalled,
	runtimeFor,
	resolveVersion,
	hashPassword,
	freePort,
	linkPackage,
	startN8n,
	nodeOutput,
	http,
};
