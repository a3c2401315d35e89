'use strict';
// Samples the resident memory (VmRSS) of a process and all its descendants from /proc.
const fs = require('node:fs');

function childrenOf(pid) {
	const out = [];
	let tasks = [];
	try {
		tasks = fs.readdirSync(`/proc/${pid}/task`);
	} catch {
		return out;
	}
	for (const tid of tasks) {
		try {
			const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
			if (text) out.push(...text.split(/\s+/).map(Number));
		} catch {
			/* gone */
		}
	}
	return out;
}

function rssKb(pid) {
	try {
		const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) : 0;
	} catch {
		return 0;
	}
}

/** RSS of pid + all descendants, in bytes. */
function treeRss(pid) {
	let total = 0;
	const stack = [pid];
	const seen = new Set();
	while (stack.length) {
		const p = stack.pop();
		if (seen.has(p)) continue;
		seen.add(p);
		total += rssKb(p);
		stack.push(...childrenOf(p));
	}
	return total * 1024;
}

/** Starts sampling every intervalMs; stop() → {peak, samples}. */
function sampleRss(pid, intervalMs = 100) {
	let peak = treeRss(pid);
	let samples = 1;
	const timer = setInterval(() => {
		const v = treeRss(pid);
		samples++;
		if (v > peak) peak = v;
	}, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			const v = treeRss(pid);
			if (v > peak) peak = v;
			return { peak, samples: samples + 1 };
		},
	};
}

/** Idle baseline: the median of a few samples. */
async function baselineRss(pid, count = 5, intervalMs = 100) {
	const values = [];
	for (let i = 0; i < count; i++) {
		values.push(treeRss(pid));
		await new Promise((r) => setTimeout(r, intervalMs));
	}
	values.sort((a, b) => a - b);
	return values[Math.floor(values.length / 2)];
}

module.exports = { treeRss, sampleRss, baselineRss };
