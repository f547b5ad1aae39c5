#!/usr/bin/env python3
"""make_big_image.py OUT.tar [FILES]: a docker-save archive of one layer holding FILES regular files
(default 180000) in a realistic tree (12 top directories, 30 packages each, subdirectories of 50
files), sizes from a few bytes to a few MiB (many small files, a few big ones), for the HTML page's
size bound: the page of an image with that many paths must stay small. Content is cheap
(repeating bytes, so ~100 MB of tar), written with raw ustar headers for speed.
"""
import hashlib
import io
import json
import sys
import tarfile

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 180000
fill = memoryview(bytes(range(256)) * (5 << 12))  # 5 MiB of bytes to cut file contents from


def header(name, size, kind=b"0", mode=0o644):
    h = bytearray(512)
    nb = name.encode()
    if len(nb) > 100:
        raise SystemExit("name too long: " + name)
    h[0:len(nb)] = nb
    h[100:108] = b"%07o\0" % mode
    h[108:116] = b"0000000\0"
    h[116:124] = b"0000000\0"
    h[124:136] = b"%011o\0" % size
    h[136:148] = b"%011o\0" % 1700000000
    h[148:156] = b" " * 8
    h[156:157] = kind
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


layer = hashlib.sha256()
with open(out + ".layer", "wb") as f:
    def w(b):
        layer.update(b)
        f.write(b)
    made = 0
    top = ["usr", "opt", "srv", "var", "lib", "app", "etc", "home", "root", "share", "data", "tools"]
    dirs_written = set()
    i = 0
    while made < n:
        t = top[i % 12]
        pkg = "pkg%02d" % ((i // 12) % 30)
        sub = "s%03d" % (i // 360)
        d = "%s/%s/%s" % (t, pkg, sub)
        for p in (t, t + "/" + pkg, d):
            if p not in dirs_written:
                dirs_written.add(p)
                w(header(p + "/", 0, b"5", 0o755))
        for k in range(50):
            if made >= n:
                break
            size = (made * 7919) % 1024 + 1
            if made % 5000 == 0:
                size = 1 << (20 + (made // 5000) % 3)  # a few big files: 1 to 4 MiB
            off = (made * 31) % 4096
            data = fill[off:off + size]
            w(header("%s/f%02d.bin" % (d, k), size))
            w(data)
            pad = (512 - size % 512) % 512
            w(b"\0" * pad)
            made += 1
        i += 1
    w(b"\0" * 1024)
diff_id = "sha256:" + layer.hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2023-11-14T22:13:20Z",
                     "config": {}, "rootfs": {"type": "layers", "diff_ids": [diff_id]},
                     "history": [{"created_by": "make_big_image.py: %d files" % n}]}).encode()
cfg = hashlib.sha256(config).hexdigest()
manifest = json.dumps([{"Config": cfg + ".json", "RepoTags": ["example/big:1"],
                        "Layers": [layer.hexdigest() + "/layer.tar"]}]).encode()
with tarfile.open(out, "w", format=tarfile.USTAR_FORMAT) as t:
    def add(name, data):
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        ti.mtime = 1700000000
        t.addfile(ti, io.BytesIO(data))
    add("manifest.json", manifest)
    add(cfg + ".json", config)
    t.add(out + ".layer", arcname=layer.hexdigest() + "/layer.tar", recursive=False)
import os  # noqa: E402
os.remove(out + ".layer")
