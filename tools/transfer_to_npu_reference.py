"""Write the reference lists of Ascend's runtime shim (``mappings/reference/transfer_to_npu.*.txt``).

``torch_npu.contrib.transfer_to_npu`` patches torch when it is imported. This script reads that
module from the torch-npu wheel as a file (never imports it: it needs the CANN runtime) and
lists what it patches, so ``mappings/shims.yaml`` and ``porter.shim`` are proven against it:

    pip download --no-deps torch-npu==2.14.0 -d /tmp/npu
    python tools/transfer_to_npu_reference.py /tmp/npu/torch_npu-2.14.0-*.whl

* ``transfer_to_npu.wrapped``: callables whose device arguments it rewrites ("cuda" -> "npu",
  CUDA ``torch.device`` objects, bare indexes for ``to``): the functions of each
  ``_device_wrapper(owner, names)`` call and every ``owner.attr = _wrapper_*(...)`` assignment
  (``__init__``/``__new__`` stand for the class);
* ``transfer_to_npu.replaced``: the attributes it rebinds to something else
  (``torch.Tensor.cuda``, ``torch.cuda.DoubleTensor``, ``torch.jit.script`` ...) and the torch
  modules whose public names it overwrites with torch_npu's (``torch.cuda``, ``torch.cuda.amp``);
* ``transfer_to_npu.device-keywords``: the keyword arguments it treats as devices.
"""

from __future__ import annotations

import argparse
import ast
import sys
import zipfile
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent.parent / "mappings" / "reference"
MODULE = "torch_npu/contrib/transfer_to_npu.py"
#: The module's wrappers that rewrite device (and backend) arguments: an assignment whose value
#: calls one of them wraps its target; any other assignment (``_wrapper_profiler``, which drops
#: an argument) replaces it.
WRAPPERS = ("_wrapper_cuda", "_wrapper_hccl", "_compose_wrappers",
            "_patch_is_autocast_enabled", "_patch_set_autocast_enabled")
#: Wrapping these methods of a class rewrites the devices given to the class itself.
CONSTRUCTORS = (".__init__", ".__new__")


def dotted(node: ast.expr) -> str | None:
    """``torch.cuda.DoubleTensor`` for an Attribute chain ending in a Name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def string_lists(tree: ast.Module) -> dict[str, list[str]]:
    """The module-level ``name = ['a', 'b']`` lists of strings."""
    lists: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                continue
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                lists[node.targets[0].id] = value
    return lists


def _callee(node: ast.expr) -> str | None:
    """The wrapper a value is built with: ``_wrapper_cuda(x)`` and ``_compose_wrappers(..)(x)``."""
    while isinstance(node, ast.Call):
        node = node.func
    return dotted(node)


def _owner(name: str) -> str:
    for suffix in CONSTRUCTORS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _patched_modules(function: ast.FunctionDef) -> list[str]:
    """``['cuda', torch_npu.npu]`` pairs of the lists ``_apply_patches`` gets: ``torch.cuda``."""
    found = []
    for node in ast.walk(function):
        if isinstance(node, ast.List) and len(node.elts) == 2:
            first = node.elts[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(f"torch.{first.value}")
    return found


def read(source: str) -> dict[str, set[str]]:
    """The three lists, from the text of ``transfer_to_npu.py``."""
    tree = ast.parse(source)
    lists = string_lists(tree)
    wrapped: set[str] = set()
    replaced: set[str] = set()
    keywords = set(lists.get("device_kwargs_list", ())) | {"device_ids"}
    for function in (n for n in tree.body if isinstance(n, ast.FunctionDef)):
        if function.name in ("_patch_cuda", "_patch_profiler"):
            replaced.update(_patched_modules(function))
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and dotted(node.func) == "_device_wrapper" and len(node.args) == 2:
                owner, names = dotted(node.args[0]), node.args[1]
                if isinstance(names, ast.Name):
                    members = lists.get(names.id, [])
                else:
                    members = [e.value for e in getattr(names, "elts", []) if isinstance(e, ast.Constant)]
                if owner:
                    wrapped.update(_owner(f"{owner}.{m}") for m in members)
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = dotted(node.targets[0]) if isinstance(node.targets[0], ast.Attribute) else None
                if target is None or not target.startswith("torch."):
                    continue
                if _callee(node.value) in WRAPPERS:
                    wrapped.add(_owner(target))
                else:
                    replaced.add(target)
    return {
        "transfer_to_npu.wrapped": wrapped,
        "transfer_to_npu.replaced": replaced,
        "transfer_to_npu.device-keywords": keywords,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="the torch-npu wheel (.whl)")
    args = parser.parse_args(argv)
    with zipfile.ZipFile(args.wheel) as wheel:
        source = wheel.read(MODULE).decode("utf-8")
    for name, names in read(source).items():
        body = "\n".join(sorted(names))
        header = f"# generated by tools/transfer_to_npu_reference.py from {args.wheel.name} ({MODULE})"
        (REFERENCE / f"{name}.txt").write_text(f"{header}\n{body}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
