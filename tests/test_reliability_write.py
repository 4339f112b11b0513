"""Writes lose nothing: atomic per file, modes kept, never outside the root or ``--out``, never
over uncommitted work without ``--force``, and a run killed mid-way leaves every file old or new.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from badinput import GOOD, write_tree
from clirun import porter
from conftest import REPO, needs_tool

import porter.rewrite.atomic as atomic
from porter.discover import discover
from porter.mappings import default_tables
from porter.port import FilePort, PortResult, plan_port, port_file
from porter.rewrite.atomic import write_bytes_atomic
from porter.scan import analyze_bytes
from porter.write import write_copy, write_in_place


def _ported_step() -> bytes:
    result = analyze_bytes("step.py", GOOD["step.py"], default_tables())
    assert result is not None
    return port_file(result, GOOD["step.py"], "oneapi", default_tables()).ported


#: What GOOD's step.py becomes for oneapi (torch.xpu, "xpu", the oneAPI device variable).
PORTED = _ported_step()


def test_the_sample_port_changes_the_file() -> None:
    assert b"    torch.xpu.synchronize()\n" in PORTED and b'return x.to("xpu")' in PORTED
    assert b"# cuda in a comment stays" in PORTED


# --- atomic writes --------------------------------------------------------------------------


def test_atomic_write_syncs_the_data_before_the_rename_and_the_folder_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"old")
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync-dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync-file")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        assert Path(src).read_bytes() == b"new"  # complete before it takes the name
        assert Path(src).name.endswith(".porter-tmp")
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    write_bytes_atomic(path, b"new")
    assert events == ["fsync-file", "replace", "fsync-dir"]
    assert path.read_bytes() == b"new"


@pytest.mark.parametrize("mode", [0o755, 0o640, 0o600, 0o444])
def test_write_and_out_keep_file_modes(tmp_path: Path, mode: int) -> None:
    root = write_tree(tmp_path / "repo", {"step.py": GOOD["step.py"]})
    (root / "step.py").chmod(mode)
    out = tmp_path / "out"
    assert porter("port", str(root), "-t", "oneapi", "--out", str(out), cwd=tmp_path).returncode == 0
    assert (out / "step.py").read_bytes() == PORTED
    assert stat.S_IMODE((out / "step.py").stat().st_mode) == mode
    assert porter("port", str(root), "-t", "oneapi", "--write", cwd=tmp_path).returncode == 0
    assert (root / "step.py").read_bytes() == PORTED
    assert stat.S_IMODE((root / "step.py").stat().st_mode) == mode


def test_hard_link_to_a_file_outside_is_not_written_through(tmp_path: Path) -> None:
    """The rename gives the ported file a new inode: a hard-linked twin outside keeps its bytes."""
    outside = write_tree(tmp_path / "outside", {"twin.py": GOOD["step.py"]})
    root = tmp_path / "repo"
    root.mkdir()
    os.link(outside / "twin.py", root / "step.py")
    assert porter("port", ".", "-t", "oneapi", "--write", cwd=root).returncode == 0
    assert (root / "step.py").read_bytes() == PORTED
    assert (outside / "twin.py").read_bytes() == GOOD["step.py"]


# --- never outside the root or --out ---------------------------------------------------------


def crafted(root: Path, rel: str) -> PortResult:
    """A port result naming ``rel``, as a buggy frontend or scan could produce it."""
    scanned = plan_port(root, "oneapi").scan
    port = FilePort(rel, GOOD["step.py"], PORTED, (), (), (), ())
    return PortResult(root=root, target="oneapi", scan=scanned, files=(port,))


@pytest.mark.parametrize("rel", ["../outside/victim.py", "sub/../../outside/victim.py", "ABSOLUTE"])
def test_paths_leaving_the_root_are_refused(tmp_path: Path, rel: str) -> None:
    outside = write_tree(tmp_path / "outside", {"victim.py": GOOD["step.py"]})
    root = write_tree(tmp_path / "repo", {"sub/keep.txt": b"x"})
    rel = str(outside / "victim.py") if rel == "ABSOLUTE" else rel
    outcome = write_in_place(crafted(root, rel), force=True)
    assert outcome.written == ()
    assert outcome.skipped[0][1].endswith("not written") and "resolves outside" in outcome.skipped[0][1]
    out = tmp_path / "out"
    copied = write_copy(crafted(root, rel), out, force=True)
    assert copied.written == ()
    assert "resolves outside" in copied.skipped[0][1]
    assert (outside / "victim.py").read_bytes() == GOOD["step.py"]
    assert sorted(p.name for p in outside.iterdir()) == ["victim.py"]


def test_symlink_inside_the_root_to_a_file_outside_is_refused(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"victim.py": GOOD["step.py"]})
    root = write_tree(tmp_path / "repo", {"keep.txt": b"x"})
    (root / "leak.py").symlink_to(outside / "victim.py")
    outcome = write_in_place(crafted(root, "leak.py"), force=True)
    assert outcome.written == () and "resolves outside" in outcome.skipped[0][1]
    assert (outside / "victim.py").read_bytes() == GOOD["step.py"]
    assert (root / "leak.py").is_symlink()


def test_symlinked_folder_in_a_reused_out_is_refused(tmp_path: Path) -> None:
    """``--out`` reused with --force: a link planted in it must not carry the copy outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    root = write_tree(tmp_path / "repo", {"sub/step.py": GOOD["step.py"]})
    out = write_tree(tmp_path / "out", {"README": b"old copy"})
    (out / "sub").symlink_to(outside)
    result = porter("port", str(root), "-t", "oneapi", "--out", str(out), "--force", cwd=tmp_path)
    assert result.returncode == 2
    assert "holds a symlink that leads outside it (sub)" in result.stderr
    assert list(outside.iterdir()) == []


