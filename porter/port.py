"""Port a tree to one target: plan the edits from a scan, apply them, check the result.

Planning is pure (nothing is written): every file's edits for the target are applied once to the
bytes that were scanned, the new bytes are analysed again by the same frontend to prove they
still parse and to list the vendor names left behind, and a file whose rewrite would not parse
keeps its original bytes. Writing (in place or to a copy) is a separate step in ``porter.write``.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from porter.discover import DEFAULT_MAX_BYTES
from porter.frontends import frontend_for
from porter.limits import DEFAULT_FILE_TIMEOUT
from porter.mappings import MappingTables, default_tables
from porter.model import FileResult, Finding, ScanResult
from porter.rewrite.apply import apply_edits
from porter.scan import check_targets, scan


@dataclass(frozen=True, slots=True)
class FilePort:
    """One file's port: its bytes before and after, and what happened to each site."""

    path: str
    original: bytes
    ported: bytes
    rewritten: tuple[Finding, ...]
    review: tuple[Finding, ...]
    manual: tuple[Finding, ...]
    leftovers: tuple[Finding, ...]
    dropped_edits: int = 0
    note: str | None = None

    @property
    def changed(self) -> bool:
        return self.ported != self.original


@dataclass(frozen=True, slots=True)
class PortResult:
    root: Path
    target: str
    scan: ScanResult
    files: tuple[FilePort, ...]

    @property
    def changed(self) -> tuple[FilePort, ...]:
        return tuple(f for f in self.files if f.changed)

    @property
    def notes(self) -> tuple[FileResult, ...]:
        """Files the scan could not read fully (skipped, partial, error), with their reasons."""
        return tuple(f for f in self.scan.files if f.note)


def read_scanned(root: Path, rel: str) -> bytes | None:
    """The bytes of a scanned file (``rel`` is relative to the scanned folder), None if unreadable."""
    base = root if root.is_dir() else root.parent
    try:
        return (base / rel).read_bytes()
    except OSError:
        return None


def port_file(
    file: FileResult, data: bytes, target: str, tables: MappingTables
) -> FilePort:
    """Apply one file's edits for ``target`` and check the result with the same frontend."""
    edits = [e for f in file.findings for e in f.targets[target].edits] if file.findings else []
    wants_edits = bool(edits)
    edits.extend(file.file_edits.get(target, ()) if wants_edits else ())
    applied = apply_edits(data, edits)
    rewritten = tuple(f for f in file.findings if f.targets[target].edits)
    review = tuple(f for f in file.findings if f.targets[target].status == "review")
    manual = tuple(f for f in file.findings if f.targets[target].status == "manual")
    ported, note = applied.data, None
    leftovers: tuple[Finding, ...] = ()
    if ported != data:
        frontend = frontend_for(file.path, ported[:512])
        recheck = frontend.analyze(file.path, ported, tables) if frontend else None
        if recheck is not None and recheck.status == "error":
            ported = data
            note = f"rewrite left unapplied: the result would not parse ({recheck.note})"
        elif recheck is not None:
            leftovers = tuple(
                f for f in recheck.findings if f.targets[target].status != "not-needed"
            )
    if ported == data:
        leftovers = tuple(f for f in file.findings if f.targets[target].status != "not-needed")
    if applied.dropped:
        extra = f"{len(applied.dropped)} overlapping edit(s) not applied"
        note = f"{note}; {extra}" if note else extra
    return FilePort(
        path=file.path,
        original=data,
        ported=ported,
        rewritten=rewritten if ported != data else (),
        review=review,
        manual=manual,
        leftovers=leftovers,
        dropped_edits=len(applied.dropped),
        note=note,
    )


def _unchanged(file: FileResult, data: bytes, target: str, note: str) -> FilePort:
    pending = tuple(f for f in file.findings if f.targets[target].status != "not-needed")
    return FilePort(file.path, data, data, (), (), (), pending, note=note)


def plan_port(
    root: Path,
    target: str,
    *,
    exclude: tuple[str, ...] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    tables: MappingTables | None = None,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
) -> PortResult:
    """Scan ``root`` for ``target`` and compute every file's ported bytes; writes nothing."""
    tables = tables or default_tables()
    (chosen,) = check_targets([target], tables)
    result = scan(root, targets=[chosen], exclude=exclude, max_bytes=max_bytes, tables=tables,
                  file_timeout=file_timeout)
    files = []
    for file in result.files:
        if not file.findings:
            continue
        data = read_scanned(root, file.path)
        if data is None or hashlib.sha1(data).hexdigest() != file.digest:
            files.append(_unchanged(file, data or b"", chosen, "changed or vanished during the run: not ported"))
            continue
        files.append(port_file(file, data, chosen, tables))
    return PortResult(root=root, target=chosen, scan=result, files=tuple(files))


def unified_diff(port: FilePort) -> str:
    """A ``git diff``-style unified diff of one file, for review (bytes shown as UTF-8)."""
    before = port.original.decode("utf-8", errors="replace").splitlines(keepends=True)
    after = port.ported.decode("utf-8", errors="replace").splitlines(keepends=True)
    if before == after:
        return ""
    out = [f"--- {diff_path('a/', port.path)}\n", f"+++ {diff_path('b/', port.path)}\n"]
    for line in _hunk_lines(before, after):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _hunk_lines(before: list[str], after: list[str], context: int = 3) -> list[str]:
    """Hunks with ``context`` lines around each change. Unlike ``difflib.unified_diff``, the
    matcher may anchor on frequent lines (blank ones): with its "autojunk" heuristic a file of
    200+ lines showed an unchanged blank line as removed and added again."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    lines = []
    for group in matcher.get_grouped_opcodes(context):
        (_, a_start, _, b_start, _), (_, _, a_end, _, b_end) = group[0], group[-1]
        lines.append(f"@@ -{_range(a_start, a_end)} +{_range(b_start, b_end)} @@\n")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                lines += [" " + line for line in before[a1:a2]]
                continue
            lines += ["-" + line for line in before[a1:a2]]
            lines += ["+" + line for line in after[b1:b2]]
    return lines


def _range(start: int, stop: int) -> str:
    """A hunk range as unified diffs write it: ``first,count``, 1-based; an empty range names
    the line before it."""
    count = stop - start
    if count == 1:
        return str(start + 1)
    return f"{start + 1 if count else start},{count}"


#: Characters git quotes in a diff header (controls, quote, backslash) plus the bidi controls
#: that would reorder what a reviewer reads, and the bytes of a name that is not UTF-8 (lone
#: surrogates); other non-ASCII text stays readable.
_UNSAFE_IN_HEADER = re.compile(
    r'[\x00-\x1f"\\\x7f\x80-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\udc80-\udcff]'
)
_C_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def diff_path(prefix: str, path: str) -> str:
    """``prefix + path`` for a ``---``/``+++`` header, C-quoted as git quotes it when needed.

    A file name holding a newline would otherwise end the header line and forge the next one
    (another ``+++`` target) for whoever applies the diff; ``git apply`` reads the quoted form.
    """
    if not _UNSAFE_IN_HEADER.search(path):
        return prefix + path

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return _C_ESCAPES.get(char) or "".join(f"\\{byte:03o}" for byte in char.encode("utf-8", "surrogateescape"))

    return '"' + _UNSAFE_IN_HEADER.sub(escape, prefix + path) + '"'
