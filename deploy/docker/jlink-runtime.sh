#!/usr/bin/env bash
# Builds a trimmed Java runtime for one application jar: jdeps computes the modules the jar and
# its lib/ need, jlink links them (plus the few that only reflection or the service loader
# reaches) into OUT. Used by the Dockerfiles' build stages and by deploy's JlinkRuntimeIT.
#   jlink-runtime.sh APP.jar LIBDIR OUT
# JAVA_HOME (or the java on PATH) must be a full JDK 25.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 APP.jar LIBDIR OUT" >&2
  exit 2
fi
jar="$1" lib="$2" out="$3"
bin="${JAVA_HOME:+$JAVA_HOME/bin/}"

# jdeps follows the class references of the jar and of every library; --ignore-missing-deps
# skips optional dependencies that are not shipped (Netty's BlockHound, Log4j, ...).
modules="$("${bin}jdeps" --ignore-missing-deps --print-module-deps --multi-release 25 \
  "$jar" "$lib"/*.jar | tail -n 1)"
case "$modules" in
  java.base*) ;;
  *) echo "jlink-runtime: jdeps gave no module list for $jar: $modules" >&2; exit 1 ;;
esac
# Reached without a class reference: TLS with EC keys to the API server (jdk.crypto.ec),
# DNS through JNDI (jdk.naming.dns), zip file systems (jdk.zipfs), jcmd/JFR diagnostics.
extra="jdk.crypto.ec,jdk.naming.dns,jdk.zipfs,jdk.jcmd,jdk.jfr"
rm -rf "$out"
"${bin}jlink" --add-modules "$modules,$extra" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-6 \
  --generate-cds-archive \
  --output "$out"
echo "$modules,$extra" > "$out/cellar-modules.txt"
echo "jlink-runtime: $out with modules $modules,$extra" >&2
