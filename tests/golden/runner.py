"""Golden tests shared by the CMake, Dockerfile, shell and YAML frontends.

Layout: ``tests/golden/<kind>/input/<file>`` is the input; ``tests/golden/<kind>/<target>/<file>``
is its expected port for one target, and ``tests/golden/<kind>/findings.txt`` lists the expected
findings of every input (one line each: path:line:column rule symbol and the status per target).
``PORTER_REGEN=1 pytest tests/test_<kind>.py`` rewrites the expected files from the current code;
review the diff (``git diff tests/golden``) before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

from porter.frontends.base import Frontend
from porter.mappings import default_tables
from porter.model import FileResult
from porter.rewrite.apply import apply_edits

GOLDEN = Path(__file__).resolve().parent
REGEN = os.environ.get("PORTER_REGEN") == "1"


def inputs(kind: str) -> list[str]:
    """The input files of one kind, as paths relative to its input folder."""
    base = GOLDEN / kind / "input"
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())


def ported(result: FileResult, data: bytes, target: str) -> bytes:
    """The file's bytes after its edits for ``target``, applied the way ``porter port`` does."""
    edits = [e for f in result.findings for e in f.targets[target].edits]
    if edits:
        edits.extend(result.file_edits.get(target, ()))
    applied = apply_edits(data, edits)
    assert not applied.dropped, f"overlapping edits: {applied.dropped}"
    return applied.data


def check_file(kind: str, rel: str, target: str, frontend: Frontend) -> FileResult:
    """Port one input for one target and compare it byte for byte with the expected file."""
    data = (GOLDEN / kind / "input" / rel).read_bytes()
    result = frontend.analyze(rel, data, default_tables())
    out = ported(result, data, target)
    expected = GOLDEN / kind / target / rel
    if REGEN:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(out)
    assert expected.read_bytes() == out, f"{kind}/{target}/{rel} differs (PORTER_REGEN=1 to update)"
    again = frontend.analyze(rel, out, default_tables())
    assert again.status != "error", again.note
    return result


def check_findings(kind: str, frontend: Frontend) -> None:
    """The findings of every input of ``kind`` against ``findings.txt``."""
    lines = []
    for rel in inputs(kind):
        data = (GOLDEN / kind / "input" / rel).read_bytes()
        result = frontend.analyze(rel, data, default_tables())
        lines.append(f"# {rel}: {result.status}" + (f" ({result.note})" if result.note else ""))
        for f in result.findings:
            plans = " ".join(f"{t}={p.status}" for t, p in f.targets.items())
            lines.append(f"{rel}:{f.span.line}:{f.span.column} {f.rule} {f.symbol!r} {plans}")
    text = "\n".join(lines) + "\n"
    expected = GOLDEN / kind / "findings.txt"
    if REGEN:
        expected.write_text(text, encoding="utf-8")
    assert expected.read_text(encoding="utf-8") == text, f"{kind}/findings.txt differs"
