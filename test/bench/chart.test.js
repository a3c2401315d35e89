'use strict';
// The benchmark charts (docs/benchmarks/*.svg) must be well-formed SVG, draw exactly one bar per
// measured arm, scale bars by value, and take whatever arms and engines the results hold.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { barChart, bulkChart, webhookChart, webhookSeries, writeCharts } = require('./chart');

const ROOT = path.join(__dirname, '..', '..');
const results = JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'));

/** Well-formedness without an XML parser: balanced tags, escaped text, no NaN/undefined. */
function assertWellFormed(svg) {
	expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" ')).toBe(true);
	expect(svg).not.toMatch(/NaN|undefined|Infinity|null/);
	expect(svg).not.toMatch(/&(?!(amp|lt|gt|quot);)/);
	const stack = [];
	for (const [, close, name, , selfClosing] of svg.matchAll(
		/<(\/?)([a-zA-Z]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g,
	)) {
		if (selfClosing) continue;
		if (close) expect(stack.pop()).toBe(name);
		else stack.push(name);
	}
	expect(stack).toEqual([]);
	// Every tag was matched by the pattern above (no stray '<').
	expect(svg.replace(/<(\/?)([a-zA-Z]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g, '')).not.toContain(
		'<',
	);
}

const rects = (svg) =>
	[
		...svg.matchAll(
			/<rect class="bar" data-key="([^"]*)" data-value="([^"]*)" x="([^"]*)" y="[^"]*" width="([^"]*)"/g,
		),
	].map(([, key, value, x, width]) => ({
		key,
		value: Number(value),
		x: Number(x),
		width: Number(width),
	}));

const burst = (perSecond, p99 = 1000) => ({
	count: 1000,
	concurrency: 20,
	wallMs: 1e6 / perSecond,
	perSecond,
	p99,
});

describe('bulk chart from test/bench/results.json', () => {
	const svg = bulkChart(results);

	test('is well-formed SVG with a title', () => {
		assertWellFormed(svg);
		expect(svg).toContain('<title>Bulk send: wall time per variant (lower is better)</title>');
	});

	test('one bar per variant and size in the results', () => {
		const bars = rects(svg);
		expect(bars).toHaveLength(results.bulk.length);
		expect(bars.map((b) => b.value).sort()).toEqual(results.bulk.map((r) => r.wallMs).sort());
		for (const size of new Set(results.bulk.map((r) => r.size))) {
			expect(svg).toContain(`${size.toLocaleString('en-US')} messages`);
		}
	});

	test('log scale: a 10× longer time is one decade longer, and order is kept', () => {
		const bars = rects(svg);
		const perDecade = (a, b) => (b.width - a.width) / Math.log10(b.value / a.value);
		const [first, ...rest] = bars;
		for (const b of rest)
			if (b.value !== first.value)
				expect(perDecade(first, b)).toBeCloseTo(perDecade(bars[0], bars[1]), 0);
		const byValue = [...bars].sort((a, b) => a.value - b.value);
		for (let i = 1; i < byValue.length; i++)
			expect(byValue[i].width).toBeGreaterThanOrEqual(byValue[i - 1].width);
		expect(svg).toContain('log scale');
	});

	test('a projected figure is drawn differently and says so', () => {
		const projected = results.bulk.find((r) => r.projected);
		expect(projected).toBeDefined();
		expect(svg).toMatch(new RegExp(`data-value="${projected.wallMs}"[^>]*stroke-dasharray`));
		expect(svg).toContain('(projected)');
	});
});

