#!/usr/bin/env python3
"""Clang's thread-safety analysis over every source that uses quire::Mutex.

The tree builds with gcc, which ignores the annotations of
common/base/thread_annotations.h. This check compiles (syntax only) each of
our translation units that takes a Mutex or declares guarded state — its own
text or its own header names MutexLock, GUARDED_BY or REQUIRES — with
clang++ -Wthread-safety -Werror, using the flags of
build/compile_commands.json. --self-test proves the check fails on a read of
a GUARDED_BY member without its lock and passes with it.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

FLAGS = ["-fsyntax-only", "-Wno-error", "-Wthread-safety", "-Werror=thread-safety", "-Wno-unknown-warning-option"]
USES = re.compile(r"\b(MutexLock|GUARDED_BY|PT_GUARDED_BY|REQUIRES)\b")


def uses_mutex(path):
    """True when `path` or its own header locks a Mutex or declares guarded state."""
    for candidate in (path, os.path.splitext(path)[0] + ".h"):
        if os.path.exists(candidate):
            with open(candidate, encoding="utf-8", errors="replace") as f:
                if USES.search(f.read()):
                    return True
    return False


def clang_command(entry, clang):
    args = [a for a in shlex.split(entry["command"]) if a != "ccache"]
    out, skip = [clang], False
    for a in args[1:]:
        if skip:
            skip = False
        elif a == "-o":
            skip = True
        elif a not in ("-c",):
            out.append(a)
    return out + FLAGS


def check(entry, clang):
    r = subprocess.run(clang_command(entry, clang), cwd=entry["directory"], capture_output=True,
                       text=True)
    return entry["file"], r.returncode, r.stderr


def self_test(clang, root):
    snippet = """#include "common/base/mutex.h"
struct Counter {
  quire::Mutex mu;
  int n GUARDED_BY(mu) = 0;
  int Read() { %s return n; }
};
int main() { Counter c; return c.Read(); }
"""
    results = {}
    for name, body in (("unlocked", ""), ("locked", "quire::MutexLock l(&mu);")):
        with tempfile.NamedTemporaryFile("w", suffix=".cc", delete=False) as f:
            f.write(snippet % body)
        r = subprocess.run([clang, "-std=c++20", "-I", root, f.name] + FLAGS, capture_output=True,
                           text=True)
        os.unlink(f.name)
        results[name] = r.returncode
    if results["unlocked"] == 0 or results["locked"] != 0:
        print(f"self-test failed: {results} (want unlocked != 0, locked == 0)")
        return 1
    print("self-test: an unguarded read fails the check, a guarded one passes")
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--root", required=True)
    p.add_argument("--build", help="build dir with compile_commands.json")
    p.add_argument("--clang", default="clang++")
    p.add_argument("--self-test", action="store_true")
    a = p.parse_args()
    if a.self_test:
        return self_test(a.clang, a.root)
    with open(os.path.join(a.build, "compile_commands.json")) as f:
        entries = json.load(f)
    ours = [e for e in entries
            if e["file"].startswith(a.root + "/") and not e["file"].startswith(a.build + "/")
            and uses_mutex(e["file"])]
    failures = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for path, rc, err in pool.map(lambda e: check(e, a.clang), ours):
            if rc != 0:
                failures += 1
                print(f"{os.path.relpath(path, a.root)}:\n{err}")
    print(f"{len(ours)} sources that lock a Mutex or declare guarded state, {failures} with thread-safety errors")
    return 1 if failures or not ours else 0


if __name__ == "__main__":
    sys.exit(main())
