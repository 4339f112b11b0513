"""Scan speed: porter against a plain keyword grep over the same tree, in the same run.

    python bench/scan_bench.py [TREE] [--jobs N]

TREE defaults to the installed torch package. The grep (``rg`` when installed, else ``grep -rE``)
is the floor: it only finds lines with vendor words, with no parsing, no aliases and no plans.
The script prints files/s and lines/s for porter (results cache off), the time of a second scan
served by the per-file cache, and the ratio of porter's uncached time to the grep's.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import time
from pathlib import Path

from porter.discover import discover
from porter.mappings import default_tables
from porter.scan import scan

KEYWORDS = r"cuda|nccl|cudnn|nvidia|nvml|cupy|cublas|__global__"


def default_tree() -> Path:
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        raise SystemExit("torch is not installed: pass a TREE to scan")
    return Path(spec.origin).parent


def grep_seconds(tree: Path) -> tuple[str, float]:
    rg = shutil.which("rg")
    command = [rg, "-c", "-e", KEYWORDS, str(tree)] if rg else ["grep", "-rcE", KEYWORDS, str(tree)]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return Path(command[0]).name, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", nargs="?", type=Path)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    tree = args.tree or default_tree()
    candidates = list(discover(tree))
    start = time.perf_counter()
    default_tables()
    load_seconds = time.perf_counter() - start
    start = time.perf_counter()
    result = scan(tree, jobs=args.jobs, use_cache=False)
    porter_seconds = time.perf_counter() - start
    scan(tree, jobs=args.jobs)  # fill the per-file cache
    start = time.perf_counter()
    scan(tree, jobs=args.jobs)
    cached_seconds = time.perf_counter() - start
    analysed = [f for f in result.files if f.status in ("scanned", "partial")]
    lines = sum(f.lines for f in analysed)
    tool, peer_seconds = grep_seconds(tree)
    print(f"tree: {tree}")
    print(f"files discovered: {len(candidates)}, analysed by a frontend: {len(analysed)}, lines: {lines}")
    print(f"findings: {len(result.findings)}")
    print(f"mapping tables loaded in {load_seconds:.2f} s (once per process; cached on disk)")
    print(f"porter: {porter_seconds:.2f} s, {len(analysed) / porter_seconds:,.0f} files/s, "
          f"{lines / porter_seconds:,.0f} lines/s")
    print(f"porter again, per-file results cached: {cached_seconds:.2f} s")
    print(f"{tool} (keyword grep, no parsing): {peer_seconds:.2f} s")
    print(f"ratio porter/{tool}: {porter_seconds / peer_seconds:.1f}x")


if __name__ == "__main__":
    main()
