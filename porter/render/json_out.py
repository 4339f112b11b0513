"""The JSON report: the machine-readable contract, described by ``schemas/scan.schema.json``.

Output is deterministic: findings sorted by place, keys in a fixed order, no timestamps, so the
same input gives byte-identical JSON (golden tests and CI diffs rely on it).
"""

from __future__ import annotations

import json
from typing import Any

from porter import __version__
from porter.model import Finding, ScanResult
from porter.render.text import json_text
from porter.summary import summarize

SCHEMA_VERSION = "1.0"


def finding_json(finding: Finding, targets: tuple[str, ...]) -> dict[str, Any]:
    span = finding.span
    return {
        "id": finding.id,
        "rule": finding.rule,
        "symbol": finding.symbol,
        "family": finding.family,
        "language": finding.language,
        "path": finding.path,
        "cell": finding.cell,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "snippet": finding.snippet,
        "severity": finding.severity,
        "pit": finding.pit,
        "targets": {
            target: {
                "status": plan.status,
                "replacement": plan.replacement,
                "note": plan.note,
            }
            for target in targets
            if (plan := finding.targets.get(target)) is not None
        },
    }


def sort_key(finding: Finding) -> tuple[Any, ...]:
    return (finding.path, finding.cell or 0, finding.span.line, finding.span.column, finding.rule,
            finding.symbol, finding.id)


def scan_document(result: ScanResult, root_label: str) -> dict[str, Any]:
    """The JSON document as a dict (other commands extend it, e.g. with leftovers)."""
    summary = summarize(result)
    findings = sorted(result.findings, key=sort_key)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "porter", "version": __version__},
        "root": root_label,
        "targets": list(result.targets),
        "summary": {
            "findings": summary.findings,
            "targets": {t.target: dict(t.statuses) for t in summary.targets},
            "languages": summary.languages,
            "families": summary.families,
            "files": summary.files,
        },
        "files": [
            {"path": f.path, "language": f.language, "status": f.status, "lines": f.lines, "note": f.note}
            for f in result.files
        ],
        "findings": [finding_json(f, result.targets) for f in findings],
    }


def dumps(document: dict[str, Any]) -> str:
    return json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def render(result: ScanResult, root_label: str) -> str:
    return dumps(scan_document(result, root_label))
