#!/usr/bin/env bash
# Builds, once, the binaries of a real Kubernetes control plane (and the kubelet) into a
# cache directory outside the clone, keyed by the versions:
#
#   ${CELLAR_TOOL_CACHE:-$HOME/.cache/cellar-tools}/k8s/<key>/
#     bin/     kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet
#              etcd etcdctl kwok
#     stages/  kwok's stock stage files (node-initialize, heartbeat-with-lease, pod-ready,
#              pod-complete, pod-delete)
#     .complete  written last; its presence means the directory is whole
#
# On success the cache directory is printed on stdout (one line); progress goes to stderr.
# A warm run (".complete" present) returns at once. Two callers at once are serialised by
# flock; the second finds the first one's work done. Any failure exits non-zero with the
# failing step named.
#
# Why wrapper modules: `go install k8s.io/kubernetes/cmd/...@v1.34.4` and
# `go install go.etcd.io/etcd/server/v3@v3.6.4` are refused because those modules carry
# replace directives. A module of our own that requires them (and, for kubernetes, replaces
# every staging repository kubernetes' own go.mod replaces with the matching v0.x release)
# builds them. See /work/shared/reference/k8s-local.md.
#
# Environment:
#   CELLAR_TOOL_CACHE        cache root (default $HOME/.cache/cellar-tools)
#   CELLAR_TOOL_BUILD_JOBS   parallel compile jobs and GOMAXPROCS (default: half the cores,
#                            at least 1); the build runs under `nice -n 10` either way
#   GOPATH, GOCACHE, GOMODCACHE  Go's usual caches (default locations, outside the clone)
set -euo pipefail

readonly K8S_VERSION=v1.34.4
readonly ETCD_VERSION=v3.6.4
readonly KWOK_VERSION=v0.8.0
# the staging repositories (k8s.io/api, client-go, ...) are released as v0.<minor>.<patch>
readonly STAGING_VERSION="v0.${K8S_VERSION#v1.}"
readonly KEY="${K8S_VERSION}-etcd${ETCD_VERSION#v}-kwok${KWOK_VERSION#v}"

readonly CACHE_ROOT="${CELLAR_TOOL_CACHE:-$HOME/.cache/cellar-tools}/k8s"
readonly DEST="$CACHE_ROOT/$KEY"
readonly BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet etcd etcdctl kwok)
readonly STAGES=(node-initialize.yaml node-heartbeat-with-lease.yaml pod-ready.yaml pod-complete.yaml pod-delete.yaml)

log() { printf 'build-tools [%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

is_complete() {
  [ -f "$DEST/.complete" ] || return 1
  local b s
  for b in "${BINARIES[@]}"; do [ -x "$DEST/bin/$b" ] || return 1; done
  for s in "${STAGES[@]}"; do [ -s "$DEST/stages/$s" ] || return 1; done
}

# Warm path: no lock, no Go, no network.
if is_complete; then
  echo "$DEST"
  exit 0
fi

command -v go >/dev/null || die "go is not on PATH (go >= 1.26 is needed: kwok ${KWOK_VERSION} requires it)"
command -v flock >/dev/null || die "flock is not on PATH (util-linux)"

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.$KEY.lock"
if ! flock -n 9; then
  log "another build of $KEY is running; waiting for its lock ($CACHE_ROOT/.$KEY.lock)"
  flock 9
fi
# The holder before us may have finished the work.
if is_complete; then
  log "built meanwhile by another process"
  echo "$DEST"
  exit 0
fi

STEP="start"
trap 'rc=$?; if [ $rc -ne 0 ]; then log "FAILED in step: $STEP (exit $rc); $DEST is left without .complete"; fi' EXIT

cores="$(nproc 2>/dev/null || echo 2)"
JOBS="${CELLAR_TOOL_BUILD_JOBS:-$(( cores / 2 > 0 ? cores / 2 : 1 ))}"
export GOMAXPROCS="$JOBS"
export GOTOOLCHAIN=local
export GOFLAGS="${GOFLAGS:-} -p=$JOBS -buildvcs=false"
export CGO_ENABLED=0
GO=(nice -n 10 go)

start_all=$SECONDS
log "building $KEY into $DEST ($(go version | cut -d' ' -f3), jobs=$JOBS, niced)"
log "Go caches: GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)"

rm -rf "$DEST"
mkdir -p "$DEST/bin" "$DEST/stages"
WORK="$DEST/.work"
mkdir -p "$WORK/k8s" "$WORK/etcd"

timed() { # timed STEP-NAME command...
  STEP="$1"; shift
  local t0=$SECONDS
  log "$STEP ..."
  "$@"
  log "$STEP done in $(( SECONDS - t0 )) s"
}

# ---- kubernetes: wrapper module with the staging replaces from kubernetes' own go.mod ----
STEP="download k8s.io/kubernetes@$K8S_VERSION"
k8s_gomod="$(cd "$WORK/k8s" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" \
  | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
[ -s "$k8s_gomod" ] || die "could not find the go.mod of k8s.io/kubernetes@$K8S_VERSION"
mapfile -t staging < <(sed -n 's#^[[:space:]]*\(replace[[:space:]]\+\)\{0,1\}\(k8s\.io/[^[:space:]]*\)[[:space:]]\+=>[[:space:]]\+\./staging/.*#\2#p' "$k8s_gomod")
[ "${#staging[@]}" -ge 20 ] || die "found only ${#staging[@]} staging replaces in $k8s_gomod (expected about 31)"
log "kubernetes' go.mod replaces ${#staging[@]} staging repositories; pinning them to $STAGING_VERSION"
k8s_go="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$k8s_gomod")"
{
  echo "module cellar.local/k8s-tools"
  echo
  echo "go ${k8s_go:-1.24.0}"
  echo
  echo "require k8s.io/kubernetes $K8S_VERSION"
  echo
  echo "replace ("
  for r in "${staging[@]}"; do echo "	$r => $r $STAGING_VERSION"; done
  echo ")"
} > "$WORK/k8s/go.mod"

