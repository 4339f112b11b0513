"""Errors a user can fix are one line on stderr (what, where, what to do), exit code 2, and no
traceback unless ``--debug`` asks for it; broken data and broken caches never crash a command.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from badinput import GOOD, write_tree
from clirun import porter

from porter.mappings import MappingError, data_dir, load_tables
from porter.scan import scan


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", {"step.py": GOOD["step.py"], "kernel.cu": GOOD["kernel.cu"]})


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("porter: error: "), lines[0]
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


BAD_PATH = [
    ["scan", "missing"], ["report", "missing"], ["port", "missing", "-t", "rocm"],
    ["check", "missing.py"], ["baseline", "create", "missing"], ["review", "--base", "HEAD", "missing"],
]
BAD_TARGET = [
    ["scan", ".", "-t", "cdna"], ["report", ".", "-t", "cdna"], ["port", ".", "-t", "cdna"],
    ["check", "step.py", "-t", "cdna"],
]
UNWRITABLE_OUTPUT = [
    ["scan", ".", "-o", "step.py/out.txt"], ["report", ".", "-f", "html", "-o", "step.py/r.html"],
    ["port", ".", "-t", "cann", "-f", "json", "-o", "step.py/p.json"],
    ["baseline", "create", ".", "-o", "step.py/b.json"],
    ["port", ".", "-t", "cann", "--out", "/proc/porter-out"],
]


@pytest.mark.parametrize("args", BAD_PATH, ids=lambda a: " ".join(a[:2]))
def test_bad_path(repo: Path, args: list[str]) -> None:
    line = one_line_error(porter(*args, cwd=repo), "missing")
    assert "not found" in line or "not inside a git work tree" in line


@pytest.mark.parametrize("args", BAD_TARGET, ids=lambda a: a[0])
def test_bad_target_names_the_choices(repo: Path, args: list[str]) -> None:
    one_line_error(porter(*args, cwd=repo), "unknown target 'cdna'", "rocm, oneapi, cann, neutral")


@pytest.mark.parametrize("args", UNWRITABLE_OUTPUT, ids=lambda a: " ".join(a[:1] + a[-2:-1]))
def test_unwritable_output(repo: Path, args: list[str]) -> None:
    before = (repo / "step.py").read_bytes()
    one_line_error(porter(*args, cwd=repo), "cannot write")
    assert (repo / "step.py").read_bytes() == before


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, ["effort.yaml", "No such file"]),
        ("days: [unclosed\n", ["effort.yaml", "YAML"]),
        ("no_such_setting: 3\n", ["effort.yaml"]),
        ("- just\n- a list\n", ["effort.yaml"]),
        ("\x00\xff binary", ["effort.yaml"]),
    ],
    ids=["missing", "bad-yaml", "unknown-key", "not-a-mapping", "binary"],
)
def test_bad_effort_config(repo: Path, content: str | None, words: list[str]) -> None:
    if content is not None:
        (repo / "effort.yaml").write_bytes(content.encode("utf-8", "surrogateescape"))
    one_line_error(porter("report", ".", "--effort-config", "effort.yaml", cwd=repo), *words)


def test_bad_baseline_file(repo: Path) -> None:
    (repo / "baseline.json").write_text("{not json")
    one_line_error(porter("scan", ".", "--baseline", "baseline.json", cwd=repo), "baseline.json")


def test_bad_report_format(repo: Path) -> None:
    one_line_error(porter("report", ".", "-f", "pdf", cwd=repo), "unknown report format", "html")


def test_review_outside_git(repo: Path) -> None:
    one_line_error(porter("review", "--base", "main", cwd=repo), "not inside a git work tree")


def test_debug_shows_the_traceback(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "porter", "--debug", "scan", "missing"],
        cwd=repo, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr
    assert "ScanError" in result.stderr or "UsageError" in result.stderr


# --- broken mapping data ----------------------------------------------------------------------


def broken_copy(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "mappings"
    shutil.copytree(data_dir(), folder)
    (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("torch-cuda.yaml", "family: [unclosed\n", ["torch-cuda.yaml", "YAML"]),
        ("torch-cuda.yaml", "family: torch-cuda\nentries: 5\n", ["torch-cuda.yaml"]),
        ("targets.yaml", "", ["targets.yaml"]),
        ("cuda-runtime.yaml", "\x00\x01", ["cuda-runtime.yaml"]),
    ],
    ids=["bad-yaml", "bad-schema", "empty-targets", "binary"],
)
def test_broken_mapping_data_is_one_line(tmp_path: Path, name: str, text: str, words: list[str]) -> None:
    folder = broken_copy(tmp_path, name, text)
    with pytest.raises(MappingError) as caught:
        load_tables(folder)
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message
    result = porter("mappings", "validate", str(folder), cwd=tmp_path)
    line = one_line_error(result, *words)
    assert len(line) < 400


def test_a_scan_with_good_copied_data_still_works(tmp_path: Path) -> None:
    """The copy used above is itself loadable: the failures come from the breakage alone."""
    folder = tmp_path / "mappings"
    shutil.copytree(data_dir(), folder)
    root = write_tree(tmp_path / "repo", {"step.py": GOOD["step.py"]})
    assert scan(root, tables=load_tables(folder)).findings


# --- broken caches ----------------------------------------------------------------------------


def test_damaged_caches_fall_back_to_a_full_run(tmp_path: Path) -> None:
    """Both caches (pickled mapping tables, per-file results) damaged the ways a disk or an
    older porter damages them: the command still answers, with the same output."""
    cache = tmp_path / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("PORTER_NO_CACHE", None)
    root = write_tree(tmp_path / "repo", {"step.py": GOOD["step.py"], "kernel.cu": GOOD["kernel.cu"]})
    for path in root.iterdir():  # older than the racy-clean window, so results are cached
        os.utime(path, (1_600_000_000, 1_600_000_000))

    def scan_json() -> dict[str, object]:
        done = subprocess.run([sys.executable, "-m", "porter", "scan", ".", "-f", "json"],
                              cwd=root, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and done.stderr == "", done.stderr
        return json.loads(done.stdout)

    expected = scan_json()
    tables = list((cache / "porter").glob("mappings-*.pickle"))
    results = cache / "porter" / "results.sqlite"
    assert tables and results.exists()
    for damage in (b"\x80\x05\x84\xc5\rcp\xca\x02\x82\xb6[", b"\x80\x05\x8d\x92d%!\x82\xaa\x81\xbe\xce", b""):
        tables[0].write_bytes(damage)
        assert scan_json() == expected
    with sqlite3.connect(results) as db:
        db.execute("UPDATE results SET value = ?", (b"\x80\x05\x84\xc5\rcp\xca\x02\x82\xb6[",))
    assert scan_json() == expected
    results.write_bytes(b"not a database" * 100)
    assert scan_json() == expected
