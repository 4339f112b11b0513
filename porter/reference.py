"""Prove the mapping data: every replacement must exist in the reference list it names.

Reference lists (``mappings/reference/<name>.txt``) are taken from the vendors' real headers and
packages by the scripts under ``tools/``; a replacement that is not in its list is a made-up name.
"""

from __future__ import annotations

import re
from pathlib import Path

from porter.mappings import MappingTables, data_dir, reference_names

#: Dotted or C identifiers inside a replacement ("torch.xpu.synchronize", "hipMalloc").
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def replacement_name(replacement: str) -> str:
    """The API name a replacement refers to: its first dotted identifier ("torch.amp.autocast"),
    or the header path of an include ("<hip/hip_runtime.h>" -> "hip/hip_runtime.h")."""
    stripped = replacement.strip()
    if stripped[:1] in "<\"" and stripped[-1:] in ">\"" and len(stripped) > 2:
        return stripped[1:-1]
    match = _NAME.search(replacement)
    return match.group() if match else replacement


def missing_references(tables: MappingTables, directory: Path | None = None) -> list[str]:
    """One line per replacement (or architecture name a renamed variable's value gets) that is
    not found in the reference list it names."""
    directory = directory or data_dir()
    cache: dict[str, frozenset[str]] = {}
    problems = []

    def listed(name: str, where: Path) -> frozenset[str]:
        if name not in cache:
            try:
                cache[name] = reference_names(name, directory)
            except OSError:
                cache[name] = frozenset()
                problems.append(f"{where.name}: reference list {name!r} not found")
        return cache[name]

    for family in tables.families:
        for entry in family.entries:
            for target, spec in entry.targets.items():
                if spec.value is not None:  # the architecture names a renamed variable gets
                    known = listed(spec.value.reference, family.path)
                    problems.extend(
                        f"{family.path.name}: {entry.source} -> {target}: value {name!r} "
                        f"is not in reference list {spec.value.reference!r}"
                        for name in spec.value.names
                        if name not in known
                    )
                if not spec.reference or spec.replacement is None:
                    continue
                names = listed(spec.reference, family.path)
                if spec.replacement.strip() in names:  # whole names: hip::host, amd.com/gpu
                    continue
                name = replacement_name(spec.replacement)
                if name not in names:
                    problems.append(
                        f"{family.path.name}: {entry.source} -> {target}: {name!r} "
                        f"is not in reference list {spec.reference!r}"
                    )
    return problems
