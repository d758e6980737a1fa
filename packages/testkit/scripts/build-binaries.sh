#!/usr/bin/env bash
# Builds the upstream programs the test kit runs (etcd, the Kubernetes control
# plane, kwok, helm, sops, nats-server, argocd) from their Go modules at pinned
# versions, into a cache outside the repository. A program already in the cache is not rebuilt.
#
#   MOORING_BIN_CACHE   cache directory (default ~/.cache/mooring/bin)
#   usage: build-binaries.sh [name...]   (default: all)
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.35.4}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
HELM_VERSION=${HELM_VERSION:-v4.1.4}
SOPS_VERSION=${SOPS_VERSION:-v3.13.3}
NATS_VERSION=${NATS_VERSION:-v2.12.15}
ARGOCD_VERSION=${ARGOCD_VERSION:-v3.6.1}
# Argo CD v3.6's go.mod says `go 1.27.0`: this toolchain (served by the Go module proxy) is used for that build only
ARGOCD_GOTOOLCHAIN=${ARGOCD_GOTOOLCHAIN:-go1.27.3}

CACHE=${MOORING_BIN_CACHE:-$HOME/.cache/mooring/bin}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
mkdir -p "$CACHE"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mooring-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

log() { printf '[build-binaries] %s\n' "$*" >&2; }
have() { [ -x "$CACHE/$1" ]; }

# install NAME SRC: atomically place a built binary in the cache
install_bin() { chmod +x "$2"; mv -f "$2" "$CACHE/$1"; log "built $CACHE/$1"; }

build_kubernetes() {
  local v=$K8S_VERSION minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local names=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  local missing=0; for n in "${names[@]}"; do have "$n-$v" || missing=1; done
  [ $missing = 1 ] || return 0
  log "building Kubernetes $v (about 10 minutes on 2 cores with cold Go caches)"
  local d=$WORK/k8s; mkdir -p "$d"; cd "$d"
  go mod init mooring.local/k8s-build >/dev/null 2>&1
  local gomod; gomod=$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  local stag; stag=$(grep -E '=> \./staging/src/' "$gomod" | awk '{print $1}' | sort -u)
  {
    echo "module mooring.local/k8s-build"; echo; echo "go 1.25"; echo
    echo "require k8s.io/kubernetes $v"; echo
    for m in $stag; do echo "replace $m => $m v0.$minor.${v##*.}"; done
  } > go.mod
  cat > tools.go <<'GO'
//go:build tools
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  go mod tidy -e >/dev/null 2>&1 || true
  go get "k8s.io/kubernetes@$v" >/dev/null
  go mod tidy -e >/dev/null 2>&1 || true
  local ld=""
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  for n in "${names[@]}"; do
    have "$n-$v" && continue
    log "go build $n"
    go build -tags tools,selinux,notest -trimpath -ldflags "-s -w $ld" -o "$d/$n" "k8s.io/kubernetes/cmd/$n"
    install_bin "$n-$v" "$d/$n"
  done
}

build_etcd() {
  have "etcd-$ETCD_VERSION" && return 0
  log "building etcd $ETCD_VERSION"
  local d=$WORK/etcd; mkdir -p "$d"; cd "$d"
  local gomod; gomod=$(go mod download -json "go.etcd.io/etcd/server/v3@$ETCD_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  {
    echo "module mooring.local/etcd-build"; echo; echo "go 1.25"; echo
    echo "require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
    # the server's own replace lines point at sibling modules: pin them to the same version
    grep -E '^\s*go.etcd.io/etcd/[a-z0-9/]+ => ' "$gomod" | awk -v v="$ETCD_VERSION" '{print "replace " $1 " => " $1 " " v}' || true
  } > go.mod
  printf '//go:build tools\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' > tools.go
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION" >/dev/null
  go mod tidy -e >/dev/null 2>&1 || true
  go build -tags tools -trimpath -ldflags "-s -w" -o "$d/etcd" go.etcd.io/etcd/server/v3
  install_bin "etcd-$ETCD_VERSION" "$d/etcd"
}

# plain `go install`-able programs: NAME VERSION PACKAGE
build_simple() {
  local name=$1 v=$2 pkg=$3
  have "$name-$v" && return 0
  log "building $name $v"
  local d=$WORK/$name; mkdir -p "$d"
  GOBIN=$d go install -trimpath -ldflags "-s -w $4" "$pkg@$v"
  install_bin "$name-$v" "$d/${pkg##*/}"
}

