"""pip requirements files: golden ports per target, version consistency, odd input, and the
proof that every package and index the pip mapping families write exists."""

from __future__ import annotations

import codecs

import pytest
from depskit import untouched_lines_identical
from golden.runner import GOLDEN, check_file, check_findings, inputs, ported
from packaging.requirements import Requirement

from porter.frontends.deps import PIP, companion_pins, normalize
from porter.frontends.requirements import RequirementsFrontend, claims_requirements
from porter.mappings import default_tables, reference_names

FRONTEND = RequirementsFrontend()
TARGETS = default_tables().target_ids


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rel", inputs("requirements"))
def test_golden_port(rel: str, target: str) -> None:
    result = check_file("requirements", rel, target, FRONTEND)
    data = (GOLDEN / "requirements" / "input" / rel).read_bytes()
    untouched_lines_identical(data, ported(result, data, target), result, target)


def test_golden_findings() -> None:
    check_findings("requirements", FRONTEND)


def analyze(text: str | bytes, path: str = "requirements.txt"):
    data = text.encode() if isinstance(text, str) else text
    return FRONTEND.analyze(path, data, default_tables())


def by_symbol(result, symbol: str):
    return next(f for f in result.findings if f.symbol == symbol)


def test_cann_adds_torch_npu_pinned_to_the_torch_version() -> None:
    result = analyze("torch==2.3.1+cu121\n")
    out = ported(result, b"torch==2.3.1+cu121\n", "cann").decode()
    added = next(line for line in out.splitlines() if line.startswith("torch-npu=="))
    release = added.split("==")[1]
    pins = {str(r): v for r, _, v in companion_pins("torch-npu")}
    assert pins[release] == "2.3.1"
    assert "torch==2.3.1\n" in out and "+cu121" not in out
    assert "--extra-index-url https://download.pytorch.org/whl/cpu\n" in out


def test_torch_without_a_torch_npu_release_is_reported_not_guessed() -> None:
    result = analyze("torch==1.13.1\n")
    plan = by_symbol(result, "torch").targets["cann"]
    assert plan.status == "review"
    assert "no torch-npu release" in plan.note and "torch-npu" not in "".join(
        e.text for e in plan.edits
    )


def test_mismatched_torch_npu_pin_is_a_review_finding() -> None:
    result = analyze("torch==2.4.0\ntorch-npu==2.3.1.post4\n")
    plan = by_symbol(result, "torch-npu").targets["cann"]
    assert plan.status == "review"
    assert "must match" in plan.note and "torch-npu==2.4.0" in plan.note
    consistent = analyze("torch==2.4.0\ntorch-npu==2.4.0.post4\n")
    assert by_symbol(consistent, "torch-npu").targets["cann"].status == "not-needed"


def test_existing_target_index_is_not_added_twice() -> None:
    text = "--extra-index-url https://download.pytorch.org/whl/rocm6.4\ntorch==2.5.1\n"
    assert ported(analyze(text), text.encode(), "rocm").decode() == text


def test_a_build_named_by_its_label_is_not_a_cuda_site() -> None:
    """A linked or pinned +cpu build (detectron2's docs/requirements.txt) is no CUDA lock-in: no
    site, so no index line is written before a direct link that ignores indexes anyway."""
    text = (
        "https://download.pytorch.org/whl/cpu/torch-1.8.1%2Bcpu-cp37-cp37m-linux_x86_64.whl\n"
        "torchvision==0.18.1+cpu\n"
    )
    assert analyze(text).findings == ()
    cuda = analyze(
        "https://download.pytorch.org/whl/cu121/torch-2.3.1%2Bcu121-cp310-cp310-linux_x86_64.whl\n"
        "torchvision==0.18.1+cu121\n"
    )
    assert {f.symbol for f in cuda.findings} >= {"torch", "torchvision", "+cu121"}