K8S_CMDS=(kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet)
k8s_pkgs=()
for c in "${K8S_CMDS[@]}"; do k8s_pkgs+=("k8s.io/kubernetes/cmd/$c"); done
(cd "$WORK/k8s" && timed "resolve kubernetes module graph" "${GO[@]}" get "${k8s_pkgs[@]/%/@$K8S_VERSION}")

# Without these the binaries report v0.0.0-master+$Format:%H$ and `kubectl version` fails.
ldflags="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
  ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done

# ---- etcd: a wrapper that simply requires the server (and etcdctl) ----
cat > "$WORK/etcd/go.mod" <<EOF
module cellar.local/etcd-tools

go 1.24

require (
	go.etcd.io/etcd/server/v3 $ETCD_VERSION
	go.etcd.io/etcd/etcdctl/v3 $ETCD_VERSION
)
EOF
(cd "$WORK/etcd" && timed "resolve etcd module graph" "${GO[@]}" get \
  "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "go.etcd.io/etcd/etcdctl/v3@$ETCD_VERSION")
(cd "$WORK/etcd" && timed "build etcd $ETCD_VERSION" "${GO[@]}" build -trimpath -ldflags "-s -w" \
  -o "$DEST/bin/etcd" go.etcd.io/etcd/server/v3)
(cd "$WORK/etcd" && timed "build etcdctl $ETCD_VERSION" "${GO[@]}" build -trimpath -ldflags "-s -w" \
  -o "$DEST/bin/etcdctl" go.etcd.io/etcd/etcdctl/v3)

# ---- kwok: no replace directives, `go install` works ----
(cd "$WORK" && GOBIN="$DEST/bin" timed "build kwok $KWOK_VERSION" "${GO[@]}" install -trimpath \
  -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION")

# ---- kwok's stock stages (the bare binary has none built in) ----
STEP="copy kwok stages"
kwok_dir="$(cd "$WORK" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$kwok_dir" ] || die "could not find the module directory of sigs.k8s.io/kwok@$KWOK_VERSION"
for s in kustomize/stage/node/fast/node-initialize.yaml \
         kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
         kustomize/stage/pod/fast/pod-ready.yaml \
         kustomize/stage/pod/fast/pod-complete.yaml \
         kustomize/stage/pod/fast/pod-delete.yaml; do
  [ -s "$kwok_dir/$s" ] || die "kwok stage file $s is missing from $kwok_dir"
  install -m 0644 "$kwok_dir/$s" "$DEST/stages/"
done

# ---- kubernetes binaries last: the long part (kube-apiserver alone is minutes cold) ----
for c in "${K8S_CMDS[@]}"; do
  (cd "$WORK/k8s" && timed "build $c $K8S_VERSION" "${GO[@]}" build -trimpath -ldflags "$ldflags" \
    -o "$DEST/bin/$c" "k8s.io/kubernetes/cmd/$c")
done

# ---- smoke checks, then the marker ----
STEP="smoke checks"
# outputs are captured first: `cmd | grep -q` under pipefail fails when grep exits early (SIGPIPE)
out="$("$DEST/bin/kubectl" version --client -o json)"
grep -q "\"gitVersion\": \"$K8S_VERSION\"" <<<"$out" || die "kubectl does not report $K8S_VERSION: $out"
out="$("$DEST/bin/kube-apiserver" --version)"
[ "$out" = "Kubernetes $K8S_VERSION" ] || die "kube-apiserver does not report $K8S_VERSION: $out"
out="$("$DEST/bin/etcd" --version)"
grep -q "etcd Version: ${ETCD_VERSION#v}" <<<"$out" || die "etcd does not report ${ETCD_VERSION#v}: $out"
out="$("$DEST/bin/kwok" --version)"
grep -q "kwok version $KWOK_VERSION" <<<"$out" || die "kwok does not report $KWOK_VERSION: $out"

rm -rf "$WORK"
{
  echo "kubernetes=$K8S_VERSION staging=$STAGING_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION"
  echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) seconds=$(( SECONDS - start_all )) go=$(go version | cut -d' ' -f3)"
} > "$DEST/.complete.tmp"
mv "$DEST/.complete.tmp" "$DEST/.complete"
STEP="done"
log "complete in $(( SECONDS - start_all )) s: $DEST ($(du -sh "$DEST" | cut -f1))"
echo "$DEST"
