"""Hostile trees: line endings kept byte for byte, symlinks, files that vanish or change while
porter runs, unreadable files and folders, odd names, empty trees and trees without git.

Each case must run to the end, say per file what happened, and lose nothing: no file missing
from the results, no byte changed that no edit covers.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from badinput import GOOD, ODD_NAMES, write_tree
from clirun import porter
from conftest import needs_tool

import porter.discover as discover_module
import porter.port as port_module
import porter.scan as scan_module
from porter.mappings import default_tables
from porter.port import plan_port
from porter.scan import scan
from porter.write import write_in_place

TABLES = default_tables()


def results(root: Path) -> dict[str, scan_module.FileResult]:
    return {f.path: f for f in scan(root, tables=TABLES).files}


def finding_lines(root: Path, rel: str) -> set[int]:
    lines: set[int] = set()
    for finding in results(root)[rel].findings:
        lines.update(range(finding.span.line, finding.span.end_line + 1))
    return lines


def changed_lines(before: bytes, after: bytes) -> tuple[set[int], int]:
    """1-based lines of ``before`` that differ in ``after`` (line endings included), and how
    many lines were inserted."""
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    touched: set[int] = set()
    inserted = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            touched.update(range(i1 + 1, i2 + 1))
        if tag in ("replace", "insert"):
            inserted += max(0, (j2 - j1) - (i2 - i1))
    return touched, inserted


# --- line endings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "target", "inserted"),
    [("step.py", "cann", 1), ("step.py", "oneapi", 0), ("kernel.cu", "rocm", 0), ("CMakeLists.txt", "rocm", 2)],
)
def test_crlf_port_keeps_every_untouched_byte(tmp_path: Path, name: str, target: str, inserted: int) -> None:
    original = GOOD[name].replace(b"\n", b"\r\n")
    root = write_tree(tmp_path, {name: original})
    sites = finding_lines(root, name)
    result = porter("port", ".", "-t", target, "--write", cwd=root)
    assert result.returncode == 0, result.stderr
    ported = (root / name).read_bytes()
    assert ported != original
    assert ported.count(b"\n") == ported.count(b"\r\n"), "a bare LF in a CRLF file"
    touched, added = changed_lines(original, ported)
    assert touched <= sites, f"lines without a site changed: {sorted(touched - sites)}"
    assert added == inserted


def test_mixed_line_endings_stay_per_line(tmp_path: Path) -> None:
    """Each untouched line keeps its own ending, LF or CRLF, and the edited lines keep theirs."""
    lines = GOOD["step.py"].split(b"\n")
    original = b"".join(line + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines[:-1]))
    root = write_tree(tmp_path, {"step.py": original})
    sites = finding_lines(root, "step.py")
    assert porter("port", ".", "-t", "cann", "--write", cwd=root).returncode == 0
    ported = (root / "step.py").read_bytes()
    touched, _ = changed_lines(original, ported)
    assert touched <= sites
    endings = [line[len(line.rstrip(b"\r\n")):] for line in original.splitlines(keepends=True)]
    assert sorted(set(endings)) == [b"\n", b"\r\n"]
    kept = [line[len(line.rstrip(b"\r\n")):] for line in ported.splitlines(keepends=True)]
    assert kept.count(b"\r\n") == endings.count(b"\r\n")


def test_tabs_and_trailing_whitespace_are_kept(tmp_path: Path) -> None:
    original = GOOD["step.py"].replace(b"\n    ", b"\n\t").replace(b"synchronize()", b"synchronize()  \t")
    root = write_tree(tmp_path, {"step.py": original})
    assert porter("port", ".", "-t", "oneapi", "--write", cwd=root).returncode == 0
    ported = (root / "step.py").read_bytes()
    assert b"\ttorch.xpu.synchronize()  \t\n" in ported
    assert ported.count(b"\t") == original.count(b"\t")


# --- symlinks -------------------------------------------------------------------------------


def test_symlink_loops_and_links_outside_the_root(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"secret.py": b"import torch\ntorch.cuda.ipc_collect()\n"})
    root = write_tree(tmp_path / "repo", {"step.py": GOOD["step.py"], "sub/kernel.cu": GOOD["kernel.cu"]})
    (root / "sub" / "up").symlink_to("..")
    (root / "self.py").symlink_to("self.py")
    (root / "a.py").symlink_to("b.py")
    (root / "b.py").symlink_to("a.py")
    (root / "leak.py").symlink_to(outside / "secret.py")
    (root / "leakdir").symlink_to(outside)
    (root / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    result = porter("scan", ".", "-f", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    files = {f["path"]: f for f in document["files"]}
    assert files["step.py"]["status"] == files["sub/kernel.cu"]["status"] == "scanned"
    for loop in ("self.py", "a.py", "b.py"):
        assert files[loop]["status"] == "skipped" and files[loop]["note"] == "symlink loop"
    assert files["leak.py"]["note"] == files["leakdir"]["note"] == "symlink points outside the root"
    assert files["dangling.py"]["note"] == "broken symlink"
    assert all("ipc_collect" not in f["symbol"] for f in document["findings"])
    before = (outside / "secret.py").read_bytes()
    assert porter("port", ".", "-t", "cann", "--write", cwd=root).returncode == 0
    assert (outside / "secret.py").read_bytes() == before
    assert (root / "leak.py").is_symlink() and (root / "leakdir").is_symlink()


def test_symlinked_file_inside_the_root_is_ported_once_through_its_target(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"real/step.py": GOOD["step.py"]})
    (root / "alias.py").symlink_to("real/step.py")
    assert porter("port", ".", "-t", "oneapi", "--write", cwd=root).returncode == 0
    assert (root / "alias.py").is_symlink()
    assert b"torch.xpu.synchronize()" in (root / "real" / "step.py").read_bytes()


# --- files that vanish or change while porter runs ------------------------------------------


def test_file_vanishing_after_discovery_becomes_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path, {"gone.py": GOOD["step.py"], "kept.cu": GOOD["kernel.cu"]})
    real = scan_module.discover

    def then_delete(*args: object, **kwargs: object) -> Iterator[discover_module.Candidate]:
        found = list(real(*args, **kwargs))  # type: ignore[arg-type]
        (root / "gone.py").unlink()
        return iter(found)

    monkeypatch.setattr(scan_module, "discover", then_delete)
    found = results(root)
    assert found["gone.py"].status == "skipped"
    assert found["gone.py"].note == "unreadable: No such file or directory"
    assert found["kept.cu"].status == "scanned"


def test_file_growing_past_the_limit_during_the_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path, {"step.py": GOOD["step.py"]})
    real = scan_module.discover

    def then_grow(*args: object, **kwargs: object) -> Iterator[discover_module.Candidate]:
        found = list(real(*args, **kwargs))  # type: ignore[arg-type]
        with open(root / "step.py", "ab") as handle:
            handle.write(b"#" * 2_000_000)
        return iter(found)

    monkeypatch.setattr(scan_module, "discover", then_grow)
    result = scan(root, tables=TABLES, max_bytes=1_000_000).files[0]
    assert result.status == "skipped"
    assert result.note == "grew past the 1 MB limit while being scanned"


def test_file_changed_between_scan_and_port_is_not_ported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path, {"step.py": GOOD["step.py"], "other.py": GOOD["step.py"]})
    real = port_module.scan

    def then_edit(*args: object, **kwargs: object) -> scan_module.ScanResult:
        scanned = real(*args, **kwargs)  # type: ignore[arg-type]
        (root / "step.py").write_bytes(GOOD["step.py"] + b"# edited meanwhile\n")
        return scanned

    monkeypatch.setattr(port_module, "scan", then_edit)
    planned = plan_port(root, "oneapi", tables=TABLES)
    by_path = {f.path: f for f in planned.files}
    assert by_path["step.py"].note == "changed or vanished during the run: not ported"
    assert not by_path["step.py"].changed
    outcome = write_in_place(planned)
    assert outcome.written == ("other.py",)
    assert (root / "step.py").read_bytes().endswith(b"# edited meanwhile\n")


def test_file_changed_between_plan_and_write_is_not_overwritten(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"step.py": GOOD["step.py"]})
    planned = plan_port(root, "oneapi", tables=TABLES)
    edited = GOOD["step.py"] + b"# edited meanwhile\n"
    (root / "step.py").write_bytes(edited)
    outcome = write_in_place(planned)
    assert outcome.written == ()
    assert outcome.skipped == (("step.py", "changed since it was scanned; run porter again"),)
    assert (root / "step.py").read_bytes() == edited


def test_tree_changing_under_a_thread_never_breaks_the_scan(tmp_path: Path) -> None:
    """A thread deletes, recreates and truncates files all through repeated scans."""
    names = [f"m{i:02d}.py" for i in range(40)]
    root = write_tree(tmp_path, dict.fromkeys(names, GOOD["step.py"]))
    stop = threading.Event()

    def churn() -> None:
        turn = 0
        while not stop.is_set():
            path = root / names[turn % len(names)]
            action = turn % 3
            if action == 0:
                path.unlink(missing_ok=True)
            elif action == 1:
                path.write_bytes(GOOD["step.py"][: turn % len(GOOD["step.py"])])
            else:
                path.write_bytes(GOOD["step.py"])
            turn += 1

    worker = threading.Thread(target=churn)
    worker.start()
    try:
        for _ in range(5):
            for result in scan(root, tables=TABLES, jobs=1).files:
                assert result.status in ("scanned", "skipped", "error", "partial")
                if result.status != "scanned":
                    assert result.note
    finally:
        stop.set()
        worker.join()


# --- unreadable files and folders ----------------------------------------------------------


def test_unreadable_file_is_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path, {"locked.py": GOOD["step.py"], "open.cu": GOOD["kernel.cu"]})
    locked = str((root / "locked.py").resolve())

    def guarded_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(scan_module, "open", guarded_open, raising=False)
    result = porter("scan", ".", "-f", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert files["locked.py"]["status"] == "skipped"
    assert files["locked.py"]["note"] == "unreadable: Permission denied"
    assert files["open.cu"]["status"] == "scanned"


def test_unreadable_folder_is_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path, {"locked/step.py": GOOD["step.py"], "open.cu": GOOD["kernel.cu"]})
    locked = str((root / "locked").resolve())
    real = os.scandir

    def guarded_scandir(path: str) -> object:
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discover_module.os, "scandir", guarded_scandir)
    result = porter("scan", ".", "-f", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert files["locked"]["status"] == "skipped"
    assert files["locked"]["note"] == "unreadable: permission denied"
    assert files["open.cu"]["status"] == "scanned"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_with_real_permissions(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"locked.py": GOOD["step.py"], "dir/step.py": GOOD["step.py"]})
    (root / "locked.py").chmod(0)
    (root / "dir").chmod(0)
    try:
        result = porter("scan", ".", "-f", "json", cwd=root)
        ported = porter("port", ".", "-t", "oneapi", "--write", cwd=root)
    finally:
        (root / "dir").chmod(0o755)
        (root / "locked.py").chmod(0o644)
    assert result.returncode == 0 and ported.returncode == 0, result.stderr + ported.stderr
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert files["locked.py"]["note"] == "unreadable: Permission denied"
    assert files["dir"]["note"] == "unreadable: permission denied"
    assert (root / "locked.py").read_bytes() == GOOD["step.py"]


# --- names, empty trees, no git -------------------------------------------------------------


def test_odd_file_names_are_scanned_reported_and_ported(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {name: GOOD["kernel.cu" if name.endswith(".cu") else "step.py"]
                                 for name in ODD_NAMES})
    scanned = porter("scan", ".", "-f", "json", cwd=root)
    assert scanned.returncode == 0, scanned.stderr
    listed = {f["path"] for f in json.loads(scanned.stdout)["files"]}
    assert listed == set(ODD_NAMES)
    for fmt in ("table", "markdown", "html", "sarif", "json"):
        assert porter("report", ".", "-f", fmt, cwd=root).returncode == 0
    ported = porter("port", ".", "-t", "rocm", "--write", cwd=root)
    assert ported.returncode == 0, ported.stderr
    assert all(b"hipFree" in (root / name).read_bytes() for name in ODD_NAMES if name.endswith(".cu"))
    assert sorted(p.name for p in root.iterdir()) == sorted(ODD_NAMES)


def test_diff_headers_quote_odd_names(tmp_path: Path) -> None:
    """A name with a newline must not forge lines of the diff a reviewer or ``git apply`` reads."""
    name = "x.py\n+++ b\\evil.py"
    root = write_tree(tmp_path, {name: GOOD["step.py"]})
    result = porter("port", ".", "-t", "oneapi", cwd=root)
    assert result.returncode == 0, result.stderr
    headers = [line for line in result.stdout.splitlines() if line.startswith(("---", "+++"))]
    assert headers == ['--- "a/x.py\\n+++ b\\\\evil.py"', '+++ "b/x.py\\n+++ b\\\\evil.py"']


def test_diff_of_odd_names_applies_with_git(tmp_path: Path) -> None:
    """The printed diff is the --write result: ``git apply`` reads every quoted name back,
    including a name that is not UTF-8."""
    git = needs_tool("git", "the diff is checked with git apply")
    files = {name.rsplit(".", 1)[0] + ".cu": GOOD["kernel.cu"] for name in ODD_NAMES}
    diffed = write_tree(tmp_path / "diffed", files)
    with open(os.fsencode(diffed) + b"/raw\xff.cu", "wb") as handle:
        handle.write(GOOD["kernel.cu"])
    written = tmp_path / "written"
    shutil.copytree(diffed, written)
    diff = porter("port", ".", "-t", "rocm", cwd=diffed)
    assert diff.returncode == 0, diff.stderr
    patch = tmp_path / "port.diff"
    patch.write_bytes(diff.stdout.encode("utf-8"))
    applied = subprocess.run([git, "apply", "-p1", str(patch)], cwd=diffed, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    assert porter("port", ".", "-t", "rocm", "--write", cwd=written).returncode == 0
    for path in written.iterdir():
        assert (diffed / path.name).read_bytes() == path.read_bytes(), path.name
        assert b"hipFree" in path.read_bytes()


@pytest.mark.parametrize("command", [["scan", "."], ["report", "."], ["port", ".", "-t", "cann"],
                                     ["port", ".", "-t", "cann", "--write"]])
def test_empty_tree(tmp_path: Path, command: list[str]) -> None:
    result = porter(*command, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_empty_git_repository(tmp_path: Path) -> None:
    git = needs_tool("git", "an empty repository is made with git init")
    subprocess.run([git, "init", "-q", str(tmp_path)], check=True)
    for command in (["scan", "."], ["report", ".", "-f", "json"], ["port", ".", "-t", "cann", "--write"]):
        result = porter(*command, cwd=tmp_path)
        assert result.returncode == 0, result.stderr


def test_tree_without_git_is_written(tmp_path: Path) -> None:
    """Without git there is nothing to compare with: --write proceeds (and says what it wrote)."""
    root = write_tree(tmp_path, {"step.py": GOOD["step.py"]})
    result = porter("port", ".", "-t", "oneapi", "--write", cwd=root)
    assert result.returncode == 0, result.stderr
    assert "wrote 1 file(s)" in result.stderr
    assert b"torch.xpu" in (root / "step.py").read_bytes()


def test_tree_where_git_is_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_tree(tmp_path, {"step.py": GOOD["step.py"]})
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    result = porter("port", ".", "-t", "oneapi", "--write", cwd=root)
    assert result.returncode == 0, result.stderr
    assert b"torch.xpu" in (root / "step.py").read_bytes()


def test_single_file_root_with_odd_bytes(tmp_path: Path) -> None:
    path = tmp_path / "only.cu"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD["kernel.cu"].replace(b"\n", b"\r\n"))
    assert porter("port", str(path), "-t", "rocm", "--write", cwd=tmp_path).returncode == 0
    ported = path.read_bytes()
    assert ported.startswith(b"\xef\xbb\xbf#include <hip/hip_runtime.h>\r\n")
    assert ported.count(b"\n") == ported.count(b"\r\n")
