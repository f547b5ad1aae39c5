#!/usr/bin/env python3
"""split_layers.py ROOTFS.tar OUTDIR — cut one rootfs tar into image layers.

Writes to OUTDIR (uncompressed PAX tars):
  L0.tar .. L6.tar   the "before" image: a partition of the rootfs by path, the
                     way a Dockerfile that installs one group of packages per
                     RUN would lay it out. Each layer carries the parent
                     directories of what it holds (as docker's layer diffs do),
                     hardlinks go to their target's layer, and the top layer
                     rewrites /var/lib/dpkg (as every apt-get RUN does), so the
                     base's copy is wasted bytes.
  A6.tar             the "after" image's rebuilt top layer: L6 with about 1 in
                     16 regular files changed, some gone and 2000 files added.
  A7.tar             a layer of deletions and changes on top of A6: whiteouts
                     (/usr/lib/jvm, 300 /usr/share/doc/<pkg>), an opaque
                     /usr/share/man, changed files (/etc/passwd, /etc/group, the
                     largest library) and additions (/opt/app: 64 MiB of data
                     and 3000 small files).
  layers.txt         one line per layer: NAME<TAB>created_by
The output is deterministic for a given input (fixed seeds, fixed mtimes for
generated entries).

Only the Python standard library. One pass over the input; memory is bounded
by the largest single file (kept for A7's "changed library").
"""
import hashlib
import io
import random
import sys
import tarfile

ROOTFS, OUT = sys.argv[1], sys.argv[2]
MTIME = 1700000000

# (prefix, layer): first match wins; no match is layer 0 (the base).
RULES = [
    ("./usr/src/rustc-", 4),
    ("./usr/lib/rustlib/", 4),
    ("./usr/lib/go-1.19/", 4),
    ("./usr/share/go-1.19/", 4),
    ("./usr/lib/gcc/", 1),
    ("./usr/libexec/gcc/", 1),
    ("./usr/include/", 1),
    ("./usr/src/", 1),
    ("./usr/lib/llvm-14/", 1),
    ("./usr/lib/python3/", 2),
    ("./usr/lib/python3.11/", 2),
    ("./usr/share/python3/", 2),
    ("./usr/lib/jvm/", 3),
    ("./usr/share/java/", 3),
    ("./usr/share/nodejs/", 3),
    ("./usr/lib/nodejs/", 3),
    ("./usr/share/icons/", 6),
    ("./usr/share/emacs/", 6),
    ("./usr/share/doc/", 6),
    ("./usr/lib/x86_64-linux-gnu/", 5),
    ("./usr/share/", 5),
]
CREATED_BY = [
    "ADD rootfs.tar / # debian bookworm, mmdebstrap --variant=apt",
    "RUN apt-get install -y build-essential llvm-14-dev libboost-dev linux-headers-amd64",
    "RUN apt-get install -y python3-full python3-scipy python3-sympy",
    "RUN apt-get install -y openjdk-17-jdk-headless npm",
    "RUN apt-get install -y golang-go rustc cargo rust-src",
    "RUN apt-get install -y git perl # shared libraries and data",
    "RUN apt-get install -y emacs-nox papirus-icon-theme && apt-get clean",
]
NLAYERS = len(CREATED_BY)
TOP = NLAYERS - 1
DPKG = "./var/lib/dpkg/"


def layer_of(name):
    for prefix, layer in RULES:
        if name.startswith(prefix) or name + "/" == prefix:
            return layer
    return 0


def norm(name):
    if name in (".", "./"):
        return "."
    name = name.rstrip("/")
    return name if name.startswith("./") else "./" + name


class Layer:
    def __init__(self, path):
        self.tar = tarfile.open(path, "w", format=tarfile.PAX_FORMAT)
        self.dirs_written = set()

    def ensure_parents(self, name, dirinfo):
        parts = name.split("/")
        for i in range(1, len(parts)):
            anc = "/".join(parts[:i])
            if anc in self.dirs_written:
                continue
            self.dirs_written.add(anc)
            ti = dirinfo.get(anc)
            if ti is None:  # not in the input: synthesise
                ti = tarfile.TarInfo(anc)
                ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, 0o755, MTIME
            self.tar.addfile(ti)

    def add(self, ti, data, dirinfo):
        name = norm(ti.name)
        self.ensure_parents(name, dirinfo)
        if ti.isdir():
            if name in self.dirs_written:
                return
            self.dirs_written.add(name)
        self.tar.addfile(ti, io.BytesIO(data) if data is not None else None)


def gen(name, data=b"", mode=0o644, typ=tarfile.REGTYPE):
    """A generated entry: (TarInfo, data)."""
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.mtime = typ, mode, MTIME
    ti.size = len(data) if typ == tarfile.REGTYPE else 0
    return ti, (data if typ == tarfile.REGTYPE else None)


