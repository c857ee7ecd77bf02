#!/usr/bin/env bash
# Sets csim up on a fresh Debian 12 machine, as root: the system packages the judge needs
# (sandbox, compilers, Docker engine), then a virtual environment in .venv with csim installed.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: the test suite opens the HTML report in a real headless browser
system_packages=(bubblewrap libseccomp2 g++ openjdk-17-jdk-headless docker.io chromium)
missing=()
for pkg in "${system_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $($python --version)"
    "$python" -m venv .venv
    .venv/bin/python -m pip install -q --upgrade pip
fi
echo "setup: installing csim and its pinned dependencies into .venv (with the hf extra: torch, transformers)"
.venv/bin/python -m pip install -q -e '.[test,hf]'
echo "setup: done ($(.venv/bin/csim --version))"
