"""Golden CUDA -> HIP ports: each fixture under tests/golden/cuda/input is ported for rocm and
compared byte for byte with tests/golden/cuda/rocm/, every expected HIP unit is compiled with
hipcc (HIP 5.2, --offload-arch=gfx90a, syntax only), and findings.txt pins what is reported.

hipBLAS, hipFFT and RCCL are not in Debian: the cuBLAS, cuFFT and NCCL fixtures compile against
headers that porter/hipdecl.py generates, into a temporary folder, from AMD's own declarations
of those libraries (the hip-python ``cy*.pxd`` files of the ``rocm-bindings-libraries`` and
``rocm-bindings-systems`` wheels, which ``.ci/run`` downloads into $PORTER_ROCM_BINDINGS; without
it those compiles skip, or fail under PORTER_REQUIRE_TOOLS=1). Their HIP library names are also
checked against the reference lists taken from the same declarations (docs/hip.md).
``PORTER_REGEN=1 pytest tests/test_hip_golden.py`` rewrites the expected files; review ``git
diff tests/golden/cuda``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import needs_env, needs_tool
from golden.runner import GOLDEN, check_file, check_findings, inputs

from porter.frontends.cuda import CudaFrontend
from porter.hipdecl import ROCM_BINDINGS, Header, rocm_wheels, write_headers
from porter.mappings import reference_names

FRONTEND = CudaFrontend()
KIND = "cuda"
#: Fixtures whose HIP library Debian does not package -> the reference list proving their names,
#: the pattern of those names, and the AMD declarations (.pxd module) standing in for the header.
NOT_IN_DEBIAN = {
    "cublas_gemm.cu": ("hip-blas", r"(?:hipblas|HIPBLAS)\w*", "rocm.bindings.cyhipblas"),
    "cufft_plan.cu": ("hip-fft", r"(?:hipfft|HIPFFT)\w*", "rocm.bindings.cyhipfft"),
    "nccl_allreduce.cu": ("hip-rccl", r"(?:nccl|NCCL)\w*", "rocm.bindings.cyrccl"),
}
UNITS = [rel for rel in inputs(KIND) if rel.endswith((".cu", ".cpp"))]


@pytest.fixture(scope="module")
def amd_headers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Header]] | None:
    """(include folder, headers by module) generated from AMD's declarations, once per run;
    None without $PORTER_ROCM_BINDINGS (the test itself then skips, or fails)."""
    folder = os.environ.get(ROCM_BINDINGS)
    if not folder:
        return None
    include = tmp_path_factory.mktemp("amd-include")
    modules = [module for _, _, module in NOT_IN_DEBIAN.values()]
    return include, write_headers(rocm_wheels(Path(folder)), include, modules)


def expected_code(rel: str) -> str:
    """An expected HIP file without comments, strings and include lines (names there prove nothing)."""
    text = (GOLDEN / KIND / "rocm" / rel).read_text(encoding="utf-8")
    return re.sub(r"//[^\n]*|\"(?:\\.|[^\"\\])*\"|#include[^\n]*", "", text)


def library_names(rel: str) -> set[str]:
    """The HIP library names a NOT_IN_DEBIAN fixture's expected output uses in code."""
    _, pattern, _ = NOT_IN_DEBIAN[rel]
    code = expected_code(rel)
    defined = set(re.findall(r"#define\s+(\w+)", code))  # the file's own macros are not API
    return set(re.findall(rf"\b{pattern}", code)) - defined


def compile_hip(rel: str, tmp_path: Path, *flags: str) -> None:
    """hipcc -fsyntax-only on one expected HIP unit (its sibling headers beside it)."""
    hipcc = needs_tool("hipcc", "compiles the golden HIP outputs (apt-get install hipcc libamdhip64-dev "
                                "rocm-device-libs libhiprand-dev libhipsparse-dev)")
    shutil.copytree(GOLDEN / KIND / "rocm", tmp_path, dirs_exist_ok=True)  # headers beside the unit
    command = [hipcc, "-x", "hip", "--offload-arch=gfx90a", "-std=c++17", "-fsyntax-only", *flags,
               str(tmp_path / rel)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "HIP_PLATFORM": "amd"},
                          timeout=600, check=False)
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert done.returncode == 0, "\n".join(errors[:10]) or done.stderr[-2000:]


@pytest.mark.parametrize("rel", inputs(KIND))
def test_port_matches_the_expected_hip(rel: str) -> None:
    check_file(KIND, rel, "rocm", FRONTEND)


def test_findings() -> None:
    check_findings(KIND, FRONTEND)


@pytest.mark.parametrize("rel", sorted(set(UNITS) - set(NOT_IN_DEBIAN)))
def test_expected_hip_compiles(rel: str, tmp_path: Path) -> None:
    compile_hip(rel, tmp_path)


@pytest.mark.parametrize("rel", sorted(NOT_IN_DEBIAN))
def test_expected_hip_compiles_against_amds_declarations(
        rel: str, tmp_path: Path, amd_headers: tuple[Path, dict[str, Header]] | None) -> None:
    needs_env(ROCM_BINDINGS, "names the folder holding the rocm-bindings-libraries and "
                             "rocm-bindings-systems wheels (pip download --no-deps; see .ci/run)")
    assert amd_headers is not None
    include, headers = amd_headers
    header = headers[NOT_IN_DEBIAN[rel][2]]
    # the whole file was converted: only the bindings' own helper is left out
    assert [reason for _, reason in header.skipped] == ["binding helper, not part of the C API"]
    # every library name the port uses is declared by AMD's API, not merely tolerated
    assert sorted(library_names(rel) - header.declared) == []
    assert f"#include <{header.path}>" in (GOLDEN / KIND / "rocm" / rel).read_text(encoding="utf-8")
    compile_hip(rel, tmp_path / "unit", "-I", str(include))


@pytest.mark.parametrize("rel", sorted(NOT_IN_DEBIAN))
def test_library_names_are_in_the_reference_lists(rel: str) -> None:
    reference = NOT_IN_DEBIAN[rel][0]
    names = library_names(rel)
    assert names, f"{rel}: no {reference} names to prove"
    assert sorted(names - reference_names(reference)) == []
    assert not re.search(r"\bcu(?:blas|fft)\w*|\bcudaStream\w*", expected_code(rel)), "CUDA names left in the port"
