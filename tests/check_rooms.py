#!/usr/bin/env python3
"""Holds Quire's #includes to its rooms (docs/architecture.md).

A room is a folder with one library target, registered by quire_room() in
CMake; the build writes every room as "TARGET DIR DEPENDENCY..." into
rooms.txt. This check reads that file and every C++ source under the tree
and fails when:

  - a file includes a header of another room that its own room does not
    link, directly or through its dependencies (the include graph must be
    the link graph: no reaching around a dependency);
  - a file outside a room includes that room's internal/ headers;
  - the rooms' dependencies form a cycle.

Files outside every room (tests, benchmarks) may include any room's public
headers, never its internal/ ones.

  check_rooms.py --root SRC --rooms BUILD/rooms.txt
  check_rooms.py --self-test     proves the checks fail on a bad tree
"""
import argparse
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE_DIRS = ("common", "report", "workers", "services", "cli", "bench", "tests")


def read_rooms(path):
    rooms = {}  # target -> (dir, [deps])
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                rooms[parts[0]] = (parts[1], parts[2:])
    return rooms


def room_of(path, dirs):
    """The room whose folder holds `path` (the deepest one), or None."""
    best = None
    for target, d in dirs.items():
        if path.startswith(d + "/") and (best is None or len(d) > len(dirs[best])):
            best = target
    return best


def closure(rooms):
    reach = {}

    def visit(target, stack):
        if target in reach:
            return reach[target]
        if target in stack:
            return set()
        stack.add(target)
        out = set()
        for dep in rooms[target][1]:
            out.add(dep)
            out |= visit(dep, stack)
        stack.discard(target)
        reach[target] = out
        return out

    for target in rooms:
        visit(target, set())
    return reach


def find_cycle(rooms):
    state = {}

    def dfs(target, path):
        state[target] = 1
        for dep in rooms[target][1]:
            if state.get(dep) == 1:
                return path[path.index(dep):] + [dep] if dep in path else [target, dep]
            if state.get(dep) is None:
                found = dfs(dep, path + [dep])
                if found:
                    return found
        state[target] = 2
        return None

    for target in sorted(rooms):
        if state.get(target) is None:
            found = dfs(target, [target])
            if found:
                return found
    return None


def sources(root):
    for top in SOURCE_DIRS:
        for base, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".cc", ".h")):
                    full = os.path.join(base, name)
                    yield os.path.relpath(full, root)


def check(root, rooms):
    errors = []
    cycle = find_cycle(rooms)
    if cycle:
        errors.append("room dependencies form a cycle: " + " -> ".join(cycle))
    dirs = {t: d for t, (d, _) in rooms.items()}
    reach = closure(rooms)
    for path in sources(root):
        mine = room_of(path, dirs)
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                header = m.group(1)
                theirs = room_of(header, dirs)
                if theirs is None or theirs == mine:
                    continue
                where = f"{path}:{number}: includes {header}"
                if "/internal/" in header:
                    errors.append(f"{where}, internal to {theirs}")
                elif mine is not None and theirs not in reach.get(mine, set()):
                    errors.append(f"{where} of {theirs}, which {mine} does not link")
    return errors


def self_test():
    """A small tree with one of each violation: each must be reported."""
    with tempfile.TemporaryDirectory() as root:
        files = {
            "common/a/a.h": "",
            "common/a/internal/secret.h": "",
            "common/b/b.cc": '#include "common/a/a.h"\n#include "common/a/internal/secret.h"\n',
            "common/c/c.cc": '#include "common/a/a.h"\n',
            "tests/t_test.cc": '#include "common/a/internal/secret.h"\n#include "common/a/a.h"\n',
            "common/a/a.cc": '#include "common/a/internal/secret.h"\n',
        }
        for name, text in files.items():
            os.makedirs(os.path.join(root, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(root, name), "w") as f:
                f.write(text)
        rooms = {
            "quire_a": ("common/a", []),
            "quire_b": ("common/b", ["quire_a"]),
            "quire_c": ("common/c", []),
        }
        got = check(root, rooms)
        want = [
            "common/b/b.cc:2: includes common/a/internal/secret.h, internal to quire_a",
            "common/c/c.cc:1: includes common/a/a.h of quire_a, which quire_c does not link",
            "tests/t_test.cc:1: includes common/a/internal/secret.h, internal to quire_a",
        ]
        rooms["quire_a"] = ("common/a", ["quire_b"])
        cyclic = check(root, rooms)
    ok = got == want and any("cycle" in e for e in cyclic)
    if not ok:
        print("self-test failed:\n got  " + "\n      ".join(got) + "\n want " +
              "\n      ".join(want) + "\n cyclic " + repr(cyclic))
        return 1
    print("self-test: 4 violations reported as expected")
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root")
    parser.add_argument("--rooms")
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    rooms = read_rooms(args.rooms)
    errors = check(args.root, rooms)
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} include(s) cross a room's boundary (docs/architecture.md)")
        return 1
    print(f"{len(rooms)} rooms, every include within its room's dependencies")
    return 0


if __name__ == "__main__":
    sys.exit(main())
