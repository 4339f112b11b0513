"""What git knows about a change, read through the ``git`` command and never by checking out.

``porter review`` needs four things from git: the merge base of the two revisions, the list of
changed files (with renames), the changed line ranges of each, and the bytes of the old and new
blobs. Each is one ``git`` call whose output is machine-readable (``-z``), run with external diff
drivers, textconv filters and fsmonitor hooks turned off, so reviewing a repository never runs
a program the repository configured.
"""

from __future__ import annotations

import bisect
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Config that keeps git from running anything on porter's behalf or quoting paths.
_SAFE_CONFIG = ("-c", "core.quotepath=off", "-c", "core.fsmonitor=false", "-c", "diff.external=")
_DIFF_FLAGS = ("--no-ext-diff", "--no-textconv", "--no-color", "-M", "--ignore-submodules=dirty")
#: Config keys of a filter driver: each is a program git would run on the work tree's files.
_FILTER_KEYS = ("clean", "smudge", "process")
_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
#: Blob modes: regular files are reviewed; links and submodules are reported and skipped.
REGULAR_MODES = frozenset({"100644", "100755"})
SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"
_ABSENT = "0" * 40

FETCH_HINT = (
    "fetch more history: `git fetch --deepen=200` (or `git fetch --unshallow`), or "
    "`fetch-depth: 0` in actions/checkout"
)


class GitError(Exception):
    """git cannot answer (not a repository, unknown revision, shallow history); one line."""


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape")


