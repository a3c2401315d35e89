'use strict';
/**
 * SVG bar charts of the benchmark results (test/bench/results.json), for BENCHMARKS.md and the
 * README. Plain string building: no dependency. Called by report.js on every `npm run bench`;
 * `node test/bench/chart.js` re-renders them from the saved results.
 *
 * Charts take whatever the results hold: bulk variants (any, per size) and webhook arms under any
 * engine settings. Horizontal bars, because the labels are long.
 */
const fs = require('node:fs');
const path = require('node:path');

const OUT_DIR = path.join(__dirname, '..', '..', 'docs', 'benchmarks');

const FONT = 'DejaVu Sans, Verdana, Helvetica, Arial, sans-serif';
// Text is measured by estimate (no font metrics here): generous per-character widths at 12 px,
// so a wider viewer font still fits.
const CHAR_W = 7.4;
const BOLD_CHAR_W = 8.2;
const BAR_H = 18;
const ROW_H = 26;
const GROUP_HEAD_H = 26;
const PALETTE = [
	'#2563eb',
	'#ea580c',
	'#16a34a',
	'#9333ea',
	'#0891b2',
	'#ca8a04',
	'#db2777',
	'#4b5563',
];

const esc = (s) =>
	String(s)
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
const round = (n) => Math.round(n * 10) / 10;

/** Duration label: 868 ms, 7.80 s, 67.2 s, 672 s. */
const formatMs = (ms) =>
	ms < 1000
		? `${ms.toFixed(0)} ms`
		: ms < 10_000
			? `${(ms / 1000).toFixed(2)} s`
			: ms < 100_000
				? `${(ms / 1000).toFixed(1)} s`
				: `${(ms / 1000).toFixed(0)} s`;
/** Axis label for a whole-decade tick: 100 ms, 1 s, 10 s, 1,000 s. */
const tickMs = (ms) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toLocaleString('en-US')} s`);
const formatRate = (v) => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} events/s`;

/** Axis: linear from 0, or log between whole decades around the data. */
function makeScale(values, kind) {
	const finite = values.filter((v) => Number.isFinite(v) && v > 0);
	const max = finite.length ? Math.max(...finite) : 1;
	const min = finite.length ? Math.min(...finite) : 1;
	const log = kind === 'log' || (kind === 'auto' && max / min > 30);
	if (log) {
		let lo = 10 ** Math.floor(Math.log10(min));
		if (min / lo < 2) lo /= 10; // keep the smallest bar visible
		const hi = 10 ** Math.ceil(Math.log10(max));
		const ticks = [];
		for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(t);
		return {
			log: true,
			ticks,
			frac: (v) => (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)),
		};
	}
	const rawStep = max / 5;
	const mag = 10 ** Math.floor(Math.log10(rawStep));
	const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= rawStep);
	const hi = Math.ceil(max / step) * step;
	const ticks = [];
	for (let t = 0; t <= hi * 1.0001; t += step) ticks.push(t);
	return { log: false, ticks, frac: (v) => v / hi };
}

/**
 * groups: [{ label, bars: [{ key, label, value, text, projected, ours }] }]; a bar whose value is
 * not a positive number is listed with "–" and no bar. Bars with the same key share a colour.
 */
