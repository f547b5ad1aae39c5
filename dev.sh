#!/usr/bin/env bash
# dev.sh demo | test | build | package — the README's set-up commands.
#   demo:  install what is missing, build, run layerdiff on the bundled example images
#   package: build, then the Debian package (cpack -G DEB; Depends from dpkg-shlibdeps) in
#          $BUILD_DIR, e.g. build/layerdiff_0.1.0-1_amd64.deb
#   test:  install what is missing (tests need umoci and skopeo too), build, run every test, then
#          the sanitizer build's tests and a short fuzz run (fuzz/ci.sh). Every test must run:
#          LAYERDIFF_REQUIRE_ALL=1 makes a skipped test or check a failure, and ctest fails when
#          it finds no tests. Each test gets an empty layer cache of its own (tests/run_test.sh).
set -euo pipefail
cd "$(dirname "$0")"
if [[ -v UPDATE_GOLDEN ]]; then
  echo "dev.sh: UPDATE_GOLDEN is set, but tests never rewrite golden files; unset it, and use" \
       "tests/update-goldens.sh to rewrite them after a deliberate change" >&2
  exit 2
fi
unset LAYERDIFF_ACTUAL_DIR  # only tests/update-goldens.sh sets it
cmd=${1:-demo}
build=${BUILD_DIR:-build}
case $cmd in
  demo|build) scripts/deps.sh build ;;
  package) scripts/deps.sh package ;;
  test) scripts/deps.sh test ;;
  *) echo "usage: ./dev.sh demo|test|build|package" >&2; exit 2 ;;
esac
jobs=$(nproc 2>/dev/null || echo 2)
testing=OFF
[[ $cmd == test ]] && testing=ON
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=$testing >/dev/null
cmake --build "$build" -j"$jobs"
case $cmd in
  package)
    (cd "$build" && cpack -G DEB)
    ;;
  demo)
    set -x
    # The main job: what changed between two images, and where the bytes went.
    "$build/layerdiff" fixtures/oci-gzip.tar fixtures/oci-after.tar
    # One image: layers, largest directories and files, wasted bytes.
    "$build/layerdiff" inspect -n 5 fixtures/docker.tar
    # The merged filesystem as a runtime unpacks it.
    "$build/layerdiff" ls fixtures/oci-zstd.tar | head -n 12
    # The CI gate: the growth rule passes, the new-file and forbid rules fail (exit 1).
    "$build/layerdiff" check --baseline fixtures/oci-gzip.tar --max-growth 5% \
      --max-new-file 10B --forbid '/etc/newconf' fixtures/oci-after.tar || true
    ;;
  test)
    export LAYERDIFF_REQUIRE_ALL=1
    ctest --test-dir "$build" --output-on-failure --no-tests=error -j"$jobs"
    # Then hostile input (issue 6): the suite under ASan + UBSan, and each fuzzer for 20 s.
    fuzz/ci.sh "$build-san" "$jobs" 20
    ;;
esac