describe('webhook chart', () => {
	test("today's results (each arm under each engine, concurrency 10 and 20): one bar per arm and engine at the lowest concurrency, total events / total wall time", () => {
		const svg = webhookChart(results);
		assertWellFormed(svg);
		const bars = rects(svg);
		const w = results.webhooks;
		const lowest = Math.min(...w.config.concurrencies);
		const engines = w.config.engines.map((e) => e.name);
		// The arms the run measured (issue 32's run: plain, floor, trigger).
		const arms = Object.keys(w.results).filter((arm) => w.results[arm].length > 0);
		expect(bars).toHaveLength(engines.length * arms.length);
		expect(bars.map((b) => b.key).sort()).toEqual(engines.flatMap(() => arms).sort());
		// Bars come engine by engine in config order; each is that engine's rate at the lowest concurrency.
		bars.forEach((b, i) => {
			const engine = engines[Math.floor(i / arms.length)];
			const bursts = w.results[b.key].filter(
				(r) => r.engine === engine && r.concurrency === lowest,
			);
			const rate =
				bursts.reduce((a, r) => a + r.count, 0) / (bursts.reduce((a, r) => a + r.wallMs, 0) / 1000);
			expect(b.value).toBeCloseTo(rate, 6);
		});
		expect(svg).toContain('engine: default');
		expect(svg).toContain(`at concurrency ${lowest}`);
	});

	test('three arms under three engines: nine bars, linear widths proportional to events/s', () => {
		const webhooks = {
			engines: {
				default: {
					results: { plain: [burst(20)], handBuilt: [burst(18)], trigger: [burst(19), burst(17)] },
				},
				lazyAcquire: {
					results: { plain: [burst(40)], handBuilt: [burst(35)], trigger: [burst(38)] },
				},
				legacy: { results: { plain: [burst(12)], handBuilt: [burst(11)], trigger: [burst(8)] } },
			},
		};
		const svg = webhookChart({ webhooks });
		assertWellFormed(svg);
		const bars = rects(svg);
		expect(bars).toHaveLength(9);
		for (const engine of ['engine: default', 'engine: lazy acquire', 'engine: legacy'])
			expect(svg).toContain(engine);
		expect(svg).toContain('hand-built verification');
		const pxPerUnit = bars[0].width / bars[0].value;
		for (const b of bars) expect(b.width / b.value).toBeCloseTo(pxPerUnit, 1);
		// Two trigger bursts under default: 2,000 events over 1000/19 + 1000/17 s.
		expect(bars.find((b) => b.key === 'trigger').value).toBeCloseTo(
			2000 / (1000 / 19 + 1000 / 17),
			6,
		);
	});

	test('bursts naming their own engine and arm are grouped by those', () => {
		const series = webhookSeries({
			runs: [
				{ engine: 'legacy', arm: 'plain', ...burst(5) },
				{ engine: 'legacy', arm: 'plain', ...burst(7) },
				{ engine: 'lazy', arm: 'trigger', ...burst(9) },
			],
		});
		expect(series.map((s) => [s.engine, s.arm, s.bursts.length])).toEqual([
			['legacy', 'plain', 2],
			['lazy', 'trigger', 1],
		]);
	});

	test('engines listed as objects with an engine field, other spellings: grouped and ordered default, lazy acquire, legacy', () => {
		const webhooks = {
			runs: [
				{
					engine: 'legacy',
					results: { trigger: [burst(8)], 'hand-built': [burst(11)], plain: [burst(12)] },
				},
				{ engine: 'lazy-acquire', results: { trigger: [burst(38)], plain: [burst(40)] } },
				{ engine: 'default', results: { plain: [burst(20)], trigger: [burst(19)] } },
			],
		};
		const svg = webhookChart({ webhooks });
		assertWellFormed(svg);
		const order = [...svg.matchAll(/>engine: ([^<]+)</g)].map((m) => m[1]);
		expect(order).toEqual(['default', 'lazy acquire', 'legacy']);
		// Within a group: plain, hand-built, then ours; ours keeps one colour everywhere.
		const bars = rects(svg);
		expect(bars.map((b) => b.key)).toEqual([
			'plain',
			'trigger',
			'plain',
			'trigger',
			'plain',
			'hand-built',
			'trigger',
		]);
		const fill = (key) =>
			new Set(
				[...svg.matchAll(new RegExp(`data-key="${key}"[^>]* fill="(#[0-9a-f]+)"`, 'g'))].map(
					(m) => m[1],
				),
			);
		expect(fill('trigger').size).toBe(1);
		expect(fill('plain').size).toBe(1);
		expect([...fill('trigger')]).not.toEqual([...fill('plain')]);
		expect(svg).toMatch(/font-weight="bold">SMS Route Trigger \(ours\)</);
	});

	test('no webhook results: no chart', () => {
		expect(webhookChart({})).toBeNull();
		expect(webhookChart({ webhooks: { results: { plain: [], trigger: [] } } })).toBeNull();
	});
});

describe('barChart', () => {
	test('labels are escaped, a missing value gets no bar, long labels widen the label column', () => {
		const svg = barChart({
			title: 'A <b> & "c"',
			groups: [
				{
					label: 'g',
					bars: [
						{ key: '<k>', label: 'x & <y>', value: 3 },
						{ key: 'm', label: 'missing', value: null },
						{ key: 'n', label: 'n'.repeat(60), value: 6 },
					],
				},
			],
			scale: 'linear',
		});
		assertWellFormed(svg);
		expect(svg).toContain('x &amp; &lt;y&gt;');
		const bars = rects(svg);
		expect(bars).toHaveLength(2);
		expect(svg).toContain('– not measured');
		expect(bars[1].width / bars[0].width).toBeCloseTo(2, 1);
		// Bars start right of the widest label (7+ px per character at 12 px).
		expect(bars[0].x).toBeGreaterThan(60 * 7);
	});
});

describe('writeCharts', () => {
	test('writes the charts the results have data for, and only those', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'charts-'));
		try {
			expect(Object.keys(writeCharts(results, dir)).sort()).toEqual(['bulk', 'webhooks']);
			expect(fs.readFileSync(path.join(dir, 'bulk.svg'), 'utf8')).toBe(bulkChart(results));
			fs.rmSync(dir, { recursive: true });
			expect(writeCharts({ bulk: [] }, dir)).toEqual({});
			expect(fs.readdirSync(dir)).toEqual([]);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	test('docs/benchmarks/*.svg and BENCHMARKS.md links match test/bench/results.json', () => {
		expect(fs.readFileSync(path.join(ROOT, 'docs/benchmarks/bulk.svg'), 'utf8')).toBe(
			bulkChart(results),
		);
		expect(fs.readFileSync(path.join(ROOT, 'docs/benchmarks/webhooks.svg'), 'utf8')).toBe(
			webhookChart(results),
		);
		const md = fs.readFileSync(path.join(ROOT, 'BENCHMARKS.md'), 'utf8');
		expect(md).toContain('](docs/benchmarks/bulk.svg)');
		expect(md).toContain('](docs/benchmarks/webhooks.svg)');
	});
});
