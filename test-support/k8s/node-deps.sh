#!/usr/bin/env bash
# Installs, from Debian's packages, what a real one-node Kubernetes (KubeNode in test-support)
# and its images (build-images.sh) need beyond the control plane of build-tools.sh:
#   containerd, runc      the container runtime (the harness starts containerd itself; no
#                         service is enabled: there is no systemd here)
#   mmdebstrap            the Debian minbase root file systems of the images
#   musl-tools            musl-gcc -static for the 13 KB pause binary
# apt also brings containernetworking-plugins (/usr/lib/cni: the loopback plugin) and iptables.
# Idempotent: returns at once when every package is installed. Needs root (apt-get).
set -euo pipefail
readonly PACKAGES=(containerd runc mmdebstrap musl-tools)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
echo "node-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" containernetworking-plugins >&2
