#!/usr/bin/env bash
# deps.sh [build|package|test]: installs the Debian 12 packages layerdiff needs that are missing.
# build: compilers and libraries; package: also dpkg-dev (dpkg-shlibdeps for the .deb); test:
# also GoogleTest and every tool a test runs: the real tools (umoci, skopeo, buildah, busybox,
# mmdebstrap), attr (setfattr, for the xattr fixture), python3 (JSON checks), xmllint (JUnit
# well-formedness), script (terminal checks), docker-registry, podman, openssl and curl (the
# registry and daemon tests), chromium (the HTML pages, headless), zsh and fish (the
# completions), man-db and dpkg-dev (the man page, and the .deb installed on a clean Debian 12 by
# mmdebstrap). A test never skips for a missing tool under ./dev.sh test: it fails. Needs root
# (or sudo) only when something is missing.
set -euo pipefail
want=(g++ cmake make pkg-config libarchive-dev libzstd-dev zlib1g-dev libcli11-dev
      libboost-json1.81-dev libssl-dev libxxhash-dev libisal-dev libcurl4-openssl-dev)
[[ ${1:-build} == package ]] && want+=(dpkg-dev)
if [[ ${1:-build} == test ]]; then
  want+=(libgtest-dev libgmock-dev umoci skopeo attr tar gzip zstd busybox-static buildah mmdebstrap)
  want+=(python3 libxml2-utils bsdutils)
  want+=(clang libclang-rt-14-dev)  # libFuzzer and the sanitizer runtimes (fuzz/ci.sh)
  # Registries and the Docker API, started by tests/sources/registry_test.sh.
  want+=(docker-registry podman python3 openssl curl ca-certificates)
  # The HTML pages in a real browser; the man page, completions and the .deb (tests/install/).
  want+=(chromium zsh fish man-db dpkg-dev)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0
echo "deps.sh: installing ${missing[*]}" >&2
sudo=""
[[ $(id -u) -ne 0 ]] && sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
