#!/bin/sh
# Installs the npm packages exactly as package-lock.json pins them (`npm ci`)
# when node_modules is missing or incomplete, or when the lockfile is newer than
# the last install (node_modules/.package-lock.json). Otherwise does nothing.
# After changing a package.json, run `npm install` yourself: it updates the
# lockfile, which `npm ci` then follows.
set -e
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ] || [ ! -x node_modules/.bin/vitest ] ||
  [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[mooring] npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi
