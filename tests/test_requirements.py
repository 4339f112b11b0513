"""pip requirements files: golden ports per target, version consistency, odd input, and the
proof that every package and index the pip mapping families write exists."""

from __future__ import annotations

import codecs

import pytest
from depskit import untouched_lines_identical
from golden.runner import GOLDEN, check_file, check_findings, inputs, ported
from packaging.requirements import Requirement

from porter.frontends.deps import PIP, companion_pins, normalize, pypi_releases, wheel_builds
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
    assert out == "--extra-index-url https://download.pytorch.org/whl/rocm6.2\ntorch==2.5.1\n"


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


# -- the wheel index follows the torch pin (reference/pytorch-wheel-builds.txt) ------------------

ROCM = "https://download.pytorch.org/whl/rocm"
CU121 = "--extra-index-url https://download.pytorch.org/whl/cu121\n"


def port(text: str, target: str) -> str:
    return ported(analyze(text), text.encode(), target).decode()


def note(text: str, symbol: str, target: str) -> str:
    return by_symbol(analyze(text), symbol).targets[target].note


@pytest.mark.parametrize(
    ("pin", "index"),
    [
        ("torch==2.3.1+cu121", "6.0"),  # built for ROCm 5.7 and 6.0: the newest carries it
        ("torch==2.2.0", "5.6"),
        ("torch==2.5.1", "6.2"),
        ("torch==2.9.1", "6.4"),
        ("torch==2.10.0", "7.1"),
        ("torch>=2.4,<2.6", "6.2"),  # a range: the newest index with a release it allows
    ],
)
def test_rocm_index_is_the_newest_that_carries_the_pin(pin: str, index: str) -> None:
    out = port(CU121 + pin + "\n", "rocm")
    assert out.splitlines()[0] == f"--extra-index-url {ROCM}{index}"
    assert out.count("--extra-index-url") == 1
    assert f"{ROCM}{index}, the newest rocm index" in note(CU121 + pin + "\n", "torch", "rocm")


def test_every_index_the_table_can_write_is_a_known_wheel_index() -> None:
    indexes = reference_names("pytorch-wheel-indexes")
    builds = wheel_builds()
    assert {b.group for b in builds} == {"rocm", "xpu"}
    for build in builds:
        assert build.url in indexes, f"{build.url} is not in pytorch-wheel-indexes"
    groups: dict[str, str] = {}
    for build in builds:
        assert groups.setdefault(build.url, build.group) == build.group, f"{build.url}: two groups"
    torch = pypi_releases("torch")
    for build in builds:
        assert any(build.torch.contains(v) for v in torch), f"{build}: no torch release on PyPI"


def test_every_index_the_data_writes_for_torch_has_a_group() -> None:
    """The data's default ROCm and XPU indexes stand for their groups, so the pin can move them."""
    for where, text in _pip_writes():
        url = text.split()[-1]
        if "/whl/rocm" in url or url.endswith("/whl/xpu"):
            assert any(b.url == url for b in wheel_builds()), f"{where}: {url} is in no group"


def test_torchvision_follows_torch_to_one_index() -> None:
    text = CU121 + "torch==2.3.1+cu121\ntorchvision==0.18.1+cu121\ntorchaudio==2.3.1\n"
    out = port(text, "rocm")
    assert out == f"--extra-index-url {ROCM}6.0\ntorch==2.3.1\ntorchvision==0.18.1\ntorchaudio==2.3.1\n"
    assert "rocm6.0" in note(text, "torchvision", "rocm")


def test_unpinned_torch_keeps_the_default_index_with_a_note() -> None:
    assert port("torch\n", "rocm") == f"--extra-index-url {ROCM}6.4\ntorch\n"
    text = note("torch\n", "torch", "rocm")
    assert "no torch version pinned" in text and "pin torch==2.9.1" in text


def test_index_without_torch_in_the_file_keeps_the_default() -> None:
    assert port(CU121 + "numpy\n", "rocm") == f"--extra-index-url {ROCM}6.4\nnumpy\n"


@pytest.mark.parametrize("pin", ["torch==2.12.0", "torch==2.3.7"])
def test_pin_the_table_does_not_know_keeps_the_default_index(pin: str) -> None:
    """A release newer than the table (2.12.0), or one that never existed (2.3.7)."""
    assert port(CU121 + pin + "\n", "rocm") == f"--extra-index-url {ROCM}6.4\n{pin}\n"
    text = note(CU121 + pin + "\n", "torch", "rocm")
    assert "lists no rocm build of torch" in text and f"kept {ROCM}6.4" in text


def test_range_reaching_past_the_index_says_to_cap_torch() -> None:
    text = note("torch>=2.9,<2.13\n", "torch", "rocm")
    assert f"{ROCM}7.1" in text and "cap torch at 2.10.0" in text


