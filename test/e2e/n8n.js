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
 *
 * startN8n is put together from parts named for their jobs: n8n-prepare.js (user folder and
 * package link), n8n-process.js (environment, spawn, readiness, stop), n8n-session.js (owner,
 * login, API key) and n8n-client.js (what tests call); queue.js builds queue mode from the same.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { http, freePort, isPortFree } = require('./http');
const { ROOT, E2E_DIR, linkPackage, prepareUserFolder } = require('./n8n-prepare');
const { n8nEnv, spawnN8n } = require('./n8n-process');
const { OWNER, hashPassword: hashWith, openSession } = require('./n8n-session');
const { createClient } = require('./n8n-client');

const PACKAGE_NAME = 'n8n-nodes-smsroute';
/** The pinned n8n of each major: 2.41.1 and later need packages the registry here lacks; 1.123.81 is the newest 1.x it has. */
const PINNED = Object.freeze({ 1: '1.123.81', 2: '2.41.0' });
const N8N_VERSIONS = Object.freeze([PINNED[2], PINNED[1]]);
const { CACHE, NODE24_VERSION, NODE24_DIR, n8nDir } = require('./recipe');
const NODE24 = path.join(NODE24_DIR, 'bin', 'node');

/** '1', '1.x', '2', '2.x' → the pinned version of that major; an exact version stays as it is. */
function resolveVersion(version) {
	const v = String(
		version ?? process.env.SMSROUTE_E2E_N8N_VERSION ?? process.env.N8N_VERSION ?? PINNED[2],
	).trim();
	const alias = /^(\d+)(?:\.x)?$/.exec(v);
	if (alias) {
		if (!PINNED[alias[1]])
			throw new Error(`no pinned n8n ${alias[1]}.x (known: ${Object.values(PINNED).join(', ')})`);
		return PINNED[alias[1]];
	}
	if (!/^\d+\.\d+\.\d+$/.test(v))
		throw new Error(`not an n8n version: "${v}" (want e.g. 2.41.0, 1.123.81, 1 or 2)`);
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
 */
function runtimeFor(version) {
	const v = resolveVersion(version);
	const major = Number(v.split('.')[0]);
	const dir = n8nDir(v);
	const common = {
		version: v,
		major,
		dir,
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
	if (major >= 2) {
		return {
			...common,
			node: NODE24,
			nodeDir: NODE24_DIR,
			ownerFromEnv: true,
			credentialDomainDefault: false,
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
		throw new Error(
			`test/e2e/install-n8n.sh (n8n ${rt.version}) failed (exit ${code}, signal ${signal}); see its output above`,
		);
	}
	return result;
}

/** bcrypt hash made by the bcryptjs n8n itself ships (n8n checks logins with it). */
function hashPassword(password, version) {
	return hashWith(password, runtimeFor(version));
}

/**
 * Starts `n8n start` with the package loaded: prepare the user folder, spawn n8n and wait for
 * it, open the owner's session, and hand back a client for it.
 * @param {object} [o]
 * @param {string} [o.version] n8n version: '2.41.0' (default), '1.123.81', or '1' / '2' for the pinned one
 * @param {string} [o.userFolder] default: a fresh folder under .n8n-e2e/
 * @param {boolean} [o.fresh] delete userFolder first (default: true when userFolder is not given)
 * @param {number} [o.port] 0 or undefined = a free port
 * @param {string} [o.packageDir] the package to link (default: the repo root, built)
 * @param {string[]} [o.extraPackages] folders of other community packages to link beside it
 * @param {object} [o.env] extra environment for n8n
 * @param {number} [o.readyTimeoutMs]
 * @param {(line: string) => void} [o.log]
 */
async function startN8n(o = {}) {
	const log = o.log ?? ((line) => process.stderr.write(`[n8n-e2e] ${line}\n`));
	const rt = runtimeFor(o.version);
	await ensureN8nInstalled(rt.version);
	const { userFolder } = prepareUserFolder({
		rt,
		userFolder: o.userFolder,
		fresh: o.fresh,
		packageDir: o.packageDir,
		unmarkedVersion: PINNED[2],
		extraPackages: o.extraPackages,
	});

	const port = o.port ? o.port : await freePort();
	if (o.port && !(await isPortFree(o.port))) {
		throw new Error(
			`port ${o.port} on 127.0.0.1 is already in use (another n8n or "npm start" running?)`,
		);
	}
	const brokerPort = o.brokerPort ?? (await freePort());
	const url = `http://127.0.0.1:${port}`;
	const logFile = path.join(userFolder, 'n8n.log');
	const proc = await spawnN8n({
		rt,
		command: 'start',
		env: n8nEnv({ rt, userFolder, port, brokerPort, extra: o.env }),
		cwd: userFolder,
		logFile,
		readyUrl: url,
		readyTimeoutMs: o.readyTimeoutMs,
	});
	log(
		`n8n ${rt.version} ready at ${url} in ${(proc.startMs / 1000).toFixed(1)} s (log: ${logFile})`,
	);

	let session;
	try {
		session = await openSession(rt, url);
	} catch (error) {
		await proc.kill();
		throw new Error(`${error.message}\n--- ${logFile} (last lines) ---\n${proc.logTail()}`);
	}
	return {
		version: rt.version,
		major: rt.major,
		node: rt.node,
		/** The version-specific facts of runtimeFor() (ownerFromEnv, env, …). */
		runtime: rt,
		url,
		port,
		brokerPort,
		userFolder,
		logFile,
		pid: proc.pid,
		startMs: proc.startMs,
		apiKey: session.apiKey,
		owner: { email: OWNER.email, password: OWNER.password },
		...createClient({ rt, url, session, logFile }),
		logTail: proc.logTail,
		get exited() {
			return proc.exited;
		},
		stop: proc.stop,
		/** SIGKILL to n8n and its task runner: a crash, no graceful shutdown. */
		kill: proc.kill,
	};
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
