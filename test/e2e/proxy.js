'use strict';
/**
 * A small round-robin HTTP proxy, the load balancer in front of n8n's webhook processes in the
 * queue-mode suite: each request goes to the next backend in turn, body streamed both ways.
 * It counts what each backend answered, so a test can show that both took a share.
 *
 *   const proxy = await startProxy({ backends: ['http://127.0.0.1:5679', 'http://127.0.0.1:5680'] });
 *   proxy.url; proxy.counts(); // [{ backend, requests, byStatus: { '200': n } }, …]
 *   await proxy.stop();
 *
 * A backend that cannot be reached answers 502 (the request is not retried on another one: a
 * webhook may already have run).
 */
const http = require('node:http');

async function startProxy({ backends, host = '127.0.0.1', port = 0 }) {
	if (!Array.isArray(backends) || backends.length === 0)
		throw new Error('startProxy: backends must be a non-empty list of URLs');
	const targets = backends.map((backend) => ({
		backend,
		url: new URL(backend),
		requests: 0,
		byStatus: {},
	}));
	// A fresh upstream connection per request: reusing an idle keep-alive socket races n8n closing
	// it (ECONNRESET on a request the backend never saw), which a test cannot tell from a lost event.
	const agent = new http.Agent({ keepAlive: false, maxSockets: 256 });
	let next = 0;

	const server = http.createServer((req, res) => {
		const target = targets[next];
		next = (next + 1) % targets.length;
		target.requests++;
		const count = (status) => {
			target.byStatus[status] = (target.byStatus[status] ?? 0) + 1;
		};
		const headers = {
			...req.headers,
			host: target.url.host,
			'x-forwarded-for': req.socket.remoteAddress ?? '',
		};
		const upstream = http.request(
			{
				host: target.url.hostname,
				port: target.url.port,
				method: req.method,
				path: req.url,
				headers,
				agent,
			},
			(answer) => {
				count(String(answer.statusCode));
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', (error) => {
			count('502');
			if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ error: `proxy: ${target.backend}: ${error.message}` }));
		});
		req.pipe(upstream);
	});
	server.keepAliveTimeout = 5000;
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
	const address = server.address();
	return {
		url: `http://${host}:${address.port}`,
		port: address.port,
		counts: () =>
			targets.map(({ backend, requests, byStatus }) => ({
				backend,
				requests,
				byStatus: { ...byStatus },
			})),
		reset() {
			for (const t of targets) {
				t.requests = 0;
				t.byStatus = {};
			}
		},
		async stop() {
			agent.destroy();
			server.closeAllConnections?.();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

module.exports = { startProxy };
