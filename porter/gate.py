"""``--fail-on`` thresholds for ``review`` and ``check``: when a change should fail CI.

A threshold is one of ``never``, ``any`` (any new site), ``review`` / ``manual`` (a new site
that some requested target cannot port automatically / needs hand work for), ``severity:LEVEL``
(a new site of severity LEVEL or worse: info, low, medium, high) or ``effort:DAYS`` (the
change adds more than DAYS person-days for some target, midpoint of the estimate). The option
repeats; the gate trips when any of them is met, and says which one on stderr.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from porter.model import SEVERITY_ORDER, STATUS_ORDER, Finding, Severity

Kind = Literal["never", "any", "review", "manual", "severity", "effort"]
SYNTAX = "never, any, review, manual, severity:info|low|medium|high or effort:DAYS"


@dataclass(frozen=True, slots=True)
class Threshold:
    kind: Kind
    severity: Severity | None = None
    days: float | None = None

    def __str__(self) -> str:
        if self.kind == "severity":
            return f"severity:{self.severity}"
        if self.kind == "effort":
            return f"effort:{self.days:g}"
        return self.kind


def parse_threshold(text: str) -> Threshold:
    """Read one ``--fail-on`` value; ValueError names the accepted forms."""
    name, _, value = text.strip().partition(":")
    if name in ("never", "any", "review", "manual") and not value:
        return Threshold(name)  # type: ignore[arg-type]
    if name == "severity" and value in SEVERITY_ORDER:
        return Threshold("severity", severity=value)  # type: ignore[arg-type]
    if name == "effort":
        try:
            days = float(value)
        except ValueError:
            days = -1.0
        if days >= 0:
            return Threshold("effort", days=days)
    raise ValueError(f"bad --fail-on value {text!r}: use {SYNTAX}")


def _worst_site(findings: Sequence[Finding], targets: Sequence[str], floor: int) -> str | None:
    hits = [(f, t) for f in findings for t in targets if STATUS_ORDER.index(f.status_for(t)) >= floor]
    if not hits:
        return None
    finding, target = hits[0]
    sites = len({f.id for f, _ in hits})
    needs = " or ".join(STATUS_ORDER[floor:])
    return (f"{sites} site(s) need {needs} work, first {finding.path}:{finding.span.line} "
            f"{finding.symbol} ({target})")


def tripped(
    threshold: Threshold,
    findings: Sequence[Finding],
    targets: Sequence[str],
    effort_days: Mapping[str, float],
) -> str | None:
    """Why ``threshold`` is met by these (new) findings, or None when it is not."""
    if threshold.kind == "any" and findings:
        return f"{len(findings)} new site(s)"
    if threshold.kind in ("review", "manual"):
        return _worst_site(findings, targets, STATUS_ORDER.index(threshold.kind))
    if threshold.kind == "severity" and threshold.severity is not None:
        floor = SEVERITY_ORDER.index(threshold.severity)
        worse = [f for f in findings if SEVERITY_ORDER.index(f.severity) >= floor]
        if worse:
            return f"{len(worse)} site(s) of severity {threshold.severity} or worse"
    if threshold.kind == "effort" and threshold.days is not None:
        over = {t: d for t, d in effort_days.items() if d > threshold.days}
        if over:
            target, days = max(over.items(), key=lambda item: item[1])
            return f"{days:.3g} person-days added for {target} (limit {threshold.days:g})"
    return None


def check(
    thresholds: Sequence[Threshold],
    findings: Sequence[Finding],
    targets: Sequence[str],
    effort_days: Mapping[str, float],
) -> list[str]:
    """One line per threshold that is met, naming the threshold and why."""
    lines = []
    for threshold in thresholds:
        why = tripped(threshold, findings, targets, effort_days)
        if why:
            lines.append(f"--fail-on {threshold}: {why}")
    return lines
