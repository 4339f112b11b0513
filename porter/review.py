"""Review a change: which vendor-specific sites a diff adds and removes, per target, with the cost.

Only the files the diff touches are read, straight from git's object store (the old side at the
merge base, the new side at ``head`` or in the work tree), and analysed in memory by the same
``analyze_bytes`` the scanner uses; nothing is checked out and nothing from the repository runs.

Old and new findings of a file are matched by what they are (rule, path, symbol, normalised
source line), never by line number, so code that only moved is neither added nor removed; a
renamed file's old findings are matched under its new path. When a file has more identical sites
than before, the ones on changed lines are the new ones. Findings present on both sides are
"existing": counted apart, never listed or gated.
"""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from porter.baseline import Baseline
from porter.discover import DEFAULT_MAX_BYTES, SKIP_DIR_NAMES, SKIP_DIR_SUFFIXES
from porter.effort import Range, estimate_target
from porter.frontends import frontend_for
from porter.gitdiff import (
    REGULAR_MODES,
    SUBMODULE_MODE,
    SYMLINK_MODE,
    Change,
    FileLines,
    LineRanges,
    changed_files,
    changed_lines,
    merge_base,
    read_blobs,
    resolve,
    toplevel,
)
from porter.mappings import MappingTables, default_tables
from porter.model import STATUS_ORDER, FileResult, Finding, ScanResult, Status
from porter.pits import default_catalog
from porter.render.json_out import sort_key
from porter.scan import analyze_bytes, check_targets

CHANGE_KINDS: Mapping[str, str] = {
    "A": "added", "M": "modified", "D": "deleted", "R": "renamed", "C": "copied", "T": "type-changed",
}
WORKTREE = "work tree"


@dataclass(frozen=True, slots=True)
class FileReview:
    """One changed file: how it changed, and how many sites it gained, lost and kept."""

    path: str
    old_path: str | None
    change: str
    language: str | None = None
    note: str | None = None
    introduced: int = 0
    removed: int = 0
    existing: int = 0


@dataclass(frozen=True, slots=True)
class EffortDelta:
    """One target's cost of the change: sites added and removed per status, and person-days.

    ``added``/``removed`` effort is marginal: the estimate of the changed files with the sites
    minus without them, so a pit's one-off base cost is charged only when the change brings the
    first site of that pit into (or takes the last one out of) the files it touches.
    """

    target: str
    added_sites: Mapping[Status, int]
    removed_sites: Mapping[Status, int]
    added: Range
    removed: Range

    @property
    def net_days(self) -> float:
        """Midpoint of the added effort minus that of the removed effort."""
        return self.added.mid - self.removed.mid


@dataclass(frozen=True, slots=True)
class ReviewResult:
    root: str
    base: str
    head: str
    #: The commit the change is measured from: the merge base of base and head.
    base_commit: str
    #: None when the new side is the work tree.
    head_commit: str | None
    targets: tuple[str, ...]
    files: tuple[FileReview, ...]
    #: The new side of each changed file porter reads (findings: the introduced ones only).
    head_files: tuple[FileResult, ...]
    introduced: tuple[Finding, ...]
    removed: tuple[Finding, ...]
    existing: tuple[Finding, ...]
    effort: tuple[EffortDelta, ...]
    #: Findings in the changed files silenced by suppression comments (new side).
    suppressed: int = 0
    #: Introduced findings dropped because the ``--baseline`` file accepts them.
    baselined: int = 0

    def as_scan(self) -> ScanResult:
        """The introduced findings as a scan result, for renderers written for scans."""
        return ScanResult(root=self.root, targets=self.targets, files=self.head_files)


def _last_line(finding: Finding) -> int:
    span = finding.span
    if span.end_line > span.line and span.end_column == 1:
        return span.end_line - 1
    return span.end_line


def _touched(finding: Finding, lines: LineRanges) -> bool:
    # notebook findings count lines per cell, which a file diff cannot place: count them changed
    return finding.cell is not None or lines.touches(finding.span.line, _last_line(finding))


def _key(finding: Finding, path: str) -> tuple[str, str, str, str, int | None]:
    return (finding.rule, path, finding.symbol, " ".join(finding.snippet.split()), finding.cell)


