#!/usr/bin/env bash
# run_test.sh COMMAND ARGS...: how CTest runs every script test (layerdiff_test() in
# tests/CMakeLists.txt). It gives the test
#  * an empty layer cache of its own: XDG_CACHE_HOME is a new temporary directory, removed after
#    the test, so no test passes on layers that another build or an earlier run cached;
#  * the skip policy: exit 77 means "skipped" to CTest, but with LAYERDIFF_REQUIRE_ALL=1 (set by
#    ./dev.sh test, and so by CI) a skipped test is a failure: every test must run there.
set -u
cache=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-test-cache.XXXXXX") || exit 1
trap 'rm -rf "$cache"' EXIT
export XDG_CACHE_HOME=$cache
"$@"
rc=$?
if [[ $rc -eq 77 && ${LAYERDIFF_REQUIRE_ALL:-0} == 1 ]]; then
  echo "FAIL: the test skipped itself (exit 77), and LAYERDIFF_REQUIRE_ALL=1 requires every test to run"
  exit 1
fi
exit $rc
