'use strict';
/**
 * n8n in queue mode, the way people scale it out: one main process (editor, API, activation),
 * workers (`n8n worker`) taking executions from a Redis queue, and webhook processes
 * (`n8n webhook`) behind a load balancer, all on one PostgreSQL database. Here the database and
 * Redis are private instances (services.js), the load balancer is proxy.js (round robin), and
 * every process logs to a file under .n8n-e2e/queue/<run>/.
 *
 *   const cluster = await startQueueCluster({ workers: 2, webhooks: 2 });
 *   cluster.main;          // the startN8n-style client of the main process (API, workflows, executions)
 *   cluster.proxy.url;     // WEBHOOK_URL: production webhooks go here
 *   cluster.webhooks[0].url, cluster.workers[1].kill(), cluster.logTails(), cluster.pg.query(sql)
 *   await cluster.stop();
 */
const fs = require('node:fs');
const path = require('node:path');
const { freePort } = require('./http');
const { E2E_DIR, prepareUserFolder, pruneRunFolders } = require('./n8n-prepare');
const { n8nEnv, spawnN8n, tail } = require('./n8n-process');
const { OWNER, openSession } = require('./n8n-session');
const { createClient } = require('./n8n-client');
const { ensureN8nInstalled, runtimeFor, PINNED } = require('./n8n');
const { ensureServices, startPostgres, startRedis } = require('./services');
const { startProxy } = require('./proxy');

const QUEUE_DIR = path.join(E2E_DIR, 'queue');

/**
 * The settings every process of the cluster shares (what the README's "Queue mode" section
 * lists). Worker lock and stalled-job checks are shortened from n8n's 60 s / 30 s so a killed
 * worker's job is noticed within seconds.
 */
function queueEnv({ pg, redis, webhookUrl, prefix }) {
	return {
		EXECUTIONS_MODE: 'queue',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: pg.host,
		DB_POSTGRESDB_PORT: String(pg.port),
		DB_POSTGRESDB_DATABASE: pg.database,
		DB_POSTGRESDB_USER: pg.user,
		DB_POSTGRESDB_PASSWORD: '',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_BULL_PREFIX: prefix,
		// 2.41 reads both (WEBHOOK_URL is the documented name, N8N_WEBHOOK_URL its successor).
		WEBHOOK_URL: `${webhookUrl}/`,
		N8N_WEBHOOK_URL: `${webhookUrl}/`,
		// Production webhooks are served by the webhook processes only, as behind a real balancer.
		N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
		QUEUE_WORKER_LOCK_DURATION: '10000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
		QUEUE_WORKER_STALLED_INTERVAL: '5000',
		// Minutes; n8n's default (180) would leave a dead worker's execution "running" for hours.
		N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '0.5',
	};
}

/**
 * @param {object} [o]
 * @param {number} [o.workers] default 2
 * @param {number} [o.webhooks] webhook processes behind the proxy, default 2
 * @param {number} [o.concurrency] jobs per worker (n8n's --concurrency), default 10
 * @param {object} [o.env] extra environment for every n8n process
 * @param {object} [o.postgresSettings] extra PostgreSQL settings (e.g. { log_statement: 'mod' })
 * @param {string} [o.version] default: the pinned 2.x (queue mode is tested on 2.x)
 * @param {(line: string) => void} [o.log]
 */
