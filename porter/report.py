"""The report model: everything ``porter report`` shows, computed once from a scan.

Renderers (table, Markdown, HTML, JSON, SARIF) only format this model; they never count, price
or look at files themselves, so every format shows the same numbers. The model answers the
questions of the person deciding a port: per target how many sites, how much is automatic, which
pits and how bad, how many person-days and why; which target is cheapest; and which Python call
sites pull in which CUDA kernels (cross-layer links).
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from porter import __version__
from porter.effort import DEFAULT_CONFIG, EffortConfig, Range, TargetEffort, estimate
from porter.mappings import MappingTables, TargetInfo, default_tables
from porter.model import (
    SEVERITY_ORDER,
    STATUS_ORDER,
    FileResult,
    Finding,
    ScanResult,
    Severity,
    Status,
)
from porter.pits import CATEGORIES, Pit, PitCatalog, PitTarget, default_catalog
from porter.render.json_out import sort_key
from porter.summary import Summary, TargetSummary, summarize


@dataclass(frozen=True, slots=True)
class TargetView:
    """The one-screen summary of one target."""

    info: TargetInfo
    summary: TargetSummary
    effort: TargetEffort
    pits_by_severity: Mapping[Severity, int]

    @property
    def id(self) -> str:
        return self.info.id


@dataclass(frozen=True, slots=True)
class PitTargetView:
    target: str
    plan: PitTarget
    statuses: Mapping[Status, int]
    cost: Range


@dataclass(frozen=True, slots=True)
class PitView:
    """One pit found in the repository: its sites, and per target its weight and advice."""

    pit: Pit
    findings: tuple[Finding, ...]
    targets: tuple[PitTargetView, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.path for f in self.findings))


@dataclass(frozen=True, slots=True)
class FileView:
    file: FileResult
    findings: tuple[Finding, ...]
    effort: Mapping[str, Range]


@dataclass(frozen=True, slots=True)
class CrossLink:
    """A Python site that builds or loads native sources, and what those sources carry."""

    site: Finding
    sources: tuple[str, ...]
    missing: tuple[str, ...]
    findings: tuple[Finding, ...]
    kernels: tuple[Finding, ...]
    pits: tuple[str, ...]
    effort: Mapping[str, Range]


@dataclass(frozen=True, slots=True)
class PitDifference:
    key: str
    label: str
    cost: Range
    cheapest_cost: Range


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    target: str
    total: Range
    automatic_share: float
    differences: tuple[PitDifference, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Targets from cheapest to dearest, and per target the pits that make it dearer."""

    rows: tuple[ComparisonRow, ...]

    @property
    def cheapest(self) -> str:
        return self.rows[0].target


@dataclass(frozen=True, slots=True)
class Report:
    root: str
    tool_version: str
    result: ScanResult
    summary: Summary
    targets: tuple[TargetView, ...]
    pits: tuple[PitView, ...]
    files: tuple[FileView, ...]
    links: tuple[CrossLink, ...]
    comparison: Comparison
    findings: tuple[Finding, ...]
    catalog: PitCatalog
    config: EffortConfig
    #: Mapping family name -> title, for rule descriptions (SARIF).
    family_titles: Mapping[str, str]

    def target(self, target_id: str) -> TargetView:
        return next(view for view in self.targets if view.id == target_id)

    def pit_of(self, finding: Finding) -> Pit | None:
        return self.catalog.pit_for(finding)

    @property
    def categories(self) -> tuple[str, ...]:
        """The pit categories present, in catalog order."""
        present = {view.pit.category for view in self.pits}
        return tuple(c for c in CATEGORIES if c in present)

    def category_cost(self, target: str, category: str) -> Range:
        return Range.total(
            tv.cost for view in self.pits if view.pit.category == category
            for tv in view.targets if tv.target == target
        )


#: Source files a native extension compiles, as they appear quoted in a call's snippet.
_SOURCE_IN_SNIPPET = re.compile(r"""["']([^"'\s]+\.(?:cu|cuh|cpp|cc|cxx|c|h|hpp|hip))["']""")
#: The pit whose sites build or load native sources (CUDAExtension, cpp_extension.load).
EXTENSION_PIT = "cpp-extensions"


def _link_names(finding: Finding, catalog: PitCatalog) -> tuple[str, ...]:
    """The files a site pulls in: the frontend's ``links``, else quoted sources in its snippet.

    The snippet fallback serves extension sites (those the extension pit's detect patterns
    match, whatever pit their entry names) whose sources sit on the reported line; renderers
    never re-read source files.
    """
    if finding.links:
        return finding.links
    extension = catalog.get(EXTENSION_PIT)
    if extension is not None and (catalog.pit_for(finding) is extension or extension.detects(finding)):
        return tuple(dict.fromkeys(_SOURCE_IN_SNIPPET.findall(finding.snippet)))
    return ()


