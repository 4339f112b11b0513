"""Counts over a scan, computed once and shared by every renderer (renderers never re-count)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from porter.model import STATUS_ORDER, Finding, ScanResult, Status


@dataclass(frozen=True, slots=True)
class TargetSummary:
    """How the sites of a scan split by status for one target."""

    target: str
    statuses: dict[Status, int]

    @property
    def actionable(self) -> int:
        """Sites that need any change at all for this target."""
        return sum(n for status, n in self.statuses.items() if status != "not-needed")

    @property
    def automatic_share(self) -> float:
        """Fraction of the actionable sites porter rewrites on its own (``auto``)."""
        return self.statuses["auto"] / self.actionable if self.actionable else 1.0


@dataclass(frozen=True, slots=True)
class Summary:
    findings: int
    targets: tuple[TargetSummary, ...]
    languages: dict[str, int]
    families: dict[str, int]
    files: dict[str, int]
    files_with_findings: dict[str, int]


def _sorted_counts(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def summarize(result: ScanResult, findings: tuple[Finding, ...] | None = None) -> Summary:
    """Counts per target and status, per language, per family, per file status."""
    findings = result.findings if findings is None else findings
    per_target = []
    for target in result.targets:
        counts: Counter[Status] = Counter(f.status_for(target) for f in findings)
        per_target.append(TargetSummary(target, {s: counts.get(s, 0) for s in STATUS_ORDER}))
    file_status = Counter(file.status for file in result.files)
    return Summary(
        findings=len(findings),
        targets=tuple(per_target),
        languages=_sorted_counts(Counter(f.language for f in findings)),
        families=_sorted_counts(Counter(f.family for f in findings)),
        files={s: file_status.get(s, 0) for s in ("scanned", "partial", "skipped", "error")},
        files_with_findings=_sorted_counts(Counter(f.path for f in findings)),
    )
