"""The command line: exit codes, one-line errors, JSON contract, determinism, plain pipes."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

SAMPLE = """\
import pycuda.driver as drv
import torch
import torch.distributed as dist

def main(rank):
    dist.init_process_group(backend="nccl")
    x = torch.randn(4).cuda()
    torch.cuda.synchronize()
    print("running on cuda")
    return x
"""


def porter(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "porter", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(SAMPLE)
    (tmp_path / "clean.py").write_text("print('hello')\n")
    return tmp_path


def scan_schema() -> dict:
    return json.loads(resources.files("porter").joinpath("schemas/scan.schema.json").read_text())


def test_bad_path_is_one_line_exit_2(tmp_path: Path) -> None:
    result = porter("scan", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"porter: error: path not found: {tmp_path / 'missing'}"]


def test_unknown_target_is_one_line_exit_2(repo: Path) -> None:
    result = porter("scan", str(repo), "--target", "tpu")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "unknown target 'tpu'" in result.stderr


def test_unknown_option_is_usage_error(repo: Path) -> None:
    result = porter("scan", str(repo), "--no-such-flag")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_json_validates_and_is_deterministic(repo: Path) -> None:
    first = porter("scan", str(repo), "--format", "json")
    second = porter("scan", str(repo), "--format", "json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    jsonschema.validate(document, scan_schema())
    symbols = {f["symbol"] for f in document["findings"]}
    assert "torch.cuda.synchronize" in symbols
    assert document["summary"]["findings"] == len(document["findings"])
    assert all(f["path"] == "train.py" for f in document["findings"])
    assert document["targets"] == ["rocm", "oneapi", "cann", "neutral"]


def test_target_filter_limits_plans(repo: Path) -> None:
    document = json.loads(porter("scan", str(repo), "-f", "json", "-t", "cann").stdout)
    assert document["targets"] == ["cann"]
    assert all(set(f["targets"]) == {"cann"} for f in document["findings"])


def test_output_file_written(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "scan.json"
    out.parent.mkdir()
    result = porter("scan", str(repo), "-f", "json", "-o", str(out))
    assert result.returncode == 0
    assert json.loads(out.read_text())["findings"]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("fail_on", "code"), [("never", 0), ("any", 1), ("review", 1), ("manual", 1)]
)
def test_fail_on_thresholds(repo: Path, fail_on: str, code: int) -> None:
    assert porter("scan", str(repo), "--fail-on", fail_on).returncode == code


def test_fail_on_clean_tree_passes(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text("print('cuda is a word in a log message')\n")
    assert porter("scan", str(tmp_path), "--fail-on", "any").returncode == 0


def test_fail_on_review_not_met_for_rocm_only_not_needed_sites(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import torch\ntorch.cuda.synchronize()\n")
    assert porter("scan", str(tmp_path), "-t", "rocm", "--fail-on", "review").returncode == 0
    assert porter("scan", str(tmp_path), "-t", "rocm", "--fail-on", "any").returncode == 1


def test_table_output_has_no_escape_codes_when_piped(repo: Path) -> None:
    result = porter("scan", str(repo))
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout
    assert "rocm" in result.stdout and "train.py" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 100


def test_hostile_file_name_is_escaped_in_table(tmp_path: Path) -> None:
    (tmp_path / "evil\x1b[31m.py").write_text("import torch\ntorch.cuda.synchronize()\n")
    result = porter("scan", str(tmp_path))
    assert result.returncode == 0
    assert "\x1b" not in result.stdout
    assert "evil\\x1b[31m.py" in result.stdout
