"""``porter port --style shim``: transfer_to_npu's imports in the entry points, and every site the
shim leaves, changes or covers only in part, with file:line; the shim data is proven against the
lists read from the torch-npu wheel."""

from __future__ import annotations

import ast
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from clirun import porter

from porter.mappings import MappingError, data_dir, load_targets
from porter.shim import Knowledge, ShimUnavailable, load_shims, plan_shim, shim_for
from porter.write import write_copy

REPO = Path(__file__).resolve().parent.parent

TRAIN = '''\
"""Train on one GPU."""

from __future__ import annotations

import torch
from torch.utils.cpp_extension import load

from lib import Net

kernels = load(name="k", sources=["k.cu"])


@torch.jit.script
def scale(x: torch.Tensor) -> torch.Tensor:
    return x * 2


def main() -> None:
    model = Net().cuda()
    x = torch.zeros(4, device="cuda").to("cuda")
    if x.device.type == "cuda":
        print("on the GPU")
    ref = torch.cuda.DoubleTensor(4)
    torch.cuda.nvtx.range_push("step")
    torch.cuda.synchronize()
    with torch.profiler.profile(experimental_config=None):
        model(x)


if __name__ == "__main__":
    main()
'''

LIB = '''\
import flash_attn
import torch

DEVICE = "cuda"


class Net(torch.nn.Module):
    def forward(self, x):
        return x.to(DEVICE)
'''

#: (file:line, symbol, effect, rule) of every site in TRAIN and LIB; kept by hand from the code
#: above, so a change in what the rules decide shows up here.
EXPECTED_SITES = [
    ("lib.py:1", "import flash_attn", "uncovered", "shim-libraries"),
    ("lib.py:4", '"cuda"', "check", "shim-value"),
    ("train.py:10", "torch.utils.cpp_extension.load(sources=*.cu)", "uncovered", "shim-cpp-extension"),
    ("train.py:13", "torch.jit.script", "changed", "shim-jit-script"),
    ("train.py:19", ".cuda()", "covered", "shim-cuda-methods"),
    ("train.py:20", '"cuda"', "covered", "shim-patched-argument"),
    ("train.py:20", '"cuda"', "covered", "shim-patched-argument"),
    ("train.py:21", '== "cuda"', "uncovered", "shim-compare"),
    ("train.py:23", "torch.cuda.DoubleTensor", "changed", "shim-double-tensor"),
    ("train.py:24", "torch.cuda.nvtx.range_push", "uncovered", "shim-cuda-missing"),
    ("train.py:25", "torch.cuda.synchronize", "covered", "shim-cuda-twin"),
    ("train.py:26", "torch.profiler.profile", "changed", "shim-profiler-config"),
]

SHIM_LINES = "import torch_npu\nfrom torch_npu.contrib import transfer_to_npu\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    root.mkdir()
    (root / "train.py").write_text(TRAIN)
    (root / "lib.py").write_text(LIB)
    return root


def _sites(shimmed) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    return [(f"{s.path}:{s.line}", s.symbol, s.effect, s.rule) for s in shimmed.sites]


# -- the data --------------------------------------------------------------------------------


def test_every_target_has_shim_data_and_only_cann_a_shim() -> None:
    shims = load_shims()
    assert set(shims) == {t.id for t in load_targets(data_dir())}
    assert {t for t, s in shims.items() if s.status == "available"} == {"cann"}
    assert shims["rocm"].status == "not-needed"


def test_shim_data_is_proven_by_the_wheel_lists() -> None:
    assert Knowledge.of(shim_for("cann")).unproven() == []


def test_a_made_up_proof_fails(tmp_path: Path) -> None:
    shutil.copytree(data_dir() / "reference", tmp_path / "reference")
    text = (data_dir() / "shims.yaml").read_text(encoding="utf-8")
    assert "proof: [torch.jit.script, torch.jit.script_method]" in text
    (tmp_path / "shims.yaml").write_text(text.replace("torch.jit.script_method]", "torch.jit.trace]"))
    shim = shim_for("cann", tmp_path)
    assert Knowledge.of(shim, tmp_path).unproven() == ["shim-jit-script: torch.jit.trace"]


