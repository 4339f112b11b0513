"""``porter report``: formats, --target, --output, --effort-config, and one-line usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from reportkit import run_porter as porter
from reportkit import sarif_validator

from porter.render.report_json import report_validator

DEMO = FIXTURES / "demo"


def test_unknown_format_is_a_usage_error():
    run = porter("report", str(DEMO), "--format", "pdf")
    assert run.returncode == 2
    assert run.stderr.startswith("porter: error: unknown report format 'pdf'")


@pytest.mark.parametrize(
    ("text", "message"),
    [("pits: {no-such-pit: {base: [1, 2]}}", "no such pit"), ("status: {auto: {site: [3, 1]}}", "inverted")],
)
def test_bad_effort_config_is_a_usage_error(tmp_path, text, message):
    config = tmp_path / "effort.yaml"
    config.write_text(text, encoding="utf-8")
    run = porter("report", str(DEMO), "--effort-config", str(config))
    assert run.returncode == 2
    assert message in run.stderr and str(config) in run.stderr and "Traceback" not in run.stderr


def demo_json(*args: str) -> dict:
    run = porter("report", str(DEMO), "--format", "json", *args)
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    report_validator().validate(document)
    return document


def test_json_report_for_the_demo_validates_and_prices_every_target():
    document = demo_json()
    assert list(document["effort"]["targets"]) == ["rocm", "oneapi", "cann", "neutral"]
    for effort in document["effort"]["targets"].values():
        assert 0 <= effort["low"] <= effort["high"]
    assert document["comparison"]["cheapest"] in document["targets"]


def test_target_option_restricts_the_report():
    document = demo_json("-t", "cann", "--target", "rocm")
    assert document["targets"] == ["rocm", "cann"]
    assert list(document["effort"]["targets"]) == ["rocm", "cann"]


def test_effort_config_changes_the_estimate(tmp_path):
    config = tmp_path / "effort.yaml"
    config.write_text("status: {auto: {site: [1, 2]}, review: {site: [1, 2]}, manual: {site: [1, 2]}}\n",
                      encoding="utf-8")
    default = demo_json("-t", "cann")["effort"]["targets"]["cann"]
    dearer = demo_json("-t", "cann", "--effort-config", str(config))["effort"]["targets"]["cann"]
    assert dearer["actionable"] > 0
    assert dearer["low"] > default["low"] and dearer["high"] > default["high"]


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "sarif"])
def test_each_format_writes_the_output_file(tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    run = porter("report", str(DEMO), "--format", fmt, "--output", str(out))
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "rocm" in text and "cann" in text


def test_sarif_for_the_demo_validates():
    validator = sarif_validator()
    run = porter("report", str(DEMO), "--format", "sarif")
    assert run.returncode == 0, run.stderr
    validator.validate(json.loads(run.stdout))


def test_missing_path_is_a_usage_error(tmp_path: Path):
    run = porter("report", str(tmp_path / "nope"))
    assert run.returncode == 2 and "path not found" in run.stderr


def test_demo_links_the_python_loader_to_the_kernels_it_builds():
    document = demo_json("-t", "cann")
    ids = {f["id"]: f for f in document["findings"]}
    link = next(link for link in document["links"] if link["path"] == "fused_ops/__init__.py")
    assert "csrc/fused_softmax.cu" in link["sources"]
    kernels = [ids[k] for k in link["kernels"]]
    assert kernels and all(k["symbol"] == "__global__" and k["path"] == "csrc/fused_softmax.cu" for k in kernels)
    assert "custom-kernels" in link["pits"] and link["effort"]["cann"]["high"] > 0
