"""Write the PyTorch reference lists (``mappings/reference/torch*.txt``) from the installed torch.

Every replacement a Python mapping proposes must be a name the real package has, so the lists are
read from torch itself, never typed by hand: the public names of ``torch.cuda``, ``torch.xpu`` and
``torch.accelerator`` (with their public submodules), the other namespaces replacements use
(``torch``, ``torch.amp``, ``torch.distributed``, ``torch.backends``, ``torch.utils.cpp_extension``,
``torch.version``, ``torch.nn.functional``, ``torch.profiler`` with its activities,
``torch.autograd.profiler``), the method names of ``torch.Tensor`` and
``torch.nn.Module``, the device type strings ``torch.device`` accepts, the distributed backend
names, and the environment variables torch reads.

Run it with the torch version porter targets (``python tools/torch_reference.py``); it rewrites
the lists in place and prints what changed in size. The lists are committed, so tests and users
never need torch installed to check the mapping data.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import pkgutil
import re
import sys
import types
import warnings
from collections.abc import Iterable
from pathlib import Path

import torch

REFERENCE = Path(__file__).resolve().parent.parent / "mappings" / "reference"

#: Environment-variable names: upper case, digits and underscores.
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]{2,}")
#: ``getenv("X")`` / ``get_env("X")`` in C++ headers.
_CPP_GETENV = re.compile(r"\b(?:std::)?(?:getenv|get_env|check_env)\(\s*\"([A-Z][A-Z0-9_]+)\"")
#: Enumerators of ``c10::DeviceType`` (``CPU = 0,``) in ``c10/core/DeviceType.h``.
_DEVICE_ENUM = re.compile(r"^\s*([A-Z][A-Za-z0-9]*)\s*=\s*\d+\s*,", re.MULTILINE)


#: Names every module may import for typing only; never API.
_TYPING_ONLY = {"TYPE_CHECKING", "annotations"}


def _defined_in(value: object, package: str) -> bool:
    """Whether ``value`` is defined by ``package`` itself or by torch's C core for it, not
    re-exported from typing or the standard library."""
    if isinstance(value, types.ModuleType):
        return value.__name__.startswith(package + ".")
    module = getattr(value, "__module__", None) or ""
    # C-implemented functions report torch._C... (torch.nn.functional.scaled_dot_product_attention)
    return module == package or module.startswith((package + ".", "torch._C"))


def public_names(module: types.ModuleType) -> set[str]:
    """``__all__``, what the module defines itself, its plain constants, and the flags of torch's
    module subclasses (``torch.backends.cudnn.benchmark`` is a class property)."""
    name = module.__name__
    names = set(getattr(module, "__all__", ()))
    for attr, value in vars(module).items():
        if attr.startswith("_") or attr in _TYPING_ONLY:
            continue
        constant = type(value) in (str, int, float, bool, tuple, dict)
        unset = value is None and attr.isupper()  # CUDA_HOME, ROCM_HOME on a CPU build
        if _defined_in(value, name) or constant or unset:
            names.add(attr)
    if type(module) is not types.ModuleType:
        for attr, value in vars(type(module)).items():
            if not attr.startswith("_") and not isinstance(value, types.FunctionType):
                names.add(attr)
    return names


def _submodules(package: types.ModuleType) -> Iterable[types.ModuleType]:
    for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
        if info.name.startswith("_"):
            continue
        try:
            yield importlib.import_module(f"{package.__name__}.{info.name}")
        except Exception as exc:  # some submodules need a GPU build; say so and go on
            print(f"  skip {package.__name__}.{info.name}: {type(exc).__name__}", file=sys.stderr)


def namespace(module: types.ModuleType, recursive: bool = True) -> set[str]:
    """Qualified public names of ``module`` and, recursively, of its public submodules."""
    prefix = module.__name__
    names = {prefix} | {f"{prefix}.{n}" for n in public_names(module)}
    for attr in list(public_names(module)):
        value = getattr(module, attr, None)
        if isinstance(value, type) and value.__module__.startswith("torch"):
            names |= {f"{prefix}.{attr}.{m}" for m in _constants(value)}  # Backend.XCCL
    if recursive:
        for sub in _submodules(module):
            names |= namespace(sub)
    return names


def _constants(cls: type) -> set[str]:
    """Public class attributes holding plain values (enum-like members such as Backend.XCCL)."""
    return {
        m
        for m, v in vars(cls).items()
        if not m.startswith("_") and isinstance(v, str | int | float | bool)
    }


def enum_members(cls: type) -> set[str]:
    """Members of a C++ enum bound by pybind11 (``ProfilerActivity.XPU``): ``__members__``."""
    return set(getattr(cls, "__members__", {}))


def methods(cls: type) -> set[str]:
    """Bare public member names of a class (``to``, ``xpu``, ``is_xpu``)."""
    return {m for m in dir(cls) if not m.startswith("_")}


def device_types() -> set[str]:
    """The device type strings ``torch.device`` accepts, from the enum in torch's own header."""
    include = Path(torch.__file__).parent / "include"
    for header in (include / "torch/headeronly/core/DeviceType.h", include / "c10/core/DeviceType.h"):
        enum = header.read_text(encoding="utf-8") if header.is_file() else ""
        if "enum class DeviceType" in enum:
            break
    else:
        raise SystemExit("c10::DeviceType enum not found in torch's headers")
    start = enum.index("enum class DeviceType")
    names = set()
    for candidate in _DEVICE_ENUM.findall(enum[start : enum.index("};", start)]):
        lowered = candidate.lower()
        try:
            with warnings.catch_warnings():  # deprecated types (mkldnn) still count
                warnings.simplefilter("ignore")
                torch.device(lowered)
        except RuntimeError:
            continue
        names.add(lowered)
    return names


