'use strict';
/**
 * The e2e harness's HTTP client and port helpers (127.0.0.1 only).
 */
const net = require('node:net');
const { request, Agent } = require('undici');

// Long enough for a 10,000-message bulk send answered through a webhook.
const httpAgent = new Agent({ headersTimeout: 15 * 60_000, bodyTimeout: 15 * 60_000 });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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
 * A small HTTP client; JSON in, JSON (or text) out → {status, headers, text, body}. Never follows
 * redirects. `fresh`: a connection of its own, closed after the answer (no keep-alive reuse).
 */
async function http(method, url, { body, headers = {}, fresh = false } = {}) {
	const init = {
		method,
		headers: { accept: 'application/json', ...headers },
		dispatcher: httpAgent,
		reset: fresh,
	};
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
	return { status: res.statusCode, headers: res.headers, text, body: json ?? text };
}

function expectOk(res, what) {
	if (res.status < 200 || res.status >= 300) {
		const err = new Error(`${what} → HTTP ${res.status}: ${res.text.slice(0, 2000)}`);
		err.response = res;
		throw err;
	}
	return res.body;
}

module.exports = { http, expectOk, sleep, freePort, isPortFree };
