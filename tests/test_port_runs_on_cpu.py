"""The neutral port of a small CUDA training script still runs on a CPU-only PyTorch.

The fixture (tests/golden/python/input/cpu_train.py) uses .cuda(), .to("cuda"), device="cuda",
torch.cuda.amp autocast and GradScaler, torch.amp.autocast("cuda"), torch.cuda.synchronize()
and torch.cuda.is_available() guards. Its neutral port replaces each with torch.accelerator and
torch.amp expressions that fall back to the CPU, so the ported script trains on this machine;
the original needs CUDA. Skipped without torch, failed instead under PORTER_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from porter.port import plan_port
from porter.write import write_copy

SCRIPT = Path(__file__).resolve().parent / "golden" / "python" / "input" / "cpu_train.py"


def needs_torch() -> None:
    """Skip (or fail under PORTER_REQUIRE_TOOLS=1) when torch cannot be imported."""
    if importlib.util.find_spec("torch") is not None:
        return
    message = "torch is not installed: the ported script cannot run"
    if os.environ.get("PORTER_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{message} (PORTER_REQUIRE_TOOLS=1 requires it)")
    pytest.skip(message)


def run(script: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                          cwd=script.parent, env=env)


def test_neutral_port_trains_on_cpu(tmp_path: Path) -> None:
    needs_torch()
    result = plan_port(SCRIPT, "neutral")
    (port,) = result.changed
    assert b"torch.cuda" not in port.ported and b'"cuda"' not in port.ported
    write_copy(result, tmp_path / "out")
    ported = tmp_path / "out" / SCRIPT.name
    done = run(ported)
    assert done.returncode == 0, done.stderr[-3000:]
    import torch

    expected = "cpu" if not torch.accelerator.is_available() else torch.accelerator.current_accelerator().type
    assert f"device {expected} loss" in done.stdout


def test_original_needs_cuda() -> None:
    """Without an accelerator the unported script fails: the port is what makes it run."""
    needs_torch()
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: the original runs too")
    done = run(SCRIPT)
    assert done.returncode != 0
    assert "CUDA" in done.stderr
