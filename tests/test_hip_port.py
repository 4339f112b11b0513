"""``porter port --target rocm --out DIR [--hip-extension]``: ported .cu files as .hip or .cu copies."""

from __future__ import annotations

from pathlib import Path

from clirun import porter

KERNEL = '#include <cuda_runtime.h>\n#include "util.cuh"\nint main() { cudaDeviceSynchronize(); return 0; }\n'
HEADER = "#pragma once\n#include <cuda_runtime.h>\ninline void sync() { cudaDeviceSynchronize(); }\n"


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    (root / "k").mkdir(parents=True)
    (root / "k" / "main.cu").write_text(KERNEL)
    (root / "k" / "util.cuh").write_text(HEADER)
    (root / "k" / "untouched.cu").write_text("int f() { return 1; }\n")
    (root / "README.md").write_text("a .cu project\n")
    return root


def test_hip_extension_writes_hip_copies(tmp_path: Path) -> None:
    root = tree(tmp_path)
    out = tmp_path / "out"
    done = porter("port", str(root), "--target", "rocm", "--out", str(out), "--hip-extension", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == ["README.md", "k/main.hip", "k/untouched.hip", "k/util.cuh"]
    assert "hipDeviceSynchronize" in (out / "k" / "main.hip").read_text()
    assert '#include "util.cuh"' in (out / "k" / "main.hip").read_text()  # headers keep their names
    assert "hipDeviceSynchronize" in (out / "k" / "util.cuh").read_text()
    assert (root / "k" / "main.cu").read_text() == KERNEL  # the tree itself is untouched


def test_without_the_option_cu_files_stay_cu(tmp_path: Path) -> None:
    root = tree(tmp_path)
    out = tmp_path / "out"
    assert porter("port", str(root), "--target", "rocm", "--out", str(out), cwd=tmp_path).returncode == 0
    assert "hipDeviceSynchronize" in (out / "k" / "main.cu").read_text()
    assert not list(out.rglob("*.hip"))


def test_hip_extension_needs_rocm_and_out(tmp_path: Path) -> None:
    root = tree(tmp_path)
    for args in (["--target", "rocm", "--hip-extension"],
                 ["--target", "cann", "--out", str(tmp_path / "o"), "--hip-extension"]):
        done = porter("port", str(root), *args, cwd=tmp_path)
        assert done.returncode == 2 and "--hip-extension" in done.stderr
