"""Views of a port: the unified diff, the summary a person reads, and the JSON document."""

from __future__ import annotations

from typing import Any, TextIO

from porter.model import Finding
from porter.port import PortResult, unified_diff
from porter.render.json_out import finding_json, sort_key
from porter.render.text import printable, visible


def render_diff(result: PortResult, stream: TextIO) -> None:
    """The diff as bytes-true text; on a terminal, control characters from the files (ANSI
    escapes, bidi overrides) are shown escaped so they cannot act on the terminal."""
    shown = visible if stream.isatty() else str
    for port in result.changed:
        stream.write(shown(unified_diff(port)))


def _site(finding: Finding, target: str) -> str:
    plan = finding.targets[target]
    where = f"{finding.path}:{finding.span.line}"
    if finding.cell is not None:
        where = f"{finding.path}:cell {finding.cell}:{finding.span.line}"
    why = plan.note or "no note"
    return printable(f"  {where}: {finding.symbol} [{plan.status}] {why}")


def render_summary(result: PortResult, stream: TextIO, written: tuple[str, ...] = (),
                   skipped: tuple[tuple[str, str], ...] = ()) -> None:
    """What was rewritten, what needs review, and what is left for a human (file:line, why)."""
    target = result.target
    rewritten = sum(len(f.rewritten) for f in result.files)
    review = sum(len(f.review) for f in result.files)
    leftovers = sorted((x for f in result.files for x in f.leftovers), key=sort_key)
    stream.write(
        f"porter port --target {target}: {rewritten} sites rewritten in {len(result.changed)} files, "
        f"{review} need review, {len(leftovers)} left for a human\n"
    )
    if written:
        stream.write(f"wrote {len(written)} file(s)\n")
    for path, reason in skipped:
        stream.write(printable(f"not written: {path}: {reason}") + "\n")
    for port in result.files:
        if port.note:
            stream.write(printable(f"note: {port.path}: {port.note}") + "\n")
    for file in result.notes:
        stream.write(printable(f"note: {file.path}: {file.status}: {file.note}") + "\n")
    if leftovers:
        stream.write("Left behind (vendor names still in the ported code):\n")
        for finding in leftovers:
            stream.write(_site(finding, target) + "\n")


def port_document(result: PortResult, root_label: str, written: tuple[str, ...] = ()) -> dict[str, Any]:
    target = (result.target,)
    leftovers = sorted((x for f in result.files for x in f.leftovers), key=sort_key)
    return {
        "schema_version": "1.0",
        "root": root_label,
        "target": result.target,
        "summary": {
            "files_changed": len(result.changed),
            "sites_rewritten": sum(len(f.rewritten) for f in result.files),
            "sites_review": sum(len(f.review) for f in result.files),
            "sites_manual": sum(len(f.manual) for f in result.files),
            "leftovers": len(leftovers),
        },
        "files": [
            {"path": f.path, "changed": f.changed, "note": f.note, "diff": unified_diff(f)}
            for f in result.files
        ],
        "written": list(written),
        "leftovers": [finding_json(f, target) for f in leftovers],
    }
