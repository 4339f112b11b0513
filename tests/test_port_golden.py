"""Golden diffs of ``porter port`` for each target: focused Python fixtures and the demo project.

Layout: ``tests/golden/python/input/<name>.py`` are the inputs and
``tests/golden/python/<target>/<name>.diff`` their expected unified diffs (empty: nothing to
change); ``tests/golden/demo/<target>.diff`` is the whole output of
``porter port fixtures/demo --target <target>`` and ``tests/golden/demo/scan.json`` the whole
``porter scan fixtures/demo --format json``. ``PORTER_REGEN=1`` rewrites the expected files
from the current code: read the change (``git diff tests/golden``) before committing it.

Every test also checks that each rewritten Python file parses (libcst) and that porting the
ported tree again changes nothing.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import libcst
import pytest

from porter.port import FilePort, PortResult, plan_port, unified_diff
from porter.render.port_view import render_diff
from porter.write import write_copy

GOLDEN = Path(__file__).resolve().parent / "golden"
INPUT = GOLDEN / "python" / "input"
DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
TARGETS = ("rocm", "oneapi", "cann", "neutral")
NAMES = sorted(p.name for p in INPUT.glob("*.py"))
REGEN = os.environ.get("PORTER_REGEN") == "1"


def compare(expected: Path, text: str) -> None:
    if REGEN:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(text, encoding="utf-8")
    assert expected.read_text(encoding="utf-8") == text, f"{expected} differs (PORTER_REGEN=1 to update)"


def assert_sound(port: FilePort) -> None:
    """A rewritten file was applied whole (no dropped edit) and, if Python, parses."""
    assert port.note is None, f"{port.path}: {port.note}"
    if port.changed and port.path.endswith(".py"):
        libcst.parse_module(port.ported.decode("utf-8"))


def assert_idempotent(result: PortResult, out: Path) -> None:
    write_copy(result, out)
    again = plan_port(out if result.root.is_dir() else out / result.root.name, result.target)
    assert [p.path for p in again.changed] == [], "a second port changed the ported files"


@pytest.fixture(scope="module")
def python_ports() -> dict[str, PortResult]:
    return {target: plan_port(INPUT, target) for target in TARGETS}


def test_there_are_enough_fixtures() -> None:
    assert len(NAMES) >= 12


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", NAMES)
def test_python_fixture(name: str, target: str, python_ports: dict[str, PortResult]) -> None:
    port = next((f for f in python_ports[target].files if f.path == name), None)
    if port is not None:
        assert_sound(port)
    diff = unified_diff(port) if port is not None and port.changed else ""
    compare(GOLDEN / "python" / target / f"{name.removesuffix('.py')}.diff", diff)


@pytest.mark.parametrize("target", TARGETS)
def test_python_fixtures_port_once(target: str, python_ports: dict[str, PortResult], tmp_path: Path) -> None:
    assert_idempotent(python_ports[target], tmp_path / "out")


@pytest.mark.parametrize("target", TARGETS)
def test_demo(target: str, tmp_path: Path) -> None:
    result = plan_port(DEMO, target)
    for port in result.files:
        assert_sound(port)
    stream = io.StringIO()
    render_diff(result, stream)
    compare(GOLDEN / "demo" / f"{target}.diff", stream.getvalue())
    assert_idempotent(result, tmp_path / "out")


def test_demo_scan_json() -> None:
    """The demo's whole scan document, as the CLI prints it (every finding, every target)."""
    repo = DEMO.parent.parent
    run = subprocess.run([sys.executable, "-m", "porter", "scan", "fixtures/demo", "--format", "json"],
                         cwd=repo, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document["root"] == "fixtures/demo" and len(document["files"]) == 19
    compare(GOLDEN / "demo" / "scan.json", run.stdout)


def test_demo_summary_counts_and_groups() -> None:
    """The summary says what was rewritten, which edits to review and what is left (file:lines,
    why), with the numbers of the JSON document; a file's sites that share a reason share a line."""
    from porter.render.port_view import port_document, render_summary

    result = plan_port(DEMO, "oneapi")
    stream = io.StringIO()
    render_summary(result, stream)
    text = stream.getvalue()
    counts = port_document(result, "demo")["summary"]
    assert text.startswith(
        f"porter port --target oneapi: {counts['sites_rewritten']} sites rewritten in "
        f"{counts['files_changed']} files ({counts['sites_rewritten_review']} of them to review: "
        f"read those edits in the diff); {counts['leftovers']} sites left for a human in "
        f"{counts['leftover_files']} files\n"
    )
    assert counts["leftovers"] > 0 and counts["sites_rewritten"] > counts["sites_rewritten_review"] > 0
    assert "  CMakeLists.txt:15,24: csrc/gemm_bench.cu, csrc/allreduce.cu [manual] Migrate the kernels" in text
    assert "  fused_ops/__init__.py:18: torch.utils.cpp_extension.load(sources=*.cu) [manual]" in text
    lines = text.splitlines()
    listed = lines[lines.index("Left for a human (vendor names still in the ported code; file:lines, why):") + 1:]
    numbers = sum(len(line.split(": ", 1)[0].rsplit(":", 1)[1].split(",")) for line in listed)
    distinct = {(f.path, f.cell, f.span.line, f.targets["oneapi"].status, f.targets["oneapi"].note)
                for p in result.files for f in p.leftovers}
    assert numbers == len(distinct)
