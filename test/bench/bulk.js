'use strict';
// Bulk throughput: the SMS Route Bulk Send node inside real n8n vs n8n's HTTP Request node,
// raw undici, and a No Operation node.
const { performance } = require('node:perf_hooks');
const { request, Agent } = require('undici');
const { startN8n } = require('../e2e/n8n');
const { createSandboxCredentials } = require('../e2e/sandboxCredentials');
const { bulkWorkflow } = require('./workflows');
const { sampleRss, baselineRss } = require('./rss');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The guarded variant's opt-out list: as many numbers as messages, every tenth one of them. */
function makeOptOuts(n) {
	return Array.from({ length: n }, (_, i) =>
		i % 10 === 0 ? `+1201${2000000 + i}` : `+1201${5000000 + i}`,
	);
}

function makeItems(n, tag = 'bench') {
	return Array.from({ length: n }, (_, i) => ({
		to: `+1201${2000000 + i}`,
		body: `${tag} message #${i}`,
	}));
}

async function mapLimit(list, limit, fn) {
	let next = 0;
	const workers = Array.from({ length: Math.min(limit, list.length) }, async () => {
		while (next < list.length) {
			const i = next++;
			await fn(list[i], i);
		}
	});
	await Promise.all(workers);
}

/**
 * (b) the wire limit: the same bulk bodies, the same concurrency, straight from undici.
 * One warm-up pass (2,000 items), then `repeat` measured passes; the median is reported.
 */
async function runRawUndici(opts) {
	const { repeat = 3 } = opts;
	await rawPass({ ...opts, size: Math.min(2000, opts.size) });
	const passes = [];
	for (let i = 0; i < repeat; i++) passes.push(await rawPass(opts));
	const sorted = [...passes].sort((a, b) => a.wallMs - b.wallMs);
	const median = sorted[Math.floor(sorted.length / 2)];
	return { ...median, passesMs: passes.map((p) => Math.round(p.wallMs)) };
}

async function rawPass({ sandbox, baseUrl, apiKey, size, concurrency, chunkSize }) {
	const items = makeItems(size);
	const agent = new Agent({ connections: concurrency, pipelining: 1 });
	sandbox.reset();
	const statsBefore = sandbox.stats();
	const started = performance.now();
	const chunks = [];
	for (let i = 0; i < items.length; i += chunkSize) chunks.push(items.slice(i, i + chunkSize));
	const ids = new Array(size);
	await mapLimit(chunks, concurrency, async (chunk, c) => {
		const res = await request(`${baseUrl}/messages/bulk`, {
			method: 'POST',
			dispatcher: agent,
			headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				messages: chunk.map((m, j) => ({
					to: m.to,
					body: m.body,
					idempotency_key: `raw-${c * chunkSize + j}`,
				})),
			}),
		});
		const json = await res.body.json();
		if (res.statusCode !== 200)
			throw new Error(`raw undici: HTTP ${res.statusCode} ${JSON.stringify(json)}`);
		json.ids.forEach((id, j) => (ids[c * chunkSize + j] = id));
	});
	const wallMs = performance.now() - started;
	await agent.close();
	const stats = sandbox.stats();
	return {
		variant: 'rawUndici',
		size,
		wallMs,
		requests: requestCount(stats) - requestCount(statsBefore),
		charged: sandbox.ledger().length,
		outputOk: ids.every((id) => typeof id === 'string'),
		rssRise: null,
	};
}

function requestCount(stats) {
	return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

/**
 * One variant at one size inside a fresh n8n (so RSS starts from the same idle point):
 * warm-up run with 10 items, idle baseline, then the measured run with RSS sampled every 100 ms.
 */
async function runInN8n({
	variant,
	size,
	sandbox,
	baseUrl,
	apiKey,
	keys,
	concurrency,
	chunkSize,
	log,
}) {
	const n8n = await startN8n({ env: { N8N_PAYLOAD_SIZE_MAX: '64' }, log });
	try {
		const { smsRouteApi: credential } = await createSandboxCredentials(n8n, { baseUrl, keys });
		const path = `bench-${variant}-${size}`;
		const wf = bulkWorkflow(variant, { path, credential, baseUrl, apiKey, concurrency, chunkSize });
		const created = await n8n.createWorkflow(wf);
		await n8n.activateWorkflow(created.id);

		// Warm-up: loads the node types and compiles the hot paths.
		const guarded = variant === 'smsrouteGuarded';
		const warm = await n8n.callWebhook('POST', path, {
			body: { items: makeItems(10, 'warmup'), ...(guarded ? { optOuts: makeOptOuts(10) } : {}) },
		});
		if (warm.status !== 200)
			throw new Error(`warm-up → HTTP ${warm.status}: ${warm.text.slice(0, 500)}`);
		await sleep(1500);
		sandbox.reset();

		const items = makeItems(size);
		const payload = JSON.stringify({ items, ...(guarded ? { optOuts: makeOptOuts(size) } : {}) });
		const baseline = await baselineRss(n8n.pid);
		const sampler = sampleRss(n8n.pid, 100);
		const started = performance.now();
		const res = await n8n.callWebhook('POST', path, {
			body: payload,
			headers: { 'content-type': 'application/json' },
		});
		const wallMs = performance.now() - started;
		const { peak, samples } = sampler.stop();
		if (res.status !== 200)
			throw new Error(`${variant} ${size}: HTTP ${res.status}: ${res.text.slice(0, 500)}`);
		const stats = sandbox.stats();
		const ledger = sandbox.ledger();
		return {
			variant,
			size,
			wallMs,
			requests: requestCount(stats),
			charged: ledger.length,
			uniqueBodies: new Set(ledger.map((m) => m.body)).size,
			rssBaseline: baseline,
			rssPeak: peak,
			rssRise: peak - baseline,
			rssSamples: samples,
			firstOutput: res.body,
		};
	} finally {
		await n8n.stop();
	}
}

module.exports = { makeItems, runRawUndici, runInN8n, requestCount, mapLimit };
