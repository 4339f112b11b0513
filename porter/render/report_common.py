"""Sentences every report format shares, built from the report model as plain text.

The table, Markdown and HTML reports say the same things in the same words; each format escapes
these strings its own way (they may contain scanned paths), so nothing here formats markup.
"""

from __future__ import annotations

from collections import Counter

from porter.effort import TargetEffort, format_range
from porter.model import Finding
from porter.report import ComparisonRow, CrossLink, Report, TargetView

#: How many sites per pit and per file a report lists before saying "and N more".
SITES_SHOWN = 25


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def percent(share: float) -> str:
    return f"{share:.0%}"


def location(finding: Finding) -> str:
    where = f"{finding.path}:{finding.span.line}"
    return f"{where} (cell {finding.cell})" if finding.cell is not None else where


def severity_counts(view: TargetView) -> str:
    """``2 high, 1 medium`` (pits by their severity for this target), or ``none``."""
    parts = [f"{n} {severity}" for severity, n in view.pits_by_severity.items() if n]
    return ", ".join(parts) or "none"


def drivers(effort: TargetEffort) -> list[str]:
    """``Custom CUDA kernels (62%)``: the top pits, then the top files, with their share."""
    return [f"{'file ' if d.kind == 'file' else ''}{d.label} ({percent(d.share)})" for d in effort.drivers]


def comparison_headline(report: Report) -> str:
    """One sentence: which target is cheapest, for how much, and how much of it is automatic."""
    row = report.comparison.rows[0]
    view = report.target(row.target)
    if len(report.comparison.rows) == 1:
        return (f"Only {row.target} ({view.info.title}) was assessed: {format_range(row.total)}, "
                f"{percent(row.automatic_share)} of the sites that need work are automatic.")
    return (f"{row.target} ({view.info.title}) is the cheapest target for this repository: "
            f"{format_range(row.total)}, {percent(row.automatic_share)} of the sites that need work "
            f"are automatic. {view.info.description}").strip()


def comparison_reason(row: ComparisonRow, cheapest: str) -> str:
    """Why ``row``'s target costs more than the cheapest: its dearest extra pits."""
    if not row.differences:
        return f"no pit costs more than for {cheapest}"
    return "dearer mainly for " + "; ".join(
        f"{d.label}: {format_range(d.cost)} (vs {format_range(d.cheapest_cost)})" for d in row.differences
    )


def link_summary(link: CrossLink) -> str:
    """``ext.py:12 loads csrc/a.cu, csrc/b.cpp: 3 kernels, 9 sites (pits: ...)``."""
    sources = ", ".join(link.sources) or "no scanned source"
    pits = ", ".join(link.pits) or "none"
    text = (f"{location(link.site)} loads {sources}: {plural(len(link.kernels), 'kernel')}, "
            f"{plural(len(link.findings), 'site')} (pits: {pits})")
    if link.missing:
        text += f"; not found among the scanned files: {', '.join(link.missing)}"
    return text


def link_target(link: CrossLink, report: Report, target: str) -> str:
    """What the linked kernels mean for one target: how many need a manual rewrite, and the cost."""
    manual = sum(1 for k in link.kernels if k.status_for(target) == "manual")
    title = report.target(target).info.title
    if link.kernels:
        work = f"{manual} of {plural(len(link.kernels), 'kernel')} need a manual rewrite"
    else:
        statuses = Counter(f.status_for(target) for f in link.findings)
        work = f"{statuses['manual']} manual and {statuses['review']} review sites"
    return f"{title}: {work}; {format_range(link.effort[target])}"
