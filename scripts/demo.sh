#!/usr/bin/env sh
# The README's first command: install, build (esbuild, transpile only) and run the demo (AMI simulator + Bitrix24 emulator +
# connector with its admin panel, in one process). Extra arguments go to `asterisk-b24 demo`
# (e.g. --port 0, --data-dir ./demo-data). Needs Node.js 20.19+ and npm; nothing else.
set -eu
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "demo.sh: Node.js 20.19+ is required (https://nodejs.org/ or: apt-get install nodejs npm)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "demo.sh: Node.js $(node -v) is too old; 20.19+ is required" >&2
  exit 1
fi

echo "demo.sh: installing dependencies (npm ci)…" >&2
npm ci --no-audit --no-fund --loglevel=error >&2
echo "demo.sh: building (transpile only: scripts/build-fast.mjs; \`npm run build\` type-checks)…" >&2
node scripts/build-fast.mjs >&2
exec bin/asterisk-b24 demo "$@"
