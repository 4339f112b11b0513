"""The terminal report (``--format table``): a one-screen summary per target, then the details.

Like the scan view it uses rich ``Text`` objects (never markup) for everything that came from the
repository or the catalog, after ``printable``, so a file name cannot inject terminal escapes.
"""

from __future__ import annotations

from typing import TextIO

from rich.table import Table
from rich.text import Text

from porter.effort import Range, format_range
from porter.render.report_common import (
    comparison_headline,
    comparison_reason,
    link_summary,
    link_target,
    location,
    percent,
    plural,
    severity_counts,
)
from porter.render.terminal import STATUS_STYLE, make_console
from porter.render.text import printable
from porter.report import Report

#: Sites shown under each pit, and files in the top-files table.
PIT_SITES = 3
TOP_FILES = 10


def _t(text: str, style: str = "") -> Text:
    return Text(printable(text), style=style)


def _lines(parts: list[str], style: str = "") -> Text:
    """One table cell with a line per part (each part made printable on its own)."""
    return Text("\n".join(printable(part) for part in parts), style=style)


def _days(effort: Range) -> str:
    return format_range(effort).removesuffix(" person-days")


def summary_table(report: Report) -> Table:
    table = Table(title="Summary per target", title_justify="left")
    table.add_column("")
    for view in report.targets:
        table.add_column(view.id, overflow="fold")
    views = report.targets
    rows = [
        ("sites found", [[str(sum(v.summary.statuses.values()))] for v in views], ""),
        ("need work", [[str(v.summary.actionable)] for v in views], ""),
        ("automatic", [[f"{percent(v.summary.automatic_share)} ({v.summary.statuses['auto']})"] for v in views],
         STATUS_STYLE["auto"]),
        ("review", [[str(v.summary.statuses["review"])] for v in views], STATUS_STYLE["review"]),
        ("manual", [[str(v.summary.statuses["manual"])] for v in views], STATUS_STYLE["manual"]),
        ("pits by severity", [severity_counts(v).split(", ") for v in views], ""),
        ("effort (person-days)", [[_days(v.effort.total)] for v in views], "bold"),
        ("top cost drivers", [[f"{d.name} {percent(d.share)}" for d in v.effort.drivers] or ["none"] for v in views], ""),
    ]
    for name, cells, style in rows:
        table.add_row(_t(name), *(_lines(cell, style) for cell in cells))
    return table


def pits_table(report: Report) -> Table:
    table = Table(title="Pits (severity and person-days per target)", title_justify="left")
    table.add_column("pit", overflow="fold")
    table.add_column("sites", justify="right")
    for target in report.result.targets:
        table.add_column(target, overflow="fold")
    for view in report.pits:
        cells = [_lines([tv.plan.severity, _days(tv.cost)]) for tv in view.targets]
        table.add_row(_t(view.pit.id), str(len(view.findings)), *cells)
    return table


def files_table(report: Report) -> Table:
    table = Table(title=f"Top {TOP_FILES} files by effort (person-days)", title_justify="left")
    table.add_column("file", overflow="fold")
    table.add_column("sites", justify="right")
    for target in report.result.targets:
        table.add_column(target, justify="right")
    views = sorted((v for v in report.files if v.findings),
                   key=lambda v: (-max(r.mid for r in v.effort.values()), v.file.path))
    for view in views[:TOP_FILES]:
        table.add_row(_t(view.file.path), str(len(view.findings)),
                      *(_t(_days(view.effort[t])) for t in report.result.targets))
    return table


def render(report: Report, stream: TextIO, *, color: bool | None = None) -> None:
    console = make_console(stream, color=color)
    summary = report.summary
    head = Text("porter report ", style="bold")
    head.append(printable(report.root))
    head.append(f": {plural(summary.findings, 'site')} in {plural(len(summary.files_with_findings), 'file')}; "
                "effort in person-days, as ranges")
    console.print(head)
    console.print(summary_table(report))
    console.print(Text("Which target is cheapest", style="bold"))
    console.print(_t(comparison_headline(report)))
    for row in report.comparison.rows[1:]:
        console.print(_t(f"  {row.target}: {format_range(row.total)}; "
                         f"{comparison_reason(row, report.comparison.cheapest)}"))
    if report.links:
        console.print(Text("Python code that loads CUDA sources", style="bold"))
        for link in report.links:
            console.print(_t(f"  {link_summary(link)}"))
            for target in report.result.targets:
                console.print(_t(f"    {link_target(link, report, target)}"))
    if report.pits:
        console.print(pits_table(report))
        for view in report.pits:
            console.print(_t(view.pit.title, "bold"))
            for finding in view.findings[:PIT_SITES]:
                console.print(_t(f"  {location(finding)}  {finding.snippet}"))
            if len(view.findings) > PIT_SITES:
                console.print(_t(f"  ... and {len(view.findings) - PIT_SITES} more"))
            cheapest = next(tv for tv in view.targets if tv.target == report.comparison.cheapest)
            console.print(_t(f"  {cheapest.target}: {cheapest.plan.advice}", "dim"))
    if any(v.findings for v in report.files):
        console.print(files_table(report))