build_kwok() {
  build_simple kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok ""
  # kwok 0.8 ships no built-in stages: keep the upstream stage files beside the binary
  local st=$CACHE/kwok-$KWOK_VERSION-stages
  if [ ! -d "$st" ]; then
    local dir; dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    mkdir -p "$st.tmp"
    cp "$dir"/kustomize/stage/node/fast/*.yaml "$dir"/kustomize/stage/pod/fast/*.yaml "$st.tmp/" 2>/dev/null || true
    [ -d "$dir/kustomize/stage/node/heartbeat-with-lease" ] && cp "$dir"/kustomize/stage/node/heartbeat-with-lease/*.yaml "$st.tmp/" || true
    rm -f "$st.tmp"/kustomization.yaml
    chmod -R u+w "$st.tmp"; mv "$st.tmp" "$st"
    log "stages in $st"
  fi
}

build_helm() {
  local minor=${HELM_VERSION#v}
  build_simple helm "$HELM_VERSION" helm.sh/helm/v4/cmd/helm \
    "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
}

build_sops() {
  build_simple sops "$SOPS_VERSION" github.com/getsops/sops/v3/cmd/sops ""
}

build_nats() {
  # the module path ends in /v2, so the binary is named after the repository, not the path's last element
  have "nats-server-$NATS_VERSION" && return 0
  log "building nats-server $NATS_VERSION"
  local d=$WORK/nats-server; mkdir -p "$d"
  GOBIN=$d go install -trimpath -ldflags "-s -w" "github.com/nats-io/nats-server/v2@$NATS_VERSION"
  install_bin "nats-server-$NATS_VERSION" "$d/nats-server"
}

build_argocd() {
  # One binary: it becomes argocd-server, argocd-repo-server or argocd-application-controller by
  # argv[0] or ARGOCD_BINARY_NAME. The UI is not built (the server runs with an empty static dir).
  have "argocd-$ARGOCD_VERSION" && return 0
  log "building Argo CD $ARGOCD_VERSION with $ARGOCD_GOTOOLCHAIN (4-15 minutes on 2 cores, about 2.3 GiB while linking)"
  local d=$WORK/argocd; mkdir -p "$d"; cd "$d"
  (
    export GOTOOLCHAIN=$ARGOCD_GOTOOLCHAIN
    local gomod; gomod=$(go mod download -json "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    # upstream's versioned replace lines (the Kubernetes staging modules and others) are copied;
    # its local-path replace (gitops-engine => ./gitops-engine) is not, the proxy serves that module
    {
      echo "module mooring.local/argocd-build"; echo; echo "go 1.27.0"; echo
      echo "require github.com/argoproj/argo-cd/v3 $ARGOCD_VERSION"; echo
      sed -n '/^replace (/,/^)/p' "$gomod" | grep -E '^\s+[^/ ]\S* => \S+ v' | awk '{print "replace " $1 " => " $3 " " $4}'
      grep -E '^replace [^/ ]\S* => \S+ v' "$gomod" || true
    } > go.mod
    printf '//go:build tools\npackage tools\n\nimport _ "github.com/argoproj/argo-cd/v3/cmd"\n' > tools.go
    go mod tidy >/dev/null
    local timer=(); [ -x /usr/bin/time ] && timer=(/usr/bin/time -v -o "$CACHE/argocd-$ARGOCD_VERSION.build-time.txt")
    # MOORING_GO_BUILD_JOBS: packages compiled at once (go build -p; default the number of CPUs)
    "${timer[@]}" go build ${MOORING_GO_BUILD_JOBS:+-p "$MOORING_GO_BUILD_JOBS"} -tags tools -trimpath \
      -ldflags "-s -w -X github.com/argoproj/argo-cd/v3/common.version=${ARGOCD_VERSION#v}" \
      -o "$d/argocd" github.com/argoproj/argo-cd/v3/cmd
    [ ${#timer[@]} = 0 ] || grep -E 'Elapsed|Maximum resident' "$CACHE/argocd-$ARGOCD_VERSION.build-time.txt" >&2
    # the CRDs the kit applies come from the same module
    local dir; dir=$(go mod download -json "github.com/argoproj/argo-cd/v3@$ARGOCD_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    mkdir -p "$d/crds"; cp "$dir"/manifests/crds/*-crd.yaml "$d/crds/"
  )
  rm -rf "$CACHE/argocd-$ARGOCD_VERSION-crds"; chmod -R u+w "$d/crds"; mv "$d/crds" "$CACHE/argocd-$ARGOCD_VERSION-crds"
  install_bin "argocd-$ARGOCD_VERSION" "$d/argocd"
}

targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(helm sops nats kwok etcd kubernetes argocd)
for t in "${targets[@]}"; do "build_$t"; done
log "done: $(ls "$CACHE" | tr '\n' ' ')"
