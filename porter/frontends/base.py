"""What every frontend shares: the frontend protocol, positions, and building findings.

A frontend turns (path, bytes, mapping tables) into a FileResult and nothing else: it never reads
other files, never writes, and never imports or runs what it scans. That purity is what lets the
scanner run frontends in worker processes and cache their results.
"""

from __future__ import annotations

import bisect
import sys
from collections.abc import Iterable, Mapping
from typing import Protocol

from porter.mappings import MappingEntry, MappingTables
from porter.model import (
    SEVERITY_FOR_STATUS,
    Edit,
    FileResult,
    Finding,
    Span,
    TargetPlan,
    worst_status,
)

#: Longest snippet kept on a finding; longer source lines are cut with an ellipsis.
SNIPPET_LIMIT = 160


class Frontend(Protocol):
    """One language: which files it claims and how it analyses one of them."""

    language: str

    def claims(self, path: str, head: bytes) -> bool:
        """Whether this frontend reads ``path`` (POSIX, relative); ``head`` is its first bytes."""
        ...

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        """Every finding in one file; must not raise on any input (bad input is a FileResult)."""
        ...


class LineIndex:
    """Converts byte offsets of one file into 1-based (line, character column) positions."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts = [0]
        find = data.find
        pos = find(b"\n")
        while pos != -1:
            self.starts.append(pos + 1)
            pos = find(b"\n", pos + 1)
        # Per-line memos, so that many sites on one long (minified) line cost linear time, not
        # a decode of the whole line prefix per site: line -> whether it is ASCII, line ->
        # ascending (byte offset, column) checkpoints, line -> its snippet.
        self._ascii: dict[int, bool] = {}
        self._checkpoints: dict[int, list[tuple[int, int]]] = {}
        self._snippets: dict[int, str] = {}

    @property
    def line_count(self) -> int:
        if not self.data:
            return 0
        return len(self.starts) - (1 if self.data.endswith(b"\n") else 0)

    def line_of(self, offset: int) -> int:
        """0-based line number holding byte ``offset``."""
        return bisect.bisect_right(self.starts, offset) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and 1-based column counted in characters, as editors and SARIF show it."""
        line = self.line_of(offset)
        start = self.starts[line]
        if self._line_is_ascii(line):
            return line + 1, offset - start + 1
        points = self._checkpoints.setdefault(line, [(start, 1)])
        base, column = points[bisect.bisect_right(points, (offset, sys.maxsize)) - 1]
        column += len(self.data[base:offset].decode("utf-8", errors="replace"))
        # A byte that is not a UTF-8 continuation byte is where the decoder always restarts,
        # so counting on from it gives the same column as decoding the line from its start.
        if offset > points[-1][0] and offset < len(self.data) and not 0x80 <= self.data[offset] < 0xC0:
            points.append((offset, column))
        return line + 1, column

    def offset(self, line: int, column: int) -> int:
        """Byte offset of a 1-based line and 0-based *byte* column."""
        return self.starts[line - 1] + column

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column)

    def line_text(self, offset: int) -> str:
        """The source line holding ``offset``, stripped and cut to SNIPPET_LIMIT characters."""
        line = self.line_of(offset)
        snippet = self._snippets.get(line)
        if snippet is None:
            text = self.data[self.starts[line] : self._line_end(line)].decode("utf-8", errors="replace")
            text = text.strip()
            snippet = text if len(text) <= SNIPPET_LIMIT else text[: SNIPPET_LIMIT - 1] + "…"
            self._snippets[line] = snippet
        return snippet

    def _line_end(self, line: int) -> int:
        return self.starts[line + 1] if line + 1 < len(self.starts) else len(self.data)

    def _line_is_ascii(self, line: int) -> bool:
        known = self._ascii.get(line)
        if known is None:
            known = self._ascii[line] = self.data[self.starts[line] : self._line_end(line)].isascii()
        return known


def plans_from_entry(
    entry: MappingEntry,
    edits: Mapping[str, tuple[Edit, ...]] | None = None,
    overrides: Mapping[str, TargetPlan] | None = None,
) -> dict[str, TargetPlan]:
    """Turn the data's per-target answers into TargetPlans, attaching the edits that apply them.

    ``edits`` gives, per target, the concrete byte edits a frontend computed for this site;
    ``overrides`` replaces a target's plan outright (a transform that knows better than the row).
    """
    edits = edits or {}
    overrides = overrides or {}
    plans: dict[str, TargetPlan] = {}
    for target, spec in entry.targets.items():
        if target in overrides:
            plans[target] = overrides[target]
            continue
        note = spec.note or (entry.note if spec.status != "not-needed" else spec.note)
        plans[target] = TargetPlan(
            status=spec.status,
            replacement=spec.replacement,
            note=note,
            edits=edits.get(target, ()) if spec.status in ("auto", "review") else (),
        )
    return plans


def make_finding(
    entry: MappingEntry,
    *,
    path: str,
    lines: LineIndex,
    start: int,
    end: int,
    symbol: str | None = None,
    edits: Mapping[str, tuple[Edit, ...]] | None = None,
    overrides: Mapping[str, TargetPlan] | None = None,
    rule: str | None = None,
    cell: int | None = None,
) -> Finding:
    """A Finding for the bytes ``[start, end)`` of a file, answered by mapping ``entry``."""
    plans = plans_from_entry(entry, edits, overrides)
    severity = entry.severity_override or SEVERITY_FOR_STATUS[
        worst_status([plan.status for plan in plans.values()])
    ]
    return Finding(
        rule=rule or entry.rule,
        symbol=symbol or entry.source,
        family=entry.family,
        language=entry.language,
        path=path,
        span=lines.span(start, end),
        snippet=lines.line_text(start),
        severity=severity,
        targets=plans,
        pit=entry.pit,
        cell=cell,
    )


def replace_everywhere(start: int, end: int, entry: MappingEntry) -> dict[str, tuple[Edit, ...]]:
    """The common edit: put each target's replacement text over the site's bytes."""
    return {
        target: (Edit(start, end, spec.replacement),)
        for target, spec in entry.targets.items()
        if spec.replacement is not None and spec.status in ("auto", "review")
    }


def sorted_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(
        sorted(findings, key=lambda f: (f.span.line, f.span.column, f.rule, f.symbol))
    )
