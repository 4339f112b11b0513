"""Generators of the bad-input corpus: what a real tree holds and no frontend author planned for.

Every input is built here from code and written under a test's ``tmp_path``, so the repository
holds no binary, mis-encoded or oddly named files of its own. ``GOOD`` has one clean lock-in
sample per kind of file; ``cases()`` derives the bad inputs from them (other encodings, line
endings, nesting, broken syntax, empty files) and says what porter must make of each: which
statuses are acceptable, what the note must say, and whether every site of the clean sample
must still be found (nothing lost).
"""

from __future__ import annotations

import codecs
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: One clean sample per kind of file porter reads, each with lock-in sites in it.
GOOD: dict[str, bytes] = {
    "step.py": b"""import os
import torch


def step(x):
    # cuda in a comment stays
    torch.cuda.synchronize()
    os.environ["CUDA_VISIBLE_DEVICES"] = "0"
    return x.to("cuda")
""",
    "kernel.cu": b"""#include <cuda_runtime.h>

__global__ void k(float* x) { x[threadIdx.x] = 0; }

int main() {
  float* p;
  cudaMalloc(&p, 4);  // cudaFree in a comment stays
  k<<<1, 32>>>(p);
  cudaFree(p);
  return 0;
}
""",
    "ops.cpp": b"""#include <torch/extension.h>
#include <c10/cuda/CUDAStream.h>

void run(at::Tensor x) {
  auto stream = at::cuda::getCurrentCUDAStream();
  TORCH_CHECK(x.is_cuda(), "needs a GPU tensor");
}
""",
    "CMakeLists.txt": b"""cmake_minimum_required(VERSION 3.18)
project(demo LANGUAGES CXX CUDA)
find_package(CUDAToolkit REQUIRED)
set(CMAKE_CUDA_ARCHITECTURES 80)
add_executable(demo main.cu)
target_link_libraries(demo CUDA::cudart CUDA::cublas)
""",
    "Dockerfile": b"""FROM nvidia/cuda:12.1.0-devel-ubuntu22.04
ENV CUDA_VISIBLE_DEVICES=0
RUN pip install torch --index-url https://download.pytorch.org/whl/cu121 \\
    && nvidia-smi
""",
    "run.sh": b"""#!/bin/bash
export CUDA_VISIBLE_DEVICES=0,1
nvidia-smi
python train.py --device cuda
""",
    "job.slurm": b"""#!/bin/bash
#SBATCH --gres=gpu:4
module load cuda/12.1
srun python train.py
""",
    "requirements.txt": b"""torch==2.1.0+cu121
cupy-cuda12x
nvidia-ml-py
--extra-index-url https://download.pytorch.org/whl/cu121
""",
    "environment.yml": b"""name: demo
channels:
  - nvidia
dependencies:
  - cudatoolkit=11.8
  - pytorch-cuda=12.1
  - pip:
    - cupy-cuda12x
""",
    "pyproject.toml": b"""[project]
name = "demo"
dependencies = [
  "cupy-cuda12x",
  "nvidia-ml-py",
]
""",
    "setup.cfg": b"""[options]
install_requires =
    cupy-cuda12x
    nvidia-ml-py
""",
    "deploy.yaml": b"""apiVersion: v1
kind: Pod
metadata:
  name: trainer
spec:
  containers:
    - name: t
      image: nvidia/cuda:12.1.0-runtime-ubuntu22.04
      resources:
        limits:
          nvidia.com/gpu: 1
      env:
        - name: CUDA_VISIBLE_DEVICES
          value: "0"
""",
    "docker-compose.yml": b"""services:
  train:
    image: nvidia/cuda:12.1.0-runtime-ubuntu22.04
    environment:
      - NVIDIA_VISIBLE_DEVICES=all
""",
    ".github/workflows/gpu.yml": b"""name: gpu tests
on: [push]
jobs:
  test:
    runs-on: [self-hosted, linux, nvidia-gpu]
    container:
      image: nvidia/cuda:12.1.0-devel-ubuntu22.04
      options: --gpus all
    env:
      CUDA_VISIBLE_DEVICES: "0"
    steps:
      - uses: Jimver/cuda-toolkit@v0.2.16
        with:
          cuda: "12.1.0"
      - name: cuda in a step name is no site
        run: |
          nvidia-smi
          pip install torch --index-url https://download.pytorch.org/whl/cu121
""",
    "nb.ipynb": b"""{"cells": [{"cell_type": "code", "execution_count": null, "id": "a1", "metadata": {},
 "outputs": [], "source": ["import torch\\n", "x = torch.zeros(1).cuda()\\n", "!nvidia-smi"]}],
 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
""",
}

