'use strict';
// Re-renders BENCHMARKS.md from test/bench/results.json (e.g. after editing ANALYSIS.md).
const fs = require('node:fs');
const path = require('node:path');
const { renderReport } = require('./report');

const results = JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'));
fs.writeFileSync(path.join(__dirname, '..', '..', 'BENCHMARKS.md'), renderReport(results));
