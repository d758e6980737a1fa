#!/bin/sh
# `npm start`: the embedded default. Installs what is needed, brings up the local
# sandbox cluster (real control plane, kwok nodes, chart repository, registry),
# runs the platform (API, web UI, embedded database in .mooring/data) with an agent
# for that cluster, imports and deploys examples/, and keeps it all running until Ctrl-C.
set -e
cd "$(dirname "$0")/.."
sh scripts/ensure-install.sh
node_modules/.bin/node packages/testkit/src/bin/prepare.ts
exec node_modules/.bin/node packages/testkit/src/bin/sandbox.ts run --import examples/import-cluster.yaml "$@"
