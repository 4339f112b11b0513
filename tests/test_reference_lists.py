"""The Python mapping data is proven: every replacement exists in the real package it names.

The reference lists are read from the packages by tools/torch_reference.py (installed torch) and
tools/torch_npu_reference.py (the torch-npu wheel, read as files); torch-cuda.yaml is generated
from them by tools/gen_torch_mappings.py. These tests check the data against the lists, the
lists against the installed torch, and the generated family against its generator.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from porter.mappings import (
    MappingTables,
    data_dir,
    family_paths,
    load_family,
    load_targets,
    reference_names,
)
from porter.reference import missing_references, replacement_name

REPO = Path(__file__).resolve().parent.parent
OWN_FAMILIES = ("torch-", "python-")
#: Dotted torch names inside a replacement, up to a call: "torch.accelerator.current_accelerator".
_TORCH_NAMES = re.compile(r"(?<![\w.])(torch(?:_npu)?(?:\.[A-Za-z_]\w*)+)")


def own_paths(directory: Path) -> list[Path]:
    return [p for p in family_paths(directory) if p.name.startswith(OWN_FAMILIES)]


def own_tables(directory: Path) -> MappingTables:
    targets = load_targets(directory)
    ids = tuple(t.id for t in targets)
    return MappingTables(targets, tuple(load_family(p, ids) for p in own_paths(directory)))


def test_every_python_replacement_is_in_its_reference_list() -> None:
    assert missing_references(own_tables(data_dir())) == []


def test_every_python_replacement_names_a_reference() -> None:
    unproven = [
        f"{e.family}: {e.source} -> {t}"
        for e in own_tables(data_dir()).entries("python")
        for t, spec in e.targets.items()
        if spec.replacement is not None and not spec.reference
    ]
    assert unproven == []


def test_check_fails_on_a_made_up_name(tmp_path: Path) -> None:
    source = data_dir()
    shutil.copy(source / "targets.yaml", tmp_path / "targets.yaml")
    shutil.copytree(source / "reference", tmp_path / "reference")
    for path in own_paths(source):
        shutil.copy(path, tmp_path / path.name)
    family = tmp_path / "torch-cuda.yaml"
    text = family.read_text(encoding="utf-8")
    assert "replacement: torch.xpu.synchronize," in text
    family.write_text(text.replace("replacement: torch.xpu.synchronize,", "replacement: torch.xpu.synchronise,"))
    problems = missing_references(own_tables(tmp_path), tmp_path)
    assert problems == [
        "torch-cuda.yaml: torch.cuda.synchronize -> oneapi: 'torch.xpu.synchronise' "
        "is not in reference list 'torch.xpu'"
    ]


#: The lists of qualified names (the others hold bare method, device or variable names).
QUALIFIED_LISTS = (
    "torch",
    "torch.cuda",
    "torch.xpu",
    "torch.accelerator",
    "torch.amp",
    "torch.distributed",
    "torch.version",
    "torch.nn.functional",
    "torch.backends",
    "torch.profiler",
    "torch.autograd.profiler",
    "torch.utils.cpp_extension",
    "torch.npu",
    "torch_npu",
)


def _torch_lists() -> frozenset[str]:
    return frozenset(name for n in QUALIFIED_LISTS for name in reference_names(n))


def test_names_inside_replacement_expressions_exist() -> None:
    """``.to(torch.accelerator.current_accelerator())`` proves "to" through its list; the
    torch names inside the expression must exist too."""
    known = _torch_lists()
    missing = [
        f"{e.source} -> {t}: {name}"
        for e in own_tables(data_dir()).entries("python")
        for t, spec in e.targets.items()
        if spec.replacement
        for name in _TORCH_NAMES.findall(spec.replacement)
        if name not in known
    ]
    assert missing == []


def test_names_in_target_helpers_exist() -> None:
    """The helper a port writes into files (``accelerator_or_cpu``) calls real torch names."""
    known = _torch_lists()
    helpers = [t.helper for t in load_targets(data_dir()) if t.helper is not None]
    assert helpers, "no target declares a helper"
    names = {n for h in helpers for n in _TORCH_NAMES.findall(f"{h.expression} {h.returns}")}
    assert "torch.accelerator.current_accelerator" in names
    assert sorted(names - known) == []


def test_cuda_method_replacements_exist_on_tensor_and_module() -> None:
    """``.cuda()`` is called on tensors and on modules, so its replacement must exist on both."""
    entry = own_tables(data_dir()).exact_names("python")[".cuda"]
    for target, spec in entry.targets.items():
        if spec.replacement is None:
            continue
        method = replacement_name(spec.replacement)
        vendor = "torch_npu" if spec.reference and spec.reference.startswith("torch_npu") else "torch"
        assert method in reference_names(f"{vendor}.Tensor"), target
        assert method in reference_names(f"{vendor}.nn.Module"), target


def test_pits_used_exist() -> None:
    pits_file = data_dir() / "pits.yaml"
    if not pits_file.is_file():
        pytest.skip("no pits.yaml in this checkout")
    known = {p["id"] for p in yaml.safe_load(pits_file.read_text(encoding="utf-8"))["pits"]}
    used = {e.pit for e in own_tables(data_dir()).entries("python") if e.pit}
    assert used <= known, sorted(used - known)


def _tool(name: str):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(REPO / "tools"))
    try:
        spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(REPO / "tools"))


def _installed_torch_matches_lists() -> None:
    torch = pytest.importorskip("torch")
    header = (data_dir() / "reference" / "torch.cuda.txt").read_text(encoding="utf-8").splitlines()[0]
    if f"torch {torch.__version__}" not in header:
        pytest.skip(f"lists were taken from another torch ({header}); installed {torch.__version__}")


def test_torch_lists_match_the_installed_torch() -> None:
    _installed_torch_matches_lists()
    tool = _tool("torch_reference")
    import torch

    for module in (torch.cuda, torch.xpu, torch.accelerator):
        assert reference_names(module.__name__) == frozenset(tool.namespace(module)), module.__name__
    assert reference_names("torch.device-types") == frozenset(tool.device_types())
    assert reference_names("torch.distributed-backends") == frozenset(tool.distributed_backends())


def test_generated_torch_cuda_family_is_fresh() -> None:
    _installed_torch_matches_lists()
    tool = _tool("gen_torch_mappings")
    committed = (data_dir() / "torch-cuda.yaml").read_text(encoding="utf-8")
    assert tool.build() == committed, "run python tools/gen_torch_mappings.py"


def test_npu_lists_come_from_the_wheel() -> None:
    """The Ascend lists name the wheel they were read from and hold its known names."""
    header = (data_dir() / "reference" / "torch.npu.txt").read_text(encoding="utf-8").splitlines()[0]
    assert re.search(r"torch_npu-[\d.]+-.*\.whl", header), header
    assert {"torch.npu.synchronize", "torch.npu.amp.autocast"} <= reference_names("torch.npu")
    assert reference_names("torch_npu.device-types") == frozenset({"npu"})
    assert "hccl" in reference_names("torch_npu.distributed-backends")
    assert {"npu", "is_npu"} <= reference_names("torch_npu.Tensor")


def _separators(reference: str) -> set[str]:
    """The separators a reference list's header says its reader splits on (``# separators:``)."""
    path = data_dir() / "reference" / f"{reference}.txt"
    header = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    (line,) = [h for h in header if h.startswith("# separators:")]
    return set(re.findall(r"'(.)'", line))