#: Kinds whose parser rejects a BOM as the real tool does (tomllib).
BOM_REJECTED = frozenset({"pyproject.toml"})
#: Kinds whose format forbids CR-only line endings outright (TOML), rather than misreading them.
CR_REJECTED = frozenset({"pyproject.toml"})
#: Kinds claimed by content (their first bytes), which CR-only line endings hide.
CLAIMED_BY_CONTENT = frozenset({"deploy.yaml"})

ANY = frozenset({"scanned", "partial", "skipped", "error"})
NOT_CLEAN = frozenset({"partial", "skipped", "error"})
CLEAN = frozenset({"scanned"})


@dataclass(frozen=True, slots=True)
class Case:
    """One bad input: a file name and its bytes, and what porter must make of it."""

    id: str
    path: str
    data: bytes
    #: Statuses the file's result may have; None: no frontend may claim the file at all.
    statuses: frozenset[str] | None = ANY
    #: A substring the note must hold (case-insensitive); "" when any note, or none, will do.
    note: str = ""
    #: A GOOD sample whose every site (rule, symbol) this file must still yield.
    same_sites_as: str | None = None


def _noise(seed: int, size: int) -> bytes:
    """Deterministic binary bytes with NULs, as in an object file renamed to a source name."""
    rng = random.Random(seed)
    return b"\x7fELF\x02\x01\x01\x00" + bytes(rng.randrange(256) for _ in range(size))


def encoding_cases() -> Iterator[Case]:
    for index, (name, data) in enumerate(GOOD.items()):
        # A file claimed by its content is not recognisable once that content is not UTF-8.
        unread = None if name in CLAIMED_BY_CONTENT else NOT_CLEAN
        yield Case(f"binary:{name}", name, _noise(index, 3000), unread, "binary")
        text = data.decode("utf-8")
        yield Case(f"utf16-le-bom:{name}", name, codecs.BOM_UTF16_LE + text.encode("utf-16-le"), unread, "UTF-16")
        yield Case(f"utf16-be-bom:{name}", name, codecs.BOM_UTF16_BE + text.encode("utf-16-be"), unread, "UTF-16")
        yield Case(f"utf16-no-bom:{name}", name, text.encode("utf-16-le"), unread, "binary")
        yield Case(f"utf32:{name}", name, text.encode("utf-32"), unread, "UTF-32")
        # Latin-1 bytes (invalid UTF-8) in a comment-free spot at the end: the sites before stay.
        yield Case(f"latin1-tail:{name}", name, data + b"caf\xe9\n", ANY)
    py = GOOD["step.py"]
    yield Case("latin1:py-no-coding", "l1.py", b"# caf\xe9\n" + py, frozenset({"error"}), "not UTF-8")
    yield Case(
        "latin1:py-with-coding", "l1c.py", b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + py,
        CLEAN, same_sites_as="step.py",
    )
    yield Case("latin1:cu-comment", "l1.cu", b"// caf\xe9\n" + GOOD["kernel.cu"], CLEAN, same_sites_as="kernel.cu")
    yield Case("cesu-surrogate:py", "sur.py", py + b"s = '\xed\xa0\x80'\n", frozenset({"error"}), "not UTF-8")
    yield Case("overlong-utf8:py", "over.py", py + b"s = '\xc0\xaf'\n", frozenset({"error"}), "not UTF-8")
    yield Case("nul-after-sniff:py", "late.py", py + b"#" * 9000 + b"\x00\n", ANY)
    yield Case("bidi-and-ansi:py", "ctl.py", py + "x = 1  # \u202e \x1b[31mred\x1b[0m\n".encode(), CLEAN,
               same_sites_as="step.py")