def _resolve(name: str, site_path: str, scanned: set[str]) -> str | None:
    """A linked name as a scanned path: relative to the site's folder first, then to the root."""
    name = name.replace("\\", "/")
    for candidate in (posixpath.join(posixpath.dirname(site_path), name), name):
        path = posixpath.normpath(candidate)
        if path in scanned:
            return path
    return None


def _cross_links(
    findings: tuple[Finding, ...], files: tuple[FileResult, ...], efforts: Mapping[str, TargetEffort],
    catalog: PitCatalog,
) -> tuple[CrossLink, ...]:
    scanned = {file.path for file in files}
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    links = []
    for site in findings:
        names = _link_names(site, catalog)
        if not names:
            continue
        resolved = {name: _resolve(name, site.path, scanned) for name in names}
        sources = tuple(dict.fromkeys(p for p in resolved.values() if p))
        linked = tuple(f for path in sources for f in by_path.get(path, ()))
        kernels = tuple(f for f in linked if (pit := catalog.pit_for(f)) and pit.is_unit(f))
        pits = tuple(dict.fromkeys(p.id for f in linked if (p := catalog.pit_for(f))))
        effort = {
            target: Range.total(te.files.get(path, Range()) for path in sources)
            for target, te in efforts.items()
        }
        links.append(CrossLink(
            site=site,
            sources=sources,
            missing=tuple(name for name, path in resolved.items() if path is None),
            findings=linked,
            kernels=kernels,
            pits=pits,
            effort=effort,
        ))
    return tuple(links)


def _pit_views(
    findings: tuple[Finding, ...], targets: tuple[str, ...], efforts: Mapping[str, TargetEffort],
    catalog: PitCatalog, config: EffortConfig,
) -> tuple[PitView, ...]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        pit = catalog.pit_for(finding)
        if pit is not None:
            grouped.setdefault(pit.id, []).append(finding)
    views = []
    for pit in catalog:
        members = grouped.get(pit.id)
        if not members:
            continue
        per_target = []
        for target in targets:
            counts = Counter(f.status_for(target) for f in members)
            cost = next((p.total for p in efforts[target].pits if p.key == pit.id), Range())
            per_target.append(PitTargetView(
                target=target,
                plan=config.pit_target(pit, target),
                statuses={s: counts.get(s, 0) for s in STATUS_ORDER},
                cost=cost,
            ))
        views.append(PitView(pit, tuple(members), tuple(per_target)))
    dearest = {v.pit.id: max((t.cost.mid for t in v.targets), default=0.0) for v in views}
    return tuple(sorted(views, key=lambda v: (-dearest[v.pit.id], v.pit.id)))


def _comparison(views: tuple[TargetView, ...]) -> Comparison:
    ordered = sorted(views, key=lambda v: (v.effort.total.mid, v.effort.total.high, v.id))
    cheapest = ordered[0].effort
    cheapest_pits = {p.key: p.total for p in cheapest.pits}
    rows = []
    for view in ordered:
        differences = []
        for pit_cost in view.effort.pits:
            other = cheapest_pits.get(pit_cost.key, Range())
            if pit_cost.total.mid > other.mid:
                differences.append(PitDifference(pit_cost.key, pit_cost.label, pit_cost.total, other))
        differences.sort(key=lambda d: (-(d.cost.mid - d.cheapest_cost.mid), d.key))
        rows.append(ComparisonRow(view.id, view.effort.total, view.summary.automatic_share,
                                  tuple(differences[:3])))
    return Comparison(tuple(rows))


def build_report(
    result: ScanResult,
    *,
    root_label: str,
    catalog: PitCatalog | None = None,
    config: EffortConfig = DEFAULT_CONFIG,
    tables: MappingTables | None = None,
) -> Report:
    """The whole report for a scan; pure: the same scan and config give the same report."""
    catalog = catalog or default_catalog()
    tables = tables or default_tables()
    findings = tuple(sorted(result.findings, key=sort_key))
    summary = summarize(result, findings)
    efforts = estimate(result, catalog=catalog, config=config)
    target_views = []
    for target_summary in summary.targets:
        effort = efforts[target_summary.target]
        severities = Counter(p.severity for p in effort.pits if p.pit is not None)
        target_views.append(TargetView(
            info=tables.target(target_summary.target),
            summary=target_summary,
            effort=effort,
            pits_by_severity={s: severities.get(s, 0) for s in reversed(SEVERITY_ORDER)},
        ))
    views = tuple(target_views)
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    file_views = tuple(
        FileView(
            file=file,
            findings=tuple(by_path.get(file.path, ())),
            effort={t: efforts[t].files.get(file.path, Range()) for t in result.targets},
        )
        for file in result.files
        if file.path in by_path or file.note
    )
    return Report(
        root=root_label,
        tool_version=__version__,
        result=result,
        summary=summary,
        targets=views,
        pits=_pit_views(findings, result.targets, efforts, catalog, config),
        files=file_views,
        links=_cross_links(findings, result.files, efforts, catalog),
        comparison=_comparison(views),
        findings=findings,
        catalog=catalog,
        config=config,
        family_titles={family.name: family.title for family in tables.families},
    )