def test_cuda_find_links_page_is_dropped_for_the_target_index() -> None:
    text = "-f https://download.pytorch.org/whl/cu111/torch_stable.html\ntorch==2.5.1+cu121\n"
    out = ported(analyze(text), text.encode(), "rocm").decode()
    assert out == "--extra-index-url https://download.pytorch.org/whl/rocm6.4\ntorch==2.5.1\n"


def test_unrelated_lines_give_nothing() -> None:
    text = "-r base.txt\n-c constraints.txt\nnumpy>=1.26 ; python_version >= '3.10'\n${EXTRA}\n\n# torch\n"
    result = analyze(text)
    assert result.status == "scanned" and result.findings == ()


def test_requirement_split_over_lines_is_read_not_edited() -> None:
    result = analyze("cupy-cuda12x \\\n  ==13.0.0\n")
    finding = by_symbol(result, "cupy-cuda12x")
    assert finding.targets["rocm"].status == "review" and finding.targets["rocm"].edits == ()


def test_utf16_file_is_listed_not_rewritten() -> None:
    data = codecs.BOM_UTF16_LE + "torch==2.3.1+cu121\r\nflash-attn\r\n".encode("utf-16-le")
    result = analyze(data)
    assert result.status == "partial" and "utf-16" in (result.note or "")
    assert {f.symbol for f in result.findings} == {"torch", "+cu121", "flash-attn"}
    assert all(not p.edits for f in result.findings for p in f.targets.values())


def test_invalid_utf8_is_partial_and_not_rewritten() -> None:
    result = analyze(b"# caf\xe9\npynvml\n")
    assert result.status == "partial"
    assert [f.symbol for f in result.findings] == ["pynvml"]
    assert by_symbol(result, "pynvml").targets["rocm"].edits == ()


def test_bom_file_keeps_its_bom() -> None:
    data = codecs.BOM_UTF8 + b"pynvml\n"
    out = ported(analyze(data), data, "rocm")
    assert out == codecs.BOM_UTF8 + b"amdsmi\n"


@pytest.mark.parametrize(
    ("path", "claimed"),
    [
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("dev-requirements.txt", True),
        ("requirements.in", True),
        ("constraints.txt", True),
        ("requirements/base.txt", True),
        ("MANIFEST.in", False),
        ("Makefile.in", False),
        ("notes.txt", False),
        ("requirements.py", False),
    ],
)
def test_claims(path: str, claimed: bool) -> None:
    assert claims_requirements(path) is claimed


def _pip_writes() -> list[tuple[str, str]]:
    """(where, text) for every replacement and companion line of the pip families."""
    found = []
    for entry in default_tables().entries(PIP):
        for target, spec in entry.targets.items():
            for text in [spec.replacement or "", *spec.imports]:
                if text:
                    found.append((f"{entry.family}: {entry.source} -> {target}", text))
    return found


def test_every_package_written_exists_on_pypi() -> None:
    known = reference_names("pypi-packages")
    for where, text in _pip_writes():
        if text.startswith("-") or "://" in text:
            continue
        requirement = Requirement(text)
        name = normalize(requirement.name)
        assert name in known, f"{where}: {name} is not in pypi-packages"
        for extra in requirement.extras:
            assert f"{name}[{extra}]" in known, f"{where}: {name}[{extra}] is not in pypi-packages"


def test_every_index_written_is_a_known_wheel_index() -> None:
    indexes = reference_names("pytorch-wheel-indexes")
    urls = [text.split()[-1] for _, text in _pip_writes() if "://" in text]
    assert urls, "the pip families name no index: this test would prove nothing"
    for url in urls:
        assert url in indexes, f"{url} is not in pytorch-wheel-indexes"


def test_torch_npu_pairs_cover_every_release_listed() -> None:
    pins = companion_pins("torch-npu")
    assert len(pins) >= 40
    assert all(anchor == "torch" and version.count(".") == 2 for _, anchor, version in pins)
