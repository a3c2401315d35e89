'use strict';
/**
 * What the tests do with a running n8n: credentials, workflows, executions (public API), node
 * types (editor endpoints) and production webhooks.
 */
const { http, expectOk, sleep } = require('./http');
const { tail } = require('./n8n-process');

/**
 * @param {object} o
 * @param {object} o.rt runtimeFor() of the running version
 * @param {string} o.url the main n8n (editor, REST, public API)
 * @param {object} o.session openSession()'s result
 * @param {string} [o.webhookUrl] where production webhooks are called (default: url)
 * @param {string} [o.logFile] the log shown when a webhook call fails at the network level
 */
function createClient({ rt, url, session, webhookUrl = url, logFile }) {
	const { api, rest, restHeaders } = session;
	const apiOk = async (method, p, body) =>
		expectOk(await api(method, p, body), `${method} /api/v1${p}`);

	/**
	 * Credential data as this version's public API accepts it: 1.123's schema demands
	 * allowedDomains unless allowedHttpRequestDomains is given (see runtimeFor in n8n.js).
	 */
	const schemas = new Map();
	const credentialData = async (type, data) => {
		if (!rt.credentialDomainDefault || data?.allowedHttpRequestDomains !== undefined) return data;
		if (!schemas.has(type))
			schemas.set(type, await apiOk('GET', `/credentials/schema/${encodeURIComponent(type)}`));
		const hasDomainFields = Boolean(schemas.get(type)?.properties?.allowedHttpRequestDomains);
		return hasDomainFields ? { ...data, allowedHttpRequestDomains: 'all' } : data;
	};
	const workflowBody = ({ name, nodes, connections, settings }) => ({
		name,
		nodes,
		connections,
		settings: settings ?? { executionOrder: 'v1' },
	});

	const client = {
		api,
		apiOk,
		/** Internal REST API (/rest) with the owner's session; returns {status, body, text, headers}. */
		rest,
		restOk: async (method, p, body) => expectOk(await rest(method, p, body), `${method} /rest${p}`),
		/** Raw HTTP helper against any path of this n8n, e.g. webhooks. `session: true` sends the owner's cookie. */
		request: async (method, p, { session: withSession = false, headers = {}, ...opts } = {}) =>
			await http(method, `${url}${p}`, {
				...opts,
				headers: withSession ? { ...restHeaders(), ...headers } : headers,
			}),
		/** The node types n8n knows (what the editor loads), e.g. to check the package loaded. */
		async nodeTypes() {
			return expectOk(
				await http('GET', `${url}/types/nodes.json`, { headers: restHeaders() }),
				'GET /types/nodes.json',
			);
		},
		async credentialTypes() {
			return expectOk(
				await http('GET', `${url}/types/credentials.json`, { headers: restHeaders() }),
				'GET /types/credentials.json',
			);
		},

		async createCredential({ name, type, data }) {
			return await apiOk('POST', '/credentials', {
				name,
				type,
				data: await credentialData(type, data),
			});
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
			const found = (await client.listCredentials()).find(
				(c) => c.name === name && c.type === type,
			);
			if (!found) return await client.createCredential({ name, type, data });
			return await apiOk('PATCH', `/credentials/${found.id}`, {
				name,
				type,
				data: await credentialData(type, data),
			});
		},
		/** Tests a stored credential the way the editor's "Retest" button does. → {status:'OK'|'Error', message} */
		async testCredential(id) {
			const res = await api('POST', `/credentials/${id}/test`);
			if (res.status === 200) return res.body.data ?? res.body;
			// Fall back to the editor's endpoint.
			const cred = expectOk(
				await rest('GET', `/credentials/${id}?includeData=true`),
				'GET /rest/credentials/:id',
			).data;
			const out = expectOk(
				await rest('POST', '/credentials/test', {
					credentials: { id: cred.id, name: cred.name, type: cred.type, data: cred.data },
				}),
				'POST /rest/credentials/test',
			);
			return out.data ?? out;
		},
		async createWorkflow(workflow) {
			return await apiOk('POST', '/workflows', workflowBody(workflow));
		},
		async findWorkflowsByName(name) {
			const page = await apiOk('GET', `/workflows?name=${encodeURIComponent(name)}&limit=250`);
			return page.data.filter((w) => w.name === name && !w.isArchived);
		},
		/** Creates the workflow, or replaces the nodes of the one with the same name. */
		async upsertWorkflow(workflow) {
			const [found] = await client.findWorkflowsByName(workflow.name);
			if (!found) return await client.createWorkflow(workflow);
			return await apiOk('PUT', `/workflows/${found.id}`, workflowBody(workflow));
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
				const qs = new URLSearchParams({
					workflowId: String(workflowId),
					includeData: String(includeData),
					limit: '250',
				});
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
					res = await http(method, `${webhookUrl}/webhook/${webhookPath.replace(/^\//, '')}`, {
						fresh: true,
						...opts,
					});
				} catch (error) {
					const log = logFile ? `\n--- ${logFile} (last lines) ---\n${tail(logFile, 30)}` : '';
					error.message = `${method} /webhook/${webhookPath} (attempt ${attempt}, after ${Date.now() - started} ms): ${error.message}${log}`;
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
		async waitForExecutions(
			workflowId,
			predicate,
			{ timeoutMs = 30_000, intervalMs = 300, includeData = true } = {},
		) {
			const deadline = Date.now() + timeoutMs;
			let last = [];
			for (;;) {
				last = await client.listExecutions(workflowId, { includeData });
				if (predicate(last)) return last;
				if (Date.now() > deadline) {
					const summary = last.map((e) => `${e.id}:${e.status}`).join(', ');
					throw new Error(
						`timed out waiting for executions of workflow ${workflowId} (have: [${summary}])`,
					);
				}
				await sleep(intervalMs);
			}
		},
	};
	return client;
}

module.exports = { createClient };
