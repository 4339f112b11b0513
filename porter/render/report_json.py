"""The JSON report: the scan document (``scan.schema.json``) plus effort, pits, links and comparison.

Described by ``schemas/report.schema.json``, which extends the scan schema, so any consumer of
``porter scan --format json`` reads a report too. Numbers are rounded to three decimals and
everything is sorted, so the same input gives byte-identical output.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
from referencing import Registry, Resource

from porter.effort import EffortConfig, Range, TargetEffort, format_range
from porter.mappings import _schema
from porter.render.json_out import dumps, scan_document
from porter.report import CrossLink, PitView, Report, TargetView


def _num(value: float) -> float:
    return round(value, 3)


def _range(effort: Range) -> dict[str, float]:
    return {"low": _num(effort.low), "high": _num(effort.high)}


def _model(config: EffortConfig) -> dict[str, Any]:
    """The parameters the estimate used, so a reader can redo or challenge the arithmetic."""
    return {
        "status": {
            status: {"site": [_num(c.site.low), _num(c.site.high)], "weight": c.weight}
            for status, c in config.status.items()
        },
        "severity": dict(config.severity_weight),
        "scale": {
            "full_sites": config.full_sites,
            "reference_lines": config.reference_lines,
            "size_exponent": config.size_exponent,
            "min_size_factor": config.min_size_factor,
        },
    }


def _target(view: TargetView) -> dict[str, Any]:
    effort: TargetEffort = view.effort
    return {
        **_range(effort.total),
        "display": format_range(effort.total),
        "sites": sum(view.summary.statuses.values()),
        "actionable": view.summary.actionable,
        "automatic_share": _num(view.summary.automatic_share),
        "statuses": dict(view.summary.statuses),
        "pits_by_severity": dict(view.pits_by_severity),
        "pits": [
            {
                "key": p.key,
                "pit": p.pit.id if p.pit else None,
                "label": p.label,
                "severity": p.severity,
                "sites": len(p.sites),
                "base": _range(p.base),
                "site_cost": _range(p.site_cost),
                **_range(p.total),
            }
            for p in effort.pits
        ],
        "files": [{"path": path, **_range(cost)} for path, cost in effort.files.items()],
        "drivers": [
            {"kind": d.kind, "name": d.name, "label": d.label, **_range(d.cost), "share": _num(d.share)}
            for d in effort.drivers
        ],
    }


def _pit(view: PitView) -> dict[str, Any]:
    pit = view.pit
    return {
        "id": pit.id,
        "title": pit.title,
        "category": pit.category,
        "why": pit.why,
        "sites": len(view.findings),
        "files": list(view.files),
        "findings": [f.id for f in view.findings],
        "targets": {
            t.target: {
                "severity": t.plan.severity,
                "base": list(t.plan.base),
                "per_site": list(t.plan.per_site),
                "advice": t.plan.advice,
                "links": [{"title": link.title, "url": link.url} for link in t.plan.links],
                "statuses": dict(t.statuses),
                **_range(t.cost),
            }
            for t in view.targets
        },
    }


def _link(link: CrossLink) -> dict[str, Any]:
    return {
        "finding": link.site.id,
        "path": link.site.path,
        "line": link.site.span.line,
        "sources": list(link.sources),
        "missing": list(link.missing),
        "findings": [f.id for f in link.findings],
        "kernels": [f.id for f in link.kernels],
        "pits": list(link.pits),
        "effort": {target: _range(cost) for target, cost in link.effort.items()},
    }


def report_document(report: Report) -> dict[str, Any]:
    document = scan_document(report.result, report.root)
    document["effort"] = {
        "unit": "person-days",
        "model": _model(report.config),
        "targets": {view.id: _target(view) for view in report.targets},
    }
    document["pits"] = [_pit(view) for view in report.pits]
    document["links"] = [_link(link) for link in report.links]
    document["comparison"] = {
        "cheapest": report.comparison.cheapest,
        "ranking": [
            {
                "target": row.target,
                **_range(row.total),
                "automatic_share": _num(row.automatic_share),
                "differences": [
                    {"pit": d.key, "label": d.label, **_range(d.cost),
                     "cheapest": _range(d.cheapest_cost)}
                    for d in row.differences
                ],
            }
            for row in report.comparison.rows
        ],
    }
    return document


def render(report: Report) -> str:
    return dumps(report_document(report))


@functools.cache
def report_validator() -> jsonschema.Draft202012Validator:
    """A validator for report documents, resolving the scan schema it extends from the package."""
    scan = _schema("scan.schema.json")
    registry = Registry().with_resource(scan["$id"], Resource.from_contents(scan))
    return jsonschema.Draft202012Validator(_schema("report.schema.json"), registry=registry)
