'use strict';
// Reading requests and writing JSON answers, shared by the API and the admin endpoints.

const MAX_REQUEST_BYTES = 20 * 1024 * 1024; // 1,000 x 1,600-char UCS-2 bodies fit comfortably

class HttpError extends Error {
	constructor(status, message, headers) {
		super(message);
		this.status = status;
		this.headers = headers;
	}
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (c) => {
			size += c.length;
			if (size > MAX_REQUEST_BYTES) {
				const err = new Error('request body too large');
				err.status = 413;
				reject(err);
				req.removeAllListeners('data');
				req.resume();
				return;
			}
			chunks.push(c);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function parseJson(text) {
	if (text.length === 0) throw new HttpError(400, 'request body must be JSON');
	try {
		return JSON.parse(text);
	} catch {
		throw new HttpError(400, 'invalid JSON body');
	}
}

function sendJson(res, status, body, headers) {
	if (res.destroyed || res.writableEnded) return;
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(text),
		...(headers || {}),
	});
	res.end(text);
}

module.exports = { HttpError, readBody, parseJson, sendJson };
