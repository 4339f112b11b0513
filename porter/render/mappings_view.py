"""Views of the mapping data itself: ``porter mappings list`` and ``porter mappings stats``."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from rich.table import Table

from porter.mappings import default_tables
from porter.render.terminal import make_console


def render_list(stream: TextIO, *, family: str | None, target: str | None) -> None:
    tables = default_tables()
    targets = [t for t in tables.target_ids if target in (None, t)]
    console = make_console(stream)
    for fam in tables.families:
        if family not in (None, fam.name):
            continue
        table = Table(title=f"{fam.name} ({fam.language}): {fam.title}", title_justify="left")
        table.add_column("source", overflow="fold")
        for t in targets:
            table.add_column(t, overflow="fold")
        for entry in fam.entries:
            cells = []
            for t in targets:
                spec = entry.targets[t]
                cells.append(f"{spec.status}" + (f": {spec.replacement}" if spec.replacement else ""))
            table.add_row(entry.source, *cells)
        console.print(table)


def render_stats(stream: TextIO) -> None:
    tables = default_tables()
    console = make_console(stream)
    table = Table(title="Mapping entries per family (auto/review/manual/not-needed per target)",
                  title_justify="left")
    table.add_column("family")
    table.add_column("language")
    table.add_column("entries", justify="right")
    for t in tables.target_ids:
        table.add_column(t, justify="right")
    total = 0
    for fam in tables.families:
        total += len(fam.entries)
        cells = []
        for t in tables.target_ids:
            counts = Counter(e.targets[t].status for e in fam.entries)
            cells.append("/".join(str(counts.get(s, 0)) for s in ("auto", "review", "manual", "not-needed")))
        table.add_row(fam.name, fam.language, str(len(fam.entries)), *cells)
    table.add_row("total", "", str(total), *([""] * len(tables.target_ids)))
    console.print(table)
