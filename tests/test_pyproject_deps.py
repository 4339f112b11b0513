"""pyproject.toml and setup.cfg dependencies: golden ports per target, the TOML scanner against
tomllib, and broken input."""

from __future__ import annotations

import tomllib

import pytest
from depskit import untouched_lines_identical
from golden.runner import GOLDEN, check_file, check_findings, inputs, ported

from porter.frontends.pyproject import PyprojectFrontend, toml_strings
from porter.frontends.python_setup import setup_py_findings
from porter.mappings import default_tables
from porter.rewrite.apply import apply_edits

FRONTEND = PyprojectFrontend()
TARGETS = default_tables().target_ids


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rel", inputs("pyproject"))
def test_golden_port(rel: str, target: str) -> None:
    result = check_file("pyproject", rel, target, FRONTEND)
    data = (GOLDEN / "pyproject" / "input" / rel).read_bytes()
    out = ported(result, data, target)
    untouched_lines_identical(data, out, result, target)
    if rel.endswith(".toml"):
        tomllib.loads(out.decode())


def test_golden_findings() -> None:
    check_findings("pyproject", FRONTEND)


def test_scanner_finds_what_tomllib_reads() -> None:
    text = (GOLDEN / "pyproject" / "input" / "pyproject.toml").read_text()
    document = tomllib.loads(text)
    strings = toml_strings(text)

    def values(path: tuple[str, ...]) -> list[str]:
        return [s.value for s in strings if s.path == path and s.in_array]

    assert values(("project", "dependencies")) == document["project"]["dependencies"]
    assert values(("build-system", "requires")) == document["build-system"]["requires"]
    extras = document["project"]["optional-dependencies"]
    for name, listed in extras.items():
        assert values(("project", "optional-dependencies", name)) == listed
    for string in strings:
        assert tomllib.loads(f"x = {text[string.start:string.end]}")["x"] == string.value


def test_cann_adds_torch_npu_to_each_list_with_torch() -> None:
    text = '[project]\ndependencies = ["torch==2.4.0"]\n[project.optional-dependencies]\nx = [\n  "torch>=2.4,<2.5",\n]\n'
    result = FRONTEND.analyze("pyproject.toml", text.encode(), default_tables())
    out = ported(result, text.encode(), "cann").decode()
    document = tomllib.loads(out)
    assert document["project"]["dependencies"][1].startswith("torch-npu==2.4.0")
    assert document["project"]["optional-dependencies"]["x"][1].startswith("torch-npu==2.4.0")


def test_invalid_toml_is_an_error_result() -> None:
    result = FRONTEND.analyze("pyproject.toml", b"[project\ndependencies = [\n", default_tables())
    assert result.status == "error" and (result.note or "").startswith("invalid TOML")


def test_claims() -> None:
    assert FRONTEND.claims("pyproject.toml", b"") and FRONTEND.claims("pkg/setup.cfg", b"")
    assert not FRONTEND.claims("setup.py", b"") and not FRONTEND.claims("tox.ini", b"")


def test_setup_py_requirements_are_found_and_edited_in_place() -> None:
    source = (
        b"from setuptools import setup\n"
        b"setup(name='x', install_requires=['torch==2.3.1+cu121', \"pynvml\"],\n"
        b"      extras_require={'gpu': ['cupy-cuda12x']}, version=VERSION)\n"
    )
    findings = setup_py_findings("setup.py", source, default_tables())
    assert [f.symbol for f in findings] == ["torch", "+cu121", "pynvml", "cupy-cuda12x"]
    edits = [e for f in findings for e in f.targets["rocm"].edits]
    out = apply_edits(source, edits).data.decode()
    assert "install_requires=['torch==2.3.1', \"amdsmi\"]" in out and "'cupy-rocm-7-0'" in out
    assert setup_py_findings("setup.py", b"setup(", default_tables()) == []


def test_uv_index_follows_the_torch_pin_of_another_table() -> None:
    text = (
        '[project]\ndependencies = ["torch==2.5.1+cu121", "nvidia-ml-py>=12"]\n'
        '[[tool.uv.index]]\nname = "cu"\nurl = "https://download.pytorch.org/whl/cu121"\n'
    )
    result = FRONTEND.analyze("pyproject.toml", text.encode(), default_tables())
    rocm = tomllib.loads(ported(result, text.encode(), "rocm").decode())
    assert rocm["tool"]["uv"]["index"][0]["url"] == "https://download.pytorch.org/whl/rocm6.2"
    assert rocm["project"]["dependencies"] == ["torch==2.5.1", "amdsmi"]
    xpu = tomllib.loads(ported(result, text.encode(), "oneapi").decode())
    assert xpu["tool"]["uv"]["index"][0]["url"] == "https://download.pytorch.org/whl/xpu"


def test_torch_note_names_the_index_where_none_can_be_written() -> None:
    text = '[project]\ndependencies = ["torch==2.3.1"]\n'
    result = FRONTEND.analyze("pyproject.toml", text.encode(), default_tables())
    (torch,) = result.findings
    assert "https://download.pytorch.org/whl/rocm6.0" in torch.targets["rocm"].note
    assert torch.targets["oneapi"].status == "manual"
    assert "older than every xpu build" in torch.targets["oneapi"].note


def test_setup_py_lists_share_the_torch_pin() -> None:
    source = (
        b"from setuptools import setup\n"
        b"setup(install_requires=['torch==2.3.1', 'nvidia-ml-py>=12'],\n"
        b"      extras_require={'vision': ['torchvision']})\n"
    )
    findings = setup_py_findings("setup.py", source, default_tables())
    vision = next(f for f in findings if f.symbol == "torchvision")
    assert "https://download.pytorch.org/whl/rocm6.0" in vision.targets["rocm"].note
    assert vision.targets["oneapi"].status == "manual"
    edits = [e for f in findings for e in f.targets["rocm"].edits]
    assert "'amdsmi'" in apply_edits(source, edits).data.decode()
