'use strict';
/**
 * Private PostgreSQL and Redis servers for the queue-mode suite: each on 127.0.0.1, on a free
 * port, in a folder of its own, with its log in that folder; stop() ends it and (by default)
 * removes the folder. Binaries come from Debian's packages (services.sh installs them when
 * missing). Nothing here touches a system-wide instance.
 *
 *   const { ensureServices, startPostgres, startRedis } = require('./services');
 *   ensureServices();
 *   const pg = await startPostgres({ dir });   // { host, port, user, database, query(sql), stop() }
 *   // settings: extra server settings, e.g. { log_statement: 'mod' } to see every write in postgres.log
 *   const redis = await startRedis({ dir });   // { host, port, stop() }
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('./http');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs services.sh: quick when both are installed, an apt-get install (root) when not. */
function ensureServices() {
	const result = spawnSync('bash', [path.join(__dirname, 'services.sh')], {
		stdio: ['ignore', 'inherit', 'inherit'],
	});
	if (result.status !== 0)
		throw new Error(`test/e2e/services.sh failed (exit ${result.status}); see its output above`);
}

/** The newest /usr/lib/postgresql/<major>/bin (Debian keeps the server binaries off PATH). */
function postgresBin() {
	const root = '/usr/lib/postgresql';
	const majors = fs.existsSync(root)
		? fs
				.readdirSync(root)
				.filter((d) => /^\d+$/.test(d))
				.sort((a, b) => b - a)
		: [];
	for (const major of majors) {
		const bin = path.join(root, major, 'bin');
		if (fs.existsSync(path.join(bin, 'initdb'))) return bin;
	}
	throw new Error(
		'no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (run test/e2e/services.sh)',
	);
}

/** initdb and postgres refuse to run as root: then they run as the `postgres` user the package creates. */
function serverUser() {
	if (process.getuid?.() !== 0) return {};
	const id = (flag) =>
		Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
	const uid = id('-u');
	const gid = id('-g');
	if (!Number.isInteger(uid) || !Number.isInteger(gid))
		throw new Error('running as root and there is no "postgres" user to run PostgreSQL as');
	return { uid, gid };
}

function tail(file, lines = 40) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '(no log)';
	}
}

/** Spawns a server in its own process group with stdout+stderr appended to logFile. */
function spawnServer(command, args, { logFile, user = {}, cwd }) {
	const fd = fs.openSync(logFile, 'a');
	if (user.uid !== undefined) fs.fchownSync(fd, user.uid, user.gid);
	const child = spawn(command, args, { cwd, stdio: ['ignore', fd, fd], detached: true, ...user });
	fs.closeSync(fd);
	const state = { exited: null };
	state.exit = new Promise((resolve) => {
		child.once('exit', (code, signal) => {
			state.exited = { code, signal };
			resolve(state.exited);
		});
	});
	const onExit = () => {
		try {
			process.kill(-child.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	};
	process.once('exit', onExit);
	async function stop(signal, timeoutMs = 15_000) {
		process.removeListener('exit', onExit);
		if (state.exited) return state.exited;
		try {
			process.kill(-child.pid, signal);
		} catch {
			/* gone */
		}
		const timer = setTimeout(onExit, timeoutMs);
		const result = await state.exit;
		clearTimeout(timer);
		return result;
	}
	return { child, state, stop };
}

async function waitUntil(what, check, { state, logFile, timeoutMs = 30_000 }) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (state.exited)
			throw new Error(
				`${what} exited during start (${JSON.stringify(state.exited)})\n--- ${logFile} ---\n${tail(logFile)}`,
			);
		if (check()) return;
		if (Date.now() > deadline)
			throw new Error(
				`${what} not ready after ${timeoutMs / 1000} s\n--- ${logFile} ---\n${tail(logFile)}`,
			);
		await sleep(100);
	}
}

/**
 * A throwaway PostgreSQL cluster: initdb into a temp folder (trust auth, loopback only), server on
 * a free port, durability off (a test database: fsync and synchronous commit cost seconds here).
 */
async function startPostgres({ dir, settings = {} } = {}) {
	const bin = postgresBin();
	const user = serverUser();
	fs.mkdirSync(dir, { recursive: true });
	const logFile = path.join(dir, 'postgres.log');
	// The cluster itself goes to a temp folder the `postgres` user can reach (the log stays in `dir`).
	const base = fs.mkdtempSync(path.join(os.tmpdir(), 'smsroute-pg-'));
	const data = path.join(base, 'data');
	const sockets = path.join(base, 'sock');
	fs.mkdirSync(sockets);
	if (user.uid !== undefined) {
		fs.chownSync(base, user.uid, user.gid);
		fs.chownSync(sockets, user.uid, user.gid);
	}
	const init = spawnSync(
		path.join(bin, 'initdb'),
		['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'],
		{
			encoding: 'utf8',
			cwd: base,
			...user,
		},
	);
	if (init.status !== 0) {
		fs.rmSync(base, { recursive: true, force: true });
		throw new Error(`initdb failed (exit ${init.status}): ${init.stderr || init.stdout}`);
	}

	const port = await freePort();
	const server = spawnServer(
		path.join(bin, 'postgres'),
		[
			'-D',
			data,
			'-p',
			String(port),
			'-k',
			sockets,
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=200',
			...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
		],
		{ logFile, user, cwd: base },
	);
	const psql = (sql) =>
		spawnSync(
			path.join(bin, 'psql'),
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				'postgres',
				'-d',
				'postgres',
				'-XAtq',
				'-v',
				'ON_ERROR_STOP=1',
				'-c',
				sql,
			],
			{
				encoding: 'utf8',
			},
		);
	try {
		await waitUntil('PostgreSQL', () => psql('select 1').status === 0, {
			state: server.state,
			logFile,
		});
	} catch (error) {
		await server.stop('SIGKILL');
		fs.rmSync(base, { recursive: true, force: true });
		throw error;
	}

	return {
		host: '127.0.0.1',
		port,
		user: 'postgres',
		database: 'postgres',
		dir,
		logFile,
		pid: server.child.pid,
		/** Runs SQL with psql; rows as arrays of strings (| separated columns). */
		query(sql) {
			const result = psql(sql);
			if (result.status !== 0) throw new Error(`psql: ${result.stderr.trim()}\nSQL: ${sql}`);
			return result.stdout
				.split('\n')
				.filter((line) => line !== '')
				.map((line) => line.split('|'));
		},
		async stop() {
			await server.stop('SIGINT'); // "fast" shutdown
			fs.rmSync(base, { recursive: true, force: true });
		},
	};
}

/** A Redis server on a free port: no persistence (--save '', no AOF), its files in `dir`. */
async function startRedis({ dir } = {}) {
	fs.mkdirSync(dir, { recursive: true });
	const logFile = path.join(dir, 'redis.log');
	const port = await freePort();
	const server = spawnServer(
		'redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			dir,
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
		],
		{ logFile, cwd: dir },
	);
	const ping = () =>
		spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
			encoding: 'utf8',
		}).stdout?.trim() === 'PONG';
	await waitUntil('Redis', ping, { state: server.state, logFile });
	return {
		host: '127.0.0.1',
		port,
		dir,
		logFile,
		pid: server.child.pid,
		async stop() {
			await server.stop('SIGTERM');
		},
	};
}

module.exports = { ensureServices, startPostgres, startRedis };
