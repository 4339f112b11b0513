"""The JSON, Markdown, SARIF and table reports: schemas, escaping of hostile text, key numbers."""

from __future__ import annotations

import io
import json
import re

import jsonschema
import pytest
from conftest import REPO
from reportkit import HOSTILE, report_for, sample_result, sarif_validator

from porter.effort import format_range
from porter.render import markdown, report_json, report_out, report_terminal, sarif


@pytest.fixture(scope="module")
def sample():
    return report_for(sample_result())


@pytest.fixture(scope="module")
def hostile():
    from reportkit import hostile_result

    return report_for(hostile_result())


# --- JSON ----------------------------------------------------------------------------------------

def test_json_report_validates_and_extends_the_scan_schema(sample):
    document = report_json.report_document(sample)
    report_json.report_validator().validate(document)
    scan_schema = json.loads((REPO / "porter/schemas/scan.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(scan_schema).validate(document)


def test_json_report_schema_rejects_a_document_without_effort(sample):
    document = report_json.report_document(sample)
    del document["effort"]
    assert not report_json.report_validator().is_valid(document)
    broken = report_json.report_document(sample)
    broken["findings"][0]["line"] = 0  # the scan schema's rules apply through the extension
    assert not report_json.report_validator().is_valid(broken)


def test_json_numbers_match_the_model(sample):
    document = report_json.report_document(sample)
    for view in sample.targets:
        entry = document["effort"]["targets"][view.id]
        assert entry["low"] == round(view.effort.total.low, 3)
        assert entry["high"] == round(view.effort.total.high, 3)
        assert entry["display"] == format_range(view.effort.total)
        assert entry["automatic_share"] == round(view.summary.automatic_share, 3)
        assert entry["low"] <= entry["high"]
    ids = {f["id"] for f in document["findings"]}
    for pit in document["pits"]:
        assert set(pit["findings"]) <= ids
    assert document["comparison"]["cheapest"] == "rocm"
    assert document["links"][0]["sources"] == ["csrc/softmax.cu"]


# --- Markdown ------------------------------------------------------------------------------------

RAW_MARKUP = re.compile(r"<(?!/?code>)[a-zA-Z/!]")


def test_markdown_escapes_hostile_text(hostile):
    text = markdown.render(hostile)
    assert "HOSTILE" not in text
    assert not RAW_MARKUP.search(text), RAW_MARKUP.search(text)
    assert "`" not in text
    assert "\x1b" not in text
    for line in text.splitlines():
        if line.startswith("|"):
            cells = line.count("|")
            assert cells >= 3
    tables = [block for block in text.split("\n\n") if block.startswith("|")]
    for block in tables:
        widths = {line.count("|") for line in block.splitlines()}
        assert len(widths) == 1, block  # no scanned "|" added a cell


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a&#124;b"),
        ("`x`", "&#96;x&#96;"),
        ("<b>", "&#60;b&#62;"),
        ("**x**", "&#42;&#42;x&#42;&#42;"),
        ("# title", "&#35; title"),
        ("1. item", "&#49;. item"),
        ("see https://evil.example", "see https&#58;//evil.example"),
        ("line\nbreak", "line&#92;nbreak"),
        ("plain words", "plain words"),
    ],
)
def test_md_escaping(raw, escaped):
    assert markdown.md(raw) == escaped


def test_markdown_has_the_summary_comparison_links_pits_and_files(sample):
    text = markdown.render(sample)
    for heading in ("## Summary per target", "## Which target is cheapest, and why",
                    "## Python code that loads CUDA sources", "## Pits", "## Files"):
        assert heading in text
    for view in sample.targets:
        assert markdown.md(format_range(view.effort.total)) in text
    assert "(https://rocm.docs.amd.com/projects/HIPIFY/en/latest/)" in text


# --- SARIF ---------------------------------------------------------------------------------------

def test_sarif_validates_against_the_official_schema(sample, hostile):
    validator = sarif_validator()
    for report in (sample, hostile):
        document = json.loads(sarif.render_report(report))
        errors = sorted(validator.iter_errors(document), key=str)
        assert not errors, errors[0]


def test_sarif_results_are_what_code_scanning_needs(sample):
    document = json.loads(sarif.render_report(sample))
    (run,) = document["runs"]
    assert document["version"] == "2.1.0"
    rules = run["tool"]["driver"]["rules"]
    rule_ids = [rule["id"] for rule in rules]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"] and rule["help"]["markdown"]
    by_id = {f.id: f for f in sample.findings}
    assert len(run["results"]) == len(sample.findings)
    for result in run["results"]:
        finding = by_id[result["partialFingerprints"][sarif.FINGERPRINT]]
        assert result["ruleId"] == finding.rule == rule_ids[result["ruleIndex"]]
        assert result["level"] == sarif.LEVEL[finding.severity]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] == finding.span.line >= 1 and region["startColumn"] >= 1
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == finding.path
    assert {"error", "warning"} <= {r["level"] for r in run["results"]}


def test_sarif_percent_encodes_hostile_paths(hostile):
    document = json.loads(sarif.render_report(hostile))
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]]
    assert all(re.fullmatch(r"[A-Za-z0-9/._~%-]+", uri) for uri in uris), uris


def test_sarif_marks_suppressed_findings():
    import dataclasses

    result = sample_result()
    first = result.files[0]
    silenced = dataclasses.replace(first, findings=first.findings[1:], suppressed=first.findings[:1])
    result = dataclasses.replace(result, files=(silenced, *result.files[1:]))
    document = json.loads(sarif.render_report(report_for(result)))
    suppressed = [r for r in document["runs"][0]["results"] if r.get("suppressions")]
    assert len(suppressed) == 1
    assert suppressed[0]["partialFingerprints"][sarif.FINGERPRINT] == first.findings[0].id


# --- table and dispatch --------------------------------------------------------------------------

def test_table_report_shows_each_target_and_no_raw_escapes(sample, hostile):
    out = io.StringIO()
    report_terminal.render(sample, out)
    text = out.getvalue()
    assert "Summary per target" in text and "cheapest" in text
    for view in sample.targets:
        assert view.id in text
    out = io.StringIO()
    report_terminal.render(hostile, out)
    assert "\x1b" not in out.getvalue() and "\\x1b" in out.getvalue()


@pytest.mark.parametrize("fmt", report_out.FORMATS)
def test_every_format_renders(sample, fmt):
    out = io.StringIO()
    report_out.write(sample, fmt, out)
    assert len(out.getvalue()) > 200
    with pytest.raises(ValueError):
        report_out.write(sample, "pdf", io.StringIO())


def test_hostile_text_appears_only_escaped_in_json(hostile):
    text = report_json.render(hostile)
    document = json.loads(text)
    assert any(HOSTILE in f["path"] for f in document["findings"])  # JSON keeps the data intact
