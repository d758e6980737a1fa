#!/bin/sh
# Runs `npm install` when node_modules is missing or older than the lockfile.
set -e
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ] || [ ! -x node_modules/.bin/vitest ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[mooring] npm install" >&2
  npm install --no-audit --no-fund >&2
fi