def test_architecture_values_are_names_their_readers_take() -> None:
    """Every list a renamed variable's value becomes (PYTORCH_ROCM_ARCH's gfx names,
    TORCH_XPU_ARCH_LIST's Intel GPU names) is in the reference list taken from its reader, and
    every separator the data writes or keeps is one that reader splits on."""
    from porter.mappings import default_tables

    checked = []
    for entry in default_tables().entries():
        for target, spec in entry.targets.items():
            if spec.value is None:
                continue
            value = spec.value
            path = data_dir() / "reference" / f"{value.reference}.txt"
            assert path.read_text(encoding="utf-8").startswith("# "), "a reference list names its source"
            assert spec.replacement and spec.replacement in path.read_text(encoding="utf-8"), (
                f"{value.reference} is not the list of {spec.replacement}'s reader"
            )
            assert set(value.names) <= reference_names(value.reference), (entry.source, target)
            assert set(value.separators) <= _separators(value.reference), (entry.source, target)
            assert re.compile(value.replaces).fullmatch("8.0") and not re.compile(value.replaces).fullmatch("gfx90a")
            checked.append((entry.family, target))
    assert sorted(checked) == [
        ("python-env", "oneapi"), ("python-env", "rocm"), ("shell-env", "oneapi"), ("shell-env", "rocm")
    ]


def test_architecture_readers_are_read_by_the_installed_torch() -> None:
    """The variables the lists are for are the ones torch's extension builder reads."""
    torch_env = reference_names("torch.env")
    assert {"PYTORCH_ROCM_ARCH", "TORCH_XPU_ARCH_LIST", "TORCH_CUDA_ARCH_LIST"} <= torch_env
