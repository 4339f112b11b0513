"""Views of a review: the terminal table, a short Markdown PR comment, and the JSON document.

All three read the same ReviewResult; none re-analyses anything. Text from the repository
(paths, symbols, snippets) goes through ``printable`` and, in Markdown, through code spans or
escapes, so a file name cannot break the table or inject markup into the PR comment.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any, TextIO

from rich.table import Table
from rich.text import Text

from porter.effort import Range, format_range
from porter.model import Finding
from porter.pits import default_catalog
from porter.render.json_out import dumps, finding_json, scan_document, sort_key
from porter.render.markdown import code, md
from porter.render.terminal import make_console, site_line
from porter.render.text import printable
from porter.review import EffortDelta, FileReview, ReviewResult

#: New sites listed in a PR comment before "and N more" (the comment must stay short).
MARKDOWN_SITES = 20


def short(commit: str | None) -> str:
    return commit[:12] if commit else "work tree"


def headline(result: ReviewResult) -> str:
    """One line: what the change adds and removes, and what it was compared with."""
    added, removed = len(result.introduced), len(result.removed)
    text = (f"{added} new vendor-specific site(s), {removed} removed; "
            f"{len(result.existing)} existing in the {len(result.files)} changed file(s)")
    extras = []
    if result.suppressed:
        extras.append(f"{result.suppressed} suppressed by comments")
    if result.baselined:
        extras.append(f"{result.baselined} accepted by the baseline")
    return text + (f" ({', '.join(extras)})" if extras else "")


def _net(delta: EffortDelta) -> str:
    return f"{delta.net_days:+.2f}"


def _effort(effort: Range) -> str:
    return format_range(effort) if effort.high > 0 else "0"


def _counts(counts: Any) -> str:
    return " / ".join(str(counts[s]) for s in ("auto", "review", "manual"))


def render_table(result: ReviewResult, stream: TextIO, *, color: bool | None = None) -> None:
    console = make_console(stream, color=color)
    head = Text("porter review ", style="bold")
    head.append(f"{printable(result.base)} ({short(result.base_commit)}) .. "
                f"{printable(result.head)} ({short(result.head_commit)}): ")
    head.append(headline(result))
    console.print(head)
    table = Table(title="Change per target", title_justify="left")
    for name in ("target", "new auto/review/manual", "removed a/r/m", "added effort",
                 "removed effort", "net days"):
        table.add_column(name, justify="left" if name == "target" else "right")
    for delta in result.effort:
        table.add_row(delta.target, _counts(delta.added_sites), _counts(delta.removed_sites),
                      _effort(delta.added), _effort(delta.removed), _net(delta))
    console.print(table)
    for title, findings in (("New sites", result.introduced), ("Removed sites", result.removed)):
        if not findings:
            continue
        console.print(Text(f"{title} (A auto, R review, M manual, - not needed)", style="bold"))
        for path, group in groupby(findings, key=lambda f: f.path):
            console.print(Text(printable(path), style="cyan"))
            for finding in group:
                console.print(site_line(finding, result.targets))
    noted = [f for f in result.files if f.note]
    if noted:
        console.print(Text("File notes", style="bold"))
        for file in noted:
            console.print(Text(f"  {printable(file.path)}: {printable(file.note or '')}"))


def _where(finding: Finding) -> str:
    where = f"{finding.path}:{finding.span.line}"
    if finding.cell is not None:
        where = f"{finding.path} cell {finding.cell}:{finding.span.line}"
    return code(where)


def render_markdown(result: ReviewResult, stream: TextIO) -> None:
    """A short PR comment: totals per target, the new sites with their pits, the added effort."""
    catalog = default_catalog()
    added, removed = len(result.introduced), len(result.removed)
    out = [f"### porter: {added} new vendor-specific site(s), {removed} removed", ""]
    if result.introduced or result.removed:
        out += ["| target | new sites (auto / review / manual) | removed | added effort | net days |",
                "|---|---|---|---|---|"]
        for delta in result.effort:
            new = sum(delta.added_sites[s] for s in ("auto", "review", "manual"))
            gone = sum(delta.removed_sites[s] for s in ("auto", "review", "manual"))
            out.append(f"| {md(delta.target)} | {new} ({_counts(delta.added_sites)}) | {gone} "
                       f"| {_effort(delta.added)} | {_net(delta)} |")
        out.append("")
    if result.introduced:
        columns = " | ".join(md(t) for t in result.targets)
        out += [f"| where | site | pit | {columns} |",
                "|---|---|---|" + "---|" * len(result.targets)]
        for finding in result.introduced[:MARKDOWN_SITES]:
            pit = catalog.get(finding.pit)
            pit_text = md(pit.title) if pit else (md(finding.pit) if finding.pit else "")
            statuses = " | ".join(finding.status_for(t) for t in result.targets)
            out.append(f"| {_where(finding)} | {code(finding.symbol)} | {pit_text} | {statuses} |")
        if added > MARKDOWN_SITES:
            out.append(f"\n…and {added - MARKDOWN_SITES} more (see the job log or the SARIF upload).")
        out.append("")
    notes = [f"compared with {code(short(result.base_commit))} (merge base of "
             f"{code(result.base)}) .. {code(result.head)}",
             f"{len(result.existing)} existing site(s) in the changed files not shown"]
    if result.suppressed:
        notes.append(f"{result.suppressed} suppressed by porter: ignore comments")
    if result.baselined:
        notes.append(f"{result.baselined} accepted by the baseline")
    out.append("<sub>" + "; ".join(notes) + ".</sub>")
    stream.write("\n".join(out) + "\n")


def _range_json(effort: Range) -> dict[str, float]:
    return {"low": round(effort.low, 3), "high": round(effort.high, 3)}


def review_document(result: ReviewResult, root_label: str) -> dict[str, Any]:
    """The scan JSON document of the introduced findings, plus ``removed``, ``effort_delta``
    and ``review`` (revisions, changed files, counts): see ``schemas/scan.schema.json``."""
    doc = scan_document(result.as_scan(), root_label)
    doc["removed"] = [finding_json(f, result.targets) for f in sorted(result.removed, key=sort_key)]
    doc["effort_delta"] = {
        d.target: {
            "added_sites": dict(d.added_sites),
            "removed_sites": dict(d.removed_sites),
            "added_days": _range_json(d.added),
            "removed_days": _range_json(d.removed),
            "net_days": round(d.net_days, 3),
        }
        for d in result.effort
    }
    doc["review"] = {
        "base": result.base,
        "head": result.head,
        "base_commit": result.base_commit,
        "head_commit": result.head_commit,
        "existing": len(result.existing),
        "suppressed": result.suppressed,
        "baselined": result.baselined,
        "files": [_file_json(f) for f in result.files],
    }
    return doc


def _file_json(file: FileReview) -> dict[str, Any]:
    return {
        "path": file.path, "old_path": file.old_path, "change": file.change, "note": file.note,
        "introduced": file.introduced, "removed": file.removed, "existing": file.existing,
    }


def summary_line(result: ReviewResult) -> str:
    """The closing line of the GitHub annotations: totals and the added effort per target."""
    effort = ", ".join(f"{d.target} {_net(d)} days" for d in result.effort)
    return f"porter review: {headline(result)}" + (f"; net effort {effort}" if effort else "")


def render(result: ReviewResult, fmt: str, stream: TextIO, root_label: str) -> None:
    """Write the review in ``fmt``: table, json, markdown, sarif or github."""
    if fmt == "json":
        stream.write(dumps(review_document(result, root_label)))
    elif fmt == "markdown":
        render_markdown(result, stream)
    elif fmt == "github":
        from porter.render import github

        github.render(result.introduced, result.targets, stream, summary_line(result))
    elif fmt == "sarif":
        from porter.render import sarif

        stream.write(sarif.render(result.as_scan(), root_label))
    else:
        render_table(result, stream)
