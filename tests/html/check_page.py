#!/usr/bin/env python3
"""check_page.py KIND PAGE.html REPORT.json [--ls LS.jsonl] [--top N] [--no-js] [--screenshot PNG]

Loads one of layerdiff's HTML pages in headless Chromium (browser.py) and checks it as a user and
as the JSON of the same run would:
  * it loads with no console error, exception or CSP violation, and requests nothing but itself;
  * every value the page shows for the report (`data-k`, a JSON pointer, with `data-v` the exact
    value) equals the JSON's, and the page shows every row the JSON's lists have (per KIND);
  * the sortable tables sort (a click on a header, twice), [other]-like rows staying below;
  * inspect and diff: the treemap is drawn from the same numbers: its root holds the content
    size(s), every box's bytes are the bytes below that path (from `layerdiff ls --format json`
    of the image, --ls), a diff's top directories match the rollup; a click on a directory zooms
    in, the breadcrumb zooms out, hovering names the path and its size.
Then the page again with its scripts off (only that with --no-js): every value and row is still
there (the tables are plain HTML), and the treemap's place says it needs JavaScript.
Prints PASS/FAIL lines; exits 1 when a check failed.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Browser  # noqa: E402

passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print("PASS: " + name)


def bad(name, *detail):
    global failed
    failed += 1
    print("FAIL: " + name)
    for d in detail[:20]:
        print("      " + str(d))


MODE = [""]


def check(name, cond, *detail):
    name += MODE[0]
    if cond:
        ok(name)
    else:
        bad(name, *detail)


def resolve(doc, pointer):
    cur = doc
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(cur, list):
            cur = cur[int(part)]
        else:
            cur = cur[part]
    return cur


def shown(s):
    """A JSON string as the page shows it: control characters as U+FFFD (cmd/html.cc esc)."""
    return "".join("\ufffd" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in s)


def same(value, v, text):
    if v is not None:
        if value is None:
            return v == "null"
        if isinstance(value, bool):
            return v == ("true" if value else "false")
        if isinstance(value, (int, float)):
            try:
                return float(v) == float(value) if isinstance(value, float) else int(v) == value
            except ValueError:
                return False
        return v == shown(value)
    if isinstance(value, str):
        return text.strip() == shown(value).strip()
    if isinstance(value, bool):
        return text.strip() == ("true" if value else "false")
    return text.strip() == str(value)


def human(n):
    """cmd/text.cc human_bytes."""
    if n < 1024:
        return "%d B" % n
    v, u = float(n), 0
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
    while v >= 1024 and u < 5:
        v /= 1024
        u += 1
    return ("%.2f %s" if v < 10 else "%.1f %s" if v < 100 else "%.0f %s") % (v, units[u])


def findings_pointers(findings, top):
    """The first `top` findings of each kind (the JSON lists them by kind, largest first)."""
    req, seen = [], {}
    for i, f in enumerate(findings):
        seen[f["kind"]] = seen.get(f["kind"], 0) + 1
        if seen[f["kind"]] <= top:
            req += ["/findings/%d/%s" % (i, k) for k in ("path", "size", "layer", "note")]
            if "removed_by" in f:
                req.append("/findings/%d/removed_by" % i)
    return req


def required_pointers(kind, doc, top):
    """The pointers the page must show: every row of every list the JSON has."""
    req = []
    if kind == "inspect":
        img = doc["image"]
        req += ["/image/" + k for k in ("name", "reference", "platform", "layout", "source", "content_size",
                                         "files", "directories", "symlinks", "others",
                                         "compressed_size", "tar_size", "written_size")]
        if img["hardlinks"]:
            req.append("/image/hardlinks")
        for i in range(len(img["layers"])):
            req += ["/image/layers/%d/%s" % (i, k) for k in (
                "index", "digest", "compressed_size", "tar_size", "content_size", "visible_size",
                "wasted_size", "entries", "changes/added", "changes/modified", "changes/removed")]
        def rows(at, lst):  # every row, and the rows nested below it
            for i, row in enumerate(lst):
                req.extend("%s/%d/%s" % (at, i, k) for k in ("size", "files", "path"))
                rows("%s/%d/children" % (at, i), row.get("children", []))
        for key in ("largest_directories", "largest_files"):
            rows("/" + key, doc[key])
        req += ["/waste/bytes", "/waste/efficiency"]
        for i, w in enumerate(doc["waste"]["paths"]):
            req += ["/waste/paths/%d/size" % i, "/waste/paths/%d/path" % i]
            if w["path"] != "[other]":
                req += ["/waste/paths/%d/%s" % (i, k) for k in ("layer", "removed_by", "how")]
        if doc["duplicates"]["groups"]:
            req += ["/duplicates/savings", "/duplicates/groups"]
        for i, g in enumerate(doc["duplicates"]["top"]):
            req.append("/duplicates/top/%d/savings" % i)
            req.append("/duplicates/top/%d/%s" % (i, "other" if "other" in g else "size"))
            req += ["/duplicates/top/%d/paths/%d" % (i, j) for j in range(len(g["paths"]))]
        cfg = img["config"]
        req += ["/image/config/User", "/image/config/WorkingDir", "/image/config/history"]
        for f in ("Entrypoint", "Cmd", "Env", "ExposedPorts", "Volumes"):
            req += ["/image/config/%s/%d" % (f, j) for j in range(len(cfg[f] or []))]
        req += ["/image/config/Labels/" + k.replace("~", "~0").replace("/", "~1") for k in cfg["Labels"]]
        req += findings_pointers(doc["findings"], top)
        if "packages" in doc and doc["packages"]["databases"]:
            for i in range(len(doc["packages"]["packages"])):
                req += ["/packages/packages/%d/%s" % (i, k) for k in ("size", "files", "name", "version")]
            req += ["/packages/no_package/size", "/packages/no_package/files"]
    elif kind == "diff":
        for side in ("before", "after"):
            req += ["/summary/%s/%s" % (side, k) for k in ("name", "platform", "layout", "layers", "files",
                                                             "content_size", "compressed_size", "tar_size")]
        req += ["/summary/delta/" + k for k in ("content_size", "compressed_size", "tar_size", "layers")]
        req += ["/summary/changes/" + k for k in ("added", "removed", "modified", "added_bytes", "removed_bytes")]
        if doc["summary"]["changes"]["modified"]:
            req += ["/summary/changes/" + k for k in ("grown_bytes", "shrunk_bytes", "metadata_only")]
        req += ["/rollup/before", "/rollup/after", "/rollup/delta"]

        def rollup(node, at):
            for i, c in enumerate(node.get("children", [])):
                p = "%s/children/%d" % (at, i)
                req.extend(p + "/" + k for k in ("before", "after", "delta", "path"))
                if c["delta"] != 0:
                    rollup(c, p)
        rollup(doc["rollup"], "/rollup")
        for i in range(len(doc["layers"])):
            req += ["/layers/%d/%s" % (i, k) for k in ("status", "before_index", "after_index", "digest",
                                                        "paths", "stage", "instruction")]
        for i in range(len(doc["stages"]["rows"])):
            req += ["/stages/rows/%d/%s" % (i, k) for k in ("stage", "layers", "delta")]
        for i, lo in enumerate(doc["stages"]["leftovers"]):
            req += ["/stages/leftovers/%d/%s" % (i, k) for k in ("name", "content", "common_base", "inherited",
                                                                   "copied", "also_in_after", "left_behind")]
            for j in range(len(lo["layers"])):
                req += ["/stages/leftovers/%d/layers/%d/%s" % (i, j, k) for k in ("index", "content", "left_behind")]
            for j in range(len(lo["directories"])):
                req += ["/stages/leftovers/%d/directories/%d/%s" % (i, j, k) for k in ("size", "path")]
            for j in range(len(lo["packages"])):
                req += ["/stages/leftovers/%d/packages/%d/%s" % (i, j, k) for k in ("size", "package")]
        for i, c in enumerate(doc["config_changes"]):
            req += ["/config_changes/%d/field" % i, "/config_changes/%d/change" % i]
            if "key" in c:
                req.append("/config_changes/%d/key" % i)
        req += findings_pointers(doc["findings"], top)
        if doc.get("packages", {}).get("databases"):
            for i, r in enumerate(doc["packages"]["rows"]):
                if r["change"] != "unchanged":
                    req += ["/packages/rows/%d/%s" % (i, k) for k in ("before", "after", "delta", "name", "change")]
            req += ["/packages/no_package/before", "/packages/no_package/after"]
    else:  # check
        req += ["/image/source", "/passed", "/failed", "/skipped"]
        if doc["baseline"]:
            req.append("/baseline/source")
        for i, r in enumerate(doc["rules"]):
            req += ["/rules/%d/%s" % (i, k) for k in ("name", "status", "limit/text")]
            if r["status"] != "skip":
                req.append("/rules/%d/value" % i)
            else:
                req.append("/rules/%d/skip_reason" % i)
            if r["status"] == "fail":
                req.append("/rules/%d/message" % i)
                for j in range(len(r["offenders"])):
                    req += ["/rules/%d/offenders/%d/%s" % (i, j, k) for k in ("path", "bytes", "layer")]
                for j in range(len(r["layers"])):
                    req += ["/rules/%d/layers/%d/%s" % (i, j, k) for k in ("layer", "digest", "bytes", "paths")]
                if r["more_offenders"]:
                    req.append("/rules/%d/more_offenders" % i)
    return req


TOP_FILES = {  # table id -> (change kind, key of the bytes it ranks by)
    "added-table": ("added", lambda c: c["after"]["bytes"]),
    "removed-table": ("removed", lambda c: c["before"]["bytes"]),
    "grown-table": ("modified", lambda c: c["delta"]),
    "shrunk-table": ("modified", lambda c: -c["delta"]),
}


def check_values(kind, page, doc, top):
    cells = page.eval("Array.from(document.querySelectorAll('[data-k]')).map(e => "
                      "[e.getAttribute('data-k'), e.getAttribute('data-v'), e.textContent])")
    wrong = []
    for k, v, text in cells:
        try:
            value = resolve(doc, k)
        except (KeyError, IndexError, ValueError, TypeError):
            wrong.append("%s: not in the JSON" % k)
            continue
        if not same(value, v, text):
            wrong.append("%s: page %r (data-v %r), JSON %r" % (k, text, v, value))
    check("%s: %d values on the page equal the JSON's" % (kind, len(cells)), not wrong and cells, *wrong)
    have = {k for k, _, _ in cells}
    missing = [p for p in required_pointers(kind, doc, top) if p not in have]
    check("%s: every row of the JSON's lists is on the page" % kind, not missing, *missing)
    if kind == "diff":
        for table, (change, key) in TOP_FILES.items():
            want = sorted((c for c in doc["changes"] if c["change"] == change and key(c) > 0),
                          key=lambda c: (-key(c), c["path"].encode()))[:top]
            got = page.eval("Array.from(document.querySelectorAll('#%s tbody tr')).map(r => r.getAttribute('data-key'))"
                            % table) or []
            check("diff: %s lists the top %d by the JSON's changes" % (table, top),
                  got == [c["path"] for c in want], "page: %s" % got[:5], "JSON: %s" % [c["path"] for c in want][:5])


def check_sorting(kind, page):
    tables = page.eval("""Array.from(document.querySelectorAll('table.sortable')).filter(t =>
        t.tBodies[0] && t.tBodies[0].rows.length >= 3 && t.tHead.rows[0].cells[0].classList.contains('num')).map(t => t.id)""")
    if not tables:
        ok("%s: no sortable table with 3 rows here" % kind)
        return
    t = tables[0]
    expr = """(() => { const t = document.getElementById('%s'); const th = t.tHead.rows[0].cells[0]; th.click();
        const a = Array.from(t.tBodies[0].rows).map(r => [r.classList.contains('pin'), Number(r.cells[0].getAttribute('data-v') || r.cells[0].textContent)]);
        th.click();
        const d = Array.from(t.tBodies[0].rows).map(r => [r.classList.contains('pin'), Number(r.cells[0].getAttribute('data-v') || r.cells[0].textContent)]);
        return [a, d, th.getAttribute('aria-sort')]; })()""" % t
    asc, desc, state = page.eval(expr)

    def sorted_ok(rows, reverse):
        body = [v for pin, v in rows if not pin]
        pins_last = all(pin for pin, _ in rows[len(body):])
        return body == sorted(body, reverse=reverse) and pins_last
    check("%s: #%s sorts ascending, then descending, pinned rows last" % (kind, t),
          sorted_ok(asc, False) and sorted_ok(desc, True) and state == "descending", asc, desc, state)


def cumulative(ls_path):
    """Bytes below every path (and of every file), from `ls --format json` (first names only)."""
    sizes = {"/": 0}
    with open(ls_path, encoding="utf-8", errors="replace") as f:
        for line in f:
            e = json.loads(line)
            if e["type"] != "f":
                continue
            n = e["size"]
            sizes["/"] += n
            parts = e["path"].split("/")[1:]
            for i in range(1, len(parts) + 1):
                p = "/" + "/".join(parts[:i])
                sizes[p] = sizes.get(p, 0) + n
    return sizes


def check_treemap(kind, page, doc, ls_path):
    tree = page.eval("JSON.parse(document.getElementById('layerdiff-data').textContent).tree")
    boxes = page.eval("""Array.from(document.querySelectorAll('#treemap .box')).map(b => ({path: b.getAttribute('data-path'),
        w: Number(b.getAttribute('data-weight')), before: b.getAttribute('data-before'), after: b.getAttribute('data-after'),
        dir: b.classList.contains('dir'), r: b.getBoundingClientRect().toJSON()}))""")
    view = page.eval("document.getElementById('treemap').getAttribute('data-view')")
    check("%s: the treemap is drawn (%d boxes) at /" % (kind, len(boxes)), boxes and view == "/")
    if kind == "inspect":
        check("inspect: treemap root holds the content size and file count",
              tree[3] == doc["image"]["content_size"] and tree[4] == doc["image"]["files"],
              "tree %s/%s, JSON %s/%s" % (tree[3], tree[4], doc["image"]["content_size"], doc["image"]["files"]))
        if ls_path:
            sizes = cumulative(ls_path)
            wrong = ["%s: box %d, ls %s" % (b["path"], b["w"], sizes.get(b["path"]))
                     for b in boxes if not b["path"].endswith("[other]") and sizes.get(b["path"]) != b["w"]]
            check("inspect: every box's bytes are the bytes below its path (ls)", not wrong, *wrong)
    else:
        s = doc["summary"]
        check("diff: treemap root holds both content sizes",
              tree[2] == s["before"]["content_size"] and tree[3] == s["after"]["content_size"],
              "tree %s -> %s" % (tree[2], tree[3]))
        rows = {c["path"]: c for c in doc["rollup"].get("children", []) if c["path"] != "[other]"}
        wrong, compared = [], 0
        for b in boxes:
            if b["path"] in rows:
                compared += 1
                r = rows[b["path"]]
                if int(b["before"]) != r["before"] or int(b["after"]) != r["after"]:
                    wrong.append("%s: box %s -> %s, rollup %s -> %s" % (b["path"], b["before"], b["after"],
                                                                        r["before"], r["after"]))
        check("diff: %d top directories of the treemap match the rollup" % compared, compared and not wrong, *wrong)
    # Boxes nest inside their directory's box.
    by_path = {b["path"]: b for b in boxes}
    outside = []
    for b in boxes:
        parent = b["path"].rsplit("/", 1)[0] or "/"
        if parent in by_path and parent != "/":
            p, r = by_path[parent]["r"], b["r"]
            if r["left"] < p["left"] - 0.5 or r["top"] < p["top"] - 0.5 or r["right"] > p["right"] + 0.5 or \
                    r["bottom"] > p["bottom"] + 0.5:
                outside.append(b["path"])
    check("%s: every box lies inside its directory's box" % kind, not outside, *outside)

    # Zoom in on the largest directory, hover, and back out.
    dirs = [b for b in boxes if b["dir"] and b["path"].count("/") == 1]
    if not dirs:
        ok("%s: no directory to zoom into" % kind)
        return
    d = max(dirs, key=lambda b: b["w"])
    r = d["r"]
    page.click(r["left"] + 3, r["top"] + 3)  # its label bar: the directory, not a child
    after = page.eval("[document.getElementById('treemap').getAttribute('data-view'),"
                      " Array.from(document.querySelectorAll('#crumbs button')).map(b => b.textContent)]")
    check("%s: a click on %s zooms in, with a breadcrumb" % (kind, d["path"]),
          after[0] == d["path"] and len(after[1]) == 2 and after[1][1] == d["path"][1:], after)
    first = page.eval("""(() => { const b = document.querySelector('#treemap .box'); const r = b.getBoundingClientRect();
        return [b.getAttribute('data-path'), Number(b.getAttribute('data-weight')), r.left + r.width / 2, r.top + Math.min(6, r.height / 2),
                b.getAttribute('data-after')]; })()""")
    page.mouse("mouseMoved", first[2], first[3])
    tip = page.eval("[document.getElementById('tip').hidden, document.getElementById('tip').textContent]")
    size = human(int(first[4])) if kind == "diff" else human(first[1])
    check("%s: hovering %s tells its path and size" % (kind, first[0]),
          not tip[0] and first[0] in tip[1] and size in tip[1], tip)
    page.eval("document.querySelector('#crumbs button').click()")
    back = page.eval("document.getElementById('treemap').getAttribute('data-view')")
    check("%s: the breadcrumb's root zooms back out" % kind, back == "/", back)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["inspect", "diff", "check"])
    ap.add_argument("page")
    ap.add_argument("json")
    ap.add_argument("--ls", help="`layerdiff ls --format json` of the image (inspect)")
    ap.add_argument("--top", type=int, default=10)
    ap.add_argument("--no-js", action="store_true", help="only the load with JavaScript off")
    ap.add_argument("--screenshot", help="also save a screenshot of the page's top")
    a = ap.parse_args()
    with open(a.json, "rb") as f:
        doc = json.loads(f.read().decode("utf-8", errors="replace"))
    page_path = os.path.abspath(a.page)
    url = "file://" + page_path
    with Browser() as b:
        modes = [False] if a.no_js else [True, False]
        for js in modes:
            check_one(b, url, a, doc, js)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def check_one(b, url, a, doc, js):
    """The checks of one load of the page, with its scripts or (js=False) without."""
    MODE[0] = "" if js else " (JavaScript off)"
    page = b.open(url, javascript=js)
    problems = page.problems()
    check("%s: loads with no console error, exception or CSP violation" % a.kind, not problems, *problems)
    others = [u for u in page.requests() if u != url]
    check("%s: requests nothing but itself" % a.kind, not others, *others)
    kind = page.eval("document.documentElement.getAttribute('data-kind')")
    check("%s: the page is a %s page, the JSON a %s report" % (a.kind, kind, doc.get("command")),
          kind == a.kind and doc.get("command") == a.kind)
    check_values(a.kind, page, doc, a.top)
    if not js:
        if a.kind != "check":
            t = page.eval("[document.querySelectorAll('#treemap .box').length, document.getElementById('treemap').innerText]")
            check("%s: without JavaScript, no treemap and a note that says why" % a.kind,
                  t[0] == 0 and "needs JavaScript" in t[1], t)
    else:
        check_sorting(a.kind, page)
        if a.kind != "check":
            check_treemap(a.kind, page, doc, a.ls)
    problems = page.problems()
    check("%s: no console error after clicking around" % a.kind, not problems, *problems)
    if a.screenshot and js:
        page.screenshot(a.screenshot, 1200, 900)


if __name__ == "__main__":
    sys.exit(main())