def newline_cases() -> Iterator[Case]:
    for name, data in GOOD.items():
        crlf = data.replace(b"\n", b"\r\n")
        yield Case(f"crlf:{name}", name, crlf, CLEAN, same_sites_as=name)
        bom = codecs.BOM_UTF8
        if name in BOM_REJECTED:
            yield Case(f"bom:{name}", name, bom + data, frozenset({"error", "partial"}), "")
        else:
            yield Case(f"bom:{name}", name, bom + data, CLEAN, same_sites_as=name)
            yield Case(f"bom-crlf:{name}", name, bom + crlf, CLEAN, same_sites_as=name)
        yield Case(f"no-final-newline:{name}", name, data.rstrip(b"\n"), CLEAN, same_sites_as=name)
        cr_only = data.replace(b"\n", b"\r")
        if name in CLAIMED_BY_CONTENT:
            yield Case(f"cr-only:{name}", name, cr_only, None)
        elif name in CR_REJECTED:
            yield Case(f"cr-only:{name}", name, cr_only, frozenset({"error"}), "TOML")
        else:
            yield Case(f"cr-only:{name}", name, cr_only, NOT_CLEAN, "")
        lines = data.split(b"\n")
        mixed = b"".join(line + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines[:-1]))
        yield Case(f"mixed-crlf-lf:{name}", name, mixed + lines[-1], ANY)


def whitespace_cases() -> Iterator[Case]:
    tabbed = GOOD["step.py"].replace(b"\n    ", b"\n\t")
    yield Case("tabs:py-indent", "tabs.py", tabbed, CLEAN, same_sites_as="step.py")
    yield Case("tabs:cu", "tabs.cu", GOOD["kernel.cu"].replace(b"  ", b"\t"), CLEAN, same_sites_as="kernel.cu")
    yield Case("tabs:sh", "tabs.sh", GOOD["run.sh"].replace(b" ", b"\t"), ANY)
    yield Case("tabs:dockerfile", "Dockerfile", GOOD["Dockerfile"].replace(b"    ", b"\t"), CLEAN,
               same_sites_as="Dockerfile")
    yield Case("tabs:yaml", "environment.yml", GOOD["environment.yml"].replace(b"  ", b"\t"), ANY)
    yield Case("tabs-and-spaces:py", "mixtab.py", b"if x:\n\ty = 1\n        z = torch.cuda.is_available()\n",
               frozenset({"error", "scanned"}), "")
    for name in GOOD:
        if name in CLAIMED_BY_CONTENT:
            continue
        if name.endswith(".ipynb"):  # an empty notebook is not JSON: Jupyter cannot open it either
            yield Case(f"empty:{name}", name, b"", frozenset({"error"}), "invalid notebook")
        else:
            yield Case(f"empty:{name}", name, b"", CLEAN)
        yield Case(f"blank:{name}", name, b" \n\t\n\r\n", ANY)


def nested(depth: int, opener: bytes, closer: bytes, middle: bytes) -> bytes:
    return opener * depth + middle + closer * depth


