"""SARIF 2.1.0 output, shaped for GitHub code scanning.

One rule per porter rule id (described from the mapping families and the pits its findings
carry), one result per finding with a 1-based region, the severity as the level, and the stable
finding id as the partial fingerprint, so code scanning tracks a site across line moves. Findings
silenced by an inline suppression comment are kept as suppressed results, as SARIF intends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from porter.effort import DEFAULT_CONFIG, EffortConfig, SiteCost
from porter.model import SEVERITY_ORDER, Finding, ScanResult, Severity
from porter.pits import Pit
from porter.render.markdown import md
from porter.render.text import json_text
from porter.report import Report, build_report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The partial fingerprint key: versioned, so a change of fingerprint scheme is visible.
FINGERPRINT = "porterFindingId/v1"
LEVEL: Mapping[Severity, str] = {"info": "note", "low": "note", "medium": "warning", "high": "error"}


def _rule_name(rule: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule) if part)


def _rule(rule: str, findings: list[Finding], report: Report) -> dict[str, Any]:
    families = sorted({report.family_titles.get(f.family, f.family) for f in findings})
    pits: list[Pit] = list({p.id: p for f in findings if (p := report.pit_of(f))}.values())
    targets = report.result.targets
    short = f"{', '.join(families)}: NVIDIA-specific code"
    text = [short + "."]
    markdown = [md(short) + "."]
    for pit in pits:
        text += ["", f"{pit.title}: {pit.why}"]
        markdown += ["", f"**{md(pit.title)}**: {md(pit.why)}", ""]
        for target in targets:
            plan = report.config.pit_target(pit, target)
            text.append(f"- {target} ({plan.severity}): {plan.advice}")
            docs = ", ".join(f"[{md(link.title)}]({link.url})" for link in plan.links)
            markdown.append(f"- **{md(target)}** ({plan.severity}): {md(plan.advice)} {docs}".rstrip())
    worst = max((f.severity for f in findings), key=SEVERITY_ORDER.index)
    rule_json: dict[str, Any] = {
        "id": rule,
        "name": _rule_name(rule),
        "shortDescription": {"text": short},
        "fullDescription": {"text": f"{short}. {pits[0].title}: {pits[0].why}" if pits else f"{short}."},
        "help": {"text": "\n".join(text), "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": LEVEL[worst]},
        "properties": {
            "tags": sorted({"portability", "vendor-lock-in", *(p.category for p in pits)}),
            "precision": "high",
            "pits": [p.id for p in pits],
        },
    }
    links = [link.url for pit in pits for link in pit.targets[targets[0]].links]
    if links:
        rule_json["helpUri"] = links[0]
    return rule_json


def _message(finding: Finding, targets: tuple[str, ...]) -> str:
    parts = []
    for target in targets:
        plan = finding.targets.get(target)
        if plan is None:
            continue
        part = f"{target}: {plan.status}"
        if plan.replacement:
            part += f" -> {plan.replacement}"
        parts.append(part)
    return f"{finding.symbol} is NVIDIA-specific ({'; '.join(parts)})."


def _result(
    finding: Finding, rule_index: Mapping[str, int], report: Report,
    sites: Mapping[str, Mapping[str, SiteCost]], suppressed: bool,
) -> dict[str, Any]:
    span = finding.span
    targets = report.result.targets
    pit = report.pit_of(finding)
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": LEVEL[finding.severity],
        "message": {"text": _message(finding, targets)},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": quote(finding.path, safe="/", errors="surrogateescape"), "uriBaseId": "%SRCROOT%"},
                "region": {
                    "startLine": span.line,
                    "startColumn": span.column,
                    "endLine": span.end_line,
                    "endColumn": span.end_column,
                    "snippet": {"text": finding.snippet},
                },
            },
        }],
        "partialFingerprints": {FINGERPRINT: finding.id},
        "properties": {
            "symbol": finding.symbol,
            "family": finding.family,
            "pit": pit.id if pit else None,
            "cell": finding.cell,
            "targets": {
                t: {"status": plan.status, "replacement": plan.replacement, "note": plan.note}
                for t in targets if (plan := finding.targets.get(t)) is not None
            },
            "effort": {
                t: {"low": round(site.cost.low, 3), "high": round(site.cost.high, 3)}
                for t in targets if (site := sites[t].get(finding.id)) is not None
            },
        },
    }
    if suppressed:
        result["suppressions"] = [{"kind": "inSource", "justification": "porter: ignore comment"}]
    return result


def sarif_document(report: Report) -> dict[str, Any]:
    suppressed = [f for file in report.result.files for f in file.suppressed]
    everything = [*report.findings, *suppressed]
    by_rule: dict[str, list[Finding]] = {}
    for finding in everything:
        by_rule.setdefault(finding.rule, []).append(finding)
    rules = sorted(by_rule)
    rule_index = {rule: n for n, rule in enumerate(rules)}
    sites = {view.id: view.effort.sites for view in report.targets}
    results = [_result(f, rule_index, report, sites, False) for f in report.findings]
    results += [_result(f, rule_index, report, sites, True) for f in suppressed]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "porter",
                "version": report.tool_version,
                "rules": [_rule(rule, by_rule[rule], report) for rule in rules],
            }},
            "automationDetails": {"id": f"porter/{'+'.join(report.result.targets)}/"},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {
                "targets": list(report.result.targets),
                "effort": {
                    view.id: {"low": round(view.effort.total.low, 3), "high": round(view.effort.total.high, 3)}
                    for view in report.targets
                },
            },
        }],
    }


def render_report(report: Report) -> str:
    return json_text(json.dumps(sarif_document(report), indent=2, ensure_ascii=False)) + "\n"


def render(result: ScanResult, root_label: str, *, config: EffortConfig = DEFAULT_CONFIG) -> str:
    """SARIF for a scan (or any findings wrapped as one, as ``porter review`` does)."""
    return render_report(build_report(result, root_label=root_label, config=config))
