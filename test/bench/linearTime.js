'use strict';
/**
 * Readers of user text at 20,000 to 200,000 characters (issue 33), on the built dist/: the time
 * of the worst adversarial shape per reader (median of 5). The test
 * (test/unit/nodes/SmsRoute/linearTime.test.ts) checks the growth; this gives the figures.
 * Goal: under 50 ms at 200,000 characters.
 *
 *   node test/bench/linearTime.js [distDir]
 */
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const LENGTHS = [20_000, 40_000, 100_000, 200_000];
const ROUNDS = 5;

const repeat =
	(unit, prefix = '', suffix = '') =>
	(length) =>
		`${prefix}${unit.repeat(Math.ceil(length / unit.length))}`.slice(0, length - suffix.length) +
		suffix;
const SHAPES = {
	'unclosed (': repeat('mobile ', '+44 7400 123456 ('),
	'[ runs': repeat('['),
	digits: repeat('7'),
	'alternating separators': repeat('1 ,;\t'),
	spaces: repeat(' ', '1', 'x'),
	slashes: repeat('/', 'https://a', 'b'),
	'notes with commas': repeat('(a, b) '),
};

function readers(dist) {
	const base = path.join(dist, 'nodes/SmsRoute');
	const { readOptOuts } = require(path.join(base, 'sending/guards/doNotSendTo.js'));
	const { readPhoneNumber } = require(path.join(base, 'sending/numbers/phoneNumber.js'));
	const { parseForm } = require(path.join(base, 'shared/events/parseBody.js'));
	return {
		'Do Not Send To, one entry': (text) => readOptOuts([text], 'GB'),
		'Do Not Send To, as text': (text) => readOptOuts(text, 'GB'),
		To: (text) => readPhoneNumber(text, 'GB'),
		'a form webhook body': (text) => parseForm(`${text}=1`),
	};
}

const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];

function timeOf(read, text) {
	const times = [];
	for (let round = 0; round < ROUNDS; round++) {
		const started = performance.now();
		read(text);
		times.push(performance.now() - started);
	}
	return median(times);
}

function main() {
	const dist = path.resolve(process.argv[2] || path.join(__dirname, '../../dist'));
	const loadAtStart = os.loadavg()[0];
	const result = { lengths: LENGTHS, rounds: ROUNDS, unclosed: {}, worst: {} };
	const all = readers(dist);
	for (const length of LENGTHS)
		result.unclosed[length] = timeOf(
			all['Do Not Send To, one entry'],
			SHAPES['unclosed ('](length),
		);
	for (const [reader, read] of Object.entries(all)) {
		let worst = { ms: -1 };
		for (const [shape, make] of Object.entries(SHAPES)) {
			const ms = timeOf(read, make(200_000));
			if (ms > worst.ms) worst = { shape, ms };
		}
		result.worst[reader] = worst;
	}
	result.loadAverage = { start: loadAtStart, end: os.loadavg()[0] };
	process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main();
