'use strict';
/**
 * node test/bench/sendingWindow.js   (after npm run build)
 *
 * What the Sending Window adds per message: the guard of one run judging 100,000 messages whose
 * numbers spread over every US and Canadian area code in libphonenumber's map and 20 countries,
 * half of them deferred. Prints the time per message for a cold run (Intl formatters, table
 * decoding and verdicts made) and a warm one (a later run in the same n8n process).
 *
 * BENCH_SENDING_WINDOW_SIZE=100000  BENCH_SENDING_WINDOW=08:00-21:00
 */
const path = require('node:path');

const dist = path.join(__dirname, '..', '..', 'dist', 'nodes', 'SmsRoute');
const { sendingWindowGuard } = require(
	path.join(dist, 'sending', 'sendingWindow', 'sendingWindowGuard'),
);
const { estimateSegments } = require(path.join(dist, 'sending', 'encoding', 'segments'));

const SIZE = Number(process.env.BENCH_SENDING_WINDOW_SIZE || 100_000);
const WINDOW = process.env.BENCH_SENDING_WINDOW || '08:00-21:00';

const COUNTRIES = [
	'+4930',
	'+3314',
	'+3491',
	'+3906',
	'+4420',
	'+6121',
	'+5511',
	'+5592',
	'+8131',
	'+9111',
	'+7495',
	'+7383',
	'+5255',
	'+6221',
	'+7727',
	'+2711',
	'+2341',
	'+6562',
	'+9714',
	'+8621',
];

function numbers(size) {
	const list = [];
	for (let i = 0; list.length < size; i++) {
		const npa = 201 + (i % 790);
		list.push(
			i % 3 === 0
				? `${COUNTRIES[i % COUNTRIES.length]}${String(i).padStart(7, '0')}`
				: `+1${npa}${String(2000000 + i).slice(-7)}`,
		);
	}
	return list;
}

const guardrails = { sendingWindow: WINDOW };
const parameters = { operation: 'sendBulk', guardrails };
const context = {
	// n8n reads nested names with lodash get; these are the only ones the guard asks for.
	getNodeParameter: (name, _item, fallback) =>
		name.split('.').reduce((value, key) => value?.[key], parameters) ?? fallback,
	getNode: () => ({ name: 'SMS Route', type: 'n8n-nodes-smsroute.smsRoute', typeVersion: 1 }),
};
const estimate = estimateSegments('Reminder: tomorrow 10:00');
const messages = numbers(SIZE).map((to, itemIndex) => ({
	itemIndex,
	to,
	body: 'Reminder: tomorrow 10:00',
	idempotencyKey: `k${itemIndex}`,
	estimate,
}));

function run(label) {
	const started = process.hrtime.bigint();
	const guard = sendingWindowGuard(context, () => guardrails);
	let deferred = 0;
	let failed = 0;
	for (const message of messages) {
		try {
			if (guard(message)) deferred++;
		} catch {
			failed++; // a number whose zones never share the window: an error item in the node
		}
	}
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	console.log(
		`${label}: ${SIZE} messages in ${ms.toFixed(0)} ms = ${((ms * 1000) / SIZE).toFixed(2)} µs/message ` +
			`(${deferred} deferred, ${failed} errors, window ${WINDOW})`,
	);
}

run('cold');
run('warm');
