"""Find the files a scan looks at, and say why any file it will not read was left out.

Discovery decides *which* paths exist for porter; it never reads a file's contents (only
``.gitignore`` files and ``.git/info/exclude``), so a 100k-file tree costs one ``scandir`` per
directory and one ``lstat`` per file. Frontends decide later which of these files they read.

Rules, in the order they apply to each entry below the root:

* The user's ``exclude`` globs (gitignore syntax, relative to the root) drop a path.
* ``.gitignore`` files at every level and ``.git/info/exclude`` drop paths with git's
  semantics: patterns are relative to the directory holding the file, deeper files win over
  shallower ones, ``!`` negations re-include, and nothing below an ignored directory comes back
  (the directory is never entered). Ignore files above the root are not read: the root the
  user names is what they asked to scan. Symlinked ignore files are not read (git ignores them
  too, and following one could leave the root).
* Tool, cache, build and environment directories are never entered (``SKIP_DIR_NAMES``,
  ``*.egg-info``, and any directory holding ``pyvenv.cfg`` or ``conda-meta``). The root itself is
  always scanned, even when it is such a directory, because the user asked for it.
* Symlinks are followed only when their resolved target lies inside the resolved root. A
  symlinked file reads its target (``Candidate.path`` is the real path, so a port rewrites the
  target and never replaces the link). A symlinked directory is walked under the link's name
  unless its real directory was already walked; that and every other reason a path was not
  looked at becomes a ``Candidate`` with ``skip`` set, so reports can list it.
* Duplicates: when several paths reach the same real file, the one that is not a symlink
  (else the first by ``rel``) is scanned and the others are skipped as
  ``"duplicate of <rel>"``, so every file is analysed and rewritten once.

Ignored paths (exclude globs, ignore files, default skips) are dropped silently: they are not
part of the project as its authors see it.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

#: Files larger than this are skipped unread (generated sources and data, not hand-written code).
DEFAULT_MAX_BYTES = 5_000_000

#: Directory names that never hold the project's own source (VCS data, caches, build output,
#: dependency and virtual-environment trees).
SKIP_DIR_NAMES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        "build",
        "dist",
        ".porter-cache",
        ".venv",
        "venv",
        "site-packages",
    }
)
SKIP_DIR_SUFFIXES = (".egg-info",)
#: Files porter itself may leave behind: the temporary file of an atomic write that was killed
#: before its rename (``porter.rewrite.atomic``). It is never part of the project; delete it.
SKIP_FILE_SUFFIXES = (".porter-tmp",)
#: A directory holding one of these names is a Python virtualenv or a conda environment.
ENV_MARKERS = frozenset({"pyvenv.cfg", "conda-meta"})

#: How much of a file ``classify`` looks at for NUL bytes (git's own binary heuristic size).
SNIFF_BYTES = 8192
#: Byte-order marks of encodings the frontends do not read; UTF-32 first, since the UTF-32 LE
#: mark begins with the UTF-16 LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

#: An ignore file's patterns with the ``rel`` prefix ("" or "dir/sub/") of the directory
#: holding it, so a path is matched relative to that directory as git does.
_Layer = tuple[str, pathspec.GitIgnoreSpec]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One path below the root: either a file to read or a reason it was not looked at.

    ``rel`` is the POSIX path relative to the root that every report shows; ``path`` is the
    absolute path to read (the real path for files reached through symlinks); ``size`` is the
    file's size in bytes (0 when unknown); ``skip`` is None or a one-line reason.
    """

    rel: str
    path: Path
    size: int
    skip: str | None = None


def classify(data: bytes) -> str | None:
    """None when ``data`` is text the frontends can read, else the reason it is skipped.

    UTF-16/32 text is named as such (with or without NULs in it) so the user knows to convert
    it; any other NUL in the first ``SNIFF_BYTES`` means binary. UTF-8 BOMs and Latin-1 are text:
    the frontends decode those themselves.
    """
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return f"{encoding} encoded text: not scanned"
    if data.find(b"\0", 0, SNIFF_BYTES) != -1:
        return "binary file"
    return None


def discover(
    root: Path, *, exclude: Sequence[str] = (), max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Candidate]:
    """Every file below ``root`` a scan should consider, sorted by ``rel``; see the module doc.

    A ``root`` that is a file yields that one file (``iter_root_file``). Raises
    ``FileNotFoundError`` when ``root`` does not exist.
    """
    if not root.is_dir():
        if not root.exists() and not root.is_symlink():
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(root))
        yield from iter_root_file(root, max_bytes=max_bytes)
        return
    walk = _Walk(os.path.realpath(root), exclude, max_bytes)
    walk.run()
    yield from walk.candidates()


