"""Checks shared by the dependency-file tests (requirements, conda, pyproject, notebook)."""

from __future__ import annotations

from porter.model import FileResult


def untouched_lines_identical(before: bytes, after: bytes, result: FileResult, target: str) -> None:
    """Every line of ``before`` that no edit touches appears unchanged, in order, in ``after``."""
    edits = [e for f in result.findings for e in f.targets[target].edits]
    edits += list(result.file_edits.get(target, ())) if edits else []
    position = 0
    remaining = after
    for line in before.splitlines(keepends=True):
        start, end = position, position + len(line)
        position = end
        if any((e.start < end and e.end > start) or start <= e.start < end for e in edits):
            continue
        found = remaining.find(line)
        assert found >= 0, f"untouched line changed or moved: {line!r}"
        remaining = remaining[found + len(line):]
