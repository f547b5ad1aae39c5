#!/usr/bin/env bash
# check_cli_test.sh LAYERDIFF_BIN FIXTURES_DIR
#
# `layerdiff check` on the committed fixtures: fixtures/oci-gzip.tar (image `edge`) is the
# baseline, fixtures/oci-after.tar (`after` = edge + one layer: -100 KiB of content, /etc/passwd
# +32 B, new /etc/newconf 11 B and /newdir/file 9 B; see FIXTURES_DIR/README.md) the image.
#   * exit codes: 0 all rules pass, 1 a rule failed, 2 an error (never 1 for an error);
#   * rules at and just over their limit through the CLI; relative rules skipped without baseline;
#   * the config file (--config, ./.layerdiff.toml) and flags overriding it, `off`;
#   * table, JSON, Markdown and JUnit output equal golden files (FIXTURES_DIR/golden/check-*;
#     only tests/update-goldens.sh rewrites them); the JUnit report is well-formed (xmllint);
#   * GITHUB_ACTIONS=true: `::error::` lines, and the Markdown appended to $GITHUB_STEP_SUMMARY.
# Prints one line per check, then "N passed, M failed"; exits 1 if any check failed.
set -u

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LAYERDIFF_BIN FIXTURES_DIR" >&2
  exit 2
fi
export LC_ALL=C
unset NO_COLOR GITHUB_ACTIONS GITHUB_STEP_SUMMARY

BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FIXDIR=$(cd "$2" && pwd)
ROOT=$(dirname "$FIXDIR")
F=$(basename "$FIXDIR")
GOLD=$F/golden
cd "$ROOT" || exit 2
BASE=$F/oci-gzip.tar
AFTER=$F/oci-after.tar

