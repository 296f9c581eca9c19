#!/usr/bin/env bash
# Builds Cellar's container images without Docker or a registry, as docker-archive tarballs that
# `ctr -n k8s.io images import` takes, into a cache outside the clone keyed by their content:
#
#   ${CELLAR_TOOL_CACHE:-$HOME/.cache/cellar-tools}/images/<key>/
#     vineyardd.tar    cellar.local/vineyardd:<key>    deploy/docker/vineyardd.Dockerfile
#     vineyardctl.tar  cellar.local/vineyardctl:<key>  deploy/docker/vineyardctl.Dockerfile
#     steps.tar        cellar.local/pipeline-steps:<key>  deploy/examples/kubeflow/Dockerfile
#     pause.tar        cellar.local/pause:<key>        the pod sandbox (pause.c, musl-gcc -static)
#     etcd.tar         cellar.local/etcd:<key>         a vineyard cluster's etcd members: build-tools.sh's
#                                                      etcd (the release quay.io/coreos/etcd ships)
#     images.env       VINEYARDD_IMAGE=... VINEYARDCTL_IMAGE=... STEPS_IMAGE=... PAUSE_IMAGE=... ETCD_IMAGE=...
#     .complete        written last
#
#   build-images.sh REPO_ROOT
#
# The jars must be built first (./mvnw -pl store-server,deploy -am package -DskipTests). The key
# hashes this script, pause.c, the Dockerfiles and launchers, the jars and their lib/, the steps,
# the Python pins and the JDK's version: a warm run (".complete" there) prints the directory and
# returns at once. The slow parts have caches of their own: the Debian minbase root file systems
# (mmdebstrap, keyed by suite and packages) and the pip layer (keyed by the pins), so a new jar
# only relinks the Java runtime and repacks.
#
# Each image is a base layer (the rootfs) and one layer of its own, tarred with --numeric-owner,
# sorted and with mtime 0, so the same inputs give the same layer digests. The image config
# carries what the Dockerfile says: User, Entrypoint/Cmd, Env, WorkingDir, ExposedPorts.
#
# Differences to the Dockerfiles, on purpose: the base is Debian bookworm minbase (this
# machine's apt sources) rather than trixie-slim / python:3.11-slim; the step image's python3 is
# Debian's /usr/bin/python3 (3.11) with the wheels under /usr/local/lib/python3.11/dist-packages.
#
# Needs root (mmdebstrap --mode=root), mmdebstrap, musl-gcc, python3 with pip, a JDK 25
# (JAVA_HOME), sha256sum, GNU tar. Run node-deps.sh first.
set -euo pipefail
shopt -s inherit_errexit

