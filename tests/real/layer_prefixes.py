#!/usr/bin/env python3
"""layer_prefixes.py: the runtime's view of what each layer of an image did.

  layer_prefixes.py make OCI_DIR TAG
      adds to the OCI layout one image per layer prefix of OCI_DIR:TAG, tagged TAG-p0 .. TAG-pN
      (the bottom N+1 layers, with the config's diff_ids and history cut to match); prints N+1.
  layer_prefixes.py compare CHANGES_JSONL INSPECT_JSON LISTING...
      LISTING i is `fs_list` of the unpacked prefix i plus a sha256 column (path type size mode
      uid gid target sha); the expected changes of layer i are the paths whose row differs
      between prefix i-1 and prefix i (mtime aside, as layerdiff defines a
      change, and hardlink sets: a new or removed name is that name's change). Compares them with `layerdiff ls --layer all --format json` and the per-layer
      counts of `layerdiff inspect --format json`. Prints PASS/FAIL lines; exits 1 on a FAIL.
"""
import hashlib
import json
import os
import sys


def blob(oci, data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(oci, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)


def read_blob(oci, digest):
    with open(os.path.join(oci, "blobs", "sha256", digest.split(":", 1)[1]), "rb") as f:
        return f.read()


def make(oci, tag):
    index = json.load(open(os.path.join(oci, "index.json")))
    desc = next(m for m in index["manifests"]
                if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag)
    manifest = json.loads(read_blob(oci, desc["digest"]))
    config = json.loads(read_blob(oci, manifest["config"]["digest"]))
    n = len(manifest["layers"])
    for k in range(n):
        c = json.loads(json.dumps(config))
        c["rootfs"]["diff_ids"] = config["rootfs"]["diff_ids"][: k + 1]
        hist, made = [], 0
        for h in config.get("history", []):
            if made > k:
                break
            hist.append(h)
            made += 0 if h.get("empty_layer") else 1
        c["history"] = hist
        cd, cs = blob(oci, json.dumps(c).encode())
        m = json.loads(json.dumps(manifest))
        m["layers"] = manifest["layers"][: k + 1]
        m["config"] = dict(manifest["config"], digest=cd, size=cs)
        md, ms = blob(oci, json.dumps(m).encode())
        index["manifests"].append({"mediaType": desc.get("mediaType", "application/vnd.oci.image.manifest.v1+json"),
                                   "digest": md, "size": ms,
                                   "annotations": {"org.opencontainers.image.ref.name": f"{tag}-p{k}"}})
    with open(os.path.join(oci, "index.json"), "w") as f:
        json.dump(index, f)
    print(n)


def rows(listing):
    """path -> state (a hardlinked name as a file: a change of another name is not this one's)."""
    out = {}
    for line in open(listing):
        p = line.rstrip("\n").split("\t")
        path, typ = p[0], p[1]
        target = "" if typ == "h" else p[6]
        out[path] = ("f" if typ == "h" else typ, p[2], p[3], p[4], p[5], target, p[7] if len(p) > 7 else "")
    return out


def compare(changes_jsonl, inspect_json, listings):
    failed = 0
    got = {}
    for line in open(changes_jsonl):
        c = json.loads(line)
        got.setdefault(c["layer"], []).append(({"added": "A", "modified": "M", "removed": "D"}[c["change"]], c["path"]))
    inspect = json.load(open(inspect_json))
    prev = {}
    for i, listing in enumerate(listings):
        cur = rows(listing)
        want = sorted([("A", p) for p in cur if p not in prev] + [("D", p) for p in prev if p not in cur] +
                      [("M", p) for p in cur if p in prev and cur[p] != prev[p]], key=lambda x: x[1])
        have = sorted(got.get(i, []), key=lambda x: x[1])
        if want == have:
            print(f"PASS: layer {i}: ls --layer = the runtime's unpacks of the prefixes ({len(have)} changes)")
        else:
            failed += 1
            print(f"FAIL: layer {i}: missing {sorted(set(want) - set(have))[:6]}, extra {sorted(set(have) - set(want))[:6]}")
        counts = inspect["image"]["layers"][i]["changes"]
        n = {k: sum(1 for c, _ in have if c == k) for k in "AMD"}
        if (counts["added"], counts["modified"], counts["removed"]) == (n["A"], n["M"], n["D"]):
            print(f"PASS: layer {i}: inspect layers[].changes counts = ls --layer ({n['A']}/{n['M']}/{n['D']})")
        else:
            failed += 1
            print(f"FAIL: layer {i}: inspect changes {counts} vs ls --layer {n}")
        prev = cur
    total = sum(c["added_bytes"] - c["removed_bytes"] + c["grown_bytes"] - c["shrunk_bytes"]
                for c in (l["changes"] for l in inspect["image"]["layers"]))
    if total == inspect["image"]["content_size"]:
        print(f"PASS: the layers' added - removed + grown - shrunk = content ({total})")
    else:
        failed += 1
        print(f"FAIL: layers' byte changes sum to {total}, content is {inspect['image']['content_size']}")
    return 1 if failed else 0


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3], sys.argv[4:]))
