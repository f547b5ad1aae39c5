#!/usr/bin/env python3
"""check_stage_diff.py TMP CTX: checks the reports stage_diff_test.sh made.

Each layerdiff report (TMP/NAME.json, .txt, .md) is compared with what is known independently:
the runtime's unpacks (TMP/IMAGE.ls from fs_list, TMP/IMAGE.sha with a sha256 per file), the
Containerfiles in CTX, and the report's own other sections (one story: every sum reconciles).
Prints PASS/FAIL lines; exits 1 when any check failed.
"""
import json
import os
import re
import sys

TMP, CTX = sys.argv[1], sys.argv[2]
failed = 0


def ok(name):
    print(f"PASS: {name}")


def bad(name, detail=""):
    global failed
    failed += 1
    print(f"FAIL: {name}" + (f": {detail}" if detail else ""))


def check(name, want, got):
    if want == got:
        ok(f"{name} ({got!r})")
    else:
        bad(name, f"expected {want!r}, got {got!r}")


def load(name):
    with open(os.path.join(TMP, name + ".json")) as f:
        return json.load(f)


def listing(image):
    rows = {}
    with open(os.path.join(TMP, image + ".ls")) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            rows[p[0]] = p[1:]
    return rows


def shas(image):
    out = {}
    with open(os.path.join(TMP, image + ".sha")) as f:
        for line in f:
            p, h = line.rstrip("\n").split("\t")
            out[p] = h
    return out


def files(image):
    """path -> (size, sha256) of the regular files of the runtime's unpack."""
    ls, sh = listing(image), shas(image)
    return {p: (int(r[1]), sh[p]) for p, r in ls.items() if r[0] in ("f", "h") and p in sh}


def human_bytes(n):
    if n < 1024:
        return f"{n} B"
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    v, u = float(n), 0
    while v >= 1024 and u < 5:
        v /= 1024
        u += 1
    return (f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:.0f}") + " " + units[u]


def human_delta(n):
    return "0 B" if n == 0 else ("+" if n > 0 else "-") + human_bytes(abs(n))


def layer_rows(j):
    """(side, index) -> layer row, as a change's responsible {image, index} names it."""
    shared = j["summary"]["shared_layers"]
    rows = {}
    for l in j["layers"]:
        if l["status"] == "shared":
            rows[("before", l["before_index"])] = l
            rows[("after", l["after_index"])] = l
        elif l["status"] == "before":
            rows[("before", l["before_index"])] = l
        else:
            rows[("after", l["after_index"])] = l
    return rows, shared


def reconcile(name, j):
    """Every sum the report shows equals the content delta, recomputed from the changes."""
    s = j["summary"]
    want = s["delta"]["content_size"]
    check(f"{name}: content delta = after - before", s["after"]["content_size"] - s["before"]["content_size"], want)
    ch = j["changes"]
    check(f"{name}: sum of change deltas = content delta", want, sum(c["delta"] for c in ch))
    sums = {"added_bytes": 0, "removed_bytes": 0, "grown_bytes": 0, "shrunk_bytes": 0}
    for c in ch:
        if c["change"] == "added":
            sums["added_bytes"] += c["after"]["bytes"]
        elif c["change"] == "removed":
            sums["removed_bytes"] += c["before"]["bytes"]
        elif c["delta"] > 0:
            sums["grown_bytes"] += c["delta"]
        else:
            sums["shrunk_bytes"] -= c["delta"]
    for k, v in sums.items():
        check(f"{name}: summary.changes.{k} = its changes", v, s["changes"][k])
    check(f"{name}: added - removed + grown - shrunk = content delta", want,
          sums["added_bytes"] - sums["removed_bytes"] + sums["grown_bytes"] - sums["shrunk_bytes"])
    same_content = [c["path"] for c in ch if c["change"] == "modified" and "content" not in c["what"] and c["delta"] != 0
                    and "hardlink" not in c["what"]]
    check(f"{name}: a change without new content has delta 0", [], same_content)
    rows, shared = layer_rows(j)
    per = {}
    for c in ch:
        r = c["responsible"]
        row = rows.get((r["image"], r["index"]))
        if row is None:
            bad(f"{name}: {c['path']} is charged to a layer the report does not list", str(r))
            continue
        a, d, n = per.get(id(row), (0, 0, 0))
        per[id(row)] = (a + max(c["delta"], 0), d + max(-c["delta"], 0), n + 1)
    mismatched = []
    for l in j["layers"]:
        a, d, n = per.get(id(l), (0, 0, 0))
        if (l["added"], l["removed"], l["paths"], l["delta"]) != (a, d, n, a - d):
            mismatched.append((l["status"], l["before_index"], l["after_index"]))
        if l["status"] == "shared" and n:
            bad(f"{name}: shared layer {l['after_index']} is charged {n} changes")
    check(f"{name}: each layer row = the changes charged to it", [], mismatched)
    check(f"{name}: layer rows' net = content delta", want, sum(l["delta"] for l in j["layers"]))
    stages = {}
    for l in j["layers"]:
        a, d, n = stages.get(l["stage"], (0, 0, 0))
        stages[l["stage"]] = (a + l["added"], d + l["removed"], n + 1)
    got = {r["stage"]: (r["added"], r["removed"], r["layers"]) for r in j["stages"]["rows"]}
    check(f"{name}: stage rows = the sums of their layers", stages, got)
    check(f"{name}: stage rows' net = content delta", want, sum(r["delta"] for r in j["stages"]["rows"]))
    for lo in j["stages"]["leftovers"]:
        parts = lo["common_base"] + lo["inherited"] + lo["copied"] + lo["also_in_after"] + lo["left_behind"]
        check(f"{name}: leftovers of {lo['name']}: the parts add up to its content", lo["content"], parts)
        check(f"{name}: leftovers of {lo['name']}: by layer = left behind", lo["left_behind"],
              sum(l["left_behind"] for l in lo["layers"]))
        check(f"{name}: leftovers of {lo['name']}: by directory = left behind", lo["left_behind"],
              sum(d["size"] for d in lo["directories"]))