def neutral_config(root: Path) -> dict[str, str]:
    """Environment that turns off every program a repository can make git run on its files.

    ``core.fsmonitor`` (run by ``git status``/``diff``) and each configured filter driver's
    ``clean``/``smudge``/``process`` commands (run when git compares work-tree files) are set
    empty, for every driver the repository's own config (``.git/config``, its includes and
    worktree config) defines; the user's global and system drivers (git-lfs) are trusted. The
    names are read, never run, and passed as ``GIT_CONFIG_KEY_n`` variables, so a driver name
    holding ``=`` or quotes cannot break out as it could from a ``-c`` argument. Child git
    processes inherit the variables.
    """
    pairs = [("core.fsmonitor", "false"), ("diff.external", "")]
    try:
        listed = subprocess.run(
            ["git", "config", "--show-scope", "--null", "--name-only", "--get-regexp", r"^filter\."],
            cwd=root, capture_output=True, check=False, timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = b""
    fields = _decode(listed).split("\0")
    drivers = {
        key.rsplit(".", 1)[0]
        for scope, key in zip(fields[::2], fields[1::2], strict=False)
        if scope not in ("global", "system") and "." in key
    }
    for driver in sorted(drivers):
        pairs += [(f"{driver}.{key}", "") for key in _FILTER_KEYS]
        pairs.append((f"{driver}.required", "false"))
    given = os.environ.get("GIT_CONFIG_COUNT", "0")
    first = int(given) if given.isdigit() else 0  # keep the caller's own GIT_CONFIG_KEY_n
    env = {"GIT_CONFIG_COUNT": str(first + len(pairs))}
    for index, (key, value) in enumerate(pairs, start=first):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def run_git(root: Path, args: Sequence[str], *, stdin: bytes | None = None) -> bytes:
    """Run one git command in ``root`` and return its stdout; GitError with git's own message."""
    env = {**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0",
           **neutral_config(root)}
    try:
        done = subprocess.run(
            ["git", *_SAFE_CONFIG, *args], cwd=root, input=stdin, capture_output=True, env=env,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed (porter review reads history through git)") from exc
    if done.returncode != 0:
        message = _decode(done.stderr).strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed ({done.returncode})")
    return done.stdout


def toplevel(path: Path) -> Path:
    """The work tree root of the repository holding ``path``."""
    start = path if path.is_dir() else path.parent
    if not start.exists():
        raise GitError(f"path not found: {path}")
    try:
        out = run_git(start, ["rev-parse", "--show-toplevel"])
    except GitError as exc:
        raise GitError(f"{path} is not inside a git work tree ({exc})") from exc
    return Path(_decode(out).strip())


def is_shallow(root: Path) -> bool:
    return _decode(run_git(root, ["rev-parse", "--is-shallow-repository"])).strip() == "true"


def resolve(root: Path, rev: str, what: str) -> str:
    """The commit ``rev`` names; GitError saying how to fetch it when the clone lacks it."""
    if not rev or rev.startswith("-"):
        raise GitError(f"bad {what} revision {rev!r}")
    try:
        out = run_git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"])
    except GitError:
        hint = f"; this clone is shallow: {FETCH_HINT}" if is_shallow(root) else ""
        raise GitError(
            f"{what} revision {rev!r} not found; fetch it first (for example "
            f"`git fetch origin main`){hint}"
        ) from None
    return _decode(out).strip()


def merge_base(root: Path, base: str, head: str) -> str:
    """Where ``head`` forked from ``base``: a pull request's changes are measured from here."""
    try:
        out = run_git(root, ["merge-base", base, head])
    except GitError:
        out = b""
    if not out.strip():
        if is_shallow(root):
            raise GitError(
                f"the merge base of {base[:12]} and {head[:12]} is not in this shallow clone; "
                f"{FETCH_HINT}"
            )
        raise GitError(f"{base[:12]} and {head[:12]} share no history")
    return _decode(out).strip()


@dataclass(frozen=True, slots=True)
class Change:
    """One changed file between two trees (``old_*`` empty for an added file, ``new_*`` for a
    deleted one). ``status`` is git's letter: A, M, D, R (renamed), C (copied), T (type)."""

    status: str
    old_path: str | None
    new_path: str | None
    old_mode: str
    new_mode: str
    old_blob: str | None
    new_blob: str | None


def parse_raw(out: bytes) -> list[Change]:
    """Parse ``git diff --raw -z --no-abbrev`` output."""
    fields = out.split(b"\0")
    changes = []
    pos = 0
    while pos < len(fields) and fields[pos].startswith(b":"):
        old_mode, new_mode, old_blob, new_blob, status = _decode(fields[pos][1:]).split()
        letter = status[0]
        paths = 2 if letter in "RC" else 1
        names = [_decode(p) for p in fields[pos + 1 : pos + 1 + paths]]
        pos += 1 + paths
        old_path = names[0] if letter != "A" else None
        new_path = names[-1] if letter != "D" else None
        changes.append(
            Change(
                status=letter,
                old_path=old_path,
                new_path=new_path,
                old_mode=old_mode,
                new_mode=new_mode,
                old_blob=old_blob if old_blob != _ABSENT else None,
                new_blob=new_blob if new_blob != _ABSENT else None,
            )
        )
    return changes


def _revs(base: str, head: str | None) -> list[str]:
    """Compare two commits, or (no head) a commit with the work tree, like ``git diff``."""
    return [base, head] if head else [base]


def changed_files(root: Path, base: str, head: str | None, pathspec: str) -> list[Change]:
    """Files that differ between ``base`` and ``head`` (or the work tree), renames detected.

    Against the work tree, untracked files that are not ignored count as added: they are part of
    the change a developer is about to commit.
    """
    args = ["diff", "--raw", "-z", "--no-abbrev", *_DIFF_FLAGS, *_revs(base, head), "--", pathspec]
    changes = parse_raw(run_git(root, args))
    if head is None:
        out = run_git(root, ["ls-files", "-z", "--others", "--exclude-standard", "--", pathspec])
        for name in filter(None, out.split(b"\0")):
            changes.append(Change("A", None, _decode(name), "000000", "100644", None, None))
    return changes


@dataclass(slots=True)
class LineRanges:
    """Sorted, inclusive 1-based line ranges, looked up by bisection."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    everything: bool = False

    def add(self, first: int, count: int) -> None:
        if count > 0:
            self.starts.append(first)
            self.ends.append(first + count - 1)

    def touches(self, first: int, last: int) -> bool:
        """Whether any line of ``first..last`` is in a range."""
        if self.everything:
            return True
        at = bisect.bisect_right(self.starts, last) - 1
        return at >= 0 and self.ends[at] >= first


@dataclass(slots=True)
class FileLines:
    """The lines one change touched: on the old side (removed) and the new side (added)."""

    old: LineRanges = field(default_factory=LineRanges)
    new: LineRanges = field(default_factory=LineRanges)


_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13, b'"': 34, b"\\": 92}


def unquote(raw: bytes) -> bytes:
    """Undo git's C-style quoting of a path in patch headers (``"a/caf\\303\\251"``)."""
    if not (raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2):
        return raw
    body, out, pos = raw[1:-1], bytearray(), 0
    while pos < len(body):
        if body[pos : pos + 1] == b"\\" and pos + 1 < len(body):
            nxt = body[pos + 1 : pos + 2]
            if nxt.isdigit():
                out.append(int(body[pos + 1 : pos + 4], 8))
                pos += 4
                continue
            out.append(_ESCAPES.get(nxt, nxt[0]))
            pos += 2
            continue
        out.append(body[pos])
        pos += 1
    return bytes(out)


def _header_path(line: bytes, prefix: bytes) -> str | None:
    raw = line[4:]
    # git ends an unquoted name that holds a space with a tab (GNU diff's convention)
    name = unquote(raw) if raw.startswith(b'"') else raw.removesuffix(b"\t")
    if name == b"/dev/null":
        return None
    return _decode(name[len(prefix) :] if name.startswith(prefix) else name)


def parse_patch(out: bytes) -> dict[str, FileLines]:
    """Changed line ranges per file from ``git diff -U0`` output, keyed by the file's new path
    (its old path when it was deleted). Hunk bodies are skipped by count, so a removed line
    that happens to read ``--- a/x`` is never taken for a header."""
    result: dict[str, FileLines] = {}
    lines = out.split(b"\n")
    old_path: str | None = None
    current: FileLines | None = None
    pos = 0
    while pos < len(lines):
        line = lines[pos]
        pos += 1
        if line.startswith(b"--- "):
            old_path = _header_path(line, b"a/")
        elif line.startswith(b"+++ "):
            new_path = _header_path(line, b"b/")
            key = new_path if new_path is not None else old_path
            current = result.setdefault(key or "", FileLines())
        elif current is not None and (match := _HUNK.match(line)):
            old_first, old_count, new_first, new_count = match.groups()
            olds = 1 if old_count is None else int(old_count)
            news = 1 if new_count is None else int(new_count)
            current.old.add(int(old_first), olds)
            current.new.add(int(new_first), news)
            body = olds + news
            while body > 0 and pos < len(lines):
                if not lines[pos].startswith(b"\\"):
                    body -= 1
                pos += 1
    return result


def changed_lines(root: Path, base: str, head: str | None, pathspec: str) -> dict[str, FileLines]:
    args = ["diff", "-U0", "--src-prefix=a/", "--dst-prefix=b/", *_DIFF_FLAGS, *_revs(base, head),
            "--", pathspec]
    return parse_patch(run_git(root, args))


def read_blobs(root: Path, blobs: Iterable[str], max_bytes: int) -> dict[str, bytes | int]:
    """The bytes of each blob, or its size when it is larger than ``max_bytes`` (not read)."""
    wanted = sorted(set(blobs))
    if not wanted:
        return {}
    found: dict[str, bytes | int] = {}
    check = run_git(root, ["cat-file", "--batch-check"], stdin="\n".join(wanted).encode() + b"\n")
    small = []
    for line in check.decode().splitlines():
        name, kind, *rest = line.split()
        if kind == "blob":
            size = int(rest[0])
            if size > max_bytes:
                found[name] = size
            else:
                small.append(name)
    if small:
        out = run_git(root, ["cat-file", "--batch"], stdin="\n".join(small).encode() + b"\n")
        pos = 0
        while pos < len(out):
            header_end = out.index(b"\n", pos)
            name, _kind, size_text = out[pos:header_end].decode().split()
            size = int(size_text)
            found[name] = out[header_end + 1 : header_end + 1 + size]
            pos = header_end + 1 + size + 1
    return found