def structure_cases() -> Iterator[Case]:
    """Deep nesting: recursive parsers and visitors hit Python's recursion limit here."""
    deep = frozenset({"scanned", "error", "partial"})
    call = b"torch.cuda.synchronize()"
    yield Case("nest:py-parens-1000", "parens.py", b"import torch\nx = " + nested(1000, b"(", b")", call) + b"\n",
               deep, "")
    yield Case("nest:py-brackets-1000", "brackets.py", b"import torch\nx = " + nested(1000, b"[", b"]", call) + b"\n",
               deep, "")
    yield Case("nest:py-calls-1000", "calls.py", b"import torch\nx = " + nested(1000, b"f(", b")", call) + b"\n",
               deep, "")
    # libcst's parse time grows with the square of a chain's length (3000: 2 s, 5000: 10 s).
    yield Case("nest:py-binop-3000", "binop.py", b"import torch\nx = " + b"1 + " * 3000 + call + b"\n", deep, "")
    # Past CPython's limit of 200 nested brackets libcst overflows its stack near 1,500 (a crash
    # of the whole process, not an exception) and takes minutes on long chains: refused first.
    for depth in (1_500, 100_000):
        yield Case(f"nest:py-parens-{depth}", "parens.py",
                   b"import torch\nx = " + nested(depth, b"(", b")", call) + b"\n", frozenset({"error"}),
                   "brackets nested deeper than 200")
    yield Case("nest:py-calls-5000", "calls.py", b"import torch\nx = " + nested(5000, b"f(", b")", call) + b"\n",
               frozenset({"error"}), "brackets nested deeper than 200")
    for shape, link in (("binop", b" + 1"), ("subscripts", b"[0]"), ("calls", b"()"), ("attributes", b".a")):
        yield Case(f"chain:py-{shape}-50000", f"{shape}.py", b"import torch\nx = " + call + link * 50_000 + b"\n",
                   frozenset({"error"}), "50,003 chained operations")
    blocks = b"import torch\n" + b"".join(b" " * i + b"if x:\n" for i in range(120)) + b" " * 120 + call + b"\n"
    yield Case("nest:py-blocks-120", "blocks.py", blocks, deep, "")
    yield Case("nest:cu-braces-5000", "braces.cu", b"void f() " + nested(5000, b"{", b"}", b"cudaFree(0);") + b"\n",
               deep, "")
    yield Case("nest:cu-parens-5000", "parens.cu", b"int x = " + nested(5000, b"(", b")", b"cudaFree(0)") + b";\n",
               deep, "")
    yield Case("nest:cu-templates-2000", "tmpl.cu", b"thrust::device_vector<" * 2000 + b"int" + b">" * 2000 + b" v;\n",
               deep, "")
    yield Case("nest:ipynb-json-100000", "deep.ipynb", nested(100_000, b"[", b"]", b""), frozenset({"error"}),
               "invalid notebook")
    yield Case("nest:compose-yaml-5000", "docker-compose.yml",
               b"services:\n  a:\n    image: " + nested(5000, b"[", b"]", b"nvidia/cuda:12.1.0-base-ubuntu22.04") + b"\n",
               ANY)
    yield Case("nest:conda-yaml-5000", "environment.yml",
               b"dependencies:\n  - " + nested(5000, b"[", b"]", b"cudatoolkit") + b"\n", ANY)
    yield Case("nest:cmake-parens-5000", "CMakeLists.txt",
               b"if" + nested(5000, b"(", b")", b"CUDA_FOUND") + b"\nendif()\nproject(x CUDA)\n", ANY)
    yield Case("nest:sh-subst-1000", "deep.sh", b"echo " + nested(1000, b"$(", b")", b"nvidia-smi") + b"\n", ANY)
    yield Case("nest:dockerfile-continuations-5000", "Dockerfile",
               b"FROM nvidia/cuda:12.1.0-base-ubuntu22.04\nRUN true " + b"\\\n && true " * 5000 + b"\n", ANY)
    laughs = b"a: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [".encode() + b", ".join([f"*{chr(97 + i)}".encode()] * 9) + b"]\n"
        for i in range(8)
    )
    yield Case("yaml-bomb:compose", "docker-compose.yml", b"services: {}\n" + laughs, ANY)
    yield Case("yaml-bomb:conda", "environment.yml", b"dependencies: [cudatoolkit]\n" + laughs, ANY)
    yield Case("yaml-bomb:k8s", "bomb.yaml", b"apiVersion: v1\nkind: Pod\n" + laughs, ANY)


