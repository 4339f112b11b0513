"""Write the Ascend reference lists (``mappings/reference/torch.npu.txt``, ``torch_npu*.txt``).

Read from the torch-npu wheel on PyPI as files, never imported (it needs the CANN runtime):

    pip download --no-deps torch-npu==2.14.0 -d /tmp/npu
    python tools/torch_npu_reference.py /tmp/npu/torch_npu-2.14.0-*.whl

What the lists hold and where it comes from:

* ``torch.npu``: ``__all__`` of ``torch_npu/npu/__init__.py`` and of its public submodules
  (torch_npu registers ``torch_npu.npu`` as ``torch.npu`` with ``torch._register_device_module``),
  and the names its config objects accept (``torch.npu.matmul.allow_hf32``);
* ``torch_npu``: ``__all__`` of the package and of its public subpackages
  (``torch_npu.distributed.is_hccl_available``) plus the fused operators documented by
  ``_add_torch_npu_docstr("name", ...)`` (``torch_npu.npu_fusion_attention`` ...);
* ``torch_npu.device-types`` / ``torch_npu.distributed-backends``: the string arguments of its
  ``rename_privateuse1_backend(...)`` and ``Backend.register_backend(...)`` calls;
* ``torch_npu.Tensor`` / ``torch_npu.nn.Module``: the methods torch's own
  ``generate_methods_for_privateuse1_backend`` adds for that backend name, with the flags the wheel
  passes, computed by running torch's generator in a child process (torch, not torch_npu);
* ``torch_npu.env``: environment variables its Python sources read.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from torch_reference import environment  # tools/ is not a package

REFERENCE = Path(__file__).resolve().parent.parent / "mappings" / "reference"

#: Runs torch's privateuse1 method generator for one backend name and prints what it added.
_GENERATE = """
import json, sys, torch
name, flags = sys.argv[1], json.loads(sys.argv[2])
tensor, module = set(dir(torch.Tensor)), set(dir(torch.nn.Module))
torch.utils.rename_privateuse1_backend(name)
torch.utils.generate_methods_for_privateuse1_backend(**flags)
print(json.dumps({"Tensor": sorted(set(dir(torch.Tensor)) - tensor),
                  "nn.Module": sorted(set(dir(torch.nn.Module)) - module)}))
"""


def literal_all(tree: ast.Module) -> list[str]:
    """The names in a module's ``__all__ = [...]`` (plus ``__all__ += [...]``)."""
    names: list[str] = []
    for node in tree.body:
        target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            target = node.target
        if isinstance(target, ast.Name) and target.id == "__all__" and node.value is not None:
            try:
                names.extend(ast.literal_eval(node.value))
            except ValueError:
                continue
    return names


def top_level_defs(tree: ast.Module) -> list[str]:
    return [
        n.name
        for n in tree.body
        if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")
    ]


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_bytes(), filename=str(path))


def npu_namespace(package: Path, prefix: str = "torch.npu") -> set[str]:
    """``torch.npu`` names: the package's ``__all__`` and each public submodule's."""
    names = {prefix} | {f"{prefix}.{n}" for n in literal_all(parse(package / "__init__.py"))}
    for child in sorted(package.iterdir()):
        if child.name.startswith("_"):
            continue
        if child.is_dir() and (child / "__init__.py").is_file():
            names |= npu_namespace(child, f"{prefix}.{child.name}")
        elif child.suffix == ".py":
            tree = parse(child)
            exported = literal_all(tree) or top_level_defs(tree)
            sub = f"{prefix}.{child.stem}"
            names |= {sub} | {f"{sub}.{n}" for n in exported}
    return names


def _attribute_names(cls: ast.ClassDef) -> set[str]:
    """Names a config class answers in ``__getattr__``/``__setattr__`` (``if name == "x"``)."""
    names = set()
    for method in cls.body:
        if isinstance(method, ast.FunctionDef) and method.name in ("__getattr__", "__setattr__"):
            for node in ast.walk(method):
                if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name):
                    for value in node.comparators:
                        if isinstance(value, ast.Constant) and isinstance(value.value, str):
                            names.add(value.value)
    return names


