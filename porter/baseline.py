"""The baseline: a committed file of accepted findings, so a gate reports only what is new.

A team adopting porter on a repository with hundreds of CUDA sites cannot fix them all before
turning the gate on. ``porter baseline create`` records every current finding's fingerprint
(``Finding.id``: rule, path, symbol, whitespace-normalised source line and occurrence, never the
line number), and ``scan``/``review``/``check --baseline FILE`` drop the findings it lists. Code
that moves up or down keeps its fingerprint; editing the line itself makes it a new finding,
which is what a reviewer wants to see.

The file is sorted and carries no timestamp or tool version, so re-creating it on an unchanged
tree gives identical bytes and its diff in a pull request shows exactly what was accepted.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from porter.model import Finding, ScanResult

FORMAT = "porter-baseline"
VERSION = 1


class BaselineError(ValueError):
    """The baseline file is missing or malformed; the message names the file."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """Accepted fingerprints, with how many findings share each (identical sites in notebook
    cells can)."""

    counts: Counter[str]

    @classmethod
    def load(cls, path: Path) -> Baseline:
        """Read and check a baseline file; BaselineError says what is wrong with it."""
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from exc
        error = jsonschema.exceptions.best_match(
            jsonschema.Draft202012Validator(_schema()).iter_errors(doc)
        )
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
            raise BaselineError(
                f"baseline {path} is not a porter baseline: {where}: {error.message} "
                "(create one with: porter baseline create)"
            )
        return cls(Counter(entry["id"] for entry in doc["findings"]))

    def new_findings(self, findings: Iterable[Finding]) -> tuple[Finding, ...]:
        """The findings the baseline does not account for, in the order given."""
        return _unaccounted(findings, Counter(self.counts))

    def filter(self, result: ScanResult) -> ScanResult:
        """``result`` with every accepted finding removed (file results otherwise unchanged)."""
        left = Counter(self.counts)
        files = tuple(
            dataclasses.replace(file, findings=_unaccounted(file.findings, left))
            for file in result.files
        )
        return dataclasses.replace(result, files=files)


def _unaccounted(findings: Iterable[Finding], left: Counter[str]) -> tuple[Finding, ...]:
    """Findings left once each fingerprint in ``left`` has used up its count (``left`` shrinks)."""
    new = []
    for finding in findings:
        if left[finding.id] > 0:
            left[finding.id] -= 1
        else:
            new.append(finding)
    return tuple(new)


def document(findings: Iterable[Finding]) -> dict[str, Any]:
    """The baseline file's content: one entry per finding, sorted, readable by humans."""
    entries = sorted(
        (
            {"id": f.id, "rule": f.rule, "path": f.path, "symbol": f.symbol, "snippet": f.snippet}
            for f in findings
        ),
        key=lambda e: (e["path"], e["rule"], e["symbol"], e["snippet"], e["id"]),
    )
    return {"format": FORMAT, "version": VERSION, "findings": entries}


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _schema() -> dict[str, Any]:
    text = resources.files("porter").joinpath("schemas", "baseline.schema.json").read_text("utf-8")
    return json.loads(text)
