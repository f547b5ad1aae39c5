#!/usr/bin/env bash
# corrupt_test.sh LAYERDIFF CORRUPT_FIXTURE FIXTURES [N]: corrupts every committed fixture image N
# times (default 16; deterministic, see corrupt_fixture.cc) and runs layerdiff on each mutant,
# alternating `ls` and `inspect`, with and without --no-verify (so that corruption gets past the
# digests too). Asserts only that every run ends with exit 0 or 2 within 10 s: no crash, no
# signal, no hang, no other code. OCI layout directories get one of their files corrupted.
set -uo pipefail
ld=$(realpath "$1") corrupt=$(realpath "$2") fixtures=$(realpath "$3") n=${4:-16}
tmp=$(mktemp -d /tmp/layerdiff-corrupt.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export XDG_CACHE_HOME=$tmp/cache
modes=("ls" "inspect --no-verify" "ls --no-verify --format json" "inspect --no-cache")
runs=0 fail=0

# check FIXTURE I INPUT: one run of layerdiff on a mutant.
check() {
  local mode=${modes[$(($2 % ${#modes[@]}))]}
  # shellcheck disable=SC2086
  timeout 10 "$ld" $mode "$3" >/dev/null 2>"$tmp/err"
  local rc=$?
  runs=$((runs + 1))
  if [[ $rc != 0 && $rc != 2 ]]; then
    echo "FAIL: $1 mutant $2 ($mode): exit $rc$( ((rc == 124)) && echo ' (timeout)')$( ((rc > 128 && rc != 124)) && echo " (signal $((rc - 128)))")"
    head -n 5 "$tmp/err"
    echo "  reproduce: corrupt_fixture $1 DIR $n $seed; layerdiff $mode DIR/$2"
    fail=1
  fi
}

cd "$fixtures"
files=$(find . -maxdepth 2 -type f \( -name '*.tar' -o -name '*.tar.gz' -o -name '*.tar.zst' \
          -o -name empty-file -o -name random.bin -o -name text.txt \) | sort)
for f in $files; do
  f=${f#./}
  k=$n
  [[ $f == */gzip-bomb.tar ]] && k=4  # each run inflates 64 MiB before the ratio limit stops it
  seed=$(cksum <<<"$f" | cut -d' ' -f1)
  mkdir -p "$tmp/m" && rm -f "$tmp/m"/*
  "$corrupt" "$f" "$tmp/m" "$k" "$seed" || { echo "FAIL: corrupt_fixture $f"; exit 1; }
  for ((i = 0; i < k; i++)); do check "$f" "$i" "$tmp/m/$i"; done
done
# OCI layout directories: mutant i corrupts the directory's (i mod count)-th file.
for d in $(find . -maxdepth 2 -name index.json -printf '%h\n' | sort); do
  d=${d#./}
  mapfile -t members < <(cd "$d" && find . -type f | sort)
  for ((i = 0; i < n; i++)); do
    m=${members[$((i % ${#members[@]}))]}
    seed=$(cksum <<<"$d/$m" | cut -d' ' -f1)
    rm -rf "$tmp/d" "$tmp/m" && cp -r "$d" "$tmp/d" && mkdir "$tmp/m"
    "$corrupt" "$d/$m" "$tmp/m" "$((i + 1))" "$seed" || { echo "FAIL: corrupt_fixture $d/$m"; exit 1; }
    cp "$tmp/m/$i" "$tmp/d/$m"
    check "$d/$m" "$i" "$tmp/d"
  done
done
if [[ $fail == 0 ]]; then echo "PASS: $runs runs on corrupted fixtures, each exit 0 or 2 within 10 s"
else echo "FAIL: some of $runs runs on corrupted fixtures crashed, hung or gave another exit code"; fi
exit $fail