function barChart({ title, subtitle, groups, scale = 'auto', tickLabel = String, width = 820 }) {
	const bars = groups.flatMap((g) => g.bars);
	const s = makeScale(
		bars.map((b) => b.value),
		scale,
	);
	const colours = new Map();
	// Ours first, so it is always the first colour.
	for (const b of [...bars.filter((b) => b.ours), ...bars])
		if (!colours.has(b.key)) colours.set(b.key, PALETTE[colours.size % PALETTE.length]);

	const labelW = Math.ceil(
		Math.max(...bars.map((b) => b.label.length * (b.ours ? BOLD_CHAR_W : CHAR_W)), 80),
	);
	const valueW = Math.ceil(Math.max(...bars.map((b) => (b.text ?? '').length * CHAR_W), 40)) + 12;
	const pad = 16;
	const x0 = pad + labelW + 10;
	const plotW = width - x0 - valueW - pad;
	if (plotW < 200)
		return barChart({ title, subtitle, groups, scale, tickLabel, width: width + (200 - plotW) });

	const out = [];
	let y = pad + 18;
	out.push(`<text x="${pad}" y="${y}" font-size="16" font-weight="bold">${esc(title)}</text>`);
	if (subtitle) {
		y += 20;
		out.push(`<text x="${pad}" y="${y}" font-size="12" fill="#4b5563">${esc(subtitle)}</text>`);
	}
	y += 14;
	const plotTop = y;
	for (const group of groups) {
		y += GROUP_HEAD_H;
		out.push(
			`<text x="${pad}" y="${y - 8}" font-size="13" font-weight="bold" fill="#111827">${esc(group.label)}</text>`,
		);
		for (const bar of group.bars) {
			const mid = y + ROW_H / 2;
			const weight = bar.ours ? ' font-weight="bold"' : '';
			out.push(
				`<text x="${x0 - 10}" y="${mid + 4}" font-size="12" text-anchor="end"${weight}>${esc(bar.label)}</text>`,
			);
			if (Number.isFinite(bar.value) && bar.value > 0) {
				const w = Math.max(2, s.frac(bar.value) * plotW);
				const colour = colours.get(bar.key);
				const look = bar.projected
					? `fill="${colour}" fill-opacity="0.35" stroke="${colour}" stroke-dasharray="4 3"`
					: `fill="${colour}"`;
				out.push(
					`<rect class="bar" data-key="${esc(bar.key)}" data-value="${bar.value}" x="${x0}" y="${round(mid - BAR_H / 2)}" width="${round(w)}" height="${BAR_H}" ${look}/>`,
				);
				out.push(
					`<text x="${round(x0 + w + 6)}" y="${mid + 4}" font-size="12"${weight}>${esc(bar.text ?? String(bar.value))}</text>`,
				);
			} else {
				out.push(
					`<text x="${x0 + 6}" y="${mid + 4}" font-size="12" fill="#6b7280">– not measured</text>`,
				);
			}
			y += ROW_H;
		}
	}
	const plotBottom = y + 6;
	// Grid lines and tick labels under the bars.
	const grid = [];
	for (const t of s.ticks) {
		const x = round(x0 + s.frac(t) * plotW);
		grid.push(`<line x1="${x}" y1="${plotTop}" x2="${x}" y2="${plotBottom}" stroke="#e5e7eb"/>`);
		grid.push(
			`<text x="${x}" y="${plotBottom + 16}" font-size="11" fill="#4b5563" text-anchor="middle">${esc(tickLabel(t))}</text>`,
		);
	}
	grid.push(`<line x1="${x0}" y1="${plotTop}" x2="${x0}" y2="${plotBottom}" stroke="#9ca3af"/>`);
	const height = plotBottom + 16 + pad;
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" font-family="${FONT}" fill="#111827">`,
		`<title>${esc(title)}</title>`,
		// Opaque background: readable on GitHub's dark theme too.
		`<rect width="${width}" height="${height}" fill="#ffffff" rx="6"/>`,
		...grid,
		...out,
		'</svg>',
		'',
	].join('\n');
}

const humanize = (key) =>
	key
		.replace(/([a-z])([A-Z])/g, '$1 $2')
		.replace(/[_-]+/g, ' ')
		.toLowerCase();
const ordered = (keys, preferred) => [
	...preferred.filter((k) => keys.includes(k)),
	...keys.filter((k) => !preferred.includes(k)),
];

const BULK_LABEL = {
	smsroute: 'SMS Route · Send in Bulk (ours)',
	smsrouteGuarded: 'SMS Route · Send in Bulk, every guard on (ours)',
	smsrouteCampaign: 'SMS Route · Send in Bulk, Campaign ID (ours)',
	httpRequest: '(a) HTTP Request node, per item',
	rawUndici: '(b) raw undici, same bulk bodies',
	noOp: '(c) No Operation node (n8n floor)',
};

/** Bulk wall time per variant, one group per size. */
function bulkChart(results) {
	const rows = results.bulk ?? [];
	if (!rows.length) return null;
	const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
	const variants = ordered([...new Set(rows.map((r) => r.variant))], Object.keys(BULK_LABEL));
	const groups = sizes.map((size) => ({
		label: `${size.toLocaleString('en-US')} messages`,
		bars: variants
			.map((v) => rows.find((r) => r.size === size && r.variant === v))
			.filter(Boolean)
			.map((r) => ({
				key: r.variant,
				label: BULK_LABEL[r.variant] ?? humanize(r.variant),
				value: r.wallMs,
				text: `${formatMs(r.wallMs)}${r.projected ? ' (projected)' : ''}`,
				projected: !!r.projected,
				ours: r.variant.startsWith('smsroute'),
			})),
	}));
	const c = results.config ?? {};
	return barChart({
		title: 'Bulk send: wall time per variant (lower is better)',
		subtitle: `Real n8n ${results.machine?.n8nVersion ?? ''}, sandbox ${c.latencyMs} ms/request, concurrency ${c.concurrency}; log scale`,
		groups,
		scale: 'log',
		tickLabel: tickMs,
	});
}

// Arm and engine names are matched loosely, so the chart reads well whatever run.js calls them
// (handBuilt, hand-built, verify…); anything unmatched is shown as its own name, after these.
const ARMS = [
	{ match: /plain|^webhook(node)?$/i, label: 'Webhook node (plain)' },
	{ match: /hand|verif|manual|code|crypto/i, label: 'hand-built verification' },
	{ match: /floor/i, label: 'do-nothing community trigger' },
	{ match: /trigger|smsroute/i, label: 'SMS Route Trigger (ours)', ours: true },
];
const ENGINES = [
	{ match: /^default$/i, label: 'default' },
	{ match: /lazy/i, label: 'lazy acquire' },
	{ match: /legacy/i, label: 'legacy' },
];
const known = (table, key) => table.findIndex((t) => t.match.test(key));
const describe = (table, key) => table[known(table, key)] ?? { label: humanize(key) };
const byTable = (table) => (a, b) => (known(table, a) + 1 || 99) - (known(table, b) + 1 || 99);

