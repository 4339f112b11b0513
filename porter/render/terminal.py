"""The terminal view of a scan: a per-target summary, the top files and families, every site.

Built with rich so it reads well in an 80-column terminal; when the output is a pipe or a file,
rich drops colour and the text stays plain. Everything from the scanned repo goes through
``printable`` and rich ``Text`` objects (never markup), so a repo cannot inject escapes.
"""

from __future__ import annotations

from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from porter.model import Finding, ScanResult, Status
from porter.render.json_out import sort_key
from porter.render.text import printable
from porter.summary import Summary, summarize

STATUS_STYLE: dict[Status, str] = {
    "auto": "green",
    "review": "yellow",
    "manual": "red",
    "not-needed": "dim",
}
#: One-letter status marks for the compact per-site line.
STATUS_MARK: dict[Status, str] = {"auto": "A", "review": "R", "manual": "M", "not-needed": "-"}

TOP = 8


def make_console(stream: TextIO, *, color: bool | None = None) -> Console:
    """A console that colours only a real terminal, and keeps at least 80 columns."""
    console = Console(file=stream, color_system="auto" if color is not False else None,
                      force_terminal=color if color else None, highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console = Console(file=stream, color_system=None, width=100, highlight=False)
    return console


def target_table(summary: Summary) -> Table:
    table = Table(title="Sites per target", title_justify="left", expand=False)
    table.add_column("target")
    for status in ("auto", "review", "manual", "not-needed"):
        table.add_column(status, justify="right", style=STATUS_STYLE[status])  # type: ignore[index]
    table.add_column("% auto", justify="right")
    for target in summary.targets:
        table.add_row(
            target.target,
            *(str(target.statuses[s]) for s in ("auto", "review", "manual", "not-needed")),
            f"{target.automatic_share:.0%}",
        )
    return table


def counts_table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("name", overflow="fold")
    table.add_column("sites", justify="right")
    for name, count in list(counts.items())[:TOP]:
        table.add_row(Text(printable(name)), str(count))
    return table


def site_line(finding: Finding, targets: tuple[str, ...]) -> Text:
    where = f"{finding.span.line}:{finding.span.column}"
    if finding.cell is not None:
        where = f"cell {finding.cell} {where}"
    text = Text(f"  {where:>9}  ")
    text.append(printable(finding.symbol), style="bold")
    text.append(f"  [{finding.rule}] ")
    for target in targets:
        status = finding.status_for(target)
        text.append(f" {target}:")
        text.append(STATUS_MARK[status], style=STATUS_STYLE[status])
    return text


def render(result: ScanResult, root_label: str, stream: TextIO, *, color: bool | None = None) -> None:
    console = make_console(stream, color=color)
    summary = summarize(result)
    files_with = len(summary.files_with_findings)
    head = Text("porter scan ", style="bold")
    head.append(printable(root_label))
    head.append(f": {summary.findings} sites in {files_with} files; ")
    head.append(", ".join(f"{n} {status}" for status, n in summary.files.items() if n))
    console.print(head)
    console.print(target_table(summary))
    if summary.findings:
        console.print(counts_table("Top files", summary.files_with_findings))
        console.print(counts_table("Top families", summary.families))
    noted = [f for f in result.files if f.note]
    if noted:
        console.print(Text("File notes", style="bold"))
        for file in noted:
            console.print(Text(f"  {printable(file.path)}: {file.status}: {printable(file.note or '')}"))
    if summary.findings:
        legend = "A auto, R review, M manual, - not needed"
        console.print(Text(f"Sites ({legend})", style="bold"))
        for path, group in groupby(sorted(result.findings, key=sort_key), key=lambda f: f.path):
            console.print(Text(printable(path), style="cyan"))
            for finding in group:
                console.print(site_line(finding, result.targets))
