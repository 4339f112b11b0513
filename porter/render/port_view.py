"""Views of a port: the unified diff, the summary a person reads, and the JSON document."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, TextIO

from porter.model import Finding
from porter.port import FilePort, PortResult, unified_diff
from porter.render.json_out import finding_json, sort_key
from porter.render.text import printable, visible
from porter.shim import EFFECTS, ShimPort, ShimSite


def render_diff(result: PortResult, stream: TextIO) -> None:
    """The diff as bytes-true text; on a terminal, control characters from the files (ANSI
    escapes, bidi overrides) are shown escaped so they cannot act on the terminal."""
    shown = visible if stream.isatty() else str
    for port in result.changed:
        stream.write(shown(unified_diff(port)))


def _grouped(rows: list[tuple[str, int | None, int, str, str]]) -> list[str]:
    """One line per file and reason from (path, cell, line, name, reason) rows:
    ``path:4,7,13: CUDA, CMAKE_CUDA_STANDARD [manual] why``.

    A build file can hold twenty sites with the same note; listing each on its own line buried
    the few that differ, so sites of one file (or notebook cell) with the same reason share a
    line, which keeps every line number.
    """
    groups: dict[tuple[str, int | None, str], tuple[list[int], list[str]]] = {}
    for path, cell, line, name, reason in rows:
        lines, names = groups.setdefault((path, cell, reason), ([], []))
        if line not in lines:
            lines.append(line)
        if name not in names:
            names.append(name)
    out = []
    for (path, cell, reason), (lines, names) in groups.items():
        where = f"{path}:{'' if cell is None else f'cell {cell}:'}{','.join(map(str, lines))}"
        shown = ", ".join(names[:_NAMES_SHOWN])
        if len(names) > _NAMES_SHOWN:
            shown += f" and {len(names) - _NAMES_SHOWN} more"
        out.append(printable(f"  {where}: {shown} {reason}"))
    return out


def _finding_rows(findings: list[Finding], target: str) -> list[tuple[str, int | None, int, str, str]]:
    rows = []
    for finding in sorted(findings, key=sort_key):
        plan = finding.targets[target]
        reason = f"[{plan.status}] {plan.note or 'no note'}"
        rows.append((finding.path, finding.cell, finding.span.line, finding.symbol, reason))
    return rows


#: How many names a grouped summary line spells out (its line numbers are all kept).
_NAMES_SHOWN = 6


def _counts(result: PortResult) -> dict[str, int]:
    """The numbers the summary line and the JSON summary share."""
    target = result.target
    leftovers = [x for f in result.files for x in f.leftovers]
    return {
        "files_changed": len(result.changed),
        "sites_rewritten": sum(len(f.rewritten) for f in result.files),
        "sites_rewritten_review": sum(
            1 for f in result.files for x in f.rewritten if x.targets[target].status == "review"
        ),
        "sites_review": sum(len(f.review) for f in result.files),
        "sites_manual": sum(len(f.manual) for f in result.files),
        "leftovers": len(leftovers),
        "leftover_files": len({x.path for x in leftovers}),
    }


def _write_outcome(stream: TextIO, written: tuple[str, ...], skipped: tuple[tuple[str, str], ...],
                   files: Iterable[FilePort]) -> None:
    """What a port wrote, what it refused to write, and each file's own note."""
    if written:
        stream.write(f"wrote {len(written)} file(s)\n")
    for path, reason in skipped:
        stream.write(printable(f"not written: {path}: {reason}") + "\n")
    for port in files:
        if port.note:
            stream.write(printable(f"note: {port.path}: {port.note}") + "\n")


def render_summary(result: PortResult, stream: TextIO, written: tuple[str, ...] = (),
                   skipped: tuple[tuple[str, str], ...] = ()) -> None:
    """What was rewritten, which edits to review, and what is left for a human (file:line, why)."""
    target = result.target
    counts = _counts(result)
    leftovers = [x for f in result.files for x in f.leftovers]
    review = counts["sites_rewritten_review"]
    to_review = f" ({review} of them to review: read those edits in the diff)" if review else ""
    stream.write(
        f"porter port --target {target}: {counts['sites_rewritten']} sites rewritten in "
        f"{counts['files_changed']} files{to_review}; {counts['leftovers']} sites left for a "
        f"human in {counts['leftover_files']} files\n"
    )
    _write_outcome(stream, written, skipped, result.files)
    for file in result.notes:
        stream.write(printable(f"note: {file.path}: {file.status}: {file.note}") + "\n")
    if leftovers:
        stream.write("Left for a human (vendor names still in the ported code; file:lines, why):\n")
        for line in _grouped(_finding_rows(leftovers, target)):
            stream.write(line + "\n")


