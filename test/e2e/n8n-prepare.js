'use strict';
/**
 * Getting an n8n user folder ready before n8n starts: the package built and linked in as a
 * community package, old run folders pruned, and no n8n downgrade on a folder.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const E2E_DIR = path.join(ROOT, '.n8n-e2e');

/**
 * Links the package as an installed community package:
 * <userFolder>/.n8n/nodes/package.json + node_modules/n8n-nodes-smsroute -> packageDir.
 * `extraDependencies`: other packages already linked beside it, kept in the manifest.
 */
function linkPackage(userFolder, packageDir = ROOT, extraDependencies = {}) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const modules = path.join(nodesDir, 'node_modules');
	fs.mkdirSync(modules, { recursive: true });
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const manifest = {
		name: 'installed-nodes',
		private: true,
		dependencies: { ...extraDependencies, [pkg.name]: pkg.version },
	};
	fs.writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
	const link = path.join(modules, pkg.name);
	fs.rmSync(link, { recursive: true, force: true });
	fs.symlinkSync(path.resolve(packageDir), link, 'dir');
	return link;
}

/**
 * Keeps the `keep` newest .n8n-e2e/<prefix>* folders (their n8n.log helps after a failure). A
 * folder whose log was written in the last hour is never removed: another test run may be using it.
 */
function pruneRunFolders(keep, prefix = 'run-') {
	const lastUse = (dir) => {
		let t = fs.statSync(dir).mtimeMs;
		try {
			t = Math.max(t, fs.statSync(path.join(dir, 'n8n.log')).mtimeMs);
		} catch {
			/* no log */
		}
		return t;
	};
	const parent = path.join(E2E_DIR, path.dirname(prefix));
	const base = path.basename(prefix);
	if (!fs.existsSync(parent)) return;
	const runs = fs
		.readdirSync(parent)
		.filter((name) => name.startsWith(base))
		.map((name) => ({ dir: path.join(parent, name), used: lastUse(path.join(parent, name)) }))
		.sort((a, b) => b.used - a.used);
	for (const { dir, used } of runs.slice(keep)) {
		if (Date.now() - used > 3600_000) fs.rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * n8n migrates its database forward only: a user folder an n8n 2.x has used cannot be opened by
 * 1.x. Records the version in the folder and refuses a downgrade with a clear message. A folder
 * with a database but no marker predates the marker: `unmarkedVersion` is what used it.
 */
function checkFolderVersion(userFolder, rt, unmarkedVersion) {
	const marker = path.join(userFolder, '.smsroute-n8n-version');
	let previous;
	try {
		previous = fs.readFileSync(marker, 'utf8').trim();
	} catch {
		/* new folder, or one from before the marker */
	}
	if (previous === undefined && fs.existsSync(path.join(userFolder, '.n8n', 'database.sqlite')))
		previous = unmarkedVersion;
	if (previous && Number(previous.split('.')[0]) > rt.major) {
		throw new Error(
			`${userFolder} holds the data of n8n ${previous}; n8n ${rt.version} cannot open it (delete the folder or use another one)`,
		);
	}
	fs.writeFileSync(marker, `${rt.version}\n`);
}

function checkBuilt(packageDir) {
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const files = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = files.filter((file) => !fs.existsSync(path.join(packageDir, file)));
	if (missing.length) {
		throw new Error(
			`the package is not built (missing ${missing.join(', ')}): run "npm run build" first`,
		);
	}
}

/**
 * The user folder for one n8n: the given one (emptied first when `fresh`), else a new
 * .n8n-e2e/run-<version>-* folder; with the package (SMSROUTE_E2E_PACKAGE_DIR, else this repo,
 * built) linked in, and `extraPackages` (folders of other community packages) beside it.
 * → { userFolder, packageDir }
 */
function prepareUserFolder({
	rt,
	userFolder,
	fresh,
	packageDir,
	unmarkedVersion,
	extraPackages = [],
}) {
	// SMSROUTE_E2E_PACKAGE_DIR: run the suite against another build of the package (e.g. a packed copy).
	const pkgDir = path.resolve(packageDir ?? process.env.SMSROUTE_E2E_PACKAGE_DIR ?? ROOT);
	checkBuilt(pkgDir);
	let folder = userFolder;
	let wipe = fresh;
	if (!folder) {
		fs.mkdirSync(E2E_DIR, { recursive: true });
		pruneRunFolders(5);
		folder = fs.mkdtempSync(path.join(E2E_DIR, `run-${rt.version}-`));
		wipe = false;
	}
	folder = path.resolve(folder);
	if (wipe) fs.rmSync(folder, { recursive: true, force: true });
	fs.mkdirSync(folder, { recursive: true });
	checkFolderVersion(folder, rt, unmarkedVersion);
	// Other packages (the bench's floor trigger) first: the manifest then names them all.
	const extra = {};
	for (const dir of extraPackages) {
		const { name, version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
		const link = path.join(folder, '.n8n', 'nodes', 'node_modules', name);
		fs.mkdirSync(path.dirname(link), { recursive: true });
		fs.rmSync(link, { recursive: true, force: true });
		fs.symlinkSync(path.resolve(dir), link, 'dir');
		extra[name] = version;
	}
	linkPackage(folder, pkgDir, extra);
	return { userFolder: folder, packageDir: pkgDir };
}

module.exports = { ROOT, E2E_DIR, linkPackage, pruneRunFolders, checkBuilt, prepareUserFolder };
