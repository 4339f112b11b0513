"""One line per finding, ``path:line:col: severity rule: symbol [target status ...]``.

The shape compilers and linters print, so editors, pre-commit logs and ``grep`` read it, and a
terminal can click through to the site. Repository text goes through ``printable``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from porter.model import Finding, ScanResult
from porter.render.json_out import sort_key
from porter.render.text import printable


def line(finding: Finding, targets: Sequence[str]) -> str:
    span = finding.span
    where = f"{finding.path}:{span.line}:{span.column}"
    if finding.cell is not None:
        where = f"{finding.path}:cell {finding.cell}:{span.line}:{span.column}"
    plans = ", ".join(f"{t} {finding.status_for(t)}" for t in targets)
    return printable(f"{where}: {finding.severity} {finding.rule}: {finding.symbol} [{plans}]")


def render(result: ScanResult, stream: TextIO) -> None:
    findings = sorted(result.findings, key=sort_key)
    for finding in findings:
        stream.write(line(finding, result.targets) + "\n")
    for file in result.files:
        if file.note:
            stream.write(printable(f"{file.path}: {file.status}: {file.note}") + "\n")
    files = len({f.path for f in findings})
    suppressed = sum(len(file.suppressed) for file in result.files)
    tail = f", {suppressed} suppressed" if suppressed else ""
    stream.write(f"porter: {len(findings)} vendor-specific site(s) in {files} file(s){tail}\n")
