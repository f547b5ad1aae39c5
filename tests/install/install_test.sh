#!/usr/bin/env bash
# install_test.sh BUILD_DIR SOURCE_DIR
#
# `cmake --install` as a user or a packager runs it, and what it lays out:
#   * DESTDIR and --prefix are honoured: bin/layerdiff, share/man/man1/layerdiff.1.gz, bash, zsh
#     (site-functions under /usr/local, vendor-completions under /usr) and fish completions;
#   * the installed binary's --version names the version and the commit of the source tree;
#   * the man page renders without a warning and documents every option --help lists, for
#     every command (they come from the same definitions, so they must never drift);
#   * the completions work in the real shells: bash (the completion function as readline calls
#     it), zsh (its completion system in a pseudo-terminal, capture.zsh) and fish (complete -C):
#     commands, every option of every command's --help, the --format values, files for images.
# Prints one line per check, then "N passed, M failed"; exits 1 if any check failed.
set -u
if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
  exit 2
fi
export LC_ALL=C.UTF-8
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-install.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out ERR=$TMP/err
# shellcheck source=tests/lib.sh
source "$HERE/../lib.sh"

# ---------------------------------------------------------------------------------------------
# Layout.
D=$TMP/dest
if DESTDIR=$D cmake --install "$BUILD" --prefix /usr/local >"$TMP/install.log" 2>&1; then
  pass "cmake --install --prefix /usr/local with DESTDIR"
else
  fail "cmake --install --prefix /usr/local with DESTDIR" "$(tail -n 5 "$TMP/install.log")"
fi
P=$D/usr/local
for f in bin/layerdiff share/man/man1/layerdiff.1.gz share/bash-completion/completions/layerdiff \
         share/zsh/site-functions/_layerdiff share/fish/vendor_completions.d/layerdiff.fish \
         share/doc/layerdiff/README.md; do
  [[ -s $P/$f ]] && pass "installs $f" || fail "installs $f" "missing under $P"
done
[[ -x $P/bin/layerdiff ]] && pass "bin/layerdiff is executable" || fail "bin/layerdiff is executable"
stray=$(cd "$D" && find . -type f | grep -v '^\./usr/local/' || true)
[[ -z $stray ]] && pass "nothing installed outside the prefix" || fail "nothing installed outside the prefix" "$stray"
if DESTDIR=$TMP/dest-usr cmake --install "$BUILD" --prefix /usr >"$TMP/install2.log" 2>&1 &&
   [[ -s $TMP/dest-usr/usr/share/zsh/vendor-completions/_layerdiff && -x $TMP/dest-usr/usr/bin/layerdiff ]]; then
  pass "--prefix /usr: zsh completion in Debian's vendor-completions"
else
  fail "--prefix /usr: zsh completion in Debian's vendor-completions" "$(tail -n 5 "$TMP/install2.log")"
fi

BIN=$P/bin/layerdiff