def test_rules_are_schema_checked(tmp_path: Path) -> None:
    document = yaml.safe_load((data_dir() / "shims.yaml").read_text(encoding="utf-8"))
    document["shims"]["cann"]["rules"][0]["effect"] = "fixed"
    (tmp_path / "shims.yaml").write_text(yaml.safe_dump(document))
    with pytest.raises(MappingError, match="rules/0/effect"):
        load_shims(tmp_path)


def test_reference_reader_on_a_small_shim() -> None:
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import transfer_to_npu_reference as tool
    finally:
        sys.path.remove(str(REPO / "tools"))
    source = """
fn_list = ['zeros', 'ones']
device_kwargs_list = ['device']
def _init():
    _device_wrapper(torch, fn_list)
    torch.Tensor.cuda = torch.Tensor.npu
    torch.nn.Module.__init__ = _wrapper_cuda(torch.nn.Module.__init__)
    torch.profiler.profile = _wrapper_profiler(torch.profiler.profile)
def _patch_cuda():
    patches = [['cuda', torch_npu.npu]]
"""
    lists = tool.read(source)
    assert lists["transfer_to_npu.wrapped"] == {"torch.zeros", "torch.ones", "torch.nn.Module"}
    assert lists["transfer_to_npu.replaced"] == {"torch.Tensor.cuda", "torch.profiler.profile", "torch.cuda"}
    assert lists["transfer_to_npu.device-keywords"] == {"device", "device_ids"}


def test_reference_lists_match_the_wheel() -> None:
    """With the torch-npu wheel at hand (PORTER_TORCH_NPU_WHEEL), the committed lists are what
    the reader takes from its transfer_to_npu.py."""
    wheel = os.environ.get("PORTER_TORCH_NPU_WHEEL")
    if not wheel:
        pytest.skip("set PORTER_TORCH_NPU_WHEEL to a torch-npu wheel to re-read the shim's lists")
    import zipfile

    sys.path.insert(0, str(REPO / "tools"))
    try:
        import transfer_to_npu_reference as tool
    finally:
        sys.path.remove(str(REPO / "tools"))
    with zipfile.ZipFile(wheel) as archive:
        lists = tool.read(archive.read(tool.MODULE).decode("utf-8"))
    from porter.mappings import reference_names

    for name, names in lists.items():
        assert reference_names(name) == frozenset(names), name


# -- planning --------------------------------------------------------------------------------


def test_targets_without_a_shim_are_refused() -> None:
    for target, words in (("rocm", "no runtime shim exists or is needed"), ("oneapi", "no runtime patch"),
                          ("neutral", "cannot come from a runtime patch")):
        with pytest.raises(ShimUnavailable, match=words):
            shim_for(target)


def test_sites_and_their_effects(tree: Path) -> None:
    shimmed = plan_shim(tree, "cann")
    assert _sites(shimmed) == EXPECTED_SITES
    assert shimmed.entry_points == ("train.py",)
    fixes = {s.symbol: s.fix for s in shimmed.sites}
    assert "Ascend C" in fixes["torch.utils.cpp_extension.load(sources=*.cu)"]


def test_imports_go_before_the_first_statement_of_entry_points_only(tree: Path) -> None:
    shimmed = plan_shim(tree, "cann")
    (port,) = shimmed.port.changed
    assert port.path == "train.py"
    expected = TRAIN.replace(
        "from __future__ import annotations\n\nimport torch\n",
        "from __future__ import annotations\n\n" + SHIM_LINES + "import torch\n",
    )
    assert port.ported.decode() == expected
    ast.parse(port.ported)


def test_second_run_is_a_no_op(tree: Path, tmp_path: Path) -> None:
    first = plan_shim(tree, "cann")
    out = tmp_path / "out"
    write_copy(first.port, out)
    again = plan_shim(out, "cann")
    assert again.port.changed == ()
    moved = [(f"{p}:{int(line) + 2 if p == 'train.py' else line}", s, e, r)
             for (p, line), s, e, r in ((x.split(":"), s, e, r) for x, s, e, r in _sites(first))]
    assert _sites(again) == moved