const CONTAINERS = new Set(['results', 'engines', 'arms', 'runs', 'bursts']);
const isBurst = (r) =>
	r && typeof r === 'object' && Number.isFinite(r.count) && Number.isFinite(r.wallMs);

/**
 * Every list of bursts under results.webhooks, as {engine, arm, bursts}. Bursts may name their
 * `engine` and `arm`; otherwise an enclosing object's `engine` field or the path names them: the
 * key holding the list is the arm, the key before it the engine (webhooks.results.plain →
 * default/plain; webhooks.engines.lazy.results.trigger → lazy/trigger).
 */
function webhookSeries(webhooks) {
	const series = new Map();
	const add = (engine, arm, burst) => {
		const k = `${engine}\u0000${arm}`;
		if (!series.has(k)) series.set(k, { engine, arm, bursts: [] });
		series.get(k).bursts.push(burst);
	};
	const walk = (node, keys, engine) => {
		if (Array.isArray(node) && node.some(isBurst)) {
			const names = keys.filter((k) => !CONTAINERS.has(k));
			const pathEngine = engine ?? (names.length > 1 ? names[names.length - 2] : 'default');
			for (const b of node.filter(isBurst))
				add(b.engine ?? pathEngine, b.arm ?? names[names.length - 1] ?? 'webhook', b);
		} else if (node && typeof node === 'object') {
			const here = typeof node.engine === 'string' ? node.engine : engine;
			for (const [k, v] of Object.entries(node))
				if (!k.startsWith('_')) walk(v, Array.isArray(node) ? keys : [...keys, k], here);
		}
	};
	walk(webhooks, [], undefined);
	return [...series.values()];
}

/** Webhook events/s per arm (all bursts: total events / total wall time), one group per engine. */
function webhookChart(results) {
	let series = webhookSeries(results.webhooks ?? null);
	if (!series.length) return null;
	// Bursts at several concurrencies: chart the lowest (as issue 11's comparison); the report's
	// table has the others. Mixing them would average unlike loads into one bar.
	const levels = [
		...new Set(series.flatMap((s) => s.bursts.map((b) => b.concurrency)).filter(Number.isFinite)),
	];
	if (levels.length > 1) {
		const lowest = Math.min(...levels);
		series = series
			.map((s) => ({ ...s, bursts: s.bursts.filter((b) => b.concurrency === lowest) }))
			.filter((s) => s.bursts.length);
	}
	const engines = [...new Set(series.map((s) => s.engine))].sort(byTable(ENGINES));
	const arms = [...new Set(series.map((s) => s.arm))].sort(byTable(ARMS));
	const groups = engines.map((engine) => ({
		label: `engine: ${describe(ENGINES, engine).label}`,
		bars: arms
			.map((arm) => series.find((s) => s.engine === engine && s.arm === arm))
			.filter(Boolean)
			.map(({ arm, bursts }) => {
				const value =
					bursts.reduce((a, b) => a + b.count, 0) /
					(bursts.reduce((a, b) => a + b.wallMs, 0) / 1000);
				const p99 = Math.max(...bursts.map((b) => b.p99).filter(Number.isFinite));
				const { label, ours = false } = describe(ARMS, arm);
				return {
					key: arm,
					label,
					value,
					ours,
					text: `${formatRate(value)}${Number.isFinite(p99) ? ` · p99 ${formatMs(p99)}` : ''}`,
				};
			}),
	}));
	const first = series[0].bursts[0];
	const at = Number.isFinite(first.concurrency) ? ` at concurrency ${first.concurrency}` : '';
	return barChart({
		title: 'Webhooks: signed events per second (higher is better)',
		subtitle: `${first.count.toLocaleString('en-US')} events per burst${at}, real n8n ${results.machine?.n8nVersion ?? ''}; all bursts`,
		groups,
		scale: 'linear',
		tickLabel: (t) => `${t}/s`,
	});
}

/** Writes the charts the results have data for; returns { name: path relative to the repo }. */
function writeCharts(results, dir = OUT_DIR) {
	fs.mkdirSync(dir, { recursive: true });
	const written = {};
	for (const [name, render] of [
		['bulk', bulkChart],
		['webhooks', webhookChart],
	]) {
		const svg = render(results);
		if (!svg) continue;
		const file = path.join(dir, `${name}.svg`);
		fs.writeFileSync(file, svg);
		written[name] = path
			.relative(path.join(__dirname, '..', '..'), file)
			.split(path.sep)
			.join('/');
	}
	return written;
}

if (require.main === module) {
	const results = JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'));
	console.log(writeCharts(results));
}

module.exports = { barChart, bulkChart, webhookChart, webhookSeries, writeCharts, makeScale };