def main():
    layers = [Layer(f"{OUT}/L{i}.tar") for i in range(NLAYERS)]
    a6 = Layer(f"{OUT}/A6.tar")
    dirinfo = {}
    where = {}  # regular file name -> layer (for hardlinks)
    doc_pkgs = []
    biggest = (0, None, None)  # size, TarInfo, data of the largest L5 file
    etc = {}
    with tarfile.open(ROOTFS, "r|") as src:
        for ti in src:
            name = norm(ti.name)
            ti.name = name
            data = src.extractfile(ti).read() if ti.isreg() else None
            if ti.isdir():
                dirinfo[name] = ti
                if name.startswith("./usr/share/doc/") and name.count("/") == 4:
                    doc_pkgs.append(name)
            if ti.islnk():
                layer = where.get(norm(ti.linkname), layer_of(name))
            else:
                layer = layer_of(name)
            if ti.isreg():
                where[name] = layer
                if layer == 5 and ti.size > biggest[0]:
                    biggest = (ti.size, ti, data)
                if name in ("./etc/passwd", "./etc/group"):
                    etc[name] = data
            layers[layer].add(ti, data, dirinfo)
            # apt-get RUN steps rewrite dpkg's database: the top layer has it too
            if name.startswith(DPKG) and layer == 0 and not ti.islnk():
                layers[TOP].add(ti, data, dirinfo)
            # the after image's rebuilt top layer
            if layer == TOP or (name.startswith(DPKG) and layer == 0 and not ti.islnk()):
                h = hashlib.sha1(name.encode()).digest()[0]
                if ti.isreg() and h % 16 == 0:
                    data = data + b"\n# rebuilt\n"
                    ti.size = len(data)
                elif ti.isreg() and h % 64 == 1:
                    continue  # gone in the rebuild
                if ti.islnk() and norm(ti.linkname) in where and \
                        hashlib.sha1(norm(ti.linkname).encode()).digest()[0] % 64 == 1:
                    continue  # its target is gone
                a6.add(ti, data, dirinfo)
    rnd = random.Random(5)
    for i in range(2000):
        a6.add(*gen(f"./usr/share/bench-rebuilt/{i // 100:02d}/file{i:04d}.txt",
                    (f"rebuilt file {i}\n" * (1 + i % 50)).encode()), dirinfo)
    for layer in layers:
        layer.tar.close()
    a6.tar.close()

    a7 = Layer(f"{OUT}/A7.tar")
    def add(entry, data=None):  # add((TarInfo, data)) or add(TarInfo, data)
        if isinstance(entry, tuple):
            entry, data = entry
        a7.add(entry, data, dirinfo)
    add(gen("./usr/lib/.wh.jvm"))                                  # whiteout of a whole tree
    for d in sorted(doc_pkgs)[:300]:                               # whiteouts of 300 dirs
        parent, base = d.rsplit("/", 1)
        add(gen(f"{parent}/.wh.{base}"))
    add(dirinfo["./usr/share/man"])                                # opaque dir + new content
    add(gen("./usr/share/man/.wh..wh..opq"))
    add(gen("./usr/share/man/man1", typ=tarfile.DIRTYPE, mode=0o755))
    add(gen("./usr/share/man/man1/app.1", b".TH APP 1\n.SH NAME\napp \\- the app\n"))
    for name, data in sorted(etc.items()):                         # changed files
        add(gen(name, data + b"app:x:1000:1000::/opt/app:/bin/sh\n"))
    if biggest[1] is not None:                                     # a changed big library
        ti, data = biggest[1], bytearray(biggest[2])
        for off in range(0, len(data), 1 << 20):
            data[off] ^= 0xFF
        add(ti, bytes(data))
    add(gen("./opt/app", typ=tarfile.DIRTYPE, mode=0o755))         # additions
    add(gen("./opt/app/data.bin", rnd.randbytes(64 << 20)))
    for i in range(3000):
        add(gen(f"./opt/app/lib/m{i // 100:02d}/mod{i:04d}.js",
                (f"module.exports = {i};\n" * (1 + i % 40)).encode()))
    add(gen("./opt/app/run", b"#!/bin/sh\nexec /opt/app/app \"$@\"\n", mode=0o755))
    a7.tar.close()

    with open(f"{OUT}/layers.txt", "w") as f:
        for i, cb in enumerate(CREATED_BY):
            f.write(f"L{i}\t{cb}\n")
        f.write("A6\tRUN apt-get install -y emacs-nox papirus-icon-theme && apt-get clean # rebuilt\n")
        f.write("A7\tRUN rm -rf /usr/lib/jvm /usr/share/doc/... /usr/share/man && "
                "useradd app && patch libLLVM && COPY app /opt/app\n")


main()
