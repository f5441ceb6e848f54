#!/usr/bin/env python3
"""Fails when a file under engine/ includes a header from a folder that is not below its own.

The layers (README, Layout), lowest first; a folder may include its own headers and those of any
folder on a lower layer, never one on its own layer or above:

  core <- prim <- lua, decide, observe <- policy <- runtime <- serve <- cli

Usage: include_layers.py ENGINE_DIR. Prints FILE:LINE: what is wrong, one line per include.
"""
import pathlib
import re
import sys

from findings import report

LAYERS = {
    "core": 0,
    "prim": 1,
    "lua": 2,
    "decide": 2,
    "observe": 2,
    "policy": 3,
    "runtime": 4,
    "serve": 5,
    "cli": 6,
}

INCLUDE = re.compile(r'^\s*#\s*include\s*"([a-z_]+)/')


def violations(engine):
    for path in sorted(engine.rglob("*")):
        if path.suffix not in (".h", ".cpp") or not path.is_file():
            continue
        folder = path.relative_to(engine).parts[0]
        if folder not in LAYERS:
            yield f"{path}:1: folder `{folder}` has no layer in {__file__}"
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match or match.group(1) == folder:
                continue
            target = match.group(1)
            if target not in LAYERS:
                yield f"{path}:{number}: includes from `{target}`, which has no layer"
            elif LAYERS[target] >= LAYERS[folder]:
                yield (f"{path}:{number}: `{folder}` (layer {LAYERS[folder]}) includes {line.strip()[9:]} "
                       f"from `{target}` (layer {LAYERS[target]}): only lower layers may be included")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    engine = pathlib.Path(sys.argv[1])
    if not engine.is_dir():
        sys.exit(f"{engine}: not a folder")
    report(list(violations(engine)), f"every include in {engine} points to a lower layer")


if __name__ == "__main__":
    main()
