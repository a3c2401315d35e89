'use strict';
// Webhooks: signed smsroute events into the active SMS Route Trigger vs n8n's plain Webhook
// node (responseMode onReceived, no verification), plus the in-process cost of verify + normalize.
const crypto = require('node:crypto');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { Agent, request } = require('undici');
const { startN8n } = require('../e2e/n8n');
const { triggerWorkflow, plainWebhookWorkflow } = require('./workflows');
const { mapLimit } = require('./bulk');

const DIST = path.resolve(__dirname, '..', '..', 'dist', 'nodes', 'SmsRouteTrigger');

let seq = 0;
function smsrouteEvent(key, runTag) {
	const n = seq++;
	const body = JSON.stringify({
		type: 'message.delivered',
		message_id: `msg_bench_${runTag}_${String(n).padStart(8, '0')}`,
		status: 'delivered',
		timestamp: new Date().toISOString(),
		to: `+1555${2000000 + (n % 1000000)}`,
		livemode: false,
		reason: null,
		metadata: {},
	});
	const t = Math.floor(Date.now() / 1000);
	const v1 = crypto.createHmac('sha256', key).update(`${t}.${body}`).digest('hex');
	return { body, headers: { 'content-type': 'application/json', 'x-smsroute-signature': `t=${t},v1=${v1}` } };
}

function percentile(sorted, p) {
	if (sorted.length === 0) return NaN;
	const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
	return sorted[Math.max(0, i)];
}

async function fire(url, requests, concurrency) {
	const agent = new Agent({ connections: concurrency, headersTimeout: 60_000, bodyTimeout: 60_000 });
	const latencies = [];
	const statuses = {};
	const started = performance.now();
	await mapLimit(requests, concurrency, async (make) => {
		// Signed when sent, not when queued: a queued event must not age past the 300 s tolerance.
		const req = make();
		const t0 = performance.now();
		const res = await request(url, { method: 'POST', body: req.body, headers: req.headers, dispatcher: agent });
		await res.body.text();
		latencies.push(performance.now() - t0);
		statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
	});
	const wallMs = performance.now() - started;
	await agent.close();
	latencies.sort((a, b) => a - b);
	return {
		count: requests.length,
		concurrency,
		wallMs,
		perSecond: requests.length / (wallMs / 1000),
		p50: percentile(latencies, 50),
		p99: percentile(latencies, 99),
		max: latencies[latencies.length - 1],
		statuses,
	};
}