def iter_root_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Candidate]:
    """The one candidate for a root that is a single file, named by its file name.

    The user named this file, so a symlink is followed wherever it points and no exclude or
    ignore rule applies; only what cannot be read is skipped.
    """
    rel = path.name
    try:
        info = path.stat()
    except OSError as exc:
        yield Candidate(
            rel, path.absolute(), 0, _link_error(exc) if path.is_symlink() else _unreadable(exc)
        )
        return
    real = path.resolve()
    if not stat.S_ISREG(info.st_mode):
        yield Candidate(rel, real, 0, "not a regular file")
        return
    yield Candidate(rel, real, info.st_size, _size_skip(info.st_size, max_bytes))


@dataclass(slots=True)
class _Found:
    """A candidate while the walk is still running; ``real`` groups duplicates of one file."""

    rel: str
    path: str
    size: int = 0
    skip: str | None = None
    real: str | None = None
    linked: bool = False


class _Walk:
    """One discovery run: every real directory first, then the directories behind symlinks.

    Real directories are walked before any symlinked one, so a directory reached both ways is
    always reported under its own path and the link is the duplicate, whatever the names sort to.
    """

    def __init__(self, real_root: str, exclude: Sequence[str], max_bytes: int) -> None:
        self.root = real_root
        self.max_bytes = max_bytes
        globs = [g[2:] if g.startswith("./") else g for g in exclude]
        self.exclude = pathspec.GitIgnoreSpec.from_lines(globs) if globs else None
        self.found: list[_Found] = []
        #: real directory -> the rel it was walked as ("." for the root)
        self.visited: dict[str, str] = {}
        #: symlinked directories: (rel, the link's path, its real target, real dir holding it, layers)
        self.linked_dirs: deque[tuple[str, str, str, str, tuple[_Layer, ...]]] = deque()

    def run(self) -> None:
        self._walk(self.root, "", (), is_root=True)
        while self.linked_dirs:
            rel, link, target, parent, layers = self.linked_dirs.popleft()
            if _within(target, parent):  # the link points at a directory it lies in
                self.found.append(_Found(rel, link, skip="symlink loop"))
            elif target in self.visited:
                self.found.append(_Found(rel, link, skip=f"duplicate of {self.visited[target]}"))
            else:
                self._walk(target, rel, layers, is_root=False)

    def candidates(self) -> Iterator[Candidate]:
        """The found paths sorted by rel, each real file kept once (see the module doc)."""
        keeper: dict[str, _Found] = {}
        for item in sorted(self.found, key=lambda f: (f.linked, f.rel)):
            if item.real is not None:
                keeper.setdefault(item.real, item)
        for item in sorted(self.found, key=lambda f: f.rel):
            first = keeper.get(item.real) if item.real is not None else None
            skip = (
                f"duplicate of {first.rel}"
                if first is not None and first is not item
                else item.skip
            )
            yield Candidate(item.rel, Path(item.path), item.size, skip)

    def _walk(
        self, real_top: str, rel_top: str, layers: tuple[_Layer, ...], *, is_root: bool
    ) -> None:
        stack = [(real_top, rel_top, layers)]
        while stack:
            real_dir, rel_dir, inherited = stack.pop()
            if real_dir in self.visited:
                self.found.append(
                    _Found(rel_dir, real_dir, skip=f"duplicate of {self.visited[real_dir]}")
                )
                continue
            try:
                with os.scandir(real_dir) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                self.found.append(_Found(rel_dir or ".", real_dir, skip=_unreadable(exc)))
                continue
            if not (is_root and real_dir == real_top) and any(
                e.name in ENV_MARKERS for e in entries
            ):
                continue
            self.visited[real_dir] = rel_dir or "."
            here = inherited + _ignore_layers(real_dir, rel_dir, entries)
            prefix = f"{rel_dir}/" if rel_dir else ""
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_symlink():
                    self._link(entry, rel, real_dir, here)
                elif entry.is_dir(follow_symlinks=False):
                    if not self._skip_dir(entry.name, rel, here):
                        stack.append((entry.path, rel, here))
                elif not entry.name.endswith(SKIP_FILE_SUFFIXES) and not self._ignored(
                    rel, here, is_dir=False
                ):
                    self._file(entry, rel)

    def _file(self, entry: os.DirEntry[str], rel: str) -> None:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            self.found.append(_Found(rel, entry.path, skip=_unreadable(exc)))
            return
        self._record(rel, entry.path, info, linked=False)

    def _link(
        self, entry: os.DirEntry[str], rel: str, parent: str, layers: tuple[_Layer, ...]
    ) -> None:
        """Follow a symlink that stays inside the root; anything else is a skipped candidate."""
        if self._ignored(rel, layers, is_dir=False):  # git matches a link by its own path
            return
        try:
            target = os.path.realpath(entry.path, strict=True)
            info = os.stat(target)
        except OSError as exc:
            self.found.append(_Found(rel, entry.path, skip=_link_error(exc)))
            return
        if not _within(self.root, target):
            self.found.append(_Found(rel, entry.path, skip="symlink points outside the root"))
        elif stat.S_ISDIR(info.st_mode):
            if not self._skip_dir(entry.name, rel, layers):
                self.linked_dirs.append((rel, entry.path, target, parent, layers))
        else:
            self._record(rel, target, info, linked=True)

    def _record(self, rel: str, path: str, info: os.stat_result, *, linked: bool) -> None:
        if not stat.S_ISREG(info.st_mode):  # FIFOs, sockets, devices: reading one could block
            self.found.append(_Found(rel, path, skip="not a regular file"))
            return
        skip = _size_skip(info.st_size, self.max_bytes)
        self.found.append(_Found(rel, path, info.st_size, skip, real=path, linked=linked))

    def _skip_dir(self, name: str, rel: str, layers: tuple[_Layer, ...]) -> bool:
        if name in SKIP_DIR_NAMES or name.endswith(SKIP_DIR_SUFFIXES):
            return True
        return self._ignored(rel, layers, is_dir=True)

    def _ignored(self, rel: str, layers: tuple[_Layer, ...], *, is_dir: bool) -> bool:
        """Whether the exclude globs or the ignore files drop ``rel``; the deepest match wins."""
        probe = f"{rel}/" if is_dir else rel  # a trailing slash lets "dir/" patterns match
        if self.exclude is not None and self.exclude.match_file(probe):
            return True
        for prefix, spec in reversed(layers):
            verdict = spec.check_file(probe[len(prefix) :]).include
            if verdict is not None:
                return verdict
        return False


