"""CUDA -> HIP translation: porter against AMD's hipify-perl on the same tree, in the same run.

    python bench/hipify_bench.py TREE [--hipify-perl PATH] [--jobs N] [--show N]

porter runs as a user runs it (``python -m porter port TREE --target rocm --out DIR``, a fresh
process, mapping load included); hipify-perl (not shipped with porter: pass the path of a copy
from ROCm's HIPIFY repository) runs once per C/C++/CUDA file, ``--jobs`` at a time (default:
one per core), writing each translation to a file. The script prints both wall times and their
ratio, then compares what each one translated, on code tokens only (porter's lexer; comments and
strings are counted apart, since hipify-perl rewrites those too):

* CUDA identifiers in the input code, and how many are left in each output;
* HIP identifiers each output introduces;
* CUDA names each tool rewrote inside comments and string literals;
* files whose outputs differ, and the most frequent token-level disagreements.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from porter.frontends.cuda import CPP_SUFFIXES, CUDA_SUFFIXES
from porter.frontends.cuda_lexer import tokens

#: Names that are CUDA's (runtime, driver, libraries, warp intrinsics); what a port must remove.
CUDA_NAME = re.compile(
    r"(?:cuda|cu[A-Z]|CU_|CUDA_|CU[a-z]|cublas|CUBLAS|curand|CURAND|cufft|CUFFT|cusparse|CUSPARSE|cusolver"
    r"|CUSOLVER|cudnn|CUDNN|nvtx)\w*|__\w+_sync"
)
HIP_NAME = re.compile(r"(?:hip|HIP|roctx|rocprim|hipcub)\w*")


@dataclass
class Counts:
    """Token statistics of one tree (input or one tool's output)."""

    cuda_code: int = 0
    hip_code: int = 0
    cuda_text: int = 0  # CUDA names inside comments and strings


def sources(tree: Path) -> list[str]:
    suffixes = CUDA_SUFFIXES | CPP_SUFFIXES
    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*")
                  if p.is_file() and p.suffix.lower() in suffixes and ".git" not in p.parts)


def count(data: bytes) -> Counts:
    counts = Counts()
    for token in tokens(data):
        text = token.text.decode("utf-8", errors="replace")
        if token.kind == "ident":
            counts.cuda_code += bool(CUDA_NAME.fullmatch(text))
            counts.hip_code += bool(HIP_NAME.fullmatch(text))
        elif token.kind in ("comment", "string"):
            counts.cuda_text += len(CUDA_NAME.findall(text))
    return counts


def code_texts(data: bytes) -> list[str]:
    return [t.text.decode("utf-8", errors="replace") for t in tokens(data) if t.kind in ("ident", "number", "punct")]


def run_porter(tree: Path, out: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "porter", "port", str(tree), "--target", "rocm", "--out", str(out)],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"porter failed: {done.stderr[-2000:]}")
    return seconds


def run_hipify(hipify: Path, tree: Path, files: list[str], out: Path, jobs: int) -> float:
    def one(rel: str) -> None:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["perl", str(hipify), "-quiet-warnings", f"-o={target}", str(tree / rel)],
                       capture_output=True, check=False)
        if not target.exists():  # hipify-perl writes nothing for a file it cannot read
            target.write_bytes((tree / rel).read_bytes())

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, files))
    return time.perf_counter() - start


def compare(tree: Path, files: list[str], porter_out: Path, hipify_out: Path | None, show: int) -> None:
    totals = {"input": Counts(), "porter": Counts(), "hipify-perl": Counts()}
    differing = 0
    disagreements: Counter[str] = Counter()
    for rel in files:
        outputs = {"input": (tree / rel).read_bytes(), "porter": (porter_out / rel).read_bytes()}
        if hipify_out is not None:
            outputs["hipify-perl"] = (hipify_out / rel).read_bytes()
        for name, data in outputs.items():
            counts = count(data)
            totals[name].cuda_code += counts.cuda_code
            totals[name].hip_code += counts.hip_code
            totals[name].cuda_text += counts.cuda_text
        if hipify_out is None:
            continue
        ours, theirs = code_texts(outputs["porter"]), code_texts(outputs["hipify-perl"])
        if ours != theirs:
            differing += 1
        matcher = difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            if op != "equal":
                disagreements[f"porter {' '.join(ours[a0:a1])[:60] or '-'}  |  hipify {' '.join(theirs[b0:b1])[:60] or '-'}"] += 1
    base = totals["input"]
    print(f"\nCUDA identifiers in the input code: {base.cuda_code}; CUDA names in its comments/strings: {base.cuda_text}")
    for name in ("porter", "hipify-perl"):
        if name == "hipify-perl" and hipify_out is None:
            continue
        counts = totals[name]
        print(f"{name:12} translated {base.cuda_code - counts.cuda_code:6} CUDA identifiers, left {counts.cuda_code:5}, "
              f"HIP identifiers out {counts.hip_code:6}, rewrote {base.cuda_text - counts.cuda_text:5} names in "
              "comments/strings")
    if hipify_out is not None:
        print(f"files whose code differs between the two: {differing} of {len(files)}")
        print(f"most frequent disagreements (token runs, porter | hipify-perl), top {show}:")
        for text, times in disagreements.most_common(show):
            print(f"  {times:5}x  {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tree", type=Path)
    parser.add_argument("--hipify-perl", type=Path, help="path of hipify-perl (ROCm's HIPIFY repository, bin/)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="hipify-perl processes at once")
    parser.add_argument("--show", type=int, default=12, help="disagreements to list")
    args = parser.parse_args()
    given = args.tree.resolve()
    files = sources(given)
    lines = sum((given / rel).read_bytes().count(b"\n") for rel in files)
    print(f"tree: {given}: {len(files)} C/C++/CUDA files, {lines} lines")
    with tempfile.TemporaryDirectory(prefix="hipify-bench-") as temporary:
        # Both tools get the same tree: the C/C++/CUDA files only (porter would also read Python,
        # build and container files, which hipify-perl never looks at).
        tree = Path(temporary) / "tree"
        for rel in files:
            (tree / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(given / rel, tree / rel)
        porter_out, hipify_out = Path(temporary) / "porter", Path(temporary) / "hipify"
        porter_seconds = run_porter(tree, porter_out)
        print(f"porter port --target rocm (fresh process, whole tree): {porter_seconds:.2f} s")
        if args.hipify_perl is None:
            print("hipify-perl: not run (pass --hipify-perl PATH)")
            compare(tree, files, porter_out, None, args.show)
            return
        hipify_seconds = run_hipify(args.hipify_perl, tree, files, hipify_out, args.jobs)
        print(f"hipify-perl, one process per file, {args.jobs} at a time: {hipify_seconds:.2f} s")
        print(f"ratio hipify-perl/porter: {hipify_seconds / porter_seconds:.1f}x")
        compare(tree, files, porter_out, hipify_out, args.show)


if __name__ == "__main__":
    main()
