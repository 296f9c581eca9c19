#!/usr/bin/env bash
# Records what the real vineyard Python client sends, as test vectors for the Java builders.
#   record_wire_vectors.sh VENV SOCKET OUT_JSON
# SOCKET must be served by a vineyardd (the reference one from vineyard-bdist or ours).
set -euo pipefail
venv="$1"; socket="$2"; out="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log="$(mktemp)"
VINEYARD_IPC_SKIP_RETRY=1 strace -f -e trace=write,sendto,read,recvfrom -s 1000000 -o "$log" \
  "$venv/bin/python" "$here/record_put_scenario.py" "$socket"
"$venv/bin/python" "$here/extract_wire_messages.py" "$log" "$out"
rm -f "$log"
