"""porter verify: the translated tree is compiled with HIP, errors are mapped back to the CUDA
lines, known-absent ROCm libraries are skipped with a reason, and nothing is written to the tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import porter
from conftest import needs_env, needs_tool

from porter.model import Edit
from porter.verify import LineMap, verify


def test_line_map_follows_edits_that_change_lengths_and_lines() -> None:
    original = b"a\ncudaMalloc(p);\nb\ncudaFree(p);\nc\n"
    start = original.index(b"cudaMalloc")
    free = original.index(b"cudaFree")
    edits = [Edit(start, start + 10, "hipMalloc\n/* two lines */"), Edit(free, free + 8, "hipFree")]
    line_map = LineMap(original, edits)
    # translated: a / hipMalloc / /* two lines */(p); / b / hipFree(p); / c
    assert [line_map.original_line(n) for n in range(1, 7)] == [1, 2, 2, 3, 4, 5]
    assert line_map.original_line(99) == 5


def test_line_map_without_edits_is_the_identity() -> None:
    line_map = LineMap(b"x\ny\nz\n", ())
    assert [line_map.original_line(n) for n in (1, 2, 3)] == [1, 2, 3]


GOOD = """\
#include <cuda_runtime.h>
#include "helper.cuh"
__global__ void k(float* x) { x[threadIdx.x] = twice(x[threadIdx.x]); }
int main() {
  float* d;
  cudaMalloc(&d, 256 * sizeof(float));
  k<<<1, 256>>>(d);
  cudaDeviceSynchronize();
  cudaFree(d);
  return 0;
}
"""
HELPER = "#pragma once\n__device__ inline float twice(float v) { return 2.f * v; }\n"
BAD = """\
#include <cuda_runtime.h>
// a comment line
int main() {
  cudaStream_t s;
  cudaStreamCreate(&s);
  undeclared_function(s);
  return 0;
}
"""
BLAS = "#include <cublas_v2.h>\nint main() { cublasHandle_t h; cublasCreate(&h); return 0; }\n"


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "good.cu").write_text(GOOD)
    (root / "src" / "helper.cuh").write_text(HELPER)
    (root / "src" / "bad.cu").write_text(BAD)
    (root / "blas.cu").write_text(BLAS)
    (root / "plain.cpp").write_text("int main() { return 0; }\n")
    return root


def test_verify_compiles_maps_errors_and_skips_absent_libraries(tmp_path: Path) -> None:
    needs_tool("hipcc", "porter verify compiles with hipcc (apt-get install hipcc libamdhip64-dev rocm-device-libs)")
    root = tree(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    report = verify(root, "rocm")
    verdicts = {f.path: f for f in report.files}
    assert sorted(verdicts) == ["blas.cu", "src/bad.cu", "src/good.cu"]  # plain.cpp has no CUDA
    assert verdicts["src/good.cu"].status == "compiled"
    bad = verdicts["src/bad.cu"]
    assert bad.status == "failed" and "undeclared_function" in bad.message
    assert (bad.where, bad.line) == ("src/bad.cu", 6)
    assert verdicts["blas.cu"].status == "skipped" and "hipblas/hipblas.h" in verdicts["blas.cu"].message
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_error_in_a_translated_header_is_mapped_to_that_header(tmp_path: Path) -> None:
    needs_tool("hipcc", "porter verify compiles with hipcc")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "util.cuh").write_text("#include <cuda_runtime.h>\n\ninline void f() { cudaStream_t s; missing(s); }\n")
    (root / "main.cu").write_text('#include "util.cuh"\nint main() { f(); return 0; }\n')
    (verdict,) = verify(root, "rocm").files
    assert (verdict.status, verdict.where, verdict.line) == ("failed", "util.cuh", 3)


def test_without_a_compiler_every_file_is_skipped_with_one_reason(tmp_path: Path) -> None:
    report = verify(tree(tmp_path), "rocm", compiler="no-such-hip-compiler")
    assert report.compiler is None and report.count("skipped") == 3
    assert all("no-such-hip-compiler not found" in f.message for f in report.files)


def test_only_rocm_is_verified(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="only --target rocm"):
        verify(tree(tmp_path), "cann")


def test_cli_json_and_exit_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    needs_tool("hipcc", "porter verify compiles with hipcc")
    monkeypatch.delenv("PORTER_ROCM_BINDINGS", raising=False)  # blas.cu is skipped without the declarations
    root = tree(tmp_path)
    result = porter("verify", str(root), "--target", "rocm", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1  # src/bad.cu fails
    document = json.loads(result.stdout)
    assert document["summary"] == {"compiled": 1, "failed": 1, "skipped": 1}
    assert document["offload_arch"] == "gfx90a"
    (root / "src" / "bad.cu").unlink()
    table = porter("verify", str(root), "--offload-arch", "gfx1030", cwd=tmp_path)
    assert table.returncode == 0 and "1 compiled, 0 failed, 1 skipped" in table.stdout


def test_error_inside_an_installed_header_names_the_project_include(tmp_path: Path) -> None:
    """A project macro that breaks the HIP headers: the error sits in an installed header, the
    verdict points at the project's include line (mapped back to the CUDA file)."""
    needs_tool("hipcc", "porter verify compiles with hipcc")
    root = tmp_path / "proj"
    root.mkdir()
    (root / "main.cu").write_text("// config\n#define size_t float*\n#include <cuda_runtime.h>\n__global__ void k() {}\n")
    (verdict,) = verify(root, "rocm").files
    assert (verdict.status, verdict.where, verdict.line) == ("failed", "main.cu", 3)
    assert "included from here" in verdict.message


DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo"


def test_declarations_compile_the_demos_rccl_and_hipblas_units() -> None:
    """With AMD's wheels, the units skipped for RCCL and hipBLAS compile against the generated
    headers and say so; torch's headers still skip."""
    needs_tool("hipcc", "porter verify compiles with hipcc")
    wheels = Path(needs_env("PORTER_ROCM_BINDINGS", "names the folder of the rocm-bindings wheels (see .ci/run)"))
    verdicts = {f.path: f for f in verify(DEMO, "rocm", declarations=wheels).files}
    for unit, library in (("csrc/allreduce.cu", "RCCL"), ("csrc/gemm_bench.cu", "hipBLAS")):
        verdict = verdicts[unit]
        assert verdict.status == "compiled", verdict.message
        assert f"AMD's declarations of {library}" in verdict.note and "10.0.0.0.1.2" in verdict.note
    for unit in ("csrc/binding.cpp", "csrc/fused_softmax.cu"):
        assert verdicts[unit].status == "skipped" and "PyTorch" in verdicts[unit].message
        assert verdicts[unit].note == ""


def test_cli_declarations_in_both_formats_and_skips_without_them(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    needs_tool("hipcc", "porter verify compiles with hipcc")
    wheels = needs_env("PORTER_ROCM_BINDINGS", "names the folder of the rocm-bindings wheels (see .ci/run)")
    document = json.loads(porter("verify", str(DEMO), "-f", "json", "--declarations", wheels, cwd=tmp_path).stdout)
    assert document["summary"] == {"compiled": 2, "failed": 0, "skipped": 2}
    assert document["against_declarations"] == 2 and document["declarations"] == wheels
    notes = {f["path"]: f["note"] for f in document["files"]}
    assert "hipBLAS" in notes["csrc/gemm_bench.cu"] and notes["csrc/binding.cpp"] == ""
    table = porter("verify", str(DEMO), cwd=tmp_path)  # the variable is the default
    assert table.returncode == 0 and "2 compiled, 0 failed, 2 skipped (2 against AMD's declarations" in table.stdout
    monkeypatch.delenv("PORTER_ROCM_BINDINGS")
    without = json.loads(porter("verify", str(DEMO), "-f", "json", cwd=tmp_path).stdout)
    assert without["summary"] == {"compiled": 0, "failed": 0, "skipped": 4}
    assert without["declarations"] is None
    messages = {f["path"]: f["message"] for f in without["files"]}
    assert "rccl/rccl.h" in messages["csrc/allreduce.cu"] and "hipblas/hipblas.h" in messages["csrc/gemm_bench.cu"]


def test_a_bad_declarations_folder_is_a_usage_error(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "missing", tmp_path / "empty"):
        result = porter("verify", str(root), "--declarations", str(folder), cwd=tmp_path)
        assert result.returncode == 2 and result.stdout == ""
        assert f"--declarations {folder}" in result.stderr and len(result.stderr.strip().splitlines()) == 1
