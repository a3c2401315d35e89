'use strict';
/**
 * A stand-in for an OpenAI-compatible chat model (POST …/chat/completions, no streaming) that
 * answers by script instead of thinking, on 127.0.0.1, for the AI Agent tests. The script rides
 * in the prompt, so one server serves every test: the first user message holds
 * `SCRIPT <json>` with `turns`, a list of turns, each a list of tool calls (`{ to, body }`, the
 * arguments of the only tool the agent offers). The model's n-th answer in a conversation asks
 * for turn n (n = how many of its earlier answers asked for tools: the agent sends the whole
 * conversation every time), then, once the turns are used up, answers "done". Streamed when the
 * request asks for a stream.
 *
 *   const model = await startScriptedChatModel();
 *   model.baseUrl   // http://127.0.0.1:<port>/v1, the OpenAI credential's Base URL
 *   model.requests  // every request body, in order
 *   model.failNext(1, { after: 1 })  // the request after the next one is answered 500
 *   await model.stop();
 */
const http = require('node:http');

const MARK = 'SCRIPT ';

/** The text of a chat message, whether content is a string or a list of parts. */
function textOf(message) {
	if (typeof message?.content === 'string') return message.content;
	if (Array.isArray(message?.content))
		return message.content
			.map((part) => (typeof part === 'string' ? part : (part?.text ?? '')))
			.join('');
	return '';
}

function scriptOf(messages) {
	for (const message of messages) {
		if (message.role !== 'user') continue;
		const text = textOf(message);
		const at = text.indexOf(MARK);
		if (at >= 0) return JSON.parse(text.slice(at + MARK.length).trim());
	}
	throw new Error('no SCRIPT in the conversation');
}

/** The completion for one request: the next turn's tool calls, or the final answer. */
function completionFor(body, counter) {
	const messages = Array.isArray(body.messages) ? body.messages : [];
	const script = scriptOf(messages);
	const turn = messages.filter(
		(m) => m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0,
	).length;
	const toolName = body.tools?.[0]?.function?.name;
	const calls = turn < script.turns.length ? script.turns[turn] : [];
	const message =
		calls.length > 0 && toolName
			? {
					role: 'assistant',
					content: null,
					tool_calls: calls.map((args, i) => ({
						id: `call_${turn}_${i}`,
						type: 'function',
						function: { name: toolName, arguments: JSON.stringify(args) },
					})),
				}
			: { role: 'assistant', content: 'done' };
	return {
		id: `chatcmpl-${counter}`,
		object: 'chat.completion',
		created: Math.floor(Date.now() / 1000),
		model: body.model ?? 'scripted',
		choices: [
			{
				index: 0,
				message,
				logprobs: null,
				finish_reason: message.tool_calls ? 'tool_calls' : 'stop',
			},
		],
		usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
	};
}

function readBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function send(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
	});
	res.end(text);
}

/**
 * The same completion as server-sent events, the way OpenAI streams it (the Tools Agent of AI
 * Agent 1.x asks for a stream): the message in one delta, the finish reason, the usage, [DONE].
 */
function sendStream(res, completion) {
	const { choices, usage, ...head } = completion;
	const { message, finish_reason: finishReason } = choices[0];
	const toolCalls = message.tool_calls?.map((call, index) => ({ index, ...call }));
	const chunk = (choice, extra = {}) =>
		`data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: choice ? [choice] : [], ...extra })}\n\n`;
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	res.write(
		chunk({
			index: 0,
			delta: {
				role: 'assistant',
				content: message.content ?? null,
				...(toolCalls ? { tool_calls: toolCalls } : {}),
			},
			finish_reason: null,
		}),
	);
	res.write(chunk({ index: 0, delta: {}, finish_reason: finishReason }));
	res.write(chunk(null, { usage }));
	res.end('data: [DONE]\n\n');
}

async function startScriptedChatModel() {
	const requests = [];
	let failing = 0;
	let passing = 0;
	const server = http.createServer(async (req, res) => {
		try {
			const raw = await readBody(req);
			if (req.method !== 'POST' || !req.url.endsWith('/chat/completions'))
				return send(res, 404, { error: { message: `no ${req.method} ${req.url} here` } });
			const body = JSON.parse(raw);
			requests.push(body);
			if (passing > 0) passing--;
			else if (failing > 0) {
				failing--;
				return send(res, 500, { error: { message: 'the scripted model is down' } });
			}
			const completion = completionFor(body, requests.length);
			if (body.stream) return sendStream(res, completion);
			return send(res, 200, completion);
		} catch (error) {
			return send(res, 500, { error: { message: String(error?.message ?? error) } });
		}
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address();
	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		/** The prompt that runs `turns` (see the file's comment). */
		prompt: (turns, text = 'Send the messages.') => `${text}\n${MARK}${JSON.stringify({ turns })}`,
		/** After `after` more requests, the next `count` are answered 500 (the model is down). */
		failNext: (count, { after = 0 } = {}) => {
			failing = count;
			passing = after;
		},
		stop: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

module.exports = { startScriptedChatModel, completionFor };