def test_out_can_be_reused_with_force_when_the_tree_has_links(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"real/step.py": GOOD["step.py"]})
    (root / "alias.py").symlink_to("real/step.py")
    out = tmp_path / "out"
    for extra in ([], ["--force"]):
        result = porter("port", str(root), "-t", "oneapi", "--out", str(out), *extra, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert (out / "real" / "step.py").read_bytes() == PORTED
    assert os.readlink(out / "alias.py") == "real/step.py"


def test_out_inside_the_tree_through_a_symlink_is_refused(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"step.py": GOOD["step.py"]})
    (tmp_path / "alias").symlink_to(root / "inner", target_is_directory=True)
    result = porter("port", str(root), "-t", "oneapi", "--out", str(tmp_path / "alias"), cwd=tmp_path)
    assert result.returncode == 2
    assert "inside the scanned tree" in result.stderr
    assert sorted(p.name for p in root.iterdir()) == ["step.py"]


# --- uncommitted work -----------------------------------------------------------------------


def git_repo(root: Path, commit: list[str]) -> str:
    git = needs_tool("git", "--write checks git for uncommitted changes")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e"}
    subprocess.run([git, "init", "-q"], cwd=root, check=True)
    if commit:
        subprocess.run([git, "add", "--", *commit], cwd=root, check=True)
        subprocess.run([git, "commit", "-qm", "init"], cwd=root, check=True, env=env)
    return git


@pytest.mark.parametrize("state", ["untracked", "staged", "modified", "renamed", "pathspec-magic"])
def test_uncommitted_work_is_not_overwritten_without_force(tmp_path: Path, state: str) -> None:
    root = write_tree(tmp_path, {"step.py": GOOD["step.py"], "clean.py": GOOD["step.py"]})
    git = git_repo(root, [] if state == "untracked" else ["step.py", "clean.py"])
    local = GOOD["step.py"] + b"# local work\n"
    if state == "staged":
        (root / "step.py").write_bytes(local)
        subprocess.run([git, "add", "step.py"], cwd=root, check=True)
    elif state == "modified":
        (root / "step.py").write_bytes(local)
    elif state == "renamed":
        subprocess.run([git, "mv", "step.py", "moved.py"], cwd=root, check=True)
    elif state == "pathspec-magic":  # a name git would read as pathspec magic and fail on
        (root / ":(bad)x.py").write_bytes(local)
    before = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    refused = porter("port", ".", "-t", "oneapi", "--write", cwd=root)
    assert refused.returncode == 2, refused.stderr
    assert "uncommitted changes" in refused.stderr and "--force" in refused.stderr
    assert {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()} == before
    forced = porter("port", ".", "-t", "oneapi", "--write", "--force", cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert (root / "clean.py").read_bytes() == PORTED


def test_committed_tree_is_written(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"step.py": GOOD["step.py"], "notes.txt": b"untracked, not ported\n"})
    git_repo(root, ["step.py"])
    result = porter("port", ".", "-t", "oneapi", "--write", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "step.py").read_bytes() == PORTED


# --- killed mid-write -----------------------------------------------------------------------

FILES = 200
KILLS = 5


def variant(index: int) -> bytes:
    """Distinct files (so a torn or swapped write cannot pass for another file's bytes)."""
    return GOOD["step.py"] + f"VALUE = {index}\n".encode() * (1 + index % 7)


def test_sigkill_mid_write_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    """Kill ``porter port --write`` at random moments after its first rename: every file is
    exactly its old or its new bytes, the only strays are *.porter-tmp files, which discovery
    skips, and a rerun finishes the job."""
    files = {f"pkg/m{i:03d}.py": variant(i) for i in range(FILES)}
    template = write_tree(tmp_path / "template", files)
    new = {port.path: port.ported for port in plan_port(template, "oneapi").changed}
    assert set(new) == set(files)
    rng = random.Random(20260611)
    first = "pkg/m000.py"
    landed = []
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for attempt in range(KILLS):
        root = tmp_path / f"run{attempt}"
        shutil.copytree(template, root)
        process = subprocess.Popen(
            [sys.executable, "-m", "porter", "port", ".", "-t", "oneapi", "--write"],
            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )
        deadline = time.monotonic() + 240
        while (root / first).read_bytes() == files[first] and process.poll() is None:
            assert time.monotonic() < deadline, "porter never started writing"
            time.sleep(0.0005)
        time.sleep(rng.uniform(0, 0.03))
        process.send_signal(signal.SIGKILL)
        process.wait()
        written = 0
        strays = []
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).as_posix()
            if path.is_dir():
                continue
            if rel not in files:
                strays.append(rel)
                continue
            data = path.read_bytes()
            assert data in (files[rel], new[rel]), f"{rel} is neither old nor new after the kill"
            written += data == new[rel]
        assert all(name.endswith(".porter-tmp") for name in strays), strays
        assert all(c.rel not in strays for c in discover(root))
        landed.append(written)
        rerun = porter("port", ".", "-t", "oneapi", "--write", cwd=root)
        assert rerun.returncode == 0, rerun.stderr
        assert all((root / rel).read_bytes() == new[rel] for rel in files)
        assert ".porter-tmp" not in rerun.stderr
    assert any(0 < count < FILES for count in landed), f"no kill landed mid-write: {landed}"

