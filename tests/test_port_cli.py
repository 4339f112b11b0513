"""``porter port``: diff by default, --write in place, --out copy, idempotence, refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import needs_tool

SAMPLE = """\
import torch


def step(x):
    # keep this comment: cuda
    y = x.to("cuda:0")
    torch.cuda.synchronize()
    print("cuda done")
    return y
"""


def porter(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "porter", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "step.py").write_text(SAMPLE)
    return root


def test_default_prints_diff_and_writes_nothing(repo: Path) -> None:
    result = porter("port", str(repo), "--target", "oneapi")
    assert result.returncode == 0, result.stderr
    assert "--- a/step.py" in result.stdout
    assert '+    y = x.to("xpu:0")' in result.stdout
    assert "+    torch.xpu.synchronize()" in result.stdout
    assert (repo / "step.py").read_text() == SAMPLE
    assert "sites rewritten" in result.stderr


def test_write_in_place_is_idempotent_and_keeps_comments(repo: Path) -> None:
    assert porter("port", str(repo), "-t", "oneapi", "--write").returncode == 0
    ported = (repo / "step.py").read_text()
    assert "# keep this comment: cuda" in ported
    assert 'print("cuda done")' in ported
    assert "torch.xpu.synchronize()" in ported
    again = porter("port", str(repo), "-t", "oneapi")
    assert again.returncode == 0
    assert again.stdout == ""


def test_out_writes_copy_and_leaves_source(repo: Path, tmp_path: Path) -> None:
    (repo / "README.md").write_text("docs\n")
    out = tmp_path / "ported"
    assert porter("port", str(repo), "-t", "cann", "--out", str(out)).returncode == 0
    assert (repo / "step.py").read_text() == SAMPLE
    ported = (out / "step.py").read_text()
    assert "import torch_npu" in ported
    assert "torch.npu.synchronize()" in ported
    assert (out / "README.md").read_text() == "docs\n"


def test_out_inside_tree_refused(repo: Path) -> None:
    result = porter("port", str(repo), "-t", "cann", "--out", str(repo / "ported"))
    assert result.returncode == 2
    assert "inside the scanned tree" in result.stderr


def test_write_and_out_together_refused(repo: Path, tmp_path: Path) -> None:
    result = porter("port", str(repo), "-t", "cann", "--write", "--out", str(tmp_path / "o"))
    assert result.returncode == 2


def test_write_refuses_uncommitted_changes_without_force(repo: Path) -> None:
    git = needs_tool("git", "port --write checks git for uncommitted changes")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "init"]):
        subprocess.run([git, *args], cwd=repo, check=True, env=env)
    (repo / "step.py").write_text(SAMPLE + "\n# local edit\n")
    refused = porter("port", str(repo), "-t", "oneapi", "--write")
    assert refused.returncode == 2
    assert "uncommitted changes" in refused.stderr
    assert "xpu" not in (repo / "step.py").read_text()
    assert porter("port", str(repo), "-t", "oneapi", "--write", "--force").returncode == 0
    assert "torch.xpu.synchronize()" in (repo / "step.py").read_text()


def test_rocm_leaves_torch_cuda_alone(repo: Path) -> None:
    result = porter("port", str(repo), "-t", "rocm")
    assert result.returncode == 0
    assert "torch.cuda.synchronize" not in result.stdout  # not in the diff: not needed on ROCm


def test_rocm_version_check_accepts_both_builds_and_settles(tmp_path: Path) -> None:
    """ROCm's torch.version.cuda is None: the check learns torch.version.hip beside it, and the
    second port sees the site as already ported (not-needed) rather than wrapping it again."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "v.py").write_text("import torch as T\nok = T.version.cuda is not None\n")
    first = porter("port", str(root), "-t", "rocm", "--write")
    assert first.returncode == 0, first.stderr
    assert "(1 of them to review: read those edits in the diff)" in first.stderr
    assert (root / "v.py").read_text() == "import torch as T\nok = (T.version.cuda or T.version.hip) is not None\n"
    again = porter("port", str(root), "-t", "rocm")
    assert again.returncode == 0 and again.stdout == ""
    assert again.stderr.startswith("porter port --target rocm: 0 sites rewritten in 0 files; 0 sites left")
    scan = porter("scan", str(root), "-t", "rocm", "--format", "json")
    (finding,) = json.loads(scan.stdout)["findings"]
    assert finding["targets"]["rocm"]["status"] == "not-needed"
    assert finding["targets"]["rocm"]["note"].startswith("Already ported: the code reads (T.version.cuda")
