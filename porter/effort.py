"""The effort model: person-day ranges per target, from findings, their pits and their statuses.

The model is documented for users in ``docs/effort-model.md``; in short, for one target:

* every site that needs work costs its **status** range (``auto`` = reviewing porter's edit,
  ``review`` = checking and finishing it, ``manual`` = doing it by hand), scaled by the severity
  of its pit for that target;
* a site with a pit also pays the pit's **per-site** range, scaled by the status weight (porter
  doing the edit leaves less of the pit's work); in a pit measured in sized units (kernel
  definitions), only the units pay it, scaled by their length in lines;
* within one pit, the first few sites pay in full and later ones less and less (the second
  hundred ``cudaMalloc`` calls are not new work);
* each pit that needs any work pays its **base** range once (learning the target's way, setting
  up the toolchain, validating), scaled by the weight of its dearest status.

Everything is a range and stays one: sums of lows and sums of highs, never a single number.
"""

from __future__ import annotations

import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from porter.mappings import MappingError, _read_yaml, _schema, _validate
from porter.model import (
    SEVERITY_FOR_STATUS,
    SEVERITY_ORDER,
    STATUS_ORDER,
    Finding,
    ScanResult,
    Severity,
    Status,
    worst_status,
)
from porter.pits import Pit, PitCatalog, PitTarget

#: Statuses that cost anything, cheapest first (every status but ``not-needed``).
WORK_STATUSES: tuple[Status, ...] = STATUS_ORDER[1:]


class EffortConfigError(MappingError):
    """An ``--effort-config`` file is malformed; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Range:
    """A low/high estimate in person-days; low never exceeds high."""

    low: float = 0.0
    high: float = 0.0

    def __post_init__(self) -> None:
        if self.low < 0 or self.low > self.high:
            raise ValueError(f"invalid range [{self.low}, {self.high}]")

    def __add__(self, other: Range) -> Range:
        return Range(self.low + other.low, self.high + other.high)

    def scaled(self, factor: float) -> Range:
        return Range(self.low * factor, self.high * factor)

    @property
    def mid(self) -> float:
        return (self.low + self.high) / 2

    @classmethod
    def of(cls, pair: tuple[float, float] | list[float]) -> Range:
        return cls(float(pair[0]), float(pair[1]))

    @classmethod
    def total(cls, ranges: Iterable[Range]) -> Range:
        low = high = 0.0
        for item in ranges:
            low += item.low
            high += item.high
        return cls(low, high)


@dataclass(frozen=True, slots=True)
class StatusCost:
    """What a site of one status costs: its own range, and the share of its pit's costs."""

    site: Range
    weight: float


@dataclass(frozen=True, slots=True)
class PitOverride:
    base: tuple[float, float] | None = None
    per_site: tuple[float, float] | None = None
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class EffortConfig:
    """The model's parameters; ``DEFAULT_CONFIG`` holds the shipped ones."""

    status: Mapping[Status, StatusCost]
    severity_weight: Mapping[Severity, float]
    full_sites: int = 3
    reference_lines: int = 60
    size_exponent: float = 0.7
    min_size_factor: float = 0.5
    #: Per pit: overrides for every target (key None) and per target id.
    pits: Mapping[str, Mapping[str | None, PitOverride]] = field(default_factory=dict)

    def pit_target(self, pit: Pit, target: str) -> PitTarget:
        """The pit's figures for ``target`` with this config's overrides applied."""
        plan = pit.targets[target]
        overrides = self.pits.get(pit.id, {})
        for key in (None, target):
            override = overrides.get(key)
            if override is not None:
                plan = dataclasses.replace(
                    plan,
                    base=override.base or plan.base,
                    per_site=override.per_site or plan.per_site,
                    severity=override.severity or plan.severity,
                )
        return plan

    def size_factor(self, lines: int) -> float:
        """How much a sized unit of ``lines`` lines costs relative to one of reference length."""
        ratio = max(lines, 1) / self.reference_lines
        return max(self.min_size_factor, ratio**self.size_exponent)

    def decay(self, rank: int) -> float:
        """Weight of the ``rank``-th (1-based) site of a pit: 1 for the first few, then falling
        as 1/rank, so n sites cost about ``full_sites * (1 + ln(n / full_sites))`` site-units:
        findings are per identifier, and the fiftieth ``cudaMemcpy`` is no new work."""
        return 1.0 if rank <= self.full_sites else self.full_sites / rank


