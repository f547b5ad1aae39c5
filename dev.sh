#!/usr/bin/env bash
# dev.sh demo | test | build — the README's set-up commands.
#   demo:  install what is missing, build, run layerdiff on the bundled example images
#   test:  install what is missing (tests need umoci and skopeo too), build, run every test
set -euo pipefail
cd "$(dirname "$0")"
cmd=${1:-demo}
build=${BUILD_DIR:-build}
case $cmd in
  demo|build) scripts/deps.sh build ;;
  test) scripts/deps.sh test ;;
  *) echo "usage: ./dev.sh demo|test|build" >&2; exit 2 ;;
esac
jobs=$(nproc 2>/dev/null || echo 2)
testing=OFF
[[ $cmd == test ]] && testing=ON
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=$testing >/dev/null
cmake --build "$build" -j"$jobs"
case $cmd in
  demo)
    set -x
    "$build/layerdiff" inspect fixtures/docker.tar
    "$build/layerdiff" ls fixtures/oci-zstd.tar | head -n 12
    ;;
  test)
    # A fresh layer cache per run: tests never see (or leave) the user's ~/.cache/layerdiff.
    export XDG_CACHE_HOME="$PWD/$build/test-cache"
    rm -rf "$XDG_CACHE_HOME"
    ctest --test-dir "$build" --output-on-failure -j"$jobs"
    ;;
esac
