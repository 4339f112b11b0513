"""Golden CUDA -> HIP ports: each fixture under tests/golden/cuda/input is ported for rocm and
compared byte for byte with tests/golden/cuda/rocm/, every expected HIP file is compiled with
hipcc (HIP 5.2, --offload-arch=gfx90a, syntax only), and findings.txt pins what is reported.

hipBLAS, hipFFT and RCCL are not in Debian: those fixtures cannot compile here, so every HIP
library name in their expected output is checked against the reference list taken from AMD's
hip-python declarations instead (docs/hip.md explains why). ``PORTER_REGEN=1 pytest
tests/test_hip_golden.py`` rewrites the expected files; review ``git diff tests/golden/cuda``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import needs_tool
from golden.runner import GOLDEN, check_file, check_findings, inputs

from porter.frontends.cuda import CudaFrontend
from porter.mappings import reference_names

FRONTEND = CudaFrontend()
KIND = "cuda"
#: Fixtures whose HIP library is not installable from Debian -> the list proving their names.
NOT_IN_DEBIAN = {
    "cublas_gemm.cu": ("hip-blas", r"(?:hipblas|HIPBLAS)\w*"),
    "cufft_plan.cu": ("hip-fft", r"(?:hipfft|HIPFFT)\w*"),
    "nccl_allreduce.cu": ("hip-rccl", r"(?:nccl|NCCL)\w*"),
}
UNITS = [rel for rel in inputs(KIND) if rel.endswith((".cu", ".cpp"))]


@pytest.mark.parametrize("rel", inputs(KIND))
def test_port_matches_the_expected_hip(rel: str) -> None:
    check_file(KIND, rel, "rocm", FRONTEND)


def test_findings() -> None:
    check_findings(KIND, FRONTEND)


@pytest.mark.parametrize("rel", sorted(set(UNITS) - set(NOT_IN_DEBIAN)))
def test_expected_hip_compiles(rel: str, tmp_path: Path) -> None:
    hipcc = needs_tool("hipcc", "compiles the golden HIP outputs (apt-get install hipcc libamdhip64-dev "
                                "rocm-device-libs libhiprand-dev libhipsparse-dev)")
    shutil.copytree(GOLDEN / KIND / "rocm", tmp_path, dirs_exist_ok=True)  # headers beside the unit
    command = [hipcc, "-x", "hip", "--offload-arch=gfx90a", "-std=c++17", "-fsyntax-only", str(tmp_path / rel)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "HIP_PLATFORM": "amd"},
                          timeout=600, check=False)
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert done.returncode == 0, "\n".join(errors[:10]) or done.stderr[-2000:]


@pytest.mark.parametrize("rel", sorted(NOT_IN_DEBIAN))
def test_library_names_are_proven_where_they_cannot_compile(rel: str) -> None:
    reference, pattern = NOT_IN_DEBIAN[rel]
    text = (GOLDEN / KIND / "rocm" / rel).read_text(encoding="utf-8")
    # names in comments, strings and include paths prove nothing; the file's own macros are not API
    code = re.sub(r"//[^\n]*|\"(?:\\.|[^\"\\])*\"|#include[^\n]*", "", text)
    defined = set(re.findall(r"#define\s+(\w+)", code))
    names = set(re.findall(rf"\b{pattern}", code)) - defined
    assert names, f"{rel}: no {reference} names to prove"
    assert sorted(names - reference_names(reference)) == []
    assert not re.search(r"\bcu(?:blas|fft)\w*|\bcudaStream\w*", code), "CUDA names left in the port"