def match_findings(
    old: Sequence[Finding], new: Sequence[Finding], path: str, lines: FileLines
) -> tuple[list[Finding], list[Finding], list[Finding]]:
    """Split one file's findings into (introduced, removed, existing).

    Sites are matched by what they are under the new ``path``; where a file has more (or fewer)
    identical sites than before, the surplus is taken from the changed lines first.
    """
    olds: dict[tuple[str, str, str, str, int | None], list[Finding]] = defaultdict(list)
    news: dict[tuple[str, str, str, str, int | None], list[Finding]] = defaultdict(list)
    for finding in old:
        olds[_key(finding, path)].append(finding)
    for finding in new:
        news[_key(finding, path)].append(finding)
    introduced: list[Finding] = []
    removed: list[Finding] = []
    existing: list[Finding] = []
    for key in olds.keys() | news.keys():
        before, after = olds.get(key, []), news.get(key, [])
        surplus = len(after) - len(before)
        if surplus >= 0:
            ranked = sorted(after, key=lambda f: not _touched(f, lines.new))
            introduced += ranked[:surplus]
            existing += ranked[surplus:]
        else:
            ranked = sorted(before, key=lambda f: not _touched(f, lines.old))
            removed += ranked[:-surplus]
            existing += after
    return introduced, removed, existing


def _status_counts(findings: Iterable[Finding], target: str) -> dict[Status, int]:
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for finding in findings:
        counts[finding.status_for(target)] += 1
    return counts


def _marginal(before: Range, after: Range) -> Range:
    low, high = sorted((max(0.0, after.low - before.low), max(0.0, after.high - before.high)))
    return Range(low, high)


def effort_delta(
    introduced: Sequence[Finding],
    removed: Sequence[Finding],
    existing: Sequence[Finding],
    targets: Sequence[str],
    file_lines: Mapping[str, int],
) -> tuple[EffortDelta, ...]:
    """Per target: sites added/removed by status and their marginal effort (porter.effort)."""
    catalog = default_catalog()
    deltas = []
    for target in targets:
        def cost(findings: Sequence[Finding], target: str = target) -> Range:
            return estimate_target(findings, target, catalog=catalog, file_lines=file_lines).total

        kept = cost(existing)
        deltas.append(
            EffortDelta(
                target=target,
                added_sites=_status_counts(introduced, target),
                removed_sites=_status_counts(removed, target),
                added=_marginal(kept, cost([*existing, *introduced])),
                removed=_marginal(kept, cost([*existing, *removed])),
            )
        )
    return tuple(deltas)


class _Sides:
    """Reads and analyses the two sides of each change, remembering why a side was skipped."""

    def __init__(self, root: Path, blobs: Mapping[str, bytes | int], tables: MappingTables,
                 max_bytes: int) -> None:
        self.root = root
        self.blobs = blobs
        self.tables = tables
        self.max_bytes = max_bytes

    def _skipped(self, path: str, note: str) -> FileResult | None:
        probe = frontend_for(path, b"")
        if probe is None:
            return None
        return FileResult(path=path, language=probe.language, status="skipped", note=note)

    def _analyze(self, path: str, data: bytes | int | None) -> FileResult | None:
        if data is None:
            return None
        if isinstance(data, int):
            return self._skipped(path, f"larger than {self.max_bytes} bytes ({data})")
        return analyze_bytes(path, data, self.tables)

    def blob(self, path: str, mode: str, blob: str | None) -> FileResult | None:
        if mode == SYMLINK_MODE:
            return self._skipped(path, "symbolic link: not followed")
        if mode == SUBMODULE_MODE:
            return self._skipped(path, "submodule: review it in its own repository")
        if mode not in REGULAR_MODES or blob is None:
            return None
        return self._analyze(path, self.blobs.get(blob))

    def disk(self, path: str) -> FileResult | None:
        full = self.root / path
        try:
            info = full.lstat()
        except OSError:
            return None
        if full.is_symlink():
            return self._skipped(path, "symbolic link: not followed")
        if not full.is_file():
            return None
        if info.st_size > self.max_bytes:
            return self._analyze(path, info.st_size)
        try:
            return self._analyze(path, full.read_bytes())
        except OSError as exc:
            return self._skipped(path, f"unreadable: {exc.strerror or type(exc).__name__}")


def _ignored(path: str, skip: pathspec.GitIgnoreSpec) -> bool:
    """``--exclude`` globs, and the directories a scan never enters (build output, venvs ...)."""
    folders = path.split("/")[:-1]
    return skip.match_file(path) or any(
        name in SKIP_DIR_NAMES or name.endswith(SKIP_DIR_SUFFIXES) for name in folders
    )


def _pathspec(path: Path, root: Path) -> str:
    relative = os.path.relpath(path.resolve(), root.resolve())
    return Path(relative).as_posix() if relative != "." else "."


