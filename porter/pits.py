"""The pits catalog (``mappings/pits.yaml``): what makes a port expensive, per target.

A pit is the unit a manager budgets in ("custom kernels", "NCCL topology"): findings point to it,
and the catalog says per target how bad it is, what it costs and what to read. Like the mapping
families it is data, checked against ``schemas/pits.schema.json`` when loaded, so the effort model
and every report read the same numbers and no renderer hard-codes advice.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from porter.mappings import MappingError, _read_yaml, _schema, _validate, data_dir, load_targets
from porter.model import Finding, Severity

#: Pit categories in the order reports list them.
CATEGORIES: tuple[str, ...] = (
    "kernels", "libraries", "communication", "numerics", "api", "tooling", "build", "deployment",
)


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class PitTarget:
    """How one pit weighs on one target: severity, cost ranges in person-days, and advice."""

    severity: Severity
    base: tuple[float, float]
    per_site: tuple[float, float]
    advice: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class Pit:
    id: str
    title: str
    category: str
    why: str
    targets: Mapping[str, PitTarget]
    rules: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    symbols: tuple[str, ...] = ()
    sized_by: tuple[str, ...] = ()

    def detects(self, finding: Finding) -> bool:
        """Whether the catalog's detect patterns point ``finding`` at this pit."""
        return bool(
            _pattern(self.rules).match(finding.rule)
            or _pattern(self.families).match(finding.family)
            or _pattern(self.symbols).match(finding.symbol)
        )

    def is_unit(self, finding: Finding) -> bool:
        """Whether ``finding`` stands for one sized unit of this pit (a kernel definition)."""
        return bool(_pattern(self.sized_by).match(finding.symbol))


@functools.cache
def _pattern(globs: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled regex for a tuple of fnmatch-style globs (case-sensitive; never matches if empty)."""
    if not globs:
        return re.compile(r"(?!)")
    return re.compile("|".join(f"(?:{fnmatch.translate(glob)})" for glob in globs))


class PitCatalog:
    """Every pit, by id, in the catalog's order."""

    def __init__(self, pits: tuple[Pit, ...]) -> None:
        self.pits = pits
        self._by_id = {pit.id: pit for pit in pits}
        self._detected: dict[tuple[str, str, str], Pit | None] = {}

    def __contains__(self, pit_id: object) -> bool:
        return pit_id in self._by_id

    def __iter__(self) -> Iterator[Pit]:
        return iter(self.pits)

    def __len__(self) -> int:
        return len(self.pits)

    def get(self, pit_id: str | None) -> Pit | None:
        return self._by_id.get(pit_id) if pit_id else None

    def pit_for(self, finding: Finding) -> Pit | None:
        """The finding's pit: the one its mapping entry names, else the first whose detect matches.

        An explicit id the catalog does not know yields None (the pits test keeps the shipped data
        free of those); the detect patterns only classify findings whose entry names no pit.
        """
        if finding.pit:
            return self._by_id.get(finding.pit)
        key = (finding.rule, finding.family, finding.symbol)
        if key not in self._detected:  # reports ask once per target and view: classify once
            self._detected[key] = next((pit for pit in self.pits if pit.detects(finding)), None)
        return self._detected[key]


def _range(raw: list[float], where: str) -> tuple[float, float]:
    low, high = float(raw[0]), float(raw[1])
    if low > high:
        raise MappingError(f"{where}: range [{raw[0]}, {raw[1]}] is inverted (low > high)")
    return low, high


def _pit(raw: Mapping[str, Any], target_ids: tuple[str, ...], path: Path, number: int) -> Pit:
    where = f"{path}: pits/{number} ({raw['id']})"
    given = set(raw["targets"])
    if given != set(target_ids):
        missing = ", ".join(sorted(set(target_ids) - given)) or "none"
        unknown = ", ".join(sorted(given - set(target_ids))) or "none"
        raise MappingError(f"{where}: targets must be exactly the known ones (missing: {missing}; unknown: {unknown})")
    targets = {
        target: PitTarget(
            severity=plan["severity"],
            base=_range(plan["base"], f"{where}/{target}/base"),
            per_site=_range(plan["per_site"], f"{where}/{target}/per_site"),
            advice=" ".join(plan["advice"].split()),
            links=tuple(Link(link["title"], link["url"]) for link in plan.get("links", ())),
        )
        for target, plan in ((t, raw["targets"][t]) for t in target_ids)
    }
    detect = raw["detect"]
    return Pit(
        id=raw["id"],
        title=raw["title"],
        category=raw["category"],
        why=" ".join(raw["why"].split()),
        targets=targets,
        rules=tuple(detect.get("rules", ())),
        families=tuple(detect.get("families", ())),
        symbols=tuple(detect.get("symbols", ())),
        sized_by=tuple(raw.get("sized_by", ())),
    )


def load_catalog(directory: Path | None = None) -> PitCatalog:
    """Read, validate and index ``pits.yaml``; raises MappingError naming the problem."""
    directory = directory or data_dir()
    path = directory / "pits.yaml"
    document = _read_yaml(path)
    _validate(document, _schema("pits.schema.json"), path)
    target_ids = tuple(t.id for t in load_targets(directory))
    pits = tuple(_pit(raw, target_ids, path, n) for n, raw in enumerate(document["pits"]))
    ids = [pit.id for pit in pits]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise MappingError(f"{path}: pit defined twice: {', '.join(duplicates)}")
    return PitCatalog(pits)


@functools.cache
def default_catalog() -> PitCatalog:
    """The shipped catalog, loaded once per process."""
    return load_catalog()
