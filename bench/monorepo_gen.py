#!/usr/bin/env python3
"""Deterministic generator of a monorepo-scale workspace for bench/monorepo.sh.

    python3 bench/monorepo_gen.py DIR [--modules 1000]

Writes into DIR (which must be empty or absent):

  * svc/NNN/go.mod (`module example.com/svc/NNN`, `go 1.21`) and svc/NNN/main.go for
    NNN = 000 .. MODULES-1, each module with 19 nested package directories (internal/{a,b,c}/{x,y},
    pkg/p0..p4, cmd/svcNNN, api), one .go file in each: the directories the walk must read;
  * go.work (`go 1.22`) that `use`s every module;
  * bulk the walk must skip (gopls' rules): `node_modules` trees (web/node_modules and a few
    inside modules), `vendor` trees inside modules, a `.git` directory with git's fan-out
    (objects/00..ff/…), `_archive` and `testdata` trees. Each skipped tree also holds go.mod files,
    so a walk that entered one would find more than MODULES modules (and go.work rules would
    report `gowork-module-not-used`);
  * symlink loops (`ln -s .. loop`, `ln -s . self`) that must not be followed.

Prints one JSON object: the counts (modules, directories the walk should read, directories in
skipped trees, symlinks).
"""
import argparse
import json
import os
import sys

PKG_DIRS = (
    ["internal"]
    + [f"internal/{a}" for a in "abc"]
    + [f"internal/{a}/{b}" for a in "abc" for b in "xy"]
    + ["pkg"]
    + [f"pkg/p{i}" for i in range(5)]
    + ["cmd", "cmd/svc{n}", "api"]
)  # 19 dirs: with the module's own dir, 20 per module


class Gen:
    def __init__(self, root):
        self.root = root
        self.walked = 0   # directories the walk should read (not skipped)
        self.skipped = 0  # directories inside skipped trees (the skipped roots included)
        self.symlinks = 0
        self.files = 0
        self.stray_mods = 0

    def mkdir(self, rel, skipped=False):
        os.makedirs(os.path.join(self.root, rel))
        if skipped:
            self.skipped += 1
        else:
            self.walked += 1

    def write(self, rel, text):
        with open(os.path.join(self.root, rel), "w") as f:
            f.write(text)
        self.files += 1

    def skipped_tree(self, rel, fanout, depth, leaf_files=1):
        """A skipped tree at rel (created): fanout**1 + … + fanout**depth dirs below it."""
        self.mkdir(rel, skipped=True)
        # A go.mod the walk must never see.
        self.write(f"{rel}/go.mod", f"module example.com/stray/{self.stray_mods}\n\ngo 1.99.0\n")
        self.stray_mods += 1
        level = [rel]
        for d in range(depth):
            nxt = []
            for parent in level:
                for i in range(fanout):
                    child = f"{parent}/d{i:02x}"
                    self.mkdir(child, skipped=True)
                    nxt.append(child)
            level = nxt
        for i, leaf in enumerate(level):
            for j in range(leaf_files):
                self.write(f"{leaf}/f{j}.js", "x\n")

    def symlink(self, target, rel):
        os.symlink(target, os.path.join(self.root, rel))
        self.symlinks += 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--modules", type=int, default=1000)
    args = ap.parse_args()
    root = os.path.realpath(args.dir)
    os.makedirs(root, exist_ok=True)
    if os.listdir(root):
        sys.exit(f"monorepo_gen: {root} is not empty")
    g = Gen(root)
    g.walked += 1  # the root itself
    n = args.modules
    width = max(3, len(str(n - 1)))
    names = [f"{i:0{width}d}" for i in range(n)]

    g.mkdir("svc")
    for name in names:
        m = f"svc/{name}"
        g.mkdir(m)
        g.write(f"{m}/go.mod", f"module example.com/svc/{name}\n\ngo 1.21\n")
        g.write(f"{m}/main.go", f"package main\n\nfunc main() {{ println(\"svc {name}\") }}\n")
        for d in PKG_DIRS:
            d = d.format(n=name)
            g.mkdir(f"{m}/{d}")
            pkg = os.path.basename(d)
            g.write(f"{m}/{d}/{pkg}.go", f"package {pkg}\n\nconst Name = \"{name}/{d}\"\n")

    # go.work using every module.
    g.write("go.work", "go 1.22\n\nuse (\n" + "".join(f"\t./svc/{x}\n" for x in names) + ")\n")

    # Bulk the walk must skip.
    g.mkdir("web")
    g.write("web/package.json", "{}\n")
    g.skipped_tree("web/node_modules", fanout=16, depth=3)          # 1+16+256+4096 = 4369
    for i in (10, 250, 730):
        if i < n:
            g.skipped_tree(f"svc/{names[i]}/node_modules", 12, 3)  # 1+12+144+1728 = 1885
    for i in (20, 400, 900):
        if i < n:
            g.skipped_tree(f"svc/{names[i]}/vendor", 12, 3)        # 1885 each
    g.skipped_tree(".git", fanout=16, depth=3)                      # 4369 (hidden)
    g.skipped_tree("_archive", fanout=10, depth=3)                  # 1111
    for i in (5, 505):
        if i < n:
            g.skipped_tree(f"svc/{names[i]}/internal/a/testdata", 6, 2)  # 43

    # Symlink loops (never followed: the walk does not enter symlinked dirs).
    g.symlink("..", f"svc/{names[min(7, n - 1)]}/internal/a/loop")
    g.symlink(".", "self")
    g.symlink("../..", f"svc/{names[min(1, n - 1)]}/pkg/up")

    counts = {
        "root": root,
        "modules": n,
        "dirs_walked_expected": g.walked,
        "dirs_skipped": g.skipped,
        "dirs_total": g.walked + g.skipped,
        "symlinks": g.symlinks,
        "files": g.files,
        "stray_go_mod_in_skipped_trees": g.stray_mods,
    }
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
