"""The mapping loader: schema checks with clear messages, defaults, look-up order, references."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from porter.mappings import MappingError, data_dir, load_tables
from porter.reference import missing_references, replacement_name

FAMILY = """\
family: demo-runtime
language: cuda
title: Demo runtime
rule: cu-demo
defaults:
  oneapi: {status: manual, note: SYCL rewrite}
  cann: {status: manual}
  neutral: {status: manual}
entries:
  - source: cudaMalloc
    kind: function
    note: device allocation
    targets:
      rocm: {status: auto, replacement: hipMalloc, reference: hip-demo}
  - source: cudaDeviceSynchronize
    kind: function
    note: wait for the device
    targets:
      rocm: {status: auto, replacement: hipDeviceSynchronize, reference: hip-demo}
      oneapi: {status: review, replacement: "q.wait()", note: queue wait}
  - source: cudaGraph
    kind: type
    match: prefix
    note: CUDA graphs
    pit: cuda-graphs
    targets:
      rocm: {status: review, note: hipGraph exists in recent ROCm}
  - source: "cuda[A-Z]\\\\w*"
    kind: pattern
    match: regex
    note: no mapping known
    targets:
      rocm: {status: manual}
"""


def make_data(tmp_path: Path, family: str = FAMILY) -> Path:
    (tmp_path / "reference").mkdir()
    shutil.copy(data_dir() / "targets.yaml", tmp_path / "targets.yaml")
    (tmp_path / "demo-runtime.yaml").write_text(family)
    (tmp_path / "reference" / "hip-demo.txt").write_text("# from hip_runtime_api.h\nhipMalloc\nhipDeviceSynchronize\n")
    return tmp_path


def test_defaults_merge_and_lookup_order(tmp_path: Path) -> None:
    tables = load_tables(make_data(tmp_path))
    malloc = tables.lookup("cuda", "cudaMalloc")
    assert malloc is not None and malloc.targets["rocm"].replacement == "hipMalloc"
    assert malloc.targets["oneapi"].status == "manual"
    assert malloc.targets["oneapi"].note == "SYCL rewrite"
    sync = tables.lookup("cuda", "cudaDeviceSynchronize")
    assert sync is not None and sync.targets["oneapi"].status == "review"  # entry beats default
    graph = tables.lookup("cuda", "cudaGraphLaunch")
    assert graph is not None and graph.source == "cudaGraph" and graph.pit == "cuda-graphs"
    unknown = tables.lookup("cuda", "cudaSomethingNew")
    assert unknown is not None and unknown.match == "regex"
    assert tables.lookup("cuda", "cuts") is None
    assert tables.lookup("python", "cudaMalloc") is None


def test_severity_derives_from_dearest_status(tmp_path: Path) -> None:
    tables = load_tables(make_data(tmp_path))
    entry = tables.lookup("cuda", "cudaMalloc")
    assert entry is not None
    assert entry.severity(["rocm"]) == "low"
    assert entry.severity(["rocm", "oneapi"]) == "high"


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (FAMILY.replace("kind: function\n    note: device allocation", "kind: function"), "'note' is a required property"),
        (FAMILY.replace("status: auto, replacement: hipMalloc", "status: automatic, replacement: hipMalloc"), "automatic"),
        (FAMILY.replace("  cann: {status: manual}\n", ""), "no plan for target(s) cann"),
        (FAMILY.replace("  neutral: {status: manual}\n", "  neutral: {status: manual}\n  musa: {status: manual}\n"), "unknown target(s) musa"),
        (FAMILY.replace("cuda[A-Z]", "cuda[A-Z"), "bad regex"),
        ("family: [unclosed\n", "cannot read YAML"),
    ],
)
def test_bad_data_names_file_and_problem(tmp_path: Path, broken: str, message: str) -> None:
    assert broken != FAMILY
    with pytest.raises(MappingError) as info:
        load_tables(make_data(tmp_path, broken))
    assert "demo-runtime.yaml" in str(info.value)
    assert message in str(info.value)


def test_reference_check_catches_made_up_name(tmp_path: Path) -> None:
    directory = make_data(tmp_path)
    assert missing_references(load_tables(directory), directory) == []
    (directory / "demo-runtime.yaml").write_text(FAMILY.replace("replacement: hipMalloc", "replacement: hipMallocTurbo"))
    problems = missing_references(load_tables(directory), directory)
    assert problems == [
        "demo-runtime.yaml: cudaMalloc -> rocm: 'hipMallocTurbo' is not in reference list 'hip-demo'"
    ]


def test_reference_check_catches_a_made_up_value_name(tmp_path: Path) -> None:
    """An architecture list a renamed variable gets is proven like a replacement."""
    family = FAMILY.replace(
        "rocm: {status: auto, replacement: hipMalloc, reference: hip-demo}",
        "rocm: {status: auto, replacement: hipMalloc, reference: hip-demo, "
        "value: {replaces: '[0-9.]+', names: [hipMalloc, gfx9000], separators: ';', reference: hip-demo}}",
    )
    directory = make_data(tmp_path, family)
    tables = load_tables(directory)
    value = tables.exact_names("cuda")["cudaMalloc"].targets["rocm"].value
    assert value is not None and value.names == ("hipMalloc", "gfx9000") and value.separators == ";"
    assert missing_references(tables, directory) == [
        "demo-runtime.yaml: cudaMalloc -> rocm: value 'gfx9000' is not in reference list 'hip-demo'"
    ]
    (directory / "demo-runtime.yaml").write_text(family.replace("'[0-9.]+'", "'[0-9'"))
    with pytest.raises(MappingError, match="entries/0/targets/rocm/value: bad regex"):
        load_tables(directory)


def test_replacement_name_extraction() -> None:
    assert replacement_name('torch.amp.autocast("xpu")') == "torch.amp.autocast"
    assert replacement_name("<hip/hip_runtime.h>") == "hip/hip_runtime.h"
    assert replacement_name("hipMalloc") == "hipMalloc"


def test_shipped_data_is_valid_and_proven() -> None:
    tables = load_tables()
    assert tables.target_ids == ("rocm", "oneapi", "cann", "neutral")
    assert missing_references(tables) == []


def test_duplicate_family_rejected(tmp_path: Path) -> None:
    directory = make_data(tmp_path)
    (directory / "copy.yaml").write_text(textwrap.dedent(FAMILY))
    with pytest.raises(MappingError, match="family defined twice: demo-runtime"):
        load_tables(directory)


def test_default_tables_cached_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from porter import mappings

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PORTER_NO_CACHE", raising=False)
    mappings.default_tables.cache_clear()
    try:
        first = mappings.default_tables()
        (pickled,) = (tmp_path / "porter").glob("mappings-*.pickle")
        mappings.default_tables.cache_clear()
        pickled.write_bytes(b"not a pickle")  # a corrupt cache must fall back to a full load
        second = mappings.default_tables()
        assert second.target_ids == first.target_ids
        assert [f.name for f in second.families] == [f.name for f in first.families]
        assert pickled.read_bytes() != b"not a pickle"  # and is rewritten
    finally:
        mappings.default_tables.cache_clear()
