#!/bin/sh
# `npm test`: installs what the tests need (npm packages, Debian packages, the
# pinned upstream binaries), then runs the whole suite against the real programs.
set -e
cd "$(dirname "$0")/.."
sh scripts/ensure-install.sh
node_modules/.bin/node packages/testkit/src/bin/prepare.ts
exec node_modules/.bin/vitest run "$@"