def runtime_changes(name, j, before, after):
    """The changed paths equal what the runtime's unpacks of both images say."""
    lb, la = listing(before), listing(after)
    sb, sa = shas(before), shas(after)
    want = {"removed": sorted(set(lb) - set(la)), "added": sorted(set(la) - set(lb)),
            "modified": sorted(p for p in set(lb) & set(la)
                               if lb[p] != la[p] or sb.get(p) != sa.get(p))}
    for kind in ("removed", "added", "modified"):
        got = sorted(c["path"] for c in j["changes"] if c["change"] == kind)
        if got == want[kind]:
            ok(f"{name}: {kind} paths = the runtime's unpacks ({len(got)})")
        else:
            bad(f"{name}: {kind} paths differ from the runtime's unpacks",
                f"missing {sorted(set(want[kind]) - set(got))[:5]}, extra {sorted(set(got) - set(want[kind]))[:5]}")


def instructions(containerfile, stage=None):
    """The layer-making instructions (RUN, COPY, ADD) of one stage of a Containerfile, in order."""
    out, current, n = [], None, -1
    with open(os.path.join(CTX, containerfile)) as f:
        for line in f:
            line = line.strip()
            if line.startswith("FROM "):
                n += 1
                m = re.search(r" AS (\S+)$", line, re.I)
                current = m.group(1) if m else f"stage-{n}"
                continue
            if (stage is None or current == stage) and line.split(" ")[0] in ("RUN", "COPY", "ADD"):
                out.append(line)
    return out


def change(j, path):
    for c in j["changes"]:
        if c["path"] == path:
            return c
    return None


def tables_agree(name, j):
    """The table and the Markdown show the JSON's numbers for every layer and stage."""
    txt = open(os.path.join(TMP, name + ".txt")).read()
    md = open(os.path.join(TMP, name + ".md")).read()
    section = txt.split("\nLAYERS")[1].split("\n\n")[0].splitlines()[2:]
    bad_rows = []
    for l, line in zip(j["layers"], section):
        cells = [human_delta(l["added"]) if l["added"] else None, human_delta(-l["removed"]) if l["removed"] else None,
                 str(l["paths"]) if l["paths"] else None]
        if any(c and c not in line for c in cells) or l["instruction"] not in line or l["stage"] not in line:
            bad_rows.append(line)
    check(f"{name}: table LAYERS rows show the JSON's bytes, stage and full instruction", [], bad_rows)
    net = [line for line in section if line.strip().startswith("NET")]
    check(f"{name}: table LAYERS NET = content delta",
          True, bool(net) and human_delta(j["summary"]["delta"]["content_size"]) in net[0])
    for r in j["stages"]["rows"]:
        row = [x for x in txt.split("\nSTAGES  the sums")[1].split("\n\n")[0].splitlines() if x.startswith("  " + r["stage"] + " ")]
        check(f"{name}: table STAGES row {r['stage']} net", True, bool(row) and human_delta(r["delta"]) in row[0])
        check(f"{name}: markdown Stages row {r['stage']}", True,
              f"| {r['stage']} | {r['layers']} |" in md and human_delta(r["delta"]) in md)
    for lo in j["stages"]["leftovers"]:
        check(f"{name}: table headline says what {lo['name']} left behind", True,
              f"{lo['name']} left {human_bytes(lo['left_behind'])} behind" in txt)
        check(f"{name}: markdown says what {lo['name']} left behind", True,
              f"`{lo['name']}` left **{human_bytes(lo['left_behind'])}** behind" in md)