def review(
    path: Path,
    base: str,
    head: str | None = None,
    *,
    targets: Iterable[str] | None = None,
    exclude: Sequence[str] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    tables: MappingTables | None = None,
    baseline: Baseline | None = None,
) -> ReviewResult:
    """Review the change from the merge base of ``base`` and ``head`` to ``head``.

    ``head`` None means the work tree (tracked changes, staged or not, plus untracked files that
    are not ignored), as ``git diff BASE`` shows it. Paths in the result are relative to the
    repository root; ``path`` limits the review to the files under it. Raises GitError with a
    one-line explanation when git cannot answer (e.g. a shallow clone without the merge base).
    """
    tables = tables or default_tables()
    chosen = check_targets(targets, tables)
    root = toplevel(path)
    spec = _pathspec(path, root)
    base_commit = resolve(root, base, "base")
    head_commit = resolve(root, head, "head") if head else None
    fork = merge_base(root, base_commit, head_commit or resolve(root, "HEAD", "head"))
    skip = pathspec.GitIgnoreSpec.from_lines(exclude)
    changes = [
        c for c in changed_files(root, fork, head_commit, spec)
        if not _ignored(c.new_path or c.old_path or "", skip)
    ]
    lines = changed_lines(root, fork, head_commit, spec)
    wanted = [c.old_blob for c in changes if c.old_blob and c.status != "C"]
    if head_commit:
        wanted += [c.new_blob for c in changes if c.new_blob]
    sides = _Sides(root, read_blobs(root, filter(None, wanted), max_bytes), tables, max_bytes)

    files: list[FileReview] = []
    head_files: list[FileResult] = []
    introduced: list[Finding] = []
    removed: list[Finding] = []
    existing: list[Finding] = []
    suppressed = baselined = 0
    for change in changes:
        old, new = _analyze_change(change, sides, head_commit is not None)
        if old is None and new is None:
            continue
        path_now = change.new_path or change.old_path or ""
        file_lines = _file_lines(change, lines)
        gained, lost, kept = match_findings(
            old.findings if old else (), new.findings if new else (), path_now, file_lines
        )
        if baseline is not None:
            accepted = len(gained)
            gained = list(baseline.new_findings(gained))
            baselined += accepted - len(gained)
        introduced += gained
        removed += lost
        existing += kept
        if new is not None:
            suppressed += len(new.suppressed)
            head_files.append(dataclasses.replace(new, findings=tuple(sorted(gained, key=sort_key))))
        files.append(_file_review(change, old, new, len(gained), len(lost), len(kept)))

    sizes = {r.path: r.lines for r in head_files}
    return ReviewResult(
        root=root.as_posix(),
        base=base,
        head=head or WORKTREE,
        base_commit=fork,
        head_commit=head_commit,
        targets=chosen,
        files=tuple(sorted(files, key=lambda f: f.path)),
        head_files=tuple(sorted(head_files, key=lambda f: f.path)),
        introduced=tuple(sorted(introduced, key=sort_key)),
        removed=tuple(sorted(removed, key=sort_key)),
        existing=tuple(sorted(existing, key=sort_key)),
        effort=effort_delta(introduced, removed, existing, chosen, sizes),
        suppressed=suppressed,
        baselined=baselined,
    )


def _analyze_change(
    change: Change, sides: _Sides, committed: bool
) -> tuple[FileResult | None, FileResult | None]:
    """The old and new FileResults of a change; a copy is all new (its source did not change)."""
    old = None
    if change.old_path is not None and change.status != "C":
        old = sides.blob(change.old_path, change.old_mode, change.old_blob)
    new = None
    if change.new_path is not None:
        if committed:
            new = sides.blob(change.new_path, change.new_mode, change.new_blob)
        else:
            new = sides.disk(change.new_path)
    return old, new


def _file_lines(change: Change, lines: Mapping[str, FileLines]) -> FileLines:
    """The changed lines of one change: every line of an added, copied or deleted file."""
    if change.status in "AC":
        return FileLines(new=LineRanges(everything=True))
    if change.status == "D":
        return FileLines(old=LineRanges(everything=True))
    return lines.get(change.new_path or "", FileLines())


def _file_review(
    change: Change, old: FileResult | None, new: FileResult | None,
    introduced: int, removed: int, existing: int,
) -> FileReview:
    side = new or old
    notes = [r.note for r in (old, new) if r is not None and r.note]
    return FileReview(
        path=change.new_path or change.old_path or "",
        old_path=change.old_path if change.status in "RC" else None,
        change=CHANGE_KINDS.get(change.status, "modified"),
        language=side.language if side else None,
        note="; ".join(dict.fromkeys(notes)) or None,
        introduced=introduced,
        removed=removed,
        existing=existing,
    )