def _ignore_layers(
    real_dir: str, rel_dir: str, entries: list[os.DirEntry[str]]
) -> tuple[_Layer, ...]:
    """The ignore files a directory adds, lowest precedence first (info/exclude, .gitignore)."""
    prefix = f"{rel_dir}/" if rel_dir else ""
    sources = []
    for entry in entries:
        if entry.name == ".git" and entry.is_dir(follow_symlinks=False):
            sources.insert(0, os.path.join(real_dir, ".git", "info", "exclude"))
        elif entry.name == ".gitignore" and entry.is_file(follow_symlinks=False):
            sources.append(entry.path)
    layers = []
    for source in sources:
        spec = _read_spec(source)
        if spec is not None:
            layers.append((prefix, spec))
    return tuple(layers)


def _read_spec(path: str) -> pathspec.GitIgnoreSpec | None:
    """An ignore file's patterns; None when it is missing, unreadable or has no patterns."""
    try:
        if os.path.islink(path):
            return None
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return None
    spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    return spec if len(spec) else None


def _within(outer: str, inner: str) -> bool:
    """Whether real path ``inner`` is ``outer`` or lies below it."""
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def _unreadable(exc: OSError) -> str:
    reason = exc.strerror or type(exc).__name__
    return f"unreadable: {reason[0].lower()}{reason[1:]}"


def _link_error(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(exc, FileNotFoundError):
        return "broken symlink"
    return _unreadable(exc)


def _size_skip(size: int, limit: int) -> str | None:
    """The size-limit reason, precise enough that the two numbers never print the same."""
    if size <= limit:
        return None
    for digits in range(1, 7):
        shown, allowed = _human(size, digits), _human(limit, digits)
        if shown != allowed:
            break
    return f"larger than {allowed} limit ({shown})"


def _human(size: int, digits: int) -> str:
    for unit, scale in (("MB", 1_000_000), ("kB", 1_000)):
        if size >= scale:
            text = f"{size / scale:.{digits}f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
    return f"{size} bytes"