# ---------------------------------------------------------------------------------------------
# --version: the version and the commit.
version=$("$BIN" --version)
project=$(sed -n 's/^project(layerdiff VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
if [[ $version =~ ^layerdiff\ ([0-9.]+)\ \(commit\ ([0-9a-f]{12})(-dirty)?\)$ ]] && [[ ${BASH_REMATCH[1]} == "$project" ]]; then
  commit=${BASH_REMATCH[2]}
  if git -C "$SRC" rev-parse HEAD >/dev/null 2>&1; then
    head=$(git -C "$SRC" rev-parse HEAD)
    [[ $head == "$commit"* ]] && pass "--version: $version (HEAD)" ||
      fail "--version names HEAD" "$version, HEAD $head"
  else
    pass "--version: $version (no git here to compare)"
  fi
else
  fail "--version: 'layerdiff $project (commit <12 hex>)'" "$version"
fi

# ---------------------------------------------------------------------------------------------
# The man page.
need "man page" man || true
man_txt=$TMP/man.txt
MANWIDTH=100 man --warnings -l "$P/share/man/man1/layerdiff.1.gz" >"$man_txt" 2>"$TMP/man.err"
if [[ -s $TMP/man.err ]]; then
  fail "the man page renders without a warning" "$(head -n 5 "$TMP/man.err")"
else
  pass "the man page renders without a warning"
fi
for s in NAME SYNOPSIS DESCRIPTION COMMANDS "COMMON OPTIONS" "EXIT STATUS" ENVIRONMENT FILES "SEE ALSO"; do
  grep -q "^$s\$" "$man_txt" && pass "man: section $s" || fail "man: section $s"
done
# Every option of every command's --help (the options lines: two spaces, then -x or --name).
help_options() {  # help_options [COMMAND]: the long options (and short ones) --help lists
  "$BIN" "$@" --help | grep -oE '^  (-[a-zA-Z],)?--[a-z][a-z0-9-]*' | grep -oE -- '-[a-zA-Z]\b|--[a-z][a-z0-9-]*' | sort -u
}
missing=()
for cmd in "" inspect ls check diff; do
  while read -r o; do
    # The man page lists each option as "--name" or "-n, --top" at the start of an entry.
    grep -qE -- "(^|[ ,])$o( |,|$)" "$man_txt" || missing+=("${cmd:-layerdiff}: $o")
  done < <(help_options $cmd)
done
[[ ${#missing[@]} -eq 0 ]] && pass "man: every option of every --help is documented" ||
  fail "man: every option of every --help is documented" "${missing[@]}"
for ex in "layerdiff check --baseline main.tar" "layerdiff ls --layer 3 app.tar" "--format html"; do
  grep -qF -- "$ex" "$man_txt" && pass "man: shows '$ex'" || fail "man: shows '$ex'"
done

# ---------------------------------------------------------------------------------------------
# bash: the completion function, called as readline calls it.
cd "$SRC" || exit 2
bash_comp() {  # bash_comp WORD...: the candidates for the last WORD
  bash --norc --noprofile -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _layerdiff 2>/dev/null
    printf "%s\n" "${COMPREPLY[@]}"' bash "$P/share/bash-completion/completions/layerdiff" "$@" | sort -u
}
expect() {  # expect NAME "WANT LINES" GOT: every wanted line is among GOT's
  local name=$1 want=$2 got=$3 w miss=()
  while read -r w; do
    [[ -z $w ]] && continue
    grep -qxF -- "$w" <<<"$got" || miss+=("$w")
  done <<<"$want"
  [[ ${#miss[@]} -eq 0 ]] && pass "$name" || fail "$name" "missing: ${miss[*]}" "got: $(head -n 8 <<<"$got" | tr '\n' ' ')"
}
expect "bash: the commands" "$(printf '%s\n' diff inspect ls check)" "$(bash_comp layerdiff '')"
expect "bash: inspect --for -> --format" "--format" "$(bash_comp layerdiff inspect --for)"
expect "bash: inspect --format values" "$(printf '%s\n' table json markdown md html)" "$(bash_comp layerdiff inspect --format '')"
got=$(bash_comp layerdiff ls --format '')
[[ $got == $'json\ntable' ]] && pass "bash: ls --format: table and json only" || fail "bash: ls --format: table and json only" "$got"
expect "bash: --color=VALUE (split at =)" "$(printf '%s\n' auto always never)" "$(bash_comp layerdiff check --color = '')"
expect "bash: images are files" "$(printf '%s\n' fixtures/oci-gzip.tar fixtures/oci-zstd.tar)" "$(bash_comp layerdiff inspect fixtures/oci-)"
[[ -z $(bash_comp layerdiff inspect -n '') ]] && pass "bash: a number is not completed" || fail "bash: a number is not completed"
for cmd in inspect ls check diff; do
  expect "bash: every option of $cmd --help" "$(help_options $cmd)" "$(bash_comp layerdiff $cmd -)"
done
expect "bash: every option of layerdiff --help" "$(help_options)" "$(bash_comp layerdiff -)"

# ---------------------------------------------------------------------------------------------
# zsh: the completion system itself, in a pseudo-terminal.
if need "zsh completion" zsh; then
  zsh -n "$P/share/zsh/site-functions/_layerdiff" 2>"$ERR" && pass "zsh: the completion parses" ||
    fail "zsh: the completion parses" "$(head -n 3 "$ERR")"
  zsh_comp() { PATH=$P/bin:$PATH timeout 30 zsh -f "$HERE/capture.zsh" "$P/share/zsh/site-functions" "$*"; }
  expect "zsh: the commands" "$(printf '%s\n' diff inspect ls check)" "$(zsh_comp 'layerdiff ')"
  expect "zsh: inspect --format values" "$(printf '%s\n' table json markdown md html)" "$(zsh_comp 'layerdiff inspect --format ')"
  expect "zsh: check --color=VALUE" "$(printf '%s\n' auto always never)" "$(zsh_comp 'layerdiff check --color=')"
  expect "zsh: images are files" "$(printf '%s\n' oci-gzip.tar oci-zstd.tar)" "$(zsh_comp 'layerdiff inspect fixtures/oci-')"
  for cmd in inspect ls check; do
    expect "zsh: every option of $cmd --help" "$(help_options $cmd | grep -- '^--')" "$(zsh_comp "layerdiff $cmd --")"
  done
fi

# ---------------------------------------------------------------------------------------------
# fish: complete -C, as the shell completes a command line.
if need "fish completion" fish; then
  fish_comp() {
    PATH=$P/bin:$PATH fish --no-config -c "source $P/share/fish/vendor_completions.d/layerdiff.fish; complete -C '$*'" |
      cut -f1 | sort -u
  }
  expect "fish: the commands" "$(printf '%s\n' diff inspect ls check)" "$(fish_comp 'layerdiff ')"
  expect "fish: inspect --format values" "$(printf '%s\n' table json markdown md html)" "$(fish_comp 'layerdiff inspect --format ')"
  expect "fish: images are files" "$(printf '%s\n' fixtures/oci-gzip.tar fixtures/oci-zstd.tar)" "$(fish_comp 'layerdiff inspect fixtures/oci-')"
  for cmd in inspect ls check diff; do
    expect "fish: every option of $cmd --help" "$(help_options $cmd | grep -- '^--')" "$(fish_comp "layerdiff $cmd --")"
  done
fi

summary