/** Both workflows in one fresh n8n; each gets a warm-up, then the measured burst; two rounds, alternating. */
async function runWebhookBench({ keys, baseUrl, count = 1000, concurrency = 20, rounds = 1, log, onProgress = () => {} }) {
	const n8n = await startN8n({ log });
	try {
		const credential = await n8n.createCredential({
			name: 'smsroute sandbox',
			type: 'smsRouteApi',
			data: { environment: 'test', testApiKey: keys.test, liveApiKey: keys.live, baseUrl },
		});
		const trig = triggerWorkflow({ credential });
		const trigWf = await n8n.createWorkflow(trig.workflow);
		await n8n.activateWorkflow(trigWf.id);
		const plainPath = 'bench-plain-webhook';
		const plainWf = await n8n.createWorkflow(plainWebhookWorkflow(plainPath));
		await n8n.activateWorkflow(plainWf.id);
		// Wait until both URLs are registered.
		const probe = await n8n.callWebhook('GET', trig.webhookPath);
		if (probe.status !== 200) throw new Error(`trigger GET → ${probe.status}`);
		const probe2 = await n8n.callWebhook('POST', plainPath, { body: { warm: true } });
		if (probe2.status !== 200) throw new Error(`plain webhook → ${probe2.status}`);

		const triggerUrl = `${n8n.url}/webhook/${trig.webhookPath}`;
		const plainUrl = `${n8n.url}/webhook/${plainPath}`;
		const results = { trigger: [], plain: [] };
		const makeTrigger = (n, tag) => Array.from({ length: n }, () => () => smsrouteEvent(keys.test, tag));
		const makePlain = (n, tag) =>
			Array.from({ length: n }, () => () => ({ body: smsrouteEvent(keys.test, tag).body, headers: { 'content-type': 'application/json' } }));
		// Warm-up both.
		await fire(triggerUrl, makeTrigger(50, 'warm'), concurrency);
		await fire(plainUrl, makePlain(50, 'warm'), concurrency);
		for (let r = 0; r < rounds; r++) {
			for (const [name, url, make] of [
				['plain', plainUrl, makePlain],
				['trigger', triggerUrl, makeTrigger],
			]) {
				const burst = await fire(url, make(count, `${name[0]}${r}`), concurrency);
				results[name].push(burst);
				log(`  ${name} burst ${r + 1}: ${burst.perSecond.toFixed(1)}/s, p50 ${burst.p50.toFixed(0)} ms, p99 ${burst.p99.toFixed(0)} ms, ${JSON.stringify(burst.statuses)}`);
				onProgress({ results });
			}
		}
		// Every accepted event must have started one execution.
		const expected = 50 + rounds * count;
		let executions = [];
		const deadline = Date.now() + 300_000;
		while (Date.now() < deadline) {
			executions = await n8n.listExecutions(trigWf.id, { includeData: false });
			if (executions.length >= expected && executions.every((e) => e.finished || e.status !== 'running')) break;
			await new Promise((res) => setTimeout(res, 1000));
		}
		return {
			results,
			triggerExecutions: executions.length,
			triggerExecutionsSuccess: executions.filter((e) => e.status === 'success').length,
			expectedExecutions: expected,
		};
	} finally {
		await n8n.stop();
	}
}

/** In-process: parse + verify + normalize, as the trigger does per POST. */
function runMicroBench({ keys, n = 10_000 }) {
	const { verifySmsrouteSignature } = require(path.join(DIST, 'verify', 'smsrouteSignature.js'));
	const { normalizeSmsroute } = require(path.join(DIST, 'normalize.js'));
	const { parseRawBody } = require(path.join(DIST, 'parseBody.js'));
	const events = Array.from({ length: n }, () => {
		const e = smsrouteEvent(keys.test, 'micro');
		return { raw: Buffer.from(e.body), header: e.headers['x-smsroute-signature'] };
	});
	const keyList = [
		{ key: keys.test, livemode: false },
		{ key: keys.live, livemode: true },
	];
	const one = (e) => {
		const nowMs = Date.now();
		const v = verifySmsrouteSignature({ rawBody: e.raw, header: e.header, keys: keyList, toleranceSeconds: 300, nowMs });
		if (!v.ok) throw new Error(`verify failed: ${v.reason}`);
		const parsed = parseRawBody(e.raw, 'application/json');
		if (!parsed.ok) throw new Error(`parse failed: ${parsed.reason}`);
		const out = normalizeSmsroute(parsed.body, { livemode: false, receivedAt: new Date(nowMs) });
		if (!out.ok) throw new Error(`normalize failed: ${out.reason}`);
		return out;
	};
	for (let i = 0; i < Math.min(1000, n); i++) one(events[i]); // warm-up
	const t0 = performance.now();
	for (const e of events) one(e);
	const totalMs = performance.now() - t0;
	// Verification alone, for the split.
	const t1 = performance.now();
	for (const e of events) {
		verifySmsrouteSignature({ rawBody: e.raw, header: e.header, keys: keyList, toleranceSeconds: 300, nowMs: Date.now() });
	}
	const verifyMs = performance.now() - t1;
	return { n, usPerEvent: (totalMs * 1000) / n, verifyUsPerEvent: (verifyMs * 1000) / n, node: process.version };
}

module.exports = { runWebhookBench, runMicroBench, smsrouteEvent };
