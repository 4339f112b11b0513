"""No execution: scanning, porting and reporting never import, run or build the scanned tree.

The hostile repository below holds every way a tool gets tricked into running a project's code:
setup.py, conftest.py, sitecustomize/usercustomize, a ``.pth`` file, a package ``__init__`` with
side effects, a PEP 517 backend, notebooks, shell scripts, Makefile and CMake commands, a
pre-commit hook, modules named like porter's own dependencies (``typer.py``, ``yaml.py``, ...),
and a ``.git`` whose fsmonitor hook and filter drivers run programs. Each would create its own
marker file if run. porter runs as the user runs it (the console script and ``python -m``, the
working directory inside the repository, PYTHONPATH untouched); afterwards no marker exists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from badinput import GOOD, write_tree
from conftest import needs_tool

#: Modules porter or its dependencies import after start-up; a repository file of that name
#: would shadow them if the working directory were on sys.path.
SHADOWED = ("typer", "yaml", "json", "rich", "libcst", "tree_sitter", "nbformat", "jinja2",
            "pathspec", "tomllib", "difflib", "jsonschema", "csv", "concurrent", "signal")


def payload(marker: Path, name: str) -> str:
    return f"open({str(marker / name)!r}, 'w').close()\n"


def hostile_repo(root: Path, marker: Path) -> Path:
    touch = f"touch {marker}/"
    files = {
        "setup.py": payload(marker, "setup.py") + "from setuptools import setup\nsetup(name='x')\n",
        "conftest.py": payload(marker, "conftest.py"),
        "sitecustomize.py": payload(marker, "sitecustomize.py"),
        "usercustomize.py": payload(marker, "usercustomize.py"),
        "evil.pth": "import os; " + payload(marker, "evil.pth"),
        "noxfile.py": payload(marker, "noxfile.py"),
        "pkg/__init__.py": payload(marker, "pkg-init") + "import torch\ntorch.cuda.synchronize()\n",
        "pkg/__main__.py": payload(marker, "pkg-main"),
        "backend.py": payload(marker, "backend.py"),
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
                          '[project]\nname = "x"\ndependencies = ["cupy-cuda12x"]\n',
        "requirements.txt": "-e .\n-r requirements.txt\ncupy-cuda12x\n",
        "nb.ipynb": json.dumps({
            "cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
                       "source": [payload(marker, "notebook"), "!" + touch + "notebook-bang\n",
                                  "%run setup.py\n", "import torch\n", "torch.cuda.synchronize()\n"]}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }),
        "run.sh": f"#!/bin/bash\n{touch}run.sh\nexport CUDA_VISIBLE_DEVICES=0\n$({touch}subst)\n",
        "Makefile": f"all:\n\t{touch}Makefile\n",
        "CMakeLists.txt": f"project(x CUDA)\nexecute_process(COMMAND {touch}cmake)\nfile(WRITE {marker}/cmake-file x)\n",
        "Dockerfile": f"FROM nvidia/cuda:12.1.0-base-ubuntu22.04\nRUN {touch}docker\n",
        ".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n  - id: x\n    name: x\n"
                                  f"    entry: {touch}pre-commit\n    language: system\n",
        "kernel.cu": GOOD["kernel.cu"].decode(),
        "step.py": GOOD["step.py"].decode(),
    }
    files.update({f"{name}.py": payload(marker, f"shadow-{name}") for name in SHADOWED})
    return write_tree(root, {rel: text.encode() for rel, text in files.items()})


def poison_git(root: Path, marker: Path) -> None:
    """A repository whose config runs programs from ``git status`` and ``git diff``."""
    git = needs_tool("git", "the hostile repository has a .git with hooks and filters")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run([git, "init", "-q"], cwd=root, check=True)
    subprocess.run([git, "add", "-A"], cwd=root, check=True)
    subprocess.run([git, "commit", "-qm", "hostile"], cwd=root, check=True, env=env)
    (root / ".gitattributes").write_text("* filter=evil diff=evil\n")
    subprocess.run([git, "add", ".gitattributes"], cwd=root, check=True)
    subprocess.run([git, "commit", "-qm", "attrs"], cwd=root, check=True, env=env)
    for key, value in (
        ("core.fsmonitor", f"touch {marker}/fsmonitor; false"),
        ("filter.evil.clean", f"touch {marker}/filter-clean; cat"),
        ("filter.evil.smudge", f"touch {marker}/filter-smudge; cat"),
        ("filter.evil.process", f"touch {marker}/filter-process"),
        ("diff.evil.textconv", f"touch {marker}/textconv; cat"),
        ("diff.external", f"touch {marker}/external-diff"),
        ("core.pager", f"touch {marker}/pager; cat"),
        ("core.hooksPath", str(marker)),
    ):
        subprocess.run([git, "config", key, value], cwd=root, check=True)
    for hook in ("pre-commit", "post-checkout", "pre-auto-gc", "reference-transaction"):
        path = root / ".git" / "hooks" / hook
        path.write_text(f"#!/bin/sh\ntouch {marker}/hook-{hook}\n")
        path.chmod(0o755)
    os.utime(root / "step.py")  # stat-dirty: git status must compare contents (and filter them)


def launchers() -> list[list[str]]:
    found = [[sys.executable, "-m", "porter"]]
    script = shutil.which("porter", path=str(Path(sys.executable).parent))
    if script:
        found.append([script])
    return found


@pytest.mark.parametrize("launcher", launchers(), ids=lambda cmd: "python -m porter" if len(cmd) > 1 else "porter")
def test_scanning_porting_and_reporting_run_nothing_from_the_tree(tmp_path: Path, launcher: list[str]) -> None:
    marker = tmp_path / "markers"
    marker.mkdir()
    root = hostile_repo(tmp_path / "repo", marker)
    poison_git(root, marker)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONSAFEPATH"}
    commands = [  # (arguments, exit code: 1 is check's "sites found")
        (["scan", "."], 0), (["scan", ".", "-f", "json"], 0),
        (["report", ".", "-f", "html", "-o", str(tmp_path / "r.html")], 0),
        (["report", ".", "-f", "sarif"], 0), (["report", ".", "-f", "markdown"], 0),
        (["port", ".", "-t", "cann"], 0), (["port", ".", "-t", "rocm", "--out", str(tmp_path / "out")], 0),
        (["review", "--base", "HEAD~1"], 0), (["review", "--base", "HEAD~1", "-f", "json"], 0),
        (["check", "step.py", "nb.ipynb", "setup.py"], 1),
        (["baseline", "create", "-o", str(tmp_path / "baseline.json")], 0),
        (["port", ".", "-t", "oneapi", "--write"], 0),
        (["review", "--base", "HEAD"], 0),
    ]
    for command, code in commands:
        done = subprocess.run([*launcher, *command], cwd=root, env=env, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == code, (command, done.stderr)
        assert sorted(p.name for p in marker.iterdir()) == [], f"{command} ran code from the tree"
    assert b"torch.xpu.synchronize()" in (root / "step.py").read_bytes()  # --write did write
    # The markers are live: each payload does create its marker when something does run it.
    subprocess.run([sys.executable, str(root / "setup.py"), "--version"], cwd=root, capture_output=True)
    assert (marker / "setup.py").exists()