async function startQueueCluster(o = {}) {
	const log = o.log ?? ((line) => process.stderr.write(`[queue-e2e] ${line}\n`));
	const rt = runtimeFor(o.version ?? PINNED[2]);
	await ensureN8nInstalled(rt.version);
	ensureServices();

	fs.mkdirSync(QUEUE_DIR, { recursive: true });
	pruneRunFolders(3, 'queue/run-');
	const dir = fs.mkdtempSync(path.join(QUEUE_DIR, 'run-'));
	const started = Date.now();
	const stoppers = [];
	const cluster = { dir, rt, workers: [], webhooks: [], processes: [] };

	cluster.logTails = (lines = 40) =>
		[
			...cluster.processes.map((p) => ({ label: p.label, logFile: p.logFile })),
			...['postgres', 'redis'].map((n) => ({ label: n, logFile: path.join(dir, n, `${n}.log`) })),
		]
			.map(
				({ label, logFile }) =>
					`--- ${label}: ${logFile} (last ${lines} lines) ---\n${tail(logFile, lines)}`,
			)
			.join('\n');
	cluster.stop = async () => {
		for (const stop of stoppers.splice(0).reverse()) {
			try {
				await stop();
			} catch (error) {
				log(`stop: ${error.message}`);
			}
		}
	};

	try {
		// Both started, and whichever did is stopped even when the other failed.
		const services = await Promise.allSettled([
			startPostgres({ dir: path.join(dir, 'postgres'), settings: o.postgresSettings }),
			startRedis({ dir: path.join(dir, 'redis') }),
		]);
		for (const result of services)
			if (result.status === 'fulfilled') stoppers.push(() => result.value.stop());
		const failed = services.find((result) => result.status === 'rejected');
		if (failed) throw failed.reason;
		const [pg, redis] = services.map((result) => result.value);
		cluster.pg = pg;
		cluster.redis = redis;

		const webhookCount = o.webhooks ?? 2;
		const webhookPorts = await Promise.all(Array.from({ length: webhookCount }, () => freePort()));
		const proxy = await startProxy({
			backends: webhookPorts.map((port) => `http://127.0.0.1:${port}`),
		});
		stoppers.push(() => proxy.stop());
		cluster.proxy = proxy;
		const shared = {
			...queueEnv({
				pg,
				redis,
				webhookUrl: proxy.url,
				prefix: `smsroute${path.basename(dir).slice(4)}`,
			}),
			...o.env,
		};

		/** One n8n process with a user folder of its own (config, the linked package) and its log. */
		const spawnOne = async ({ label, command, args = [], port, extra = {}, readyUrl }) => {
			const { userFolder } = prepareUserFolder({
				rt,
				userFolder: path.join(dir, label),
				fresh: true,
				unmarkedVersion: PINNED[2],
			});
			const brokerPort = await freePort();
			const proc = await spawnN8n({
				rt,
				command,
				args,
				label,
				env: n8nEnv({ rt, userFolder, port, brokerPort, extra: { ...shared, ...extra } }),
				cwd: userFolder,
				logFile: path.join(dir, `${label}.log`),
				readyUrl,
			});
			const member = {
				...proc,
				label,
				stop: proc.stop,
				kill: proc.kill,
				logTail: proc.logTail,
				get exited() {
					return proc.exited;
				},
			};
			cluster.processes.push(member);
			stoppers.push(() => proc.stop());
			return member;
		};

		// The main process first: it migrates the database the others then use.
		const mainPort = await freePort();
		const mainUrl = `http://127.0.0.1:${mainPort}`;
		const mainProc = await spawnOne({
			label: 'main',
			command: 'start',
			port: mainPort,
			readyUrl: mainUrl,
		});
		const session = await openSession(rt, mainUrl);
		cluster.main = {
			version: rt.version,
			runtime: rt,
			url: mainUrl,
			pid: mainProc.pid,
			logFile: mainProc.logFile,
			owner: { email: OWNER.email, password: OWNER.password },
			apiKey: session.apiKey,
			...createClient({
				rt,
				url: mainUrl,
				session,
				webhookUrl: proxy.url,
				logFile: mainProc.logFile,
			}),
		};

		const workerCount = o.workers ?? 2;
		const concurrency = o.concurrency ?? 10;
		const members = await Promise.all([
			...Array.from({ length: workerCount }, async (_, i) => {
				const healthPort = await freePort();
				const worker = await spawnOne({
					label: `worker-${i + 1}`,
					command: 'worker',
					args: [`--concurrency=${concurrency}`],
					port: await freePort(),
					extra: {
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(healthPort),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					},
					readyUrl: `http://127.0.0.1:${healthPort}`,
				});
				return { kind: 'worker', member: worker };
			}),
			...webhookPorts.map(async (port, i) => {
				const url = `http://127.0.0.1:${port}`;
				const webhook = await spawnOne({
					label: `webhook-${i + 1}`,
					command: 'webhook',
					port,
					readyUrl: url,
				});
				return { kind: 'webhook', member: Object.assign(webhook, { url, port }) };
			}),
		]);
		for (const { kind, member } of members)
			cluster[kind === 'worker' ? 'workers' : 'webhooks'].push(member);
		cluster.startMs = Date.now() - started;
		log(
			`queue mode: main ${mainUrl}, ${workerCount} workers, ${webhookCount} webhook processes behind ${proxy.url}; up in ${(cluster.startMs / 1000).toFixed(1)} s (logs: ${dir})`,
		);
		return cluster;
	} catch (error) {
		const tails = cluster.logTails(30);
		await cluster.stop();
		error.message = `${error.message}\n${tails}`;
		throw error;
	}
}

module.exports = { startQueueCluster, queueEnv, QUEUE_DIR };
