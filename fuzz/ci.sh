#!/usr/bin/env bash
# ci.sh [JOBS] [SECONDS]: the hostile-input part of `./dev.sh test` (issue 6):
#  1. the whole test suite again, built with AddressSanitizer + UndefinedBehaviorSanitizer (gcc);
#  2. each libFuzzer target (clang) for SECONDS (default 20) from the fixtures' seed corpora.
# Any sanitizer report, crash or fuzzer finding fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-2}
secs=${2:-20}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=ON \
  -DCMAKE_CXX_FLAGS="$san" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# real_* drive external tools on big images; they ran in the plain build already.
ctest --test-dir build-asan --output-on-failure -j"$jobs" -E '^real_'

CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
  -DLAYERDIFF_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
  >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_layer fuzz_image fuzz_manifest
corpus=build-fuzz/corpus
rm -rf "$corpus"
fuzz/seeds.sh "$corpus"
for t in layer image manifest; do
  echo "fuzz_$t: ${secs} s"
  build-fuzz/fuzz_$t -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/crash-$t- "$corpus/$t" 2>&1 | grep -E '^stat::number_of_executed_units|ERROR|SUMMARY' || true
  if ls build-fuzz/crash-$t-* >/dev/null 2>&1; then
    echo "fuzz_$t: FOUND a crash: $(ls build-fuzz/crash-$t-*)"
    exit 1
  fi
done
