#!/usr/bin/env bash
# Measures issue 7's promise: the README's demo command, on a clean clone, serves the panel within 30 s.
# Clones the current commit into a temporary folder, runs scripts/demo.sh there with an EMPTY npm
# cache (so every package is downloaded, as on a fresh machine), and reports when the panel's login
# page answers. Usage: scripts/measure-demo.sh [PORT]   (default 18080). Not a test: a measurement.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
port="${1:-18080}"
work="$(mktemp -d /tmp/ab24-measure-demo.XXXXXX)"
trap 'kill -- -$pid 2>/dev/null || true; rm -rf "$work"' EXIT

git clone --quiet "$repo" "$work/clone"
cd "$work/clone"

export npm_config_cache="$work/npm-cache"   # empty: every package comes from the registry
start=$(date +%s.%N)
set -m
scripts/demo.sh --port "$port" --data-dir "$work/data" >"$work/demo.out" 2>"$work/demo.err" &
pid=$!
set +m

stamp() { awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.1f", a - b }'; }
installed=""
for _ in $(seq 1 1200); do
  grep -q 'demo.sh: building' "$work/demo.err" 2>/dev/null && [ -z "$installed" ] && installed=$(stamp)
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/login" 2>/dev/null; then
    panel=$(stamp)
    echo "clean clone → npm ci done: ${installed:-?} s; panel login page answers: ${panel} s (target 30 s)"
    echo "node $(node -v), npm $(npm -v 2>/dev/null), $(nproc) cores; cache: empty"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "demo exited before the panel answered:" >&2; cat "$work/demo.err" >&2; exit 1
  fi
  sleep 0.1
done
echo "the panel did not answer within 120 s" >&2
exit 1