def syntax_cases() -> Iterator[Case]:
    py2 = (b"import torch\nprint 'hello'\nexec 'x = 1'\ntry:\n    torch.cuda.synchronize()\n"
           b"except Exception, e:\n    pass\nx = `1`\n")
    yield Case("python2:print-exec-except", "py2.py", py2, frozenset({"error"}), "Python 2")
    yield Case("python2:octal-long", "py2n.py", b"import torch\nmode = 0777\nn = 10L\ntorch.cuda.synchronize()\n", frozenset({"error"}),
               "Python 2")
    conflict = b"import torch\n<<<<<<< HEAD\nx = torch.cuda.is_available()\n=======\nx = False\n>>>>>>> b\n"
    yield Case("merge-conflict:py", "conflict.py", conflict, frozenset({"error"}), "syntax error")
    yield Case("merge-conflict:cu", "conflict.cu", b"<<<<<<< HEAD\n" + GOOD["kernel.cu"] + b"=======\n>>>>>>> b\n",
               frozenset({"partial"}), "syntax error")
    cu = GOOD["kernel.cu"]
    yield Case("unterminated-comment:cu", "ucomment.cu", cu + b"/* never closed cudaMemset(p, 0, 4);\n",
               frozenset({"partial", "scanned"}), same_sites_as="kernel.cu")
    yield Case("unterminated-string:cu", "ustring.cu", cu + b'const char* s = "cudaMemset(p, 0, 4);\n',
               frozenset({"partial"}), "syntax error", same_sites_as="kernel.cu")
    yield Case("unclosed-brace:cu", "ubrace.cu", cu.replace(b"return 0;\n}", b"return 0;\n"),
               frozenset({"partial"}), "syntax error", same_sites_as="kernel.cu")
    yield Case("if0-block:cu", "if0.cu", b"#if 0\ncudaDeviceReset(;\n#endif\n" + cu, ANY, same_sites_as="kernel.cu")
    yield Case("if0-unclosed:cu", "if0open.cu", cu + b"#if 0\ncudaDeviceReset();\n", ANY, same_sites_as="kernel.cu")
    hidden = b"#define ALLOC(p, n) cudaMalloc(p, n)\n#define LAUNCH(k, p) k<<<1, 32>>>(p)\n" + cu
    yield Case("macros-hide-calls:cu", "macros.cu", hidden, CLEAN, same_sites_as="kernel.cu")
    yield Case("unterminated-string:py", "ustr.py", GOOD["step.py"] + b'x = "never closed\n',
               frozenset({"error"}), "syntax error")
    yield Case("unclosed-paren:cmake", "CMakeLists.txt", GOOD["CMakeLists.txt"] + b"set(X CUDA\n",
               frozenset({"partial"}), "CMake syntax error", same_sites_as="CMakeLists.txt")
    yield Case("unclosed-heredoc:sh", "run.sh", GOOD["run.sh"] + b"cat <<EOF\nnvidia-smi\n",
               frozenset({"partial"}), "heredoc", same_sites_as="run.sh")
    yield Case("unclosed-quote:sh", "run.sh", GOOD["run.sh"] + b"echo 'nvidia-smi\n", NOT_CLEAN, "")
    yield Case("trailing-backslash:dockerfile", "Dockerfile", GOOD["Dockerfile"] + b"RUN nvidia-smi \\\n", ANY,
               same_sites_as="Dockerfile")
    yield Case("garbage-lines:requirements", "requirements.txt", GOOD["requirements.txt"] + b"-r\n@@@\n[[\n", ANY)
    yield Case("self-include:requirements", "requirements.txt", b"-r requirements.txt\n" + GOOD["requirements.txt"],
               ANY, same_sites_as="requirements.txt")
    yield Case("invalid:toml", "pyproject.toml", b"[project\ndependencies = ['cupy-cuda12x'\n", frozenset({"error"}),
               "TOML")
    yield Case("invalid:conda-yaml", "environment.yml", b"dependencies:\n  - cudatoolkit\n  - [\n", NOT_CLEAN, "YAML")
    yield Case("invalid:k8s-yaml", "deploy.yaml", GOOD["deploy.yaml"] + b"  - [\n", NOT_CLEAN, "YAML")
    yield Case("truncated:ipynb", "trunc.ipynb", GOOD["nb.ipynb"][:60], frozenset({"error"}), "invalid notebook")
    yield Case("not-a-notebook:list", "list.ipynb", b"[1, 2]", frozenset({"error"}), "invalid notebook")
    yield Case("not-a-notebook:cells-int", "cells.ipynb", b'{"cells": 5, "nbformat": 4, "nbformat_minor": 5}',
               frozenset({"error"}), "invalid notebook")
    yield Case("shebang-only-python", "tool", b"#!/usr/bin/env python3\nimport torch\ntorch.cuda.synchronize()\n",
               CLEAN)


def minified(size: int, unit: bytes, prefix: bytes = b"", suffix: bytes = b"") -> bytes:
    """One line of ``size`` bytes repeating ``unit``: generated or minified code."""
    return prefix + unit * ((size - len(prefix) - len(suffix)) // len(unit)) + suffix


MINIFIED_CUDA_UNIT = b"cudaMalloc(&p,n);if(a){b=c+d*e;}k<<<g,b>>>(x);"


def cases() -> list[Case]:
    """The whole file corpus, in a stable order, ids unique."""
    found = [
        *encoding_cases(), *newline_cases(), *whitespace_cases(), *structure_cases(), *syntax_cases(),
    ]
    ids = [case.id for case in found]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return found


#: File names that break naive path handling: spaces, quotes, unicode, a newline, escapes.
ODD_NAMES = (
    "with space.py",
    "ünïcödé.py",
    "new\nline.py",
    "tab\there.py",
    "quote'\"s.py",
    "-dash.py",
    "$(touch pwned).py",
    "\x1b[31mred\x1b[0m.py",
    "bidi\u202eyp.py",
    "%0A%25.py",
    "semi;colon.cu",
)


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (relative path -> bytes) below ``root`` and return ``root``."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root