if [ $# -ne 1 ]; then
  echo "usage: $0 REPO_ROOT" >&2
  exit 2
fi
REPO="$(cd "$1" && pwd)"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SUITE=bookworm
readonly UID_GID=65532
# Bump when base_rootfs() or pip_layer() changes what they make: their caches are keyed by these
# (not by this whole script, so that editing the packing does not re-run mmdebstrap and pip).
readonly BASE_RECIPE=1
readonly PIP_RECIPE=2
readonly CACHE_ROOT="${CELLAR_TOOL_CACHE:-$HOME/.cache/cellar-tools}/images"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME

log() { printf 'build-images [%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

pin() { sed -n "s:.*<python\.$1\.version>\(.*\)</python\.$1\.version>.*:\1:p" "$REPO/pom.xml" | head -n 1; }
PINS="vineyard==$(pin vineyard) numpy==$(pin numpy) pandas==$(pin pandas)"
# vineyard.deploy imports pkg_resources, which python:3.11-slim's setuptools provides
readonly SETUPTOOLS="setuptools<80"
case "$PINS" in *"=="" "*|*"==") die "could not read the python pins from $REPO/pom.xml: $PINS" ;; esac

app_jar() { # app_jar MODULE
  local j
  j="$(ls "$REPO/$1/target/$1"-*.jar 2>/dev/null | grep -v -e -sources -e -tests | head -n 1 || true)"
  [ -n "$j" ] && [ -d "$REPO/$1/target/lib" ] \
    || die "$1 is not packaged (no $REPO/$1/target/$1-*.jar and lib/): ./mvnw -B -ntp -pl store-server,deploy -am package -DskipTests"
  echo "$j"
}
SERVER_JAR="$(app_jar store-server)"
CTL_JAR="$(app_jar deploy)"
# etcd for a vineyard cluster's member pods: the upstream image (quay.io/coreos/etcd) is not to be
# had here, so the same release, built by build-tools.sh (static), goes onto the minbase layer
TOOLS_DIR="$("$HERE/build-tools.sh")" || die "build-tools.sh failed (the etcd image needs its etcd)"
ETCD_BIN="$TOOLS_DIR/bin/etcd"
[ -x "$ETCD_BIN" ] || die "no etcd binary in $TOOLS_DIR/bin"
STEPS_DIR="$REPO/deploy/examples/kubeflow"
STEP_FILES=(common.py prepare-data.py preprocess.py train.py test.py)

# ---- the key: everything that goes into an image ----
# A jar by its entries' names and CRC-32s, not its bytes: a rebuild of the same classes writes
# new timestamps into the zip, and should not make new images.
jar_digests() {
  python3 - "$@" <<'PY'
import sys, zipfile
for jar in sys.argv[1:]:
    with zipfile.ZipFile(jar) as z:
        entries = sorted((i.filename, i.CRC, i.file_size) for i in z.infolist())
    print(jar.rsplit("/", 1)[-1],
          __import__("hashlib").sha256(repr(entries).encode()).hexdigest())
PY
}
key_inputs() {
  sha256sum "$HERE/build-images.sh" "$HERE/pause.c" \
    "$REPO"/deploy/docker/vineyardd "$REPO"/deploy/docker/vineyardctl \
    "$REPO"/deploy/docker/*.Dockerfile "$REPO"/deploy/docker/jlink-runtime.sh \
    "$STEPS_DIR/Dockerfile" "${STEP_FILES[@]/#/$STEPS_DIR/}" \
    | sed "s#  $REPO/#  #; s#  $HERE/#  #"
  echo "etcd $(sha256sum "$ETCD_BIN" | cut -d' ' -f1)"
  jar_digests "$SERVER_JAR" "$REPO"/store-server/target/lib/*.jar "$CTL_JAR" "$REPO"/deploy/target/lib/*.jar
  echo "pins $PINS suite $SUITE"
  "$JAVA_HOME/bin/java" -version 2>&1
}
KEY="$(key_inputs | sha256sum | cut -c1-16)"
DEST="$CACHE_ROOT/$KEY"

if [ -f "$DEST/.complete" ]; then
  echo "$DEST"
  exit 0
fi

for tool in mmdebstrap musl-gcc python3 sha256sum tar flock; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH (run test-support/k8s/node-deps.sh)"
done
[ "$(id -u)" -eq 0 ] || die "mmdebstrap --mode=root needs root"
[ -x "$JAVA_HOME/bin/jlink" ] || die "JAVA_HOME=$JAVA_HOME is not a JDK 25 (no bin/jlink)"

mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.lock"
flock 9
if [ -f "$DEST/.complete" ]; then
  echo "$DEST"
  exit 0
fi

start_all=$SECONDS
STEP=start
trap 'rc=$?; [ $rc -eq 0 ] || log "FAILED in step: $STEP (exit $rc)"' EXIT
timed() { STEP="$1"; shift; local t0=$SECONDS; log "$STEP ..."; "$@"; log "$STEP done in $(( SECONDS - t0 )) s"; }

rm -rf "$DEST"
WORK="$DEST/.work"
mkdir -p "$WORK"

# layer_tar DIR OUT: a reproducible layer (numeric owners, sorted, mtime 0)
layer_tar() {
  tar --numeric-owner --sort=name --mtime=@0 --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    --xattrs --xattrs-include='security.capability' -C "$1" -cf "$2" .
}

# ---- the Debian minbase root file systems (cached by suite and packages) ----
base_rootfs() { # base_rootfs NAME "PACKAGES" -> prints the cached layer tar
  local name="$1" packages="$2" bkey dir tarfile
  bkey="$(printf '%s %s %s\n' "$SUITE" "$packages" "$BASE_RECIPE" | sha256sum | cut -c1-16)"
  dir="$CACHE_ROOT/base/$name-$bkey"
  tarfile="$dir/layer.tar"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    local root="$dir/rootfs"
    local include=()
    [ -n "$packages" ] && include=(--include="$packages")
    timed "mmdebstrap $name ($SUITE minbase${packages:+ + $packages})" \
      mmdebstrap --variant=minbase --mode=root --format=directory "${include[@]}" \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      "$SUITE" "$root" >&2
    # the Dockerfiles' user: cellar, uid and gid 65532, no home, no shell
    echo "cellar:x:$UID_GID:" >> "$root/etc/group"
    echo "cellar:!::" >> "$root/etc/gshadow"
    echo "cellar:x:$UID_GID:$UID_GID::/nonexistent:/usr/sbin/nologin" >> "$root/etc/passwd"
    echo "cellar:!:1::::::" >> "$root/etc/shadow"
    rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/* "$root"/dev/*
    : > "$root/etc/resolv.conf"
    timed "pack base layer $name" layer_tar "$root" "$tarfile"
    rm -rf "$root"
    touch "$dir/.complete"
  fi
  echo "$tarfile"
}

# ---- the pip layer of the step image (cached by the pins) ----
pip_layer() {
  local pkey dir
  pkey="$(printf '%s %s %s\n' "$PINS" "$PIP_RECIPE" "$(python3 -V 2>&1)" | sha256sum | cut -c1-16)"
  dir="$CACHE_ROOT/pip/$pkey"
  if [ ! -f "$dir/.complete" ]; then
    rm -rf "$dir"
    mkdir -p "$dir/root/usr/local/lib/python3.11/dist-packages"
    # Debian's python3 in the rootfs is 3.11, as the python3 here must be (the same cp311 ABI:
    # some of vineyard's dependencies are sdists only, so pip builds them with this python)
    python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
      || die "python3 here is $(python3 -V 2>&1), the image's is 3.11: the wheels would not match"
    # shellcheck disable=SC2086
    timed "pip install $PINS" python3 -m pip install --quiet --disable-pip-version-check \
      --no-warn-script-location --no-compile \
      --target "$dir/root/usr/local/lib/python3.11/dist-packages" $PINS "$SETUPTOOLS" >&2
    find "$dir/root" -name __pycache__ -prune -exec rm -rf {} +
    touch "$dir/.complete"
  fi
  echo "$dir/root"
}

# ---- one image: base layer + own layer + config -> docker-archive ----
pack_image() { # pack_image OUT.tar TAG BASE_LAYER_TAR LAYER_DIR CONFIG_JSON_FRAGMENT
  local out="$1" tag="$2" base="$3" layerdir="$4" cfg="$5" tmp
  tmp="$WORK/pack-$(basename "$out" .tar)"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  layer_tar "$layerdir" "$tmp/own.tar"
  local d1 d2
  d1="$(sha256sum "$base" | cut -d' ' -f1)"
  d2="$(sha256sum "$tmp/own.tar" | cut -d' ' -f1)"
  mkdir -p "$tmp/$d1" "$tmp/$d2"
  ln "$base" "$tmp/$d1/layer.tar" 2>/dev/null || cp "$base" "$tmp/$d1/layer.tar"
  mv "$tmp/own.tar" "$tmp/$d2/layer.tar"
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s","sha256:%s"]}}' \
    "$cfg" "$d1" "$d2" > "$tmp/config.json"
  local c
  c="$(sha256sum "$tmp/config.json" | cut -d' ' -f1)"
  mv "$tmp/config.json" "$tmp/$c.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar","%s/layer.tar"]}]' \
    "$c" "$tag" "$d1" "$d2" > "$tmp/manifest.json"
  tar --numeric-owner -C "$tmp" -cf "$out.tmp" manifest.json "$c.json" "$d1" "$d2"
  mv "$out.tmp" "$out"
  rm -rf "$tmp"
}

readonly JAVA_ENV='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java"'

java_app() { # java_app NAME JAR_TARGET_NAME SOURCE_JAR LIBDIR LAUNCHER -> layer dir
  local name="$1" jarname="$2" jar="$3" lib="$4" launcher="$5" dir="$WORK/layer-$1"
  mkdir -p "$dir/opt/cellar/$name" "$dir/usr/local/bin"
  cp "$jar" "$dir/opt/cellar/$name/$jarname"
  cp -r "$lib" "$dir/opt/cellar/$name/lib"
  timed "jlink the runtime of $name" "$REPO/deploy/docker/jlink-runtime.sh" \
    "$dir/opt/cellar/$name/$jarname" "$dir/opt/cellar/$name/lib" "$dir/opt/java" >&2
  install -m 0755 "$launcher" "$dir/usr/local/bin/$name"
  chmod -R a+rX "$dir"
  echo "$dir"
}

BASE="$(base_rootfs java "")"
PYBASE="$(base_rootfs python "python3")"
PIPROOT="$(pip_layer)"

TAG_D="cellar.local/vineyardd:$KEY"
TAG_C="cellar.local/vineyardctl:$KEY"
TAG_S="cellar.local/pipeline-steps:$KEY"
TAG_P="cellar.local/pause:$KEY"
TAG_E="cellar.local/etcd:$KEY"

layer="$(java_app vineyardd store-server.jar "$SERVER_JAR" "$REPO/store-server/target/lib" "$REPO/deploy/docker/vineyardd")"
timed "pack vineyardd" pack_image "$DEST/vineyardd.tar" "$TAG_D" "$BASE" "$layer" \
  "{\"User\":\"$UID_GID:$UID_GID\",\"Entrypoint\":[\"/usr/local/bin/vineyardd\"],\"Env\":[$JAVA_ENV],\"ExposedPorts\":{\"9600/tcp\":{}}}"
rm -rf "$layer"

layer="$(java_app vineyardctl vineyardctl.jar "$CTL_JAR" "$REPO/deploy/target/lib" "$REPO/deploy/docker/vineyardctl")"
timed "pack vineyardctl" pack_image "$DEST/vineyardctl.tar" "$TAG_C" "$BASE" "$layer" \
  "{\"User\":\"$UID_GID:$UID_GID\",\"Entrypoint\":[\"/usr/local/bin/vineyardctl\"],\"Env\":[$JAVA_ENV]}"
rm -rf "$layer"

layer="$WORK/layer-steps"
mkdir -p "$layer/steps" "$layer/usr/local/lib"
cp -a "$PIPROOT/usr/local/lib/python3.11" "$layer/usr/local/lib/"
for f in "${STEP_FILES[@]}"; do install -m 0644 "$STEPS_DIR/$f" "$layer/steps/$f"; done
timed "pack pipeline-steps" pack_image "$DEST/steps.tar" "$TAG_S" "$PYBASE" "$layer" \
  '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","PYTHONUNBUFFERED=1"],"WorkingDir":"/steps","Cmd":["python3","/steps/prepare-data.py","--help"]}'
rm -rf "$layer"

layer="$WORK/layer-pause"
mkdir -p "$layer" "$WORK/pause-base"
timed "musl-gcc pause" musl-gcc -static -Os -s -o "$layer/pause" "$HERE/pause.c"
layer_tar "$WORK/pause-base" "$WORK/pause-base.tar"
timed "pack pause" pack_image "$DEST/pause.tar" "$TAG_P" "$WORK/pause-base.tar" "$layer" \
  '{"User":"65535:65535","Entrypoint":["/pause"]}'

layer="$WORK/layer-etcd"
mkdir -p "$layer/usr/local/bin" "$layer/var/lib/etcd"
install -m 0755 "$ETCD_BIN" "$layer/usr/local/bin/etcd"
chown "$UID_GID:$UID_GID" "$layer/var/lib/etcd"
timed "pack etcd" pack_image "$DEST/etcd.tar" "$TAG_E" "$BASE" "$layer" \
  "{\"User\":\"$UID_GID:$UID_GID\",\"Entrypoint\":[\"/usr/local/bin/etcd\"],\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"ExposedPorts\":{\"2379/tcp\":{},\"2380/tcp\":{}}}"
rm -rf "$layer"

cat > "$DEST/images.env" <<EOF
VINEYARDD_IMAGE=$TAG_D
VINEYARDCTL_IMAGE=$TAG_C
STEPS_IMAGE=$TAG_S
PAUSE_IMAGE=$TAG_P
ETCD_IMAGE=$TAG_E
EOF
rm -rf "$WORK"
echo "key=$KEY built=$(date -u +%Y-%m-%dT%H:%M:%SZ) seconds=$(( SECONDS - start_all ))" > "$DEST/.complete"
STEP=done
log "complete in $(( SECONDS - start_all )) s: $DEST ($(du -sh "$DEST" | cut -f1))"
echo "$DEST"