def port_document(result: PortResult, root_label: str, written: tuple[str, ...] = ()) -> dict[str, Any]:
    target = (result.target,)
    leftovers = sorted((x for f in result.files for x in f.leftovers), key=sort_key)
    return {
        "schema_version": "1.0",
        "root": root_label,
        "target": result.target,
        "style": "rewrite",
        "summary": _counts(result),
        "files": [
            {"path": f.path, "changed": f.changed, "note": f.note, "diff": unified_diff(f)}
            for f in result.files
        ],
        "written": list(written),
        "leftovers": [finding_json(f, target) for f in leftovers],
    }


#: The shim effects a person must act on, in the order the summary lists them.
_SHIM_SECTIONS = (
    ("uncovered", "Not covered by the shim (left for a human)"),
    ("changed", "Changed silently by the shim"),
    ("check", "Covered only where the value reaches a patched function (check)"),
)


def _shim_reason(site: ShimSite) -> str:
    fix = f" Port: {site.fix}" if site.effect == "uncovered" and site.fix else ""
    return f"{site.note}{fix}"


def render_shim_summary(shimmed: ShimPort, stream: TextIO, written: tuple[str, ...] = (),
                        skipped: tuple[tuple[str, str], ...] = ()) -> None:
    """Where the shim was imported, and each site it leaves, changes or covers only in part."""
    port, shim = shimmed.port, shimmed.shim
    added = [f.path for f in port.changed]
    where = f" ({', '.join(added)})" if added else ""
    stream.write(printable(
        f"porter port --target {port.target} --style shim: {shim.name} imported in {len(added)} "
        f"file(s){where}; of {len(shimmed.sites)} sites, {shimmed.count('covered')} covered at run time, "
        f"{shimmed.count('check')} to check, {shimmed.count('changed')} changed silently, "
        f"{shimmed.count('uncovered')} not covered (left for a human)"
    ) + "\n")
    already = [p for p in shimmed.entry_points if p not in added]
    if already:
        stream.write(printable(f"already importing {shim.name}: {', '.join(already)}") + "\n")
    _write_outcome(stream, written, skipped, port.files)
    for path in shimmed.notebooks:
        lines = " and ".join(f"`{line}`" for line in shim.imports)
        stream.write(printable(f"note: {path}: notebooks are not edited; add {lines} to its first code cell") + "\n")
    for file in port.notes:
        stream.write(printable(f"note: {file.path}: {file.status}: {file.note}") + "\n")
    for effect, title in _SHIM_SECTIONS:
        chosen = [(s.path, s.cell, s.line, s.symbol, _shim_reason(s))
                  for s in shimmed.sites if s.effect == effect and s.python]
        if chosen:
            stream.write(f"{title}:\n")
            for line in _grouped(chosen):
                stream.write(line + "\n")
    outside = Counter(s.path for s in shimmed.sites if not s.python)
    if outside:
        stream.write("Outside Python, where no runtime patch reaches (porter port --style rewrite plans them):\n")
        for path, count in sorted(outside.items()):
            stream.write(printable(f"  {path}: {count} site(s)") + "\n")


def shim_document(shimmed: ShimPort, root_label: str, written: tuple[str, ...] = ()) -> dict[str, Any]:
    port, shim = shimmed.port, shimmed.shim
    return {
        "schema_version": "1.0",
        "root": root_label,
        "target": port.target,
        "style": "shim",
        "shim": {"name": shim.name, "imports": list(shim.imports), "source": shim.source,
                 "patches": list(shim.patches)},
        "summary": {
            "files_changed": len(port.changed),
            "entry_points": list(shimmed.entry_points),
            "sites": len(shimmed.sites),
            **{effect: shimmed.count(effect) for effect in EFFECTS},
        },
        "files": [
            {"path": f.path, "changed": f.changed, "note": f.note, "diff": unified_diff(f)}
            for f in port.files
        ],
        "written": list(written),
        "notebooks": list(shimmed.notebooks),
        "sites": [
            {"path": s.path, "cell": s.cell, "line": s.line, "column": s.column, "symbol": s.symbol,
             "python": s.python, "effect": s.effect, "rule": s.rule, "note": s.note, "fix": s.fix,
             "finding_id": s.finding_id}
            for s in shimmed.sites
        ],
    }
