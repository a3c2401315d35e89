/**
 * A tiny programmable HTTP server for responses the sandbox never gives: redirects, malformed
 * 2xx bodies, trickled bytes, echoed keys. Each test sets `handle`; every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
}

export type Handler = (request: RecordedRequest, res: ServerResponse) => void;

export interface HostileServer {
	origin: string;
	requests: RecordedRequest[];
	handle: Handler;
	stop(): Promise<void>;
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = JSON.stringify(body);
	res.writeHead(status, { 'content-type': 'application/json', ...headers });
	res.end(text);
}

export async function startHostileServer(): Promise<HostileServer> {
	const state: HostileServer = {
		origin: '',
		requests: [],
		handle: (_request, res) => sendJson(res, 500, { error: 'no handler set' }),
		stop: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const request = {
				method: req.method ?? '',
				url: req.url ?? '',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			};
			state.requests.push(request);
			state.handle(request, res);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return state;
}