def test_a_library_gets_the_imports_in_every_file_with_sites(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import torch\n\nx = torch.ones(1).cuda()\n")
    (tmp_path / "b.py").write_text("import math\n")
    (tmp_path / "c.py").write_text("# header\nimport torch\ntorch.cuda.synchronize()\n")
    shimmed = plan_shim(tmp_path, "cann")
    assert shimmed.entry_points == ("a.py", "c.py")
    changed = {p.path: p.ported.decode() for p in shimmed.port.changed}
    assert changed == {
        "a.py": SHIM_LINES + "import torch\n\nx = torch.ones(1).cuda()\n",
        "c.py": "# header\n" + SHIM_LINES + "import torch\ntorch.cuda.synchronize()\n",
    }


def test_console_scripts_are_entry_points(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[project.scripts]\nrun = "pkg.cli:main"\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "cli.py").write_text("import torch\n\ndef main():\n    torch.cuda.synchronize()\n")
    (tmp_path / "pkg" / "other.py").write_text("import torch\nx = torch.ones(1).cuda()\n")
    shimmed = plan_shim(tmp_path, "cann")
    assert shimmed.entry_points == ("pkg/cli.py",)
    assert [p.path for p in shimmed.port.changed] == ["pkg/cli.py"]


def test_existing_imports_and_crlf(tmp_path: Path) -> None:
    (tmp_path / "run.py").write_bytes(b'import torch\r\nimport torch_npu\r\nif __name__ == "__main__":\r\n    torch.cuda.synchronize()\r\n')
    (port,) = plan_shim(tmp_path, "cann").port.changed
    assert port.ported == b"from torch_npu.contrib import transfer_to_npu\r\n" + port.original


def test_notebooks_are_named_not_edited(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "import torch"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": 'x = torch.ones(1, device="cuda")\nprint(x.device.type == "cuda")'},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "nb.ipynb").write_text(json.dumps(notebook))
    shimmed = plan_shim(tmp_path, "cann")
    assert shimmed.notebooks == ("nb.ipynb",)
    assert shimmed.port.changed == ()
    assert [(s.cell, s.line, s.effect) for s in shimmed.sites] == [(1, 1, "covered"), (1, 2, "uncovered")]


# -- the command -----------------------------------------------------------------------------


def test_cli_shim_diff_and_summary(tree: Path) -> None:
    result = porter("port", str(tree), "--target", "cann", "--style", "shim", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("+import torch_npu\n") == 1
    assert "+from torch_npu.contrib import transfer_to_npu\n" in result.stdout
    assert "--- a/lib.py" not in result.stdout
    err = result.stderr
    assert "transfer_to_npu imported in 1 file(s) (train.py); of 12 sites, 4 covered at run time, " \
           "1 to check, 3 changed silently, 4 not covered (left for a human)" in err
    uncovered = err.split("Not covered by the shim (left for a human):\n")[1].split("Changed silently")[0]
    assert "  train.py:21: == \"cuda\" The shim rewrites device arguments, never comparisons" in uncovered
    assert "lib.py:1: import flash_attn" in uncovered
    assert "  train.py:13: torch.jit.script transfer_to_npu turns torch.jit.script" in err
    assert "  lib.py:4: \"cuda\" A CUDA name kept in a variable" in err
    assert (tree / "train.py").read_text() == TRAIN


def test_cli_shim_json_and_write(tree: Path) -> None:
    result = porter("port", str(tree), "--target", "cann", "--style", "shim", "--format", "json", cwd=tree)
    document = json.loads(result.stdout)
    assert document["style"] == "shim"
    assert document["summary"] == {"files_changed": 1, "entry_points": ["train.py"], "sites": 12,
                                   "covered": 4, "check": 1, "changed": 3, "uncovered": 4}
    assert document["shim"]["imports"] == SHIM_LINES.splitlines()
    assert {(s["path"], s["line"], s["effect"]) for s in document["sites"]} >= {("train.py", 21, "uncovered")}
    written = porter("port", str(tree), "--target", "cann", "--style", "shim", "--write", "--force", cwd=tree)
    assert written.returncode == 0, written.stderr
    assert SHIM_LINES in (tree / "train.py").read_text()
    again = porter("port", str(tree), "--target", "cann", "--style", "shim", cwd=tree)
    assert again.stdout == ""
    assert "imported in 0 file(s); of 12 sites" in again.stderr
    assert "already importing transfer_to_npu: train.py" in again.stderr


@pytest.mark.parametrize("target", ["rocm", "oneapi", "neutral"])
def test_cli_refuses_shim_style_without_a_shim(tree: Path, target: str) -> None:
    result = porter("port", str(tree), "--target", target, "--style", "shim", cwd=tree)
    assert result.returncode == 2
    assert f"no runtime shim for {target}" in result.stderr
    assert "--style rewrite" in result.stderr
