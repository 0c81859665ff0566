#!/usr/bin/env bash
# Installs the Debian (bookworm) packages reramsim needs, only those missing.
# Nothing is downloaded from anywhere but Debian's own archive.
set -euo pipefail
packages=(build-essential cmake pkg-config libsystemc-dev libyaml-cpp-dev catch2 nlohmann-json3-dev
          python3-matplotlib python3-yaml)  # the last two: scripts/plot.py, docs/results.md
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
