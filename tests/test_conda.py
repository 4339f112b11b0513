"""conda environment files: golden ports per target, anchors and documents, broken YAML."""

from __future__ import annotations

import pytest
import yaml
from depskit import untouched_lines_identical
from golden.runner import GOLDEN, check_file, check_findings, inputs, ported

from porter.frontends.conda import CondaFrontend
from porter.mappings import default_tables

FRONTEND = CondaFrontend()
TARGETS = default_tables().target_ids


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rel", inputs("conda"))
def test_golden_port(rel: str, target: str) -> None:
    result = check_file("conda", rel, target, FRONTEND)
    data = (GOLDEN / "conda" / "input" / rel).read_bytes()
    out = ported(result, data, target)
    untouched_lines_identical(data, out, result, target)
    assert list(yaml.safe_load_all(out)), "the port must stay valid YAML"


def test_golden_findings() -> None:
    check_findings("conda", FRONTEND)


def analyze(text: str):
    return FRONTEND.analyze("environment.yml", text.encode(), default_tables())


def test_aliased_list_is_read_once() -> None:
    result = analyze("x: &gpu\n  - cudatoolkit=11.8\ndependencies: *gpu\nother: *gpu\n")
    assert [f.symbol for f in result.findings] == ["cudatoolkit"]
    assert result.findings[0].span.line == 2


def test_every_document_is_read() -> None:
    result = analyze("dependencies: [cudnn]\n---\ndependencies:\n  - pytorch-cuda=12.1\n")
    assert [(f.symbol, f.span.line) for f in result.findings] == [("cudnn", 1), ("pytorch-cuda", 4)]


def test_flow_list_items_are_reported_but_not_removed() -> None:
    result = analyze("channels: [nvidia, conda-forge]\n")
    (finding,) = result.findings
    assert finding.symbol == "channel:nvidia" and finding.targets["rocm"].edits == ()


@pytest.mark.parametrize(
    "text", ["dependencies: [unclosed\n", "a: *missing\n", "key: value\n  bad indent: x\n"]
)
def test_broken_yaml_is_an_error_result(text: str) -> None:
    result = analyze(text)
    assert result.status == "error" and result.note and result.note.startswith("invalid YAML")


def test_claims() -> None:
    assert FRONTEND.claims("environment.yml", b"")
    assert FRONTEND.claims("envs/environment-cuda.yaml", b"")
    assert not FRONTEND.claims("docker-compose.yml", b"")


def test_pip_section_index_follows_its_torch_pin() -> None:
    text = (
        "dependencies:\n  - pip:\n"
        "      - --extra-index-url https://download.pytorch.org/whl/cu121\n"
        "      - torch==2.3.1+cu121\n      - nvidia-ml-py>=12.535\n"
    )
    result = analyze(text)
    out = ported(result, text.encode(), "rocm").decode()
    assert "--extra-index-url https://download.pytorch.org/whl/rocm6.0\n" in out
    assert "      - torch==2.3.1\n      - amdsmi\n" in out
    assert ported(result, text.encode(), "oneapi").decode() == text


def test_conda_renames_keep_the_version() -> None:
    """The conda frontend renames only the package name of a spec (its version and build stay),
    so every conda rename must be one that shares version numbers."""
    renames = [
        (entry.source, target, spec.specifier)
        for entry in default_tables().entries("conda")
        for target, spec in entry.targets.items()
        if spec.replacement and entry.kind == "package"
    ]
    assert renames and all(specifier == "keep" for _, _, specifier in renames), renames


def test_a_removed_item_has_no_other_edit_inside_it() -> None:
    """Found by atheris: ``cudatoolkit=11.8 cupy-cuda12x`` (a package whose build string is a
    CUDA tag) gave rocm an item removal and a build edit inside it, which overlap."""
    text = "dependencies:\n  - cudatoolkit=11.8 cupy-cuda12x\n  - numpy\n"
    result = analyze(text)
    assert {f.symbol for f in result.findings} == {"cudatoolkit", "build=cupy-cuda12x"}
    edits = [e for f in result.findings for e in f.targets["rocm"].edits]
    assert len(edits) == 1
    assert ported(result, text.encode(), "rocm") == b"dependencies:\n  - numpy\n"