DEFAULT_CONFIG = EffortConfig(
    status={
        "auto": StatusCost(Range(0.003, 0.01), 0.2),
        "review": StatusCost(Range(0.02, 0.06), 0.6),
        "manual": StatusCost(Range(0.06, 0.2), 1.0),
    },
    severity_weight={"info": 0.5, "low": 0.75, "medium": 1.0, "high": 1.5},
)


def _pair(raw: list[float], where: str) -> tuple[float, float]:
    low, high = float(raw[0]), float(raw[1])
    if low > high:
        raise EffortConfigError(f"{where}: range [{raw[0]}, {raw[1]}] is inverted (low > high)")
    return low, high


def _override(raw: Mapping[str, Any], where: str) -> PitOverride:
    return PitOverride(
        base=_pair(raw["base"], f"{where}/base") if "base" in raw else None,
        per_site=_pair(raw["per_site"], f"{where}/per_site") if "per_site" in raw else None,
        severity=raw.get("severity"),
    )


def _check_ordered(values: list[float], names: tuple[str, ...], what: str, path: Path) -> None:
    """The model promises cheaper statuses (and milder severities) never cost more."""
    for i in range(len(values) - 1):
        if values[i] > values[i + 1]:
            raise EffortConfigError(
                f"{path}: {what}: {names[i]} ({values[i]}) must not exceed {names[i + 1]} ({values[i + 1]})"
            )


def config_from_document(
    document: Mapping[str, Any], path: Path, catalog: PitCatalog, target_ids: tuple[str, ...]
) -> EffortConfig:
    """Merge a validated override document into the defaults, checking ids and orderings."""
    status = dict(DEFAULT_CONFIG.status)
    for name, raw in document.get("status", {}).items():
        current = status[name]
        site = Range.of(_pair(raw["site"], f"{path}: status/{name}/site")) if "site" in raw else current.site
        status[name] = StatusCost(site, float(raw.get("weight", current.weight)))
    for attribute in ("low", "high"):
        _check_ordered([getattr(status[s].site, attribute) for s in WORK_STATUSES], WORK_STATUSES,
                       f"status site {attribute}", path)
    _check_ordered([status[s].weight for s in WORK_STATUSES], WORK_STATUSES, "status weight", path)
    severity = {**DEFAULT_CONFIG.severity_weight, **document.get("severity", {})}
    _check_ordered([severity[s] for s in SEVERITY_ORDER], SEVERITY_ORDER, "severity weight", path)
    pits: dict[str, dict[str | None, PitOverride]] = {}
    for pit_id, raw in document.get("pits", {}).items():
        if pit_id not in catalog:
            raise EffortConfigError(f"{path}: pits/{pit_id}: no such pit in the catalog")
        per: dict[str | None, PitOverride] = {None: _override(raw, f"{path}: pits/{pit_id}")}
        for target, target_raw in raw.get("targets", {}).items():
            if target not in target_ids:
                raise EffortConfigError(f"{path}: pits/{pit_id}/targets/{target}: unknown target")
            per[target] = _override(target_raw, f"{path}: pits/{pit_id}/targets/{target}")
        pits[pit_id] = per
    scale = document.get("scale", {})
    return EffortConfig(
        status=status,
        severity_weight=severity,
        full_sites=int(scale.get("full_sites", DEFAULT_CONFIG.full_sites)),
        reference_lines=int(scale.get("reference_lines", DEFAULT_CONFIG.reference_lines)),
        size_exponent=float(scale.get("size_exponent", DEFAULT_CONFIG.size_exponent)),
        min_size_factor=float(scale.get("min_size_factor", DEFAULT_CONFIG.min_size_factor)),
        pits=pits,
    )


