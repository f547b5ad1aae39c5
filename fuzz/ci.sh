#!/usr/bin/env bash
# ci.sh [BUILD_DIR] [JOBS] [SECONDS]: the hostile-input part of `./dev.sh test` (issue 6), run
# after the plain build's ctest:
#  1. one clang build (BUILD_DIR, default build-san) of everything, the tests and the libFuzzer
#     targets included, with AddressSanitizer + UndefinedBehaviorSanitizer and the fuzzers'
#     coverage instrumentation: one build serves both steps, which keeps CI under 10 minutes;
#  2. the test suite on that build, but for real_* (external tools on big images; they ran in the
#     plain build), resource (ulimit -v and ASan's shadow memory do not mix), deb (packaging:
#     a sanitizer build is no package, and the plain build's ran on a clean Debian already) and
#     html_size (a 300 MB generated image for the page's size bound; html runs here);
#  3. the four libFuzzer targets at once, each for SECONDS (default 20), from the fixtures' seed
#     corpora (the merged-image cache's from the fixtures merged by that build's layerdiff).
# Any sanitizer report, crash or fuzzer finding fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-san}
jobs=${2:-2}
secs=${3:-20}
# -O1 and line tables only: the sanitizers' recommended optimisation, and quicker to build than
# -O2 -g. No NDEBUG: assertions stay on.
flags="-O1 -gline-tables-only -fno-omit-frame-pointer -fsanitize=address,undefined"
flags+=" -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link"
CXX=clang++ cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=None -DBUILD_TESTING=ON -DLAYERDIFF_FUZZ=ON \
  -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$dir" -j"$jobs"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Every test must run (LAYERDIFF_REQUIRE_ALL=1: a skip fails); each has its own empty layer cache.
export LAYERDIFF_REQUIRE_ALL=1
ctest --test-dir "$dir" --output-on-failure --no-tests=error -j"$jobs" -E '^(real_.*|resource|deb|html_size)$'

corpus=$dir/corpus
rm -rf "$corpus" "$dir"/crash-*
pids=()
fuzz/seeds.sh "$corpus" "$dir/layerdiff"
# The four fuzzers at once (a minute of wall time saved on two cores); then each one's verdict.
for t in layer image manifest cache; do
  "$dir/fuzz_$t" -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$dir/crash-$t-" "$corpus/$t" >"$dir/fuzz_$t.log" 2>&1 &
  pids+=($!)
done
i=0
for t in layer image manifest cache; do
  rc=0
  wait "${pids[$i]}" || rc=$?
  i=$((i + 1))
  echo "fuzz_$t: $secs s, $(grep -E '^stat::number_of_executed_units' "$dir/fuzz_$t.log" | grep -oE '[0-9]+$') runs"
  if [[ $rc != 0 ]] || ls "$dir/crash-$t-"* >/dev/null 2>&1; then
    tail -n 60 "$dir/fuzz_$t.log"
    echo "fuzz_$t: FAILED (exit $rc): $(ls "$dir/crash-$t-"* 2>/dev/null)"
    exit 1
  fi
done
echo "fuzz/ci.sh: sanitizer tests and fuzzers passed"
