#!/usr/bin/env zsh
# capture.zsh FPATH_DIR WORDS...: the candidates zsh's completion system offers for WORDS<TAB>,
# one a line, sorted: an interactive zsh in a pseudo-terminal (zpty), compinit with FPATH_DIR in
# $fpath, and compadd wrapped to print what the completion functions add. A NUL before and after
# the completion (compprefuncs/comppostfuncs) marks where its output is; then the shell exits.
zmodload zsh/zpty || exit 2
dir=$1
shift
init=$(mktemp)
trap 'rm -f $init' EXIT
cat >$init <<INIT
PROMPT=
fpath=($dir \$fpath)
autoload -Uz compinit
compinit -u -D
bindkey '^I' complete-word
marker() { print -n -- '\0' }
compprefuncs=(marker)
comppostfuncs=(marker exit)
compadd() {
  # Options that only query: pass through.
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "\$@"; return \$?; fi
  local -a __hits
  builtin compadd -A __hits "\$@"
  local h
  for h in \$__hits; do print -r -- "CAND:\$h"; done
}
print ready
INIT
zpty z zsh -f -i
zpty -w z "source $init"
local line
repeat 20; do
  zpty -r z line
  [[ $line == ready* ]] && break
done
zpty -w -n z "$*"$'\t'
local out=""
integer tries=0
while (( tries++ < 300 )); do
  zpty -r -t z line || { sleep 0.05; continue; }
  out+=$line
  [[ $out == *$'\0'*$'\0'* ]] && break
done
print -r -- "$out" | tr -d '\r\0' | grep -ao 'CAND:.*' | sed 's/^CAND://' | sort -u
zpty -d z