TMP=$(mktemp -d "${TMPDIR:-/tmp}/layerdiff-check.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out ERR=$TMP/err

# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"


# expect_rc NAME WANT_RC [GREP_STDOUT]: the last run exited WANT_RC (and stdout has the text).
expect_rc() {
  local name=$1 want=$2 text=${3:-}
  if [[ $rc -ne $want ]]; then
    fail "$name" "exit $rc, want $want; stderr:"
    excerpt "$ERR"
  elif [[ -n $text ]] && ! grep -qF -- "$text" "$OUT"; then
    fail "$name" "stdout lacks: $text"
    excerpt "$OUT" 20
  else
    pass "$name"
  fi
}


# The rules of the golden files: some pass, some fail, one of each kind of blame.
RULES=(--max-size 10MiB --max-layers 4 --max-wasted 50% --max-growth 0% --max-file-growth 31B
       --max-new-file 10B --budget '/etc/**=1KiB' --forbid '/usr/bin/gcc*' --forbid '**/newdir/**')

############################################################################
# exit codes and limits through the CLI
############################################################################
run check --baseline "$BASE" --max-size 10MiB --max-growth 0% --max-layers 4 "$AFTER"
expect_rc "all rules pass: exit 0" 0 "PASSED: 3 rules passed"
run check --baseline "$BASE" --max-new-file 11B "$AFTER"
expect_rc "max-new-file at the limit (11 B): exit 0" 0 "PASS"
run check --baseline "$BASE" --max-new-file 10B "$AFTER"
expect_rc "max-new-file just over (11 B > 10B): exit 1, names the path" 1 "/etc/newconf  layer 3"
run check --baseline "$BASE" --max-file-growth 32B "$AFTER"
expect_rc "max-file-growth at the limit (32 B): exit 0" 0
run check --baseline "$BASE" --max-file-growth 31B "$AFTER"
expect_rc "max-file-growth just over: exit 1, names the path" 1 "/etc/passwd  layer 3"
# Uncompressed layers have no compressed size: the rule is an error, never a wrong number.
run check --max-size-compressed 1MB "$F/docker.tar"
check_err "max-size-compressed on a docker save archive (uncompressed layers): exit 2" 2 \
  "layerdiff: error: $F/docker.tar: max-size-compressed: layer 0 (85a9f4a5dd6a) is stored uncompressed, so the image's compressed size is unknown; check an archive with compressed layers (an OCI archive from skopeo or podman, or the registry's image), or use --max-size"
run check --max-size-compressed 1MB "$AFTER"
expect_rc "max-size-compressed on gzip layers: judged" 0
run check --max-layers 3 "$AFTER"
expect_rc "max-layers 3 of 4: exit 1" 1 "FAILED: 1 of 1 rule failed"
run check --max-size 4364B "$AFTER"
expect_rc "max-size at the limit (4364 B): exit 0" 0
run check --max-size 4363B "$AFTER"
expect_rc "max-size just over: exit 1" 1
run check --max-growth 0% --max-new-file 1B "$AFTER"
expect_rc "relative rules without --baseline: skipped, exit 0" 0 "SKIP (no baseline (--baseline))"
run check --baseline "$AFTER" --max-growth 102368B "$BASE"
expect_rc "max-growth at the limit (+102368 B): exit 0" 0
run check --baseline "$AFTER" --max-growth 102367B "$BASE"
expect_rc "max-growth just over: exit 1, blames the ADD layer" 1 "in layer 0 (2 paths): common base: ADD file:base.tar in /"
run check --forbid '**/newdir/**' "$AFTER"
expect_rc "forbid: exit 1, lists the directory and its file" 1 "       dir  /newdir  layer 3"

# Dockerfile labels name the instruction (and stage) that wrote the blamed paths.
cat >"$TMP/Dockerfile" <<'DOCKERFILE'
FROM example/edge:1 AS final
RUN rm /etc/hostname /data/random.bin && rm -r /typefile && chmod u-s /bin/hello && echo extra >> /etc/passwd && ...
DOCKERFILE
run check --baseline "$BASE" --max-new-file 10B --dockerfile "$TMP/Dockerfile" "$AFTER"
expect_rc "--dockerfile: the failed rule names the stage and instruction" 1 \
  "in layer 3 (1 path): final: RUN rm /etc/hostname"

# Errors exit 2, never 1 — also when a rule would have failed.
run check --max-new-file 10B "$F/no-such.tar"
check_err "unreadable image: exit 2" 2 "layerdiff: error: $F/no-such.tar: cannot open: No such file or directory"
run check --baseline "$F/no-such.tar" --max-new-file 10B "$AFTER"
check_err "unreadable baseline with a failing rule: exit 2" 2 \
  "layerdiff: error: $F/no-such.tar: cannot open: No such file or directory"
head -c 30000 "$AFTER" >"$TMP/truncated.tar"
run check --max-layers 1 "$TMP/truncated.tar"
if [[ $rc -eq 2 && ! -s $OUT ]]; then pass "truncated image: exit 2"; else fail "truncated image: exit 2" "exit $rc"; fi
run check --max-growth 5x "$AFTER"
check_err "bad size: exit 2" 2 "layerdiff: error: --max-growth: bad size '5x': unknown unit 'x'; use B, kB, MB, GB, TB (1000) or KiB, MiB, GiB, TiB (1024)"
run check --max-size 5% "$AFTER"
check_err "percentage where a size is needed: exit 2" 2 \
  "layerdiff: error: --max-size: bad size '5%': a size is needed here, not a percentage"
run check --max-size 10M "$AFTER"
check_err "ambiguous unit M: exit 2" 2 "layerdiff: error: --max-size: bad size '10M': unknown unit 'M'; use B, kB, MB, GB, TB (1000) or KiB, MiB, GiB, TiB (1024)"
run check --min-efficiency 90 "$AFTER"
check_err "efficiency above 1 without %: exit 2" 2 \
  "layerdiff: error: --min-efficiency: bad fraction '90': a fraction is at most 1 (write 90% or 0.9)"
run check --budget /usr/lib "$AFTER"
check_err "budget without =SIZE: exit 2" 2 "layerdiff: error: --budget: expected GLOB=SIZE, got '/usr/lib'"
run check --forbid /a//b "$AFTER"
check_err "bad glob: exit 2" 2 "layerdiff: error: --forbid: bad pattern '/a//b': empty component ('//')"
run check --max-layers 3x "$AFTER"
check_err "bad layer count: exit 2" 2 "layerdiff: error: --max-layers: bad count '3x': expected a whole number of layers"
run check "$AFTER"
check_err "no rules: exit 2" 2 "layerdiff: error: check: no rules to check; give at least one (--max-size, --max-growth, --forbid, … see layerdiff check --help) or a [check] section in the config file"
run check --max-new-file 10B --junit "$TMP/no-such-dir/j.xml" --baseline "$BASE" "$AFTER"
if [[ $rc -eq 2 ]] && grep -qF "no-such-dir/j.xml: cannot write the report" "$ERR"; then
  pass "unwritable --junit with a failing rule: exit 2"
else
  fail "unwritable --junit with a failing rule: exit 2" "exit $rc; $(head -n 1 "$ERR")"
fi
run check --frobnicate "$AFTER"
if [[ $rc -eq 2 && ! -s $OUT ]]; then pass "unknown flag: exit 2"; else fail "unknown flag: exit 2" "exit $rc"; fi

############################################################################
# config file
############################################################################
CFG=$TMP/gate.toml
cat >"$CFG" <<TOML
# the gate of the fixtures
[check]
baseline = "$BASE"
max-growth = "5%"
max-new-file = "10B"
budget = ["/etc/**=1KiB", "/data/**=4KiB"]
forbid = ["/usr/bin/gcc*",
          "**/newdir/**"]
TOML
run check --config "$CFG" "$AFTER"
expect_rc "--config: its rules run (max-new-file and forbid fail): exit 1" 1 "FAILED: 2 of 6 rules failed"
if grep -qF "BASELINE  $BASE" "$OUT"; then pass "--config: baseline from the file"; else fail "--config: baseline from the file"; fi
run check --config "$CFG" --max-new-file 1KiB --forbid off "$AFTER"
expect_rc "flags override the file (--max-new-file 1KiB, --forbid off): exit 0" 0 "PASSED: 4 rules passed"
run check --config "$CFG" --max-new-file off --forbid '/nothing' "$AFTER"
expect_rc "--max-new-file off; --forbid replaces the file's list: exit 0" 0 "forbid /nothing"
run check --config "$CFG" --max-growth 2% --baseline "$AFTER" "$BASE"
expect_rc "--max-growth and --baseline override the file's: exit 1" 1 "<= 2%"

mkdir -p "$TMP/cwd"
cp "$CFG" "$TMP/cwd/.layerdiff.toml"
sed -i "s|\"$BASE\"|\"$ROOT/$BASE\"|" "$TMP/cwd/.layerdiff.toml"
(cd "$TMP/cwd" && "$BIN" check "$ROOT/$AFTER" >"$OUT" 2>"$ERR")
rc=$?
expect_rc "./.layerdiff.toml is read when present: exit 1" 1 "FAILED: 2 of 6 rules failed"
(cd "$TMP/cwd" && "$BIN" inspect "$ROOT/$AFTER" >"$OUT" 2>"$ERR")
rc=$?
expect_rc "./.layerdiff.toml does not affect inspect" 0 "LAYERS"

printf '[check]\nmax-grwoth = "5%%"\n' >"$TMP/bad.toml"
run check --config "$TMP/bad.toml" "$AFTER"
check_err "config: unknown key: exit 2" 2 "layerdiff: error: $TMP/bad.toml: [check] max-grwoth: unknown key"
printf 'max-growth = "5%%"\n' >"$TMP/bad.toml"
run check --config "$TMP/bad.toml" "$AFTER"
check_err "config: key outside [check]: exit 2" 2 \
  "layerdiff: error: $TMP/bad.toml: max-growth: put the keys of \`layerdiff check\` under [check]"
printf '[diff]\nmtime = true\n' >"$TMP/bad.toml"
run check --config "$TMP/bad.toml" "$AFTER"
check_err "config: unknown section: exit 2" 2 "layerdiff: error: $TMP/bad.toml: [diff]: unknown section (layerdiff reads [check])"
printf '[check]\nmax-growth = "5 parsecs"\n' >"$TMP/bad.toml"
run check --config "$TMP/bad.toml" "$AFTER"
check_err "config: bad value names the file and key: exit 2" 2 \
  "layerdiff: error: $TMP/bad.toml: [check] max-growth: bad size '5 parsecs': unknown unit 'parsecs'; use B, kB, MB, GB, TB (1000) or KiB, MiB, GiB, TiB (1024)"
printf '[check]\nformat = "xml"\n' >"$TMP/bad.toml"
run check --config "$TMP/bad.toml" --max-layers 9 "$AFTER"
check_err "config: value the flag's own check refuses: exit 2" 2 \
  "layerdiff: error: $TMP/bad.toml: [check] format: --format: xml not in {table,json,markdown,md,html}"
run check --config "$TMP/missing.toml" --max-layers 9 "$AFTER"
check_err "config: missing file: exit 2" 2 "layerdiff: error: $TMP/missing.toml: cannot read the config file"

############################################################################
# config and audit rules (AFTER runs as root: its config has no User; it has one setuid and
# one setgid file; its layer 3 deletes /data/random.bin, 100 KiB still in layer 0)
############################################################################
run check --forbid-root-user "$AFTER"
expect_rc "--forbid-root-user: no User is root: exit 1" 1 "FAILED: 1 of 1 rule failed"
if grep -qE '^  forbid-root-user +root \(User unset\)  not root +FAIL$' "$OUT"; then
  pass "--forbid-root-user: the table shows the User and FAIL"
else
  fail "--forbid-root-user: the table shows the User and FAIL"
  excerpt "$OUT" 8
fi
run check --baseline "$BASE" --forbid-config-change Entrypoint --forbid-config-change cmd "$AFTER"
expect_rc "--forbid-config-change Entrypoint, cmd (unchanged; any case): exit 0" 0 "forbid-config-change Cmd"
run check --baseline "$BASE" --forbid-config-change history "$AFTER"
expect_rc "--forbid-config-change history (5 -> 6): exit 1" 1 "   changed  history  5 -> 6"
run check --forbid-config-change Cmd "$AFTER"
expect_rc "--forbid-config-change without a baseline: skipped, exit 0" 0 "SKIP (no baseline (--baseline))"
run check --forbid-finding hidden --forbid-finding device "$AFTER"
expect_rc "--forbid-finding hidden fails, device (none outside /dev) passes: exit 1" 1 \
  "     100 KiB  /data/random.bin  layer 0 -> 3 (deleted by RUN rm /etc/hostname"
if grep -qE '^  forbid-finding device +0 findings +no finding +PASS$' "$OUT"; then
  pass "--forbid-finding device: 0 findings, PASS"
else
  fail "--forbid-finding device: 0 findings, PASS"
  excerpt "$OUT" 20
fi
run check --forbid-config-change Entry "$AFTER"
check_err "unknown config field: exit 2" 2 "layerdiff: error: --forbid-config-change: unknown config field 'Entry'; fields: Entrypoint, Cmd, User, WorkingDir, Env, ExposedPorts, Volumes, Labels, StopSignal, Healthcheck, os, architecture, variant, created, history"
run check --forbid-finding secret "$AFTER"
check_err "unknown finding kind: exit 2" 2 "layerdiff: error: --forbid-finding: unknown finding kind 'secret'; kinds: hidden-secret, hidden, removable, setuid, setgid, world-writable, device"
printf '[check]\nforbid-root-user = true\nforbid-finding = ["setgid"]\nforbid-config-change = ["Cmd"]\n' >"$TMP/audit.toml"
run check --config "$TMP/audit.toml" "$AFTER"
expect_rc "config file: forbid-root-user, forbid-finding setgid fail: exit 1" 1 "FAILED: 2 of 3 rules failed, 1 skipped"
run check --config "$TMP/audit.toml" --forbid-root-user=false --forbid-finding off --max-layers 9 "$AFTER"
expect_rc "--forbid-root-user=false and --forbid-finding off override the file: exit 0" 0 "PASSED: 1 rule passed, 1 skipped"
printf '[check]\nforbid-finding = ["setuid", "nope"]\n' >"$TMP/bad.toml"
run check --config "$TMP/bad.toml" "$AFTER"
check_err "config: unknown finding kind names the file and key: exit 2" 2 \
  "layerdiff: error: $TMP/bad.toml: [check] forbid-finding: unknown finding kind 'nope'; kinds: hidden-secret, hidden, removable, setuid, setgid, world-writable, device"
run check --format json --forbid-root-user --forbid-finding setgid "$AFTER"
if grep -qF '"name":"forbid-root-user","rule":"forbid-root-user","status":"fail","message":"forbid-root-user: runs as root (User unset)","unit":"text","value":"root (User unset)","limit":{"text":"not root"}' "$OUT" &&
   grep -qF '"offenders":[{"path":"/bin/sgid","type":"f","bytes":20,"layer":0,"stage":"after","instruction":"ADD file:base.tar in /","note":"mode 2755"}]' "$OUT"; then
  pass "JSON: the root-user rule's text value, the setgid offender with its note"
else
  fail "JSON: the root-user rule's text value, the setgid offender with its note"
  excerpt "$OUT" 3
fi

############################################################################
# golden outputs
############################################################################
run check --baseline "$BASE" "${RULES[@]}" "$AFTER"
check_golden_file "table output" 1 "$OUT" "$GOLD/check-after.txt"
run check --baseline "$BASE" "${RULES[@]}" --format markdown "$AFTER"
check_golden_file "markdown output" 1 "$OUT" "$GOLD/check-after.md"
run check --baseline "$BASE" "${RULES[@]}" --format json "$AFTER"
check_golden_file "json output" 1 "$OUT" "$GOLD/check-after.json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["command"]=="check" and d["failed"]==4' "$OUT" 2>/dev/null; then
  pass "json parses, 4 rules failed"
else
  fail "json parses, 4 rules failed"
fi
run check --baseline "$BASE" "${RULES[@]}" --junit "$TMP/junit.xml" "$AFTER"
check_golden_file "junit report" 1 "$TMP/junit.xml" "$GOLD/check-after.xml"
if need "junit is well-formed XML" xmllint; then
  if xmllint --noout "$TMP/junit.xml" 2>"$ERR"; then pass "junit is well-formed XML"; else fail "junit is well-formed XML"; excerpt "$ERR"; fi
fi
run check --max-size 10MiB --max-growth 5% --max-new-file 1MiB --junit "$TMP/junit.xml" "$AFTER"
check_golden_file "junit report without baseline (skipped cases)" 0 "$TMP/junit.xml" "$GOLD/check-after-nobaseline.xml"

############################################################################
# GitHub Actions
############################################################################
SUMMARY=$TMP/summary.md
echo "earlier step output" >"$SUMMARY"
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$SUMMARY "$BIN" check --baseline "$BASE" "${RULES[@]}" "$AFTER" >"$OUT" 2>"$ERR"
rc=$?
n=$(grep -c '^::error title=layerdiff check%3A ' "$OUT")
if [[ $rc -eq 1 && $n -eq 4 ]]; then pass "GITHUB_ACTIONS=true: one ::error:: per failed rule (4)"; else fail "GITHUB_ACTIONS=true: one ::error:: per failed rule" "exit $rc, $n lines"; fi
want='::error title=layerdiff check%3A max-new-file::max-new-file: 11 B is over the limit 10B%0A      11 B  /etc/newconf  layer 3%0A      11 B  in layer 3 (1 path): RUN rm /etc/hostname /data/random.bin && rm -r /typefile && chmod u-s /bin/hello && echo extra >> /etc/passwd && ...'
if grep -qxF -- "$want" "$OUT"; then pass "::error:: line names the rule, the path and the instruction"; else fail "::error:: line names the rule, the path and the instruction"; grep '^::error' "$OUT" | head -n 3 | sed 's/^/      | /'; fi
{ echo "earlier step output"; cat "$GOLD/check-after.md"; } >"$TMP/want-summary.md"
if cmp -s "$SUMMARY" "$TMP/want-summary.md"; then pass "step summary: the Markdown report appended"; else fail "step summary: the Markdown report appended"; diff "$TMP/want-summary.md" "$SUMMARY" | head -n 5; fi
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$SUMMARY "$BIN" check --baseline "$BASE" "${RULES[@]}" --format json "$AFTER" >"$OUT" 2>"$ERR"
rc=$?
if [[ $rc -eq 1 ]] && ! grep -q '^::' "$OUT" && [[ $(grep -c '^::error' "$ERR") -eq 4 ]] &&
   python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" 2>/dev/null; then
  pass "GITHUB_ACTIONS=true --format json: annotations on stderr, stdout stays JSON"
else
  fail "GITHUB_ACTIONS=true --format json: annotations on stderr, stdout stays JSON" "exit $rc"
fi
run check --baseline "$BASE" "${RULES[@]}" "$AFTER"
if ! grep -q '^::' "$OUT"; then pass "without GITHUB_ACTIONS: no workflow commands"; else fail "without GITHUB_ACTIONS: no workflow commands"; fi
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$TMP/no-such-dir/s.md "$BIN" check --max-layers 9 "$AFTER" >"$OUT" 2>"$ERR"
rc=$?
if [[ $rc -eq 2 ]]; then pass "unwritable GITHUB_STEP_SUMMARY: exit 2"; else fail "unwritable GITHUB_STEP_SUMMARY: exit 2" "exit $rc"; fi

run check --help
if [[ $rc -eq 0 ]] && grep -q "Examples" "$OUT" && grep -q -- "--max-growth" "$OUT"; then
  pass "check --help: exit 0, lists the rules and examples"
else
  fail "check --help: exit 0, lists the rules and examples" "exit $rc"
fi

summary
