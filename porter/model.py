"""The data every part of porter shares: findings, edits and file results.

Everything here is a frozen dataclass so that a file's analysis is a pure value: it can be
computed in another process, cached on disk, compared in tests and fed unchanged to every
renderer. Nothing in this module analyses or renders anything.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["auto", "review", "manual", "not-needed"]
Severity = Literal["info", "low", "medium", "high"]
FileStatus = Literal["scanned", "partial", "skipped", "error"]

#: Statuses from cheapest to dearest; used to pick the "worst" status of a set.
STATUS_ORDER: tuple[Status, ...] = ("not-needed", "auto", "review", "manual")
SEVERITY_ORDER: tuple[Severity, ...] = ("info", "low", "medium", "high")

#: The severity a finding gets when its mapping entry does not set one: how much lock-in the
#: site carries, derived from the dearest status any requested target needs.
SEVERITY_FOR_STATUS: Mapping[Status, Severity] = {
    "not-needed": "info",
    "auto": "low",
    "review": "medium",
    "manual": "high",
}


def worst_status(statuses: list[Status] | tuple[Status, ...]) -> Status:
    """The dearest status of a set (``manual`` beats ``review`` beats ``auto``)."""
    return max(statuses, key=STATUS_ORDER.index, default="not-needed")


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the bytes ``[start, end)`` of the original file with ``text``.

    Insertion (start == end), deletion (text == "") and replacement are one type, so every
    rewrite is a sorted list of these applied once, in one pass.
    """

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class TargetPlan:
    """What one target needs at one site: how safe the fix is, what it becomes, and why."""

    status: Status
    replacement: str | None = None
    note: str = ""
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class Span:
    """A 1-based, inclusive-start / exclusive-end position in a file, as editors show it."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class Finding:
    """One vendor-specific site: where it is, what it is, and what each target needs."""

    rule: str
    symbol: str
    family: str
    language: str
    path: str
    span: Span
    snippet: str
    severity: Severity
    targets: Mapping[str, TargetPlan]
    pit: str | None = None
    #: Where the site sits inside a container file (a notebook cell), else None.
    cell: int | None = None
    #: Disambiguates identical (rule, symbol, snippet) sites in one file; set by the scanner.
    occurrence: int = 0
    #: Other files this site pulls in, as written in the source (the ``sources=[...]`` of a
    #: ``CUDAExtension`` or ``cpp_extension.load``): reports link the site to their findings.
    links: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """A fingerprint that survives line moves: it hashes what the site is, not where."""
        key = "\x1f".join(
            (self.rule, self.path, self.symbol, " ".join(self.snippet.split()), str(self.occurrence))
        )
        return hashlib.sha1(key.encode("utf-8", "surrogateescape")).hexdigest()[:16]

    def status_for(self, target: str) -> Status:
        plan = self.targets.get(target)
        return plan.status if plan else "not-needed"


@dataclass(frozen=True, slots=True)
class FileResult:
    """Everything porter learnt about one file; a pure function of (path, bytes, mappings)."""

    path: str
    language: str
    status: FileStatus
    lines: int = 0
    note: str | None = None
    findings: tuple[Finding, ...] = ()
    #: Edits not tied to one finding (an ``import torch_npu`` to add), per target.
    file_edits: Mapping[str, tuple[Edit, ...]] = field(default_factory=dict)
    #: SHA-1 of the bytes analysed (set by the scanner): edits are only valid for these bytes.
    digest: str | None = None
    #: Findings silenced by an inline suppression comment (see porter.suppress):
    #: kept out of ``findings`` but counted, and marked as suppressed in SARIF.
    suppressed: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class ScanResult:
    """The outcome of scanning a tree: its files (scanned or not) and the targets asked for."""

    root: str
    targets: tuple[str, ...]
    files: tuple[FileResult, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for file in self.files for f in file.findings)