def leftovers_independent(name, lo, stage_image, after_image):
    """Left behind = the stage's files outside the base that AFTER has neither by content nor by
    path; common base + copied + also in AFTER = the rest (no stage image built on it here)."""
    base = {p for p, r in listing("base").items() if r[0] == "f"}
    st, af = files(stage_image), files(after_image)
    after_shas = {h for _, h in af.values()}
    left = sum(sz for p, (sz, h) in st.items() if p not in base and h not in after_shas and p not in af)
    check(f"{name}: {lo['name']} left behind = stage files AFTER has neither by content nor by path", left,
          lo["left_behind"])
    check(f"{name}: {lo['name']} common base = the base image's files",
          sum(sz for p, (sz, _) in st.items() if p in base), lo["common_base"])


# --------------------------------------------------------------------------------------- node
j = load("node")
reconcile("node", j)
runtime_changes("node", j, "node-single", "node")
tables_agree("node", j)
builder_steps = instructions("Containerfile.node", "builder")
before_layers = [l for l in j["layers"] if l["status"] == "before"]
check("node: BEFORE's own layers are the builder's (stage, by ChainID)",
      [("builder", "stage-image")] * len(builder_steps), [(l["stage"], l["label_source"]) for l in before_layers])
check("node: BEFORE's layers carry the builder's instructions, in order", builder_steps,
      [l["instruction"] for l in before_layers])
check("node: the shared bottom layer is the FROM image", "base: localhost/base:1", j["layers"][0]["stage"])
after_layers = [l for l in j["layers"] if l["status"] == "after"]
runtime_steps = instructions("Containerfile.node", "runtime")
check("node: AFTER's layers are the runtime stage's instructions", runtime_steps,
      [l["instruction"] for l in after_layers])
check("node: AFTER's stages and COPY --from sources",
      [("runtime", None), ("runtime", "prod-deps"), ("runtime", "builder")],
      [(l["stage"], l["copied_from"]) for l in after_layers])
cc1 = change(j, "/usr/lib/gcc/cc1")
tool_layer = before_layers[0]["before_index"]
check("node: the toolchain is removed, charged to the builder's toolchain RUN",
      ("removed", {"image": "before", "index": tool_layer}, -819200),
      cc1 and (cc1["change"], cc1["responsible"], cc1["delta"]))
check("node: /usr/bin/node, installed again with the same bytes, is no change", None, change(j, "/usr/bin/node"))
pk = change(j, "/var/cache/apt/pkgcache.bin")
check("node: the rebuilt cache is modified, charged to the runtime's RUN",
      ("modified", {"image": "after", "index": after_layers[0]["after_index"]}, 30720 - 40960),
      pk and (pk["change"], pk["responsible"], pk["delta"]))
ts = change(j, "/app/node_modules/typescript/tsc.js")
check("node: typescript (a dev dependency) is removed, charged to `npm ci`",
      {"image": "before", "index": before_layers[2]["before_index"]}, ts and ts["responsible"])
los = {lo["name"]: lo for lo in j["stages"]["leftovers"]}
b = los["builder"]
leftovers_independent("node", dict(b, inherited=0), "node-builder", "node")
by_ins = {l["instruction"]: l["left_behind"] for l in b["layers"]}
check("node: builder's toolchain RUN left cc1 and npm's cli.js behind (not node)", (800 + 90) * 1024,
      by_ins[builder_steps[0]])
check("node: builder's `npm ci` left typescript and the npm cache behind (not express)", (300 + 100) * 1024,
      by_ins[builder_steps[2]])
check("node: builder's build RUN left nothing behind (dist was copied)", 0, by_ins[builder_steps[4]])
check("node: copied from builder = dist + express (through prod-deps)",
      files("node")["/app/dist/server.js"][0] + 60 * 1024, b["copied"])
p = los["prod-deps"]
own = sum(l["content"] for l in p["layers"] if not l["inherited"] and l["label_source"] != "common-base")
check("node: prod-deps reports only its own layer; builder's are inherited",
      p["content"] - p["common_base"] - own, p["inherited"])
check("node: prod-deps' own layer (npm prune) left nothing behind", 0, p["left_behind"])

# ------------------------------------------------------------------- node without a Dockerfile
j = load("node-nodf")
reconcile("node-nodf", j)
tables_agree("node-nodf", j)
before_layers = [l for l in j["layers"] if l["status"] == "before"]
check("node-nodf: BEFORE's layers are builder's by ChainID alone",
      ["builder"] * len(builder_steps), [l["stage"] for l in before_layers])