def load_effort_config(path: Path, catalog: PitCatalog, target_ids: tuple[str, ...]) -> EffortConfig:
    """Read a user's ``--effort-config`` YAML, validate it, and merge it into the defaults."""
    try:
        document = _read_yaml(path) or {}
        _validate(document, _schema("effort-config.schema.json"), path)
    except MappingError as exc:
        raise EffortConfigError(str(exc)) from exc
    return config_from_document(document, path, catalog, target_ids)


@dataclass(frozen=True, slots=True)
class SiteCost:
    """One site's share of one target's effort."""

    finding: Finding
    pit: str | None
    status: Status
    severity: Severity
    size: float
    decay: float
    cost: Range


@dataclass(frozen=True, slots=True)
class PitCost:
    """One pit's effort for one target: its base once, plus its sites."""

    key: str
    pit: Pit | None
    severity: Severity
    base: Range
    sites: tuple[SiteCost, ...]

    @property
    def site_cost(self) -> Range:
        return Range.total(site.cost for site in self.sites)

    @property
    def total(self) -> Range:
        return self.base + self.site_cost

    @property
    def label(self) -> str:
        return self.pit.title if self.pit else f"{self.key.removeprefix('rule:')} (no pit)"


@dataclass(frozen=True, slots=True)
class Driver:
    """A main contributor to a target's effort: a pit or a file, and its share of the midpoint."""

    kind: Literal["pit", "file"]
    name: str
    label: str
    cost: Range
    share: float


@dataclass(frozen=True, slots=True)
class TargetEffort:
    target: str
    total: Range
    pits: tuple[PitCost, ...]
    files: Mapping[str, Range]
    drivers: tuple[Driver, ...]

    @property
    def sites(self) -> dict[str, SiteCost]:
        """Every priced site by finding id (sites that need no work for this target are absent)."""
        return {site.finding.id: site for pit in self.pits for site in pit.sites}


#: How many pit and file drivers a summary lists.
TOP_DRIVERS = 3