def config_objects(package: Path, prefix: str = "torch.npu") -> set[str]:
    """Attributes of module-level config objects (``torch.npu.matmul.allow_hf32``): objects built
    from a class of the package whose ``__getattr__``/``__setattr__`` accept fixed names."""
    classes = {
        node.name: node
        for path in package.rglob("*.py")
        for node in parse(path).body
        if isinstance(node, ast.ClassDef)
    }
    names = set()
    for node in parse(package / "__init__.py").body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        cls = classes.get(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
        for target in node.targets:
            if cls is not None and isinstance(target, ast.Name):
                names |= {f"{prefix}.{target.id}.{attr}" for attr in _attribute_names(cls)}
    return names


def call_string_args(root: Path, function: str) -> set[str]:
    """First string arguments of every call to ``function`` (a dotted suffix such as
    ``Backend.register_backend``) in the package's sources."""
    found = set()
    for path in root.rglob("*.py"):
        if "testing" in path.parts:
            continue
        for node in ast.walk(parse(path)):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = "." + ast.unparse(node.func)
            first = node.args[0]
            if name.endswith("." + function) and isinstance(first, ast.Constant) and isinstance(
                first.value, str
            ):
                found.add(first.value)
    return found


def generated_method_flags(root: Path) -> dict[str, bool]:
    """The keyword flags the wheel passes to ``generate_methods_for_privateuse1_backend``."""
    for path in root.rglob("*.py"):
        for node in ast.walk(parse(path)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "generate_methods_for_privateuse1_backend"
            ):
                return {
                    k.arg: k.value.value
                    for k in node.keywords
                    if k.arg and k.arg.startswith("for_") and isinstance(k.value, ast.Constant)
                }
    raise SystemExit("generate_methods_for_privateuse1_backend call not found in the wheel")


def generated_methods(backend: str, flags: dict[str, bool]) -> dict[str, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", _GENERATE, backend, json.dumps(flags)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_list(name: str, names: Iterable[str], source: str) -> None:
    path = REFERENCE / f"{name}.txt"
    unique = sorted(set(names))
    body = "\n".join(unique)
    path.write_text(f"# generated by tools/torch_npu_reference.py from {source}\n{body}\n", encoding="utf-8")
    print(f"{path.name}: {len(unique)} names")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="the torch_npu wheel (pip download --no-deps torch-npu)")
    args = parser.parse_args(argv)
    source = args.wheel.name
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(args.wheel) as wheel:
            members = [m for m in wheel.namelist() if m.startswith("torch_npu/") and m.endswith(".py")]
            wheel.extractall(tmp, members)
        root = Path(tmp) / "torch_npu"
        write_list("torch.npu", npu_namespace(root / "npu") | config_objects(root / "npu"), source)
        ops = call_string_args(root, "_add_torch_npu_docstr")
        package = literal_all(parse(root / "__init__.py"))
        names = {"torch_npu"} | {f"torch_npu.{n}" for n in [*package, *ops]}
        for sub in sorted(root.iterdir()):
            if not sub.name.startswith("_") and (sub / "__init__.py").is_file() and sub.name != "npu":
                exported = literal_all(parse(sub / "__init__.py"))
                names |= {f"torch_npu.{sub.name}"} | {f"torch_npu.{sub.name}.{n}" for n in exported}
        write_list("torch_npu", names, source)
        devices = call_string_args(root, "rename_privateuse1_backend")
        write_list("torch_npu.device-types", devices, source)
        write_list("torch_npu.distributed-backends", call_string_args(root, "distributed.Backend.register_backend"), source)
        flags = generated_method_flags(root)
        tensor: set[str] = set()
        module: set[str] = set()
        for device in devices:
            added = generated_methods(device, flags)
            tensor |= set(added["Tensor"])
            module |= set(added["nn.Module"])
        how = f"{source} (torch's generate_methods_for_privateuse1_backend with the wheel's flags)"
        write_list("torch_npu.Tensor", tensor, how)
        write_list("torch_npu.nn.Module", module, how)
        write_list("torch_npu.env", environment(root), f"{source} (variables read by its sources)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
