"""The bad-input corpus (tests/badinput.py) through the scanner, the port planner and the CLI.

Every case must end as a result with an acceptable status, a note saying what happened when the
file was not read cleanly, and, where the input still holds the clean sample's code, every one of
its sites (nothing lost). Ports of the corpus must leave every byte outside their edits as it was.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from badinput import GOOD, Case, cases, write_tree
from clirun import porter

from porter.mappings import default_tables
from porter.model import FileResult
from porter.port import port_file
from porter.scan import scan

TABLES = default_tables()
CASES = cases()
#: No corpus file may take longer than this to scan on a slow, busy CI machine (the deepest
#: Python cases take about 6 s on an idle one).
SECONDS_PER_CASE = 60


def sites(result: FileResult) -> Counter[tuple[str, str]]:
    return Counter((f.rule, f.symbol) for f in result.findings)


def scan_one(root: Path, rel: str) -> FileResult | None:
    results = {f.path: f for f in scan(root, tables=TABLES).files}
    return results.get(rel)


@pytest.fixture(scope="module")
def good_sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Counter[tuple[str, str]]]:
    root = write_tree(tmp_path_factory.mktemp("good"), GOOD)
    found = {f.path: f for f in scan(root, tables=TABLES).files}
    assert set(found) == set(GOOD)
    for name, result in found.items():
        assert result.status == "scanned" and result.findings, (name, result.note)
    return {name: sites(result) for name, result in found.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_corpus_case(case: Case, tmp_path: Path, good_sites: dict[str, Counter[tuple[str, str]]]) -> None:
    root = write_tree(tmp_path / "repo", {case.path: case.data})
    started = time.monotonic()
    result = scan_one(root, case.path)
    assert time.monotonic() - started < SECONDS_PER_CASE
    if case.statuses is None:
        assert result is None, result
        return
    assert result is not None, "a file some frontend reads vanished from the scan"
    assert result.status in case.statuses, (result.status, result.note)
    if result.status != "scanned":
        assert result.note and result.note.strip(), "a file not read cleanly must say why"
        assert "\n" not in result.note
    if case.note:
        assert case.note.lower() in (result.note or "").lower(), result.note
    if case.same_sites_as:
        missing = good_sites[case.same_sites_as] - sites(result)
        assert not missing, f"sites lost: {sorted(missing)}"
    for target in TABLES.target_ids:
        port = port_file(result, case.data, target, TABLES)
        assert "would not parse" not in (port.note or ""), port.note
        if port.changed:
            _same_newlines(case.data, port.ported)


def _same_newlines(before: bytes, after: bytes) -> None:
    """A port of a CRLF file must not bring in LF line endings, nor CRLF into an LF file."""
    lf_before = before.replace(b"\r\n", b"").count(b"\n")
    lf_after = after.replace(b"\r\n", b"").count(b"\n")
    if b"\n" in before and not lf_before:
        assert not lf_after, "bare LF written into a CRLF file"
    if b"\r\n" not in before:
        assert b"\r\n" not in after, "CRLF written into an LF file"


def test_corpus_counts() -> None:
    """The numbers docs/reliability.md reports (kept honest: this fails when they drift)."""
    note = (Path(__file__).resolve().parent.parent / "docs" / "reliability.md").read_text()
    assert f"{len(CASES)} file cases" in note


def test_whole_corpus_through_the_cli(tmp_path: Path) -> None:
    """All cases in one tree: scan, report and port run to the end with every file accounted for.

    The deep-nesting cases cost seconds of parsing each and are proven one by one above, so this
    tree leaves them out to keep nine CLI runs cheap.
    """
    tree = [(index, case) for index, case in enumerate(CASES) if not case.id.startswith("nest:")]
    files = {f"{index:03d}/{case.path}": case.data for index, case in tree}
    root = write_tree(tmp_path / "repo", files)
    scanned = porter("scan", ".", "-f", "json", cwd=root)
    assert scanned.returncode == 0, scanned.stderr
    assert scanned.stderr == ""
    document = json.loads(scanned.stdout)
    listed = {f["path"] for f in document["files"]}
    claimed = {f"{i:03d}/{c.path}" for i, c in tree if c.statuses is not None}
    assert listed == claimed
    for fmt in ("json", "sarif", "html", "markdown"):
        report = porter("report", ".", "-f", fmt, "-o", str(tmp_path / f"report.{fmt}"), cwd=root)
        assert report.returncode == 0, report.stderr
    for target in TABLES.target_ids:
        before = {rel: (root / rel).read_bytes() for rel in files}
        ported = porter("port", ".", "-t", target, "--write", cwd=root)
        assert ported.returncode == 0, ported.stderr
        after = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
        assert set(after) == set(before), "a port must not add or remove files"
        changed = {rel for rel in before if before[rel] != after[rel]}
        assert changed <= claimed
        for rel in changed:
            _same_newlines(before[rel], after[rel])