@pytest.mark.parametrize(("pin", "target"), [("torch==2.3.1+cu121", "oneapi"), ("torch==1.10.0", "rocm")])
def test_pin_older_than_every_build_is_left_to_a_human(pin: str, target: str) -> None:
    """torch 2.3.1 has no XPU wheel (they start at 2.5.0); torch 1.10 is on no ROCm index."""
    text = CU121 + pin + "\ntorchvision\n"
    result = analyze(text)
    for symbol in ("torch", "https://download.pytorch.org/whl/cu121", "torchvision"):
        plan = by_symbol(result, symbol).targets[target]
        assert plan.status == "manual" and plan.edits == ()
        assert "older than every" in plan.note and "a human decides" in plan.note
    assert port(text, target) == text


def test_xpu_index_from_torch_2_5() -> None:
    assert port(CU121 + "torch==2.5.1\n", "oneapi").startswith(
        "--extra-index-url https://download.pytorch.org/whl/xpu\n"
    )
    assert port(CU121 + "torch>=2.4,<2.6\n", "oneapi").startswith(
        "--extra-index-url https://download.pytorch.org/whl/xpu\n"
    )


def test_index_of_the_group_already_named_is_not_overruled() -> None:
    text = f"--extra-index-url {ROCM}6.4\ntorch==2.5.1\n"
    assert port(text, "rocm") == text
    assert f"already names {ROCM}6.4" in note(text, "torch", "rocm")


# -- a renamed requirement keeps its version specifier only where the data says so ---------------


def test_unrelated_project_drops_the_old_version_constraint() -> None:
    text = "nvidia-ml-py>=12.535\npynvml (>=11.0) ; sys_platform == 'linux'\n"
    assert port(text, "rocm") == "amdsmi\namdsmi ; sys_platform == 'linux'\n"
    assert "dropped the version constraint >=12.535" in note(text, "nvidia-ml-py", "rocm")
    assert "amdsmi numbers its own" in note(text, "pynvml", "rocm")


def test_variant_of_the_same_project_keeps_a_satisfiable_constraint() -> None:
    text = "cupy-cuda12x>=13.0\n"
    assert port(text, "rocm") == "cupy-rocm-7-0>=13.0\n"
    assert "no cupy-rocm-7-0 release" not in note(text, "cupy-cuda12x", "rocm")
    unmet = "cupy-cuda12x==13.0.0\n"
    assert port(unmet, "rocm") == "cupy-rocm-7-0==13.0.0\n"
    assert "no cupy-rocm-7-0 release on PyPI meets ==13.0.0" in note(unmet, "cupy-cuda12x", "rocm")


def test_every_package_rename_says_what_becomes_of_its_version() -> None:
    missing = [
        f"{entry.family}: {entry.source} -> {target}"
        for entry in default_tables().entries(PIP)
        if entry.kind == "package"
        for target, spec in entry.targets.items()
        if spec.replacement and spec.specifier not in ("keep", "drop")
    ]
    assert missing == []


def test_every_kept_constraint_can_be_checked_against_releases() -> None:
    for entry in default_tables().entries(PIP):
        for target, spec in entry.targets.items():
            if spec.specifier == "keep":
                name = normalize(Requirement(spec.replacement or "").name)
                assert pypi_releases(name), f"{entry.source} -> {target}: {name} not in pypi-releases"


def test_kept_constraints_in_real_ports_are_met_by_a_release_or_reported() -> None:
    """Every constraint a port keeps on a renamed requirement (golden inputs, the demo) is met by
    a release of the new project on PyPI, or the finding says it is not."""
    files = [GOLDEN / "requirements" / "input" / rel for rel in inputs("requirements")]
    files.append(GOLDEN.parent.parent / "fixtures" / "demo" / "requirements.txt")
    checked = []
    for path in files:
        result = analyze(path.read_bytes())
        for finding in result.findings:
            entry = default_tables().lookup(PIP, finding.symbol)
            for target in TARGETS:
                plan = entry.targets[target] if entry else None
                if plan is None or plan.specifier != "keep" or not finding.targets[target].edits:
                    continue
                line = path.read_text().splitlines()[finding.span.line - 1].split(" #")[0]
                specifier = Requirement(line).specifier
                if not specifier:
                    continue
                new = normalize(Requirement(plan.replacement or "").name)
                checked.append(f"{new}{specifier}")
                if not any(specifier.contains(v, prereleases=True) for v in pypi_releases(new)):
                    assert f"no {new} release on PyPI meets" in finding.targets[target].note
    assert "cupy-rocm-7-0>=13.0" in checked and "onnxruntime-migraphx==1.18.0" in checked
