"""Speed of the Python frontend alone: analyze() over a tree in one process, with its stages.

    python tools/bench_python_frontend.py [TREE]

TREE defaults to the installed torch package. Prints files/s and lines/s (CPU time of this
process, so other load on the machine skews it less than wall time), how many files the
prefilter skipped, and the CPU time of each step for the files that were parsed.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections import Counter
from pathlib import Path

from porter.frontends.python import analyze_source
from porter.frontends.python.collect import collect
from porter.frontends.python.context import context_for
from porter.frontends.python.positions import character_spans
from porter.frontends.python.sites import judge
from porter.frontends.python.source import SourceError, parse
from porter.mappings import default_tables


def default_tree() -> Path:
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        raise SystemExit("torch is not installed: pass a TREE")
    return Path(spec.origin).parent


def stages(files: list[tuple[str, bytes]]) -> Counter[str]:
    """CPU seconds per step for files that pass the prefilter."""
    context = context_for(default_tables())
    spent: Counter[str] = Counter()
    for path, data in files:
        clock = time.process_time()
        try:
            parsed = parse(path, data)
        except SourceError:
            continue
        spent["parse"] += time.process_time() - clock
        clock = time.process_time()
        collected = collect(parsed.module, context)
        spent["traverse"] += time.process_time() - clock
        clock = time.process_time()
        sites = judge(context, collected)
        spent["judge"] += time.process_time() - clock
        clock = time.process_time()
        character_spans(parsed.module, [n for s in sites for n in s.wanted])
        spent["spans"] += time.process_time() - clock
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, default=None)
    args = parser.parse_args(argv)
    root = args.tree or default_tree()
    tables = default_tables()
    files = [(p.relative_to(root).as_posix(), p.read_bytes()) for p in sorted(root.rglob("*.py"))]
    lines = sum(data.count(b"\n") for _, data in files)
    context = context_for(tables)
    clock = time.process_time()
    passed = [(p, d) for p, d in files if context.prefilter.search(d)]
    prefilter = time.process_time() - clock
    clock = time.process_time()
    results = [analyze_source(p, d, tables) for p, d in files]
    total = time.process_time() - clock
    findings = sum(len(r.findings) for r in results)
    errors = sum(r.status == "error" for r in results)
    print(f"{root}: {len(files)} files, {lines} lines")
    print(f"analyze(): {total:.1f} s CPU, {len(files) / total:.0f} files/s, {lines / total:.0f} lines/s")
    parsed_lines = sum(data.count(b"\n") for _, data in passed)
    print(
        f"prefilter: {prefilter:.2f} s CPU, skipped {len(files) - len(passed)} files; "
        f"parsed {len(passed)} ({parsed_lines} lines)"
    )
    print(f"findings: {findings} in {sum(bool(r.findings) for r in results)} files; {errors} errors")
    spent = stages(passed)
    print("parsed files, CPU s per step: " + ", ".join(f"{k} {v:.1f}" for k, v in spent.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
