#!/usr/bin/env bash
# update-goldens.sh [BUILD_DIR]: the only way to rewrite the golden files (fixtures/golden/*,
# fixtures/malicious/expected.txt), after a deliberate change of output. No test rewrites them,
# and ./dev.sh refuses to run with UPDATE_GOLDEN set.
#  1. builds BUILD_DIR (default build, configured by ./dev.sh test);
#  2. runs the tests labelled `golden` with LAYERDIFF_ACTUAL_DIR set: they compare as always (and
#     fail on a difference) and leave what they got there, under the golden file's path;
#  3. copies those files over the goldens (only under fixtures/), and lists what changed;
#  4. runs the same tests again, which must now pass.
# Review the difference (git diff fixtures/) before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[[ -f $build/CTestTestfile.cmake ]] || { echo "update-goldens.sh: no tests in $build; run ./dev.sh test first" >&2; exit 2; }
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)"
actual=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-actual.XXXXXX")
trap 'rm -rf "$actual"' EXIT
LAYERDIFF_ACTUAL_DIR=$actual ctest --test-dir "$build" -L '^golden$' --no-tests=error -j2 >/dev/null || true
if [[ ! -d $actual/fixtures ]]; then
  echo "update-goldens.sh: the golden tests wrote nothing to update (did they run? see ctest --test-dir $build -L golden)" >&2
  exit 1
fi
changed=0
while IFS= read -r -d '' f; do
  rel=${f#"$actual"/}
  if ! cmp -s "$f" "$rel"; then
    mkdir -p "$(dirname "$rel")"
    cp "$f" "$rel"
    echo "updated $rel"
    changed=$((changed + 1))
  fi
done < <(find "$actual/fixtures" -type f -print0 | sort -z)
echo "update-goldens.sh: $changed golden file(s) rewritten; checking that the tests pass now"
ctest --test-dir "$build" -L '^golden$' --no-tests=error --output-on-failure -j2
