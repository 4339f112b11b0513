"""The Markdown report: for a pull-request comment or a wiki page.

Every piece of text, scanned or not, goes through ``md``: characters Markdown or HTML would act
on become numeric character references, so a file name or snippet cannot open a code span, break
a table cell, start a link or inject a tag. Only the catalog's vetted https links become links.
"""

from __future__ import annotations

import re

from porter.effort import format_range
from porter.model import STATUS_ORDER, Finding
from porter.render.report_common import (
    SITES_SHOWN,
    comparison_headline,
    comparison_reason,
    drivers,
    link_summary,
    link_target,
    location,
    percent,
    plural,
    severity_counts,
)
from porter.render.text import printable
from porter.report import Report

#: Characters that open Markdown or HTML constructs anywhere in a line (or a table cell);
#: ``$`` starts math on GitHub.
_ACTIVE = frozenset("\\`*_[]<>|&~$")
#: What opens a block (heading, list, quote, rule, ordered list) when it starts a line.
_BLOCK_START = re.compile(r"[#+\-=>]|\d+[.)]")


def _entity(char: str) -> str:
    return f"&#{ord(char)};"


def md(text: str) -> str:
    """``text`` as inert Markdown: control characters shown escaped, active characters encoded.

    Besides the inline markup characters, a leading block marker and the ``://`` / ``www.`` that
    GitHub would turn into a link are encoded, so scanned text never becomes structure or a link.
    """
    text = "".join(_entity(c) if c in _ACTIVE else c for c in printable(text))
    text = text.replace("://", _entity(":") + "//").replace("www.", "www" + _entity("."))
    return _entity(text[0]) + text[1:] if _BLOCK_START.match(text) else text


def code(text: str) -> str:
    return f"<code>{md(text)}</code>"


def link(title: str, url: str) -> str:
    """A Markdown link to catalog documentation (https URLs checked by the catalog schema)."""
    return f"[{md(title)}]({url.replace(')', '%29').replace(' ', '%20')})"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows), ""]


def _summary(report: Report) -> list[str]:
    views = report.targets
    rows = [
        ["Target"] + [md(v.info.title) for v in views],
        ["Sites found"] + [str(sum(v.summary.statuses.values())) for v in views],
        ["Sites needing work"] + [str(v.summary.actionable) for v in views],
        ["Automatic"] + [f"{percent(v.summary.automatic_share)} ({v.summary.statuses['auto']})" for v in views],
        ["Need review"] + [str(v.summary.statuses["review"]) for v in views],
        ["Manual"] + [str(v.summary.statuses["manual"]) for v in views],
        ["Pits by severity"] + [md(severity_counts(v)) for v in views],
        ["**Estimated effort**"] + [f"**{md(format_range(v.effort.total))}**" for v in views],
        ["Top cost drivers"] + [md("; ".join(drivers(v.effort)) or "none") for v in views],
    ]
    return ["## Summary per target", "", *_table([""] + [md(v.id) for v in views], rows)]


def _comparison(report: Report) -> list[str]:
    rows = report.comparison.rows
    lines = ["## Which target is cheapest, and why", "", md(comparison_headline(report)), ""]
    for row in rows[1:]:
        lines.append(f"- **{md(row.target)}**: {md(format_range(row.total))}, "
                     f"{percent(row.automatic_share)} automatic; {md(comparison_reason(row, rows[0].target))}")
    return [*lines, ""]


def _links(report: Report) -> list[str]:
    if not report.links:
        return []
    lines = ["## Python code that loads CUDA sources", ""]
    for item in report.links:
        lines.append(f"- {md(link_summary(item))}")
        lines.extend(f"  - {md(link_target(item, report, t))}" for t in report.result.targets)
    return [*lines, ""]


def _site_rows(findings: tuple[Finding, ...], targets: tuple[str, ...]) -> list[list[str]]:
    return [
        [md(location(f)), code(f.symbol), *(md(f.status_for(t)) for t in targets), code(f.snippet)]
        for f in findings[:SITES_SHOWN]
    ]


def _more(findings: tuple[Finding, ...]) -> list[str]:
    extra = len(findings) - SITES_SHOWN
    return [f"... and {extra} more sites.", ""] if extra > 0 else []


def _pits(report: Report) -> list[str]:
    targets = report.result.targets
    lines = ["## Pits", ""]
    for view in report.pits:
        pit = view.pit
        lines += [f"### {md(pit.title)}", "",
                  f"*{md(pit.category)}*, {plural(len(view.findings), 'site')} in {plural(len(view.files), 'file')}. "
                  f"{md(pit.why)}", ""]
        rows = []
        for tv in view.targets:
            counts = "/".join(str(tv.statuses[s]) for s in STATUS_ORDER[1:])
            docs = ", ".join(link(lk.title, lk.url) for lk in tv.plan.links)
            rows.append([md(tv.target), md(tv.plan.severity), counts, md(format_range(tv.cost)),
                         md(tv.plan.advice) + (f" ({docs})" if docs else "")])
        lines += _table(["target", "severity", "auto/review/manual", "effort", "advice"], rows)
        lines += _table(["where", "symbol", *(md(t) for t in targets), "snippet"], _site_rows(view.findings, targets))
        lines += _more(view.findings)
    return lines


def _files(report: Report) -> list[str]:
    targets = report.result.targets
    lines = ["## Files", ""]
    for view in report.files:
        file = view.file
        effort = ", ".join(f"{t} {format_range(view.effort[t])}" for t in targets)
        lines += [f"### {md(file.path)}", "",
                  md(f"{file.language}, {plural(file.lines, 'line')}, {file.status}; "
                     f"{plural(len(view.findings), 'site')}; {effort}"), ""]
        if file.note:
            lines += [f"Note: {md(file.note)}", ""]
        if view.findings:
            lines += _table(["where", "symbol", *(md(t) for t in targets), "snippet"], _site_rows(view.findings, targets))
            lines += _more(view.findings)
    return lines


def render(report: Report) -> str:
    summary = report.summary
    files_with = len(summary.files_with_findings)
    lines = [
        f"# porter report: {md(report.root)}",
        "",
        md(f"porter {report.tool_version}: {summary.findings} sites in {files_with} of "
           f"{summary.files['scanned'] + summary.files['partial']} scanned files. Effort is in "
           "person-days, as low-high ranges (see the effort model in porter's docs)."),
        "",
        *_summary(report),
        *_comparison(report),
        *_links(report),
        *_pits(report),
        *_files(report),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"
