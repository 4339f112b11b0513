"""Hand-built scan results for the effort and report tests.

Reports must be testable without depending on what the frontends find today, so these helpers
build findings the way frontends do (``Finding`` values with per-target plans) and wrap them in a
``ScanResult``. ``sample_result`` is a small CUDA + PyTorch project with a cross-layer link;
``hostile_result`` puts markup and control characters everywhere scanned text can appear.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from porter.model import (
    SEVERITY_FOR_STATUS,
    FileResult,
    Finding,
    ScanResult,
    Span,
    Status,
    TargetPlan,
    worst_status,
)

TARGETS = ("rocm", "oneapi", "cann", "neutral")


def make_finding(
    symbol: str,
    path: str,
    line: int,
    statuses: Mapping[str, Status],
    *,
    rule: str = "cuda-api",
    pit: str | None = None,
    family: str = "test-family",
    language: str = "cuda",
    snippet: str | None = None,
    end_line: int | None = None,
    links: tuple[str, ...] = (),
    severity: str | None = None,
) -> Finding:
    """A finding as a frontend makes one; severity defaults to the dearest status's, as there."""
    plans = {t: TargetPlan(status=s, replacement=None, note=f"{t} note for {symbol}") for t, s in statuses.items()}
    return Finding(
        rule=rule,
        symbol=symbol,
        family=family,
        language=language,
        path=path,
        span=Span(line, 1, end_line or line, len(symbol) + 1),
        snippet=snippet if snippet is not None else f"{symbol}(x);  // line {line}",
        severity=severity or SEVERITY_FOR_STATUS[worst_status(list(statuses.values()))],  # type: ignore[arg-type]
        targets=plans,
        pit=pit,
        links=links,
    )


def same(status: Status) -> dict[str, Status]:
    return dict.fromkeys(TARGETS, status)


def scan_result(files: list[tuple[str, str, int, list[Finding]]], targets: tuple[str, ...] = TARGETS) -> ScanResult:
    return ScanResult(
        root="/repo",
        targets=targets,
        files=tuple(
            FileResult(path=path, language=language, status="scanned", lines=lines, findings=tuple(found))
            for path, language, lines, found in sorted(files)
        ),
    )


KERNEL = {"rocm": "auto", "oneapi": "manual", "cann": "manual", "neutral": "manual"}
DEVICE = {"rocm": "not-needed", "oneapi": "auto", "cann": "auto", "neutral": "auto"}


def sample_result(targets: tuple[str, ...] = TARGETS) -> ScanResult:
    """A training script, an extension loader, and two CUDA sources with kernels and warp code."""
    kernels = [
        make_finding("__global__", "csrc/softmax.cu", 10, KERNEL, rule="cuda-kernel", pit="custom-kernels", end_line=60),
        make_finding("__shfl_xor_sync", "csrc/softmax.cu", 20, same("manual"), rule="cuda-warp", pit="warp-size"),
        make_finding("__global__", "csrc/softmax.cu", 70, KERNEL, rule="cuda-kernel", pit="custom-kernels", end_line=90),
    ]
    gemm = [
        make_finding("cublasSgemm", "csrc/gemm.cu", 5, {"rocm": "auto", "oneapi": "review", "cann": "manual", "neutral": "manual"},
                     rule="cuda-library", pit="vendor-libraries"),
        make_finding("asm", "csrc/gemm.cu", 30, same("manual"), rule="cuda-ptx", pit="inline-ptx"),
    ]
    loader = [
        make_finding("torch.utils.cpp_extension.load", "ext/__init__.py", 12, {"rocm": "review", "oneapi": "manual", "cann": "manual", "neutral": "manual"},
                     rule="py-cpp-extension", pit="cpp-extensions", language="python", snippet="_C = load(",
                     links=("../csrc/softmax.cu", "csrc/missing.cpp")),
    ]
    train = [
        make_finding("torch.cuda.synchronize", "train.py", 3, DEVICE, rule="py-torch-cuda", pit="device-api", language="python"),
        make_finding("torch.cuda.synchronize", "train.py", 9, DEVICE, rule="py-torch-cuda", pit="device-api", language="python"),
        make_finding("nccl", "train.py", 14, {"rocm": "not-needed", "oneapi": "auto", "cann": "auto", "neutral": "review"},
                     rule="py-dist-backend", pit="collectives", language="python"),
        make_finding("torch.cuda.amp.autocast", "train.py", 20, {"rocm": "auto", "oneapi": "auto", "cann": "auto", "neutral": "auto"},
                     rule="py-amp", pit="amp-api", language="python"),
        make_finding("mystery", "train.py", 30, same("review"), rule="py-unknown", language="python"),
    ]
    return scan_result(
        [
            ("csrc/softmax.cu", "cuda", 100, kernels),
            ("csrc/gemm.cu", "cuda", 40, gemm),
            ("ext/__init__.py", "python", 20, loader),
            ("train.py", "python", 40, train),
        ],
        targets,
    )


#: Markup and control characters a hostile repository can put in names and snippets.
HOSTILE = '<script>alert(1)</script></textarea><img src=x onerror=alert(2)>|`**x**`\x1b[31m'


def hostile_result() -> ScanResult:
    path = f"evil/{HOSTILE}.py"
    finding = make_finding(
        f"torch.cuda.{HOSTILE}", path, 1, same("manual"), rule="py-torch-cuda", pit="device-api",
        language="python", snippet=f'x = "{HOSTILE}" </script><script>alert(3)</script>',
        links=(f"{HOSTILE}.cu",),
    )
    other = make_finding("__global__", f"{HOSTILE}.cu", 2, KERNEL, rule="cuda-kernel", pit="custom-kernels",
                         snippet=f"__global__ void k() {{ /* {HOSTILE} */ }}")
    return scan_result([(path, "python", 3, [finding]), (f"{HOSTILE}.cu", "cuda", 10, [other])])


def report_for(result: ScanResult, **kwargs):
    """``build_report`` with only the targets' data, so these tests do not depend on the families."""
    from porter.mappings import MappingTables, data_dir, load_targets
    from porter.report import build_report

    tables = MappingTables(load_targets(data_dir()), ())
    return build_report(result, root_label=kwargs.pop("root_label", "demo"), tables=tables, **kwargs)


REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def run_porter(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m porter ARGS`` from the repository root."""
    return subprocess.run([sys.executable, "-m", "porter", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)


def sarif_validator():
    """A validator for the official SARIF 2.1.0 schema from ../shared; skips where it is absent."""
    import jsonschema
    import pytest

    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA} (../shared is absent)")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)
