#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis server binaries are on this machine (the queue-mode e2e suite
# starts private copies of both, see test/e2e/services.js). Idempotent: when both are present it
# only looks (well under a second). When one is missing it installs Debian's packages, which
# needs root (CI runs as root); otherwise it says what to install and fails.
#
# Prints nothing but problems and install progress; exit 0 = both usable.
set -euo pipefail

have_postgres() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then return 0; fi
  done
  return 1
}
have_redis() { command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; }

missing=()
have_postgres || missing+=(postgresql)
have_redis || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "[services] missing: ${missing[*]}; install them (as root: apt-get update && apt-get install -y ${missing[*]})" >&2
  exit 1
fi

echo "[services] installing ${missing[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
# The packages' own services must not start (no init system in CI containers, and the suite
# runs its own instances on free ports): policy-rc.d answers "not allowed" while installing.
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  made_policy=1
fi
trap '[ "$made_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2

have_postgres || { echo "[services] postgresql installed but no initdb/postgres under /usr/lib/postgresql/*/bin" >&2; exit 1; }
have_redis || { echo "[services] redis-server installed but not on PATH" >&2; exit 1; }
