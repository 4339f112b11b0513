"""Apply a list of Edits to a file's bytes in one pass.

Edits are byte ranges of the original file. They are sorted, an edit that overlaps one already
taken is dropped (and counted, never silently merged), identical duplicates collapse into one,
and every byte outside the kept edits is copied unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from porter.model import Edit


@dataclass(frozen=True, slots=True)
class Applied:
    data: bytes
    applied: tuple[Edit, ...]
    dropped: tuple[Edit, ...]


def plan_edits(edits: Iterable[Edit], size: int) -> tuple[tuple[Edit, ...], tuple[Edit, ...]]:
    """Split edits into those to apply (sorted, non-overlapping) and those dropped as conflicts.

    Edits outside ``[0, size]`` are dropped too. Insertions at one offset keep the order given;
    an insertion at the start of a replacement is allowed (it lands before it).
    """
    kept: list[Edit] = []
    dropped: list[Edit] = []
    seen: set[Edit] = set()
    # Replacements of one range sort by text, so which of two conflicting ones wins does not
    # depend on the order frontends emitted them; insertions keep their given order.
    for edit in sorted(edits, key=lambda e: (e.start, e.end, "" if e.start == e.end else e.text)):
        if edit in seen:
            continue
        seen.add(edit)
        if edit.start > edit.end or edit.start < 0 or edit.end > size:
            dropped.append(edit)
            continue
        if kept:
            last = kept[-1]
            overlaps = edit.start < last.end or (
                edit.start == last.start and edit.end > edit.start and last.end > last.start
            )
            if overlaps:
                dropped.append(edit)
                continue
        kept.append(edit)
    return tuple(kept), tuple(dropped)


def apply_edits(data: bytes, edits: Iterable[Edit]) -> Applied:
    """The new bytes, with what was applied and what was dropped for overlapping another edit."""
    kept, dropped = plan_edits(edits, len(data))
    out = bytearray()
    cursor = 0
    for edit in kept:
        out += data[cursor : edit.start]
        out += edit.text.encode("utf-8")
        cursor = edit.end
    out += data[cursor:]
    return Applied(bytes(out), kept, dropped)