def distributed_backends() -> set[str]:
    backend = torch.distributed.Backend
    return set(backend.backend_list) | set(backend.default_device_backend_map.values())


def _env_reads(tree: ast.AST) -> Iterable[str]:
    """String literals read as environment variables: os.environ[...], .get/.setdefault/getenv."""
    for node in ast.walk(tree):
        text = None
        if isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("environ"):
            text = node.slice
        elif isinstance(node, ast.Call) and node.args:
            func = ast.unparse(node.func)
            if func.endswith(("environ.get", "environ.setdefault", "environ.pop", "getenv")):
                text = node.args[0]
        elif (
            isinstance(node, ast.Compare)
            and len(node.comparators) == 1
            and ast.unparse(node.comparators[0]).endswith("environ")
        ):
            text = node.left
        if isinstance(text, ast.Constant) and isinstance(text.value, str):
            yield text.value


def environment(root: Path) -> set[str]:
    """Environment variables a package reads, from its Python sources and C++ headers."""
    names: set[str] = set()
    for path in root.rglob("*.py"):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        names.update(n for n in _env_reads(tree) if _ENV_NAME.fullmatch(n))
    for path in (root / "include").rglob("*.h") if (root / "include").is_dir() else ():
        names.update(_CPP_GETENV.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def write_list(name: str, names: Iterable[str], source: str) -> None:
    path = REFERENCE / f"{name}.txt"
    old = path.read_text(encoding="utf-8").count("\n") if path.exists() else 0
    body = "\n".join(sorted(set(names)))
    path.write_text(f"# generated by tools/torch_reference.py from {source}\n{body}\n", encoding="utf-8")
    print(f"{path.name}: {len(set(names))} names (file had {old} lines)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    import torch.distributed
    import torch.nn.functional
    import torch.utils.cpp_extension

    source = f"torch {torch.__version__}"
    REFERENCE.mkdir(parents=True, exist_ok=True)
    for module in (torch.cuda, torch.xpu, torch.accelerator):
        write_list(module.__name__, namespace(module), source)
    write_list("torch", namespace(torch, recursive=False), source)
    for module in (torch.amp, torch.distributed, torch.version, torch.nn.functional):
        write_list(module.__name__, namespace(module, recursive=False), source)
    write_list("torch.backends", namespace(torch.backends), source)
    activities = {f"torch.profiler.ProfilerActivity.{m}" for m in enum_members(torch.profiler.ProfilerActivity)}
    write_list("torch.profiler", namespace(torch.profiler, recursive=False) | activities, source)
    write_list("torch.autograd.profiler", namespace(torch.autograd.profiler, recursive=False), source)
    write_list("torch.utils.cpp_extension", namespace(torch.utils.cpp_extension), source)
    write_list("torch.Tensor", methods(torch.Tensor), f"{source} (bare method names)")
    write_list("torch.nn.Module", methods(torch.nn.Module), f"{source} (bare method names)")
    write_list("torch.device-types", device_types(), f"{source} (enum c10::DeviceType, each checked by torch.device)")
    write_list("torch.distributed-backends", distributed_backends(), f"{source} (torch.distributed.Backend)")
    write_list("torch.env", environment(Path(inspect.getfile(torch)).parent), f"{source} (variables read by its sources)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