after_layers = [l for l in j["layers"] if l["status"] == "after"]
check("node-nodf: AFTER's own RUN is claimed by no stage", ("after", "history", None),
      (after_layers[0]["stage"], after_layers[0]["label_source"], after_layers[0]["copied_from"]))
check("node-nodf: the COPY layers are found in the stage images by content, and say so",
      [("content", True), ("content", True)],
      [(l["label_source"], "prod-deps" in (l["copied_from"] or "")) for l in after_layers[1:]])

# ------------------------------------------------------------- two Dockerfiles never merge stages
j = load("node-2df")
reconcile("node-2df", j)
sides = {}
for l in j["layers"]:
    sides.setdefault(l["stage"], set()).add(l["status"])
mixed = [s for s, v in sides.items() if v - {"shared"} and len(v - {"shared"}) > 1]
check("node-2df: no stage row mixes BEFORE's and AFTER's own layers", [], mixed)
check("node-2df: BEFORE's stage is named after its own Dockerfile", True,
      "stage-0 (Containerfile.node-single)" in sides and "runtime" in sides)

# ------------------------------------------------------------------------------------- python
j = load("python")
reconcile("python", j)
runtime_changes("python", j, "python-single", "python")
tables_agree("python", j)
steps = instructions("Containerfile.python", "builder")
before_layers = [l for l in j["layers"] if l["status"] == "before"]
check("python: BEFORE's own layers are the builder's instructions",
      [("builder", s) for s in steps], [(l["stage"], l["instruction"]) for l in before_layers])
after_layers = [l for l in j["layers"] if l["status"] == "after"]
check("python: AFTER's COPY --from=builder", ("stage-1", "builder"),
      (after_layers[-1]["stage"], after_layers[-1]["copied_from"]))
lo = j["stages"]["leftovers"][0]
leftovers_independent("python", lo, "python-builder", "python")
by_ins = {l["instruction"]: l["left_behind"] for l in lo["layers"]}
check("python: the toolchain RUN left gcc behind", 700 * 1024 + 7, by_ins[steps[0]])
check("python: pip install left nothing behind (its /install was copied)", 0, by_ins[steps[2]])
copied_shas = {h for p, (_, h) in files("python").items() if p.startswith("/usr/local/")}
base = {p for p, r in listing("base").items() if r[0] == "f"}
check("python: copied = the builder's files whose content the COPY --from=builder layer holds",
      sum(sz for p, (sz, h) in files("python-builder").items() if p not in base and h in copied_shas), lo["copied"])

# ------------------------------------------------------- a shared stack plus a deleting layer
j = load("cleaned")
reconcile("cleaned", j)
runtime_changes("cleaned", j, "node-single", "cleaned")
top = j["summary"]["after"]["layers"] - 1
check("cleaned: every BEFORE layer is shared", j["summary"]["before"]["layers"], j["summary"]["shared_layers"])
check("cleaned: every change is charged to the deleting layer", [], [c["path"] for c in j["changes"]
      if c["responsible"] != {"image": "after", "index": top}])
removed = [c for c in j["changes"] if c["change"] == "removed"]
check("cleaned: removed paths name the layer that deleted them and the one that wrote them", [],
      [c["path"] for c in removed if c.get("removed_by") != {"image": "after", "index": top} or "written_by" not in c])
for p in ("/etc/motd", "/usr/share/npm/cli.js"):
    c = change(j, p)
    check(f"cleaned: {p} changed only its mode: delta 0", (["mode"], 0), c and (c["what"], c["delta"]))
c = change(j, "/usr/bin/nodejs")
check("cleaned: a new hardlinked name of an existing file adds no bytes", ("added", "h", 0),
      c and (c["change"], c["after"]["type"], c["delta"]))
c = change(j, "/usr/bin/node")
check("cleaned: the file that gained the name is no byte change", 0, c["delta"] if c else 0)
single = files("node-single")
gone = sum(single[c["path"]][0] for c in removed if c["path"] in single)
s = j["summary"]["changes"]
check("cleaned: removed bytes = the deleted files' sizes; nothing added, grown or shrunk",
      (gone, 0, 0, 0, 2), (s["removed_bytes"], s["added_bytes"], s["grown_bytes"], s["shrunk_bytes"], s["metadata_only"]))
row = [l for l in j["layers"] if l["status"] == "after"][0]
check("cleaned: the deleting layer's row: removed = those bytes, added 0", (gone, 0), (row["removed"], row["added"]))

sys.exit(1 if failed else 0)
