"""The shipped pre-commit hook, run by the real ``pre-commit try-repo`` against a fixture repo.

pre-commit comes from PyPI: the one installed beside the test interpreter (``.ci/run`` installs
it), else a temporary virtualenv where the test installs it. try-repo builds the hook's own
environment from a snapshot of this checkout (``pip install`` of porter and its dependencies),
exactly as a user's pre-commit would from the published repository.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml
from conftest import REPO, needs_tool

#: What a pip install of porter needs from the checkout (the hook installs porter from it).
SNAPSHOT = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "porter", "mappings")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Porter Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Porter Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def unavailable(why: str) -> None:
    if os.environ.get("PORTER_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{why} (PORTER_REQUIRE_TOOLS=1 requires pre-commit)")
    pytest.skip(why)


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command that runs pre-commit: installed already, or installed here from PyPI."""
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    where = tmp_path_factory.mktemp("pre-commit") / "venv"
    venv.EnvBuilder(with_pip=True).create(where)
    python = where / ("Scripts" if os.name == "nt" else "bin") / "python"
    try:
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "pre-commit"],
                              capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        unavailable("pre-commit could not be installed from PyPI in 10 minutes")
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
        unavailable(f"pre-commit could not be installed from PyPI: {last}")
    return [str(python), "-m", "pre_commit"]


def git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    needs_tool("git", "pre-commit runs inside a git repository")
    home = tmp_path_factory.mktemp("home")
    # the hook must run the porter pip installed in its own environment, never this checkout
    inherited = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return {**inherited, **GIT_ENV, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
            "PRE_COMMIT_HOME": str(home / "pre-commit-cache")}


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A one-commit git repository holding this checkout as it is now (committed or not)."""
    root = tmp_path_factory.mktemp("porter-hook")
    for name in SNAPSHOT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, root / name)
    git(root, "init", "-q", "-b", "main", env=env)
    git(root, "add", "-A", env=env)
    git(root, "commit", "-q", "-m", "snapshot", env=env)
    return root


@pytest.fixture
def project(tmp_path: Path, env: dict[str, str]) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "clean.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "notes.md").write_text("We moved off torch.cuda last year.\n")
    (root / "train.py").write_text("import torch\n\nx = torch.randn(4).cuda()\ntorch.cuda.synchronize()\n")
    git(root, "init", "-q", "-b", "main", env=env)
    git(root, "add", "-A", env=env)
    return root


def try_repo(pre_commit: list[str], hook_repo: Path, project: Path, env: dict[str, str],
             *files: str) -> subprocess.CompletedProcess[str]:
    selection = ["--files", *files] if files else ["--all-files"]
    return subprocess.run([*pre_commit, "try-repo", str(hook_repo), "porter", *selection, "--color", "never"],
                          cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False)


def test_manifest_declares_the_porter_hook() -> None:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "porter" and hook["entry"] == "porter check"
    assert hook["language"] == "python" and hook["types"] == ["text"]


def test_hook_fails_on_cuda_code_and_passes_on_clean_code(
    pre_commit: list[str], hook_repo: Path, project: Path, env: dict[str, str]
) -> None:
    dirty = try_repo(pre_commit, hook_repo, project, env)
    output = dirty.stdout + dirty.stderr
    assert dirty.returncode == 1, output
    assert "porter (NVIDIA lock-in)" in output and "Failed" in output
    assert "train.py:3:" in output and "train.py:4:" in output
    assert "clean.py" not in output.split("Failed", 1)[1]
    clean = try_repo(pre_commit, hook_repo, project, env, "clean.py", "notes.md")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
