#!/usr/bin/env bash
# Builds Flux's helm-controller and source-controller from their Go modules into the
# kit's binary cache (~/.cache/mooring/bin), for the peers benchmark. Both go.mod files
# carry replace lines, so `go install module@version` refuses them: each controller is
# built from a small wrapper module that requires it and repeats its versioned replaces.
# A binary already in the cache is not rebuilt. Wall time and peak memory of each build
# are written beside the binary (<name>.build-time.txt).
#
#   MOORING_BIN_CACHE   cache directory (default ~/.cache/mooring/bin)
#   usage: build-flux.sh [helm-controller|source-controller...]   (default: both)
set -euo pipefail

HC_VERSION=${FLUX_HELM_CONTROLLER_VERSION:-v1.6.4}
SC_VERSION=${FLUX_SOURCE_CONTROLLER_VERSION:-v1.9.6}
CACHE=${MOORING_BIN_CACHE:-$HOME/.cache/mooring/bin}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
mkdir -p "$CACHE"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mooring-flux-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log() { printf '[build-flux] %s\n' "$*" >&2; }

# modfield MODULE@VERSION FIELD: a field of `go mod download -json`
modfield() { go mod download -json "$1" | sed -n "s/.*\"$2\": \"\(.*\)\".*/\1/p"; }

# build NAME VERSION [extra replace lines...]
build() {
  local name=$1 v=$2; shift 2
  local out="flux-$name-$v" mod="github.com/fluxcd/$name"
  [ -x "$CACHE/$out" ] && return 0
  local d=$WORK/$name; mkdir -p "$d"
  local gomod; gomod=$(modfield "$mod@$v" GoMod)
  {
    printf 'module mooring.local/flux-%s-build\n\ngo %s\n\nrequire %s %s\n\n' \
      "$name" "$(awk '/^go /{print $2; exit}' "$gomod")" "$mod" "$v"
    # the local `api => ./api` becomes the api module at the same tag
    echo "replace $mod/api => $mod/api $v"
    # upstream's versioned replaces (single-line and block form); local-path ones are skipped
    { grep -E '^replace [^(]' "$gomod" | sed 's/^replace //'; sed -n '/^replace (/,/^)/p' "$gomod" | sed '1d;$d'; } |
      sed 's://.*$::' | awk '/=>/ { for (i = 1; i <= NF; i++) if ($i == "=>") j = i; if ($(j + 1) !~ /^\./) { $1 = $1; print "replace " $0 } }'
    for r in "$@"; do echo "replace $r"; done
  } > "$d/go.mod"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$mod" > "$d/tools.go"
  # -e: test-only modules the proxy does not serve are not needed for the binary
  (cd "$d" && go mod tidy -e) > "$d/tidy.log" 2>&1 || { cat "$d/tidy.log" >&2; return 1; }
  log "building $name $v with $(go version | cut -d' ' -f3)"
  local timer=(); [ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$CACHE/$out.build-time.txt")
  (cd "$d" && "${timer[@]}" go build ${MOORING_GO_BUILD_JOBS:+-p "$MOORING_GO_BUILD_JOBS"} -trimpath -ldflags "-s -w" -o "$d/$name" "$mod")
  [ ${#timer[@]} = 0 ] || grep -E 'Elapsed|Maximum resident' "$CACHE/$out.build-time.txt" >&2
  chmod +x "$d/$name"; mv -f "$d/$name" "$CACHE/$out"
  log "built $CACHE/$out"
}

build_helm-controller() { build helm-controller "$HC_VERSION"; }
# source-controller requires github.com/fluxcd/pkg/artifact v0.18.3, which the module proxy
# does not serve; v0.18.1 is served and differs only in dependency bumps
build_source-controller() {
  build source-controller "$SC_VERSION" 'github.com/fluxcd/pkg/artifact => github.com/fluxcd/pkg/artifact v0.18.1'
}
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(helm-controller source-controller)
for t in "${targets[@]}"; do "build_$t"; done
