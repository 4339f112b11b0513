"""Write a planned port: in place (``--write``) or as a ported copy of the tree (``--out``).

Every write is atomic per file; nothing is written outside the root or the output folder (the
real path of each file is checked, so a symlink or ``..`` cannot redirect a write); a file that
changed since it was scanned, or has uncommitted git changes, is not overwritten without
``--force``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from porter.gitdiff import neutral_config
from porter.port import PortResult
from porter.rewrite.atomic import write_bytes_atomic


class WriteRefused(Exception):
    """A write porter will not do; the message says why and what to do instead."""


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    written: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (path, reason)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _base(root: Path) -> Path:
    return root if root.is_dir() else root.parent


def dirty_files(root: Path, paths: list[str]) -> list[str]:
    """Which of ``paths`` have uncommitted changes in git; [] outside a repo or without git."""
    git = shutil.which("git")
    if git is None or not paths:
        return []
    base = _base(root)
    try:
        probe = subprocess.run(
            [git, "-C", str(base), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=False, timeout=30,
        )
        if probe.returncode != 0:
            return []
        # The repository's fsmonitor hook and filter drivers are programs git would run here.
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", **neutral_config(base)}
        status = subprocess.run(
            [git, "--literal-pathspecs", "-C", str(base), "status", "--porcelain", "-z", "-uall",
             "--ignore-submodules=all", "--", *paths],
            capture_output=True, check=False, timeout=60, env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    top = Path(probe.stdout.strip()).resolve()
    dirty = []
    records = iter(status.stdout.split(b"\0"))
    for record in records:
        # An untracked file ("??") counts: no commit holds its content, so a rewrite would be
        # the only copy. A rename or copy ("R"/"C") is followed by a record of its old path.
        if record[:1] in (b"R", b"C"):
            next(records, None)
        if len(record) > 3:
            changed = (top / record[3:].decode("utf-8", "surrogateescape")).resolve()
            for rel in paths:
                if (base / rel).resolve() == changed:
                    dirty.append(rel)
    return sorted(set(dirty))


def _safe_target(folder: Path, rel: str) -> Path:
    """``folder/rel`` resolved; refuses any path whose real location leaves ``folder``."""
    real_folder = folder.resolve()
    candidate = (folder / rel).resolve()
    if not _inside(candidate, real_folder):
        raise WriteRefused(f"{rel}: resolves outside {folder}; not written")
    return candidate


def _link_leaving(folder: Path) -> str | None:
    """The first symlink below ``folder`` whose target lies outside it, else None.

    The tree copy writes into existing folders, so a link planted in a reused ``--out`` folder
    would carry the copy (and the ported files) outside it.
    """
    real = folder.resolve()
    for directory, dirs, files in os.walk(folder):  # does not descend into linked folders
        for name in sorted(dirs + files):
            path = Path(directory, name)
            if path.is_symlink() and not _inside(path.resolve(), real):
                return path.relative_to(folder).as_posix()
    return None


def _same_links_only(error: shutil.Error) -> None:
    """Accept a copy into a reused ``--out`` whose only failures are links already there as
    they are in the tree (``os.symlink`` will not replace one); anything else is refused."""
    for src, dst, why in error.args[0]:
        same = os.path.islink(src) and os.path.islink(dst) and os.readlink(src) == os.readlink(dst)
        if not same:
            raise WriteRefused(f"cannot copy {src} to {dst}: {why}") from error


def write_in_place(result: PortResult, *, force: bool = False) -> WriteOutcome:
    """Rewrite the changed files where they are, atomically, after checking nothing moved."""
    changed = list(result.changed)
    if not force:
        dirty = dirty_files(result.root, [f.path for f in changed])
        if dirty:
            raise WriteRefused(
                f"{len(dirty)} file(s) to rewrite have uncommitted changes ({', '.join(dirty[:3])}"
                f"{' ...' if len(dirty) > 3 else ''}); commit or stash them, or pass --force"
            )
    base = _base(result.root)
    written, skipped = [], []
    for port in changed:
        try:
            path = _safe_target(base, port.path)
        except WriteRefused as exc:
            skipped.append((port.path, str(exc)))
            continue
        try:
            current = path.read_bytes()
        except OSError as exc:
            skipped.append((port.path, f"unreadable now: {exc.strerror or exc}"))
            continue
        if hashlib.sha1(current).digest() != hashlib.sha1(port.original).digest():
            skipped.append((port.path, "changed since it was scanned; run porter again"))
            continue
        try:
            write_bytes_atomic(path, port.ported)
        except OSError as exc:
            skipped.append((port.path, f"not written: {exc.strerror or exc}"))
            continue
        written.append(port.path)
    return WriteOutcome(tuple(written), tuple(skipped))


def hip_name(rel: str) -> str:
    """``kernels/a.cu`` -> ``kernels/a.hip`` (the ROCm convention for HIP sources); others unchanged."""
    return rel[:-3] + ".hip" if rel.endswith(".cu") else rel


def _rename_copies(out: Path, rename: Callable[[str], str]) -> None:
    """Move each copied file whose renamed path differs (``a.cu`` -> ``a.hip``)."""
    for path in sorted(p for p in out.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(out).as_posix()
        if rename(rel) != rel:
            path.replace(_safe_target(out, rename(rel)))


def write_copy(
    result: PortResult, out: Path, *, force: bool = False, rename: Callable[[str], str] | None = None
) -> WriteOutcome:
    """Copy the whole tree to ``out`` (without .git) and write the ported files there; ``rename``
    maps a file's relative path to the one it gets in the copy (``--hip-extension``)."""
    base = _base(result.root).resolve()
    out_real = out.resolve()
    if _inside(out_real, base):
        raise WriteRefused(f"--out {out} is inside the scanned tree; choose a folder outside it")
    try:  # an --out that cannot be made or filled is the user's to fix, not a crash
        if out.exists() and any(out.iterdir()) and not force:
            raise WriteRefused(f"--out {out} exists and is not empty; remove it or pass --force")
        leaving = _link_leaving(out) if out.exists() else None
        if leaving is not None:
            raise WriteRefused(
                f"--out {out} holds a symlink that leads outside it ({leaving}): the copy would write "
                "through it; remove the link or choose an empty folder"
            )
        if result.root.is_dir():
            try:
                shutil.copytree(base, out, symlinks=True, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns(".git", "*.porter-tmp"))
            except shutil.Error as exc:
                _same_links_only(exc)
        else:
            out.mkdir(parents=True, exist_ok=True)
            shutil.copy2(result.root, out / result.root.name)
        if rename is not None:
            _rename_copies(out, rename)
    except OSError as exc:
        raise WriteRefused(f"cannot write --out {out}: {exc.strerror or exc}") from exc
    written, skipped = [], []
    for port in result.changed:
        rel = rename(port.path) if rename else port.path
        try:
            path = _safe_target(out, rel)
            write_bytes_atomic(path, port.ported)
        except (WriteRefused, OSError) as exc:
            skipped.append((port.path, str(exc)))
            continue
        written.append(rel)
    return WriteOutcome(tuple(written), tuple(skipped))
