#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs every test.
# This is the README's test command and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use, installed only when missing. postgresql: the PostgreSQL store
# tests run initdb/pg_ctl from /usr/lib/postgresql/*/bin into a temp dir (test/store/pg-cluster.ts);
# no system-wide server has to run. mariadb-server: the CDR-from-MySQL tests start a throwaway
# mariadbd the same way (test/cdr/mariadb-server.ts); ~27 s to install, ~1.5 s to init + start.
APT_PACKAGES=(ffmpeg chromium postgresql mariadb-server)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
  echo "test-all: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "test-all: npm ci"
npm ci --no-audit --no-fund --loglevel=error
echo "test-all: build, lint, typecheck"
npm run --silent build
npm run --silent lint
npm run --silent typecheck
echo "test-all: tests"
npm test
