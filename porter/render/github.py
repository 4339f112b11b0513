"""GitHub Actions annotations: one ``::warning`` workflow command per finding.

GitHub turns these lines of a step's log into annotations on the pull request's diff. The
workflow-command syntax has no quoting, so every value is percent-escaped as the Actions runner
expects (``%``, CR and LF everywhere; ``:`` and ``,`` also inside ``key=value`` properties):
without it a file name or snippet holding a newline could end the command early and smuggle in
a command of its own (``::add-mask::``, ``::stop-commands::``) from the scanned repository.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TextIO

from porter.model import Finding
from porter.render.text import printable, visible


def escape_data(text: str) -> str:
    """Escape a command's message (after the final ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a ``key=value`` property, where ``:`` and ``,`` are syntax too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: str | int) -> str:
    """One workflow command line: ``::name key=value,...::message``."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}" if props else f"::{name}::{escape_data(message)}"


def message(finding: Finding, targets: Sequence[str]) -> str:
    """What a reviewer needs in the annotation: the site, then each target's plan and why
    (targets with the same plan share a line, so four identical notes are written once)."""
    plans: dict[str, list[str]] = {}
    for target in targets:
        plan = finding.targets.get(target)
        if plan is None:
            continue
        text = plan.status
        if plan.replacement:
            text += f" -> {plan.replacement}"
        if plan.note:
            text += f" ({plan.note})"
        plans.setdefault(text, []).append(target)
    lines = [printable(f"{finding.symbol} ({finding.rule}): {finding.snippet}")]
    lines += [f"{', '.join(names)}: {text}" for text, names in plans.items()]
    if finding.pit:
        lines.append(f"pit: {finding.pit}")
    return "\n".join(lines)


def annotation(finding: Finding, targets: Sequence[str]) -> str:
    """The finding as a warning (a notice for severity info) on its lines of its file."""
    span = finding.span
    level = "notice" if finding.severity == "info" else "warning"
    title = printable(f"porter {finding.rule}: {finding.symbol}")
    text = message(finding, targets)
    if finding.cell is not None:  # notebook lines count per cell: point at the file only
        text = f"cell {finding.cell}, line {span.line}: {text}"
        return command(level, text, file=visible(finding.path), title=title)
    return command(
        level, text, file=visible(finding.path), line=span.line, endLine=max(span.line, span.end_line),
        col=span.column, title=title,
    )


def render(findings: Iterable[Finding], targets: Sequence[str], stream: TextIO,
           summary: str | None = None) -> None:
    """Annotate every finding; ``summary`` ends the output as one notice without a location."""
    for finding in findings:
        stream.write(annotation(finding, targets) + "\n")
    if summary:
        stream.write(command("notice", summary, title="porter") + "\n")
