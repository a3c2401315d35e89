'use strict';
/**
 * Where the n8n runtime cache lives, keyed by its recipe.
 *
 * A cache built by an older installer once made CI green while every fresh machine failed, so a
 * folder's name carries a hash of everything that decides what ends up inside it: the installer
 * script, this file, the project's .npmrc, and the versions installed. Change any of them and the
 * next run builds a new folder from scratch instead of trusting the old one.
 *
 * Used by install-n8n.sh (`node recipe.js dir <n8n-version>`) and by n8n.js, so both agree.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const NODE24_VERSION = process.env.NODE24_VERSION || '24.21.0';
const CACHE = process.env.SMSROUTE_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-smsroute');
const RECIPE_FILES = [
	path.join(__dirname, 'install-n8n.sh'),
	__filename,
	path.join(ROOT, '.npmrc'),
];

function recipeHash(n8nVersion) {
	const h = crypto.createHash('sha256');
	for (const file of RECIPE_FILES) {
		h.update(file.slice(ROOT.length));
		h.update('\0');
		h.update(fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0));
		h.update('\0');
	}
	h.update(`n8n=${n8nVersion}\0node24=${NODE24_VERSION}\0`);
	return h.digest('hex').slice(0, 12);
}

/** The cache folder for one n8n version under the current recipe. */
function n8nDir(n8nVersion) {
	return path.join(CACHE, `n8n-${n8nVersion}-${recipeHash(n8nVersion)}`);
}

const NODE24_DIR = path.join(CACHE, `node-${NODE24_VERSION}`);

module.exports = { CACHE, NODE24_VERSION, NODE24_DIR, n8nDir, recipeHash };

if (require.main === module) {
	const [cmd, version] = process.argv.slice(2);
	if (cmd !== 'dir' || !version) {
		process.stderr.write('usage: node recipe.js dir <n8n-version>\n');
		process.exit(2);
	}
	process.stdout.write(`${n8nDir(version)}\n`);
}