def _unit_lines(finding: Finding, units_in_file: int, file_lines: int) -> int:
    """Lines of the unit a sized finding stands for: its span, else its share of the file."""
    span = finding.span.end_line - finding.span.line + 1
    if span > 1:
        return span
    if file_lines > 0 and units_in_file > 0:
        return max(1, file_lines // units_in_file)
    return 1


def _drivers(pits: list[PitCost], files: Mapping[str, Range], total: Range) -> tuple[Driver, ...]:
    mid = total.mid or 1.0
    top_pits = sorted(pits, key=lambda p: (-p.total.mid, p.key))[:TOP_DRIVERS]
    top_files = sorted(files.items(), key=lambda item: (-item[1].mid, item[0]))[:TOP_DRIVERS]
    return tuple(
        [Driver("pit", p.key, p.label, p.total, p.total.mid / mid) for p in top_pits if p.total.high > 0]
        + [Driver("file", path, path, cost, cost.mid / mid) for path, cost in top_files if cost.high > 0]
    )


def estimate_target(
    findings: Iterable[Finding],
    target: str,
    *,
    catalog: PitCatalog,
    config: EffortConfig = DEFAULT_CONFIG,
    file_lines: Mapping[str, int] | None = None,
) -> TargetEffort:
    """One target's effort over ``findings`` (``file_lines`` sizes kernels without a full span)."""
    file_lines = file_lines or {}
    groups: dict[str, list[Finding]] = defaultdict(list)
    pit_of: dict[str, Pit | None] = {}
    for finding in findings:
        if finding.status_for(target) == "not-needed":
            continue
        pit = catalog.pit_for(finding)
        key = pit.id if pit else f"rule:{finding.rule}"
        pit_of[key] = pit
        groups[key].append(finding)
    units: dict[tuple[str, str], int] = defaultdict(int)
    for key, members in groups.items():
        pit = pit_of[key]
        for finding in members:
            if pit and pit.is_unit(finding):
                units[(key, finding.path)] += 1
    pit_costs: list[PitCost] = []
    for key, members in groups.items():
        pit = pit_of[key]
        plan = config.pit_target(pit, target) if pit else None
        raw: list[tuple[Range, Finding, Severity, float]] = []
        for finding in members:
            status = finding.status_for(target)
            cost = config.status[status]
            severity = plan.severity if plan else SEVERITY_FOR_STATUS[status]
            size = 1.0
            unit = pit is not None and pit.is_unit(finding)
            if unit:
                lines = _unit_lines(finding, units[(key, finding.path)], file_lines.get(finding.path, 0))
                size = config.size_factor(lines)
            site = cost.site.scaled(config.severity_weight[severity] * size)
            # A sized pit's per-site figure is per unit (per kernel): the launches, shared arrays
            # and helpers inside are part of rewriting that unit and pay only their status cost.
            if plan and (unit or not pit.sized_by):
                site = site + Range.of(plan.per_site).scaled(cost.weight * size)
            raw.append((site, finding, severity, size))
        raw.sort(key=lambda item: (-item[0].high, -item[0].low, item[1].id))
        sites = tuple(
            SiteCost(f, pit.id if pit else None, f.status_for(target), sev, size, config.decay(rank),
                     cost.scaled(config.decay(rank)))
            for rank, (cost, f, sev, size) in enumerate(raw, start=1)
        )
        dearest = worst_status([s.status for s in sites])
        base = Range.of(plan.base).scaled(config.status[dearest].weight) if plan else Range()
        severity = plan.severity if plan else SEVERITY_FOR_STATUS[dearest]
        pit_costs.append(PitCost(key, pit, severity, base, sites))
    pit_costs.sort(key=lambda p: (-p.total.mid, p.key))
    files: dict[str, Range] = defaultdict(Range)
    for pit_cost in pit_costs:
        for site in pit_cost.sites:
            files[site.finding.path] = files[site.finding.path] + site.cost
    total = Range.total(p.total for p in pit_costs)
    ordered_files = dict(sorted(files.items(), key=lambda item: (-item[1].mid, item[0])))
    return TargetEffort(target, total, tuple(pit_costs), ordered_files, _drivers(pit_costs, ordered_files, total))


def estimate(
    result: ScanResult, *, catalog: PitCatalog, config: EffortConfig = DEFAULT_CONFIG
) -> dict[str, TargetEffort]:
    """Every requested target's effort for a scan, in the scan's target order."""
    file_lines = {file.path: file.lines for file in result.files}
    findings = result.findings
    return {
        target: estimate_target(findings, target, catalog=catalog, config=config, file_lines=file_lines)
        for target in result.targets
    }


def _display_step(value: float) -> float:
    return 0.1 if value < 1 else 0.5 if value < 20 else 1.0


def _days(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text or "0"


def format_range(effort: Range) -> str:
    """A range as people read it (``3\u20138 person-days``): low rounded down, high rounded up.

    The display step grows with the value (0.1 below a day, 0.5 below 20 days, then whole days)
    so the text never promises more precision than the model has, and never hides the spread.
    """
    low_step, high_step = _display_step(effort.low), _display_step(effort.high)
    low = math.floor(effort.low / low_step + 1e-9) * low_step
    high = math.ceil(effort.high / high_step - 1e-9) * high_step
    if high == 0:
        return "0 person-days"
    return f"{_days(low)}\u2013{_days(high)} person-days"
