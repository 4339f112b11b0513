"""Load the mapping data (``mappings/*.yaml``), check it against its schema, and index it.

Mappings are data, not code: each YAML file is one API family (the CUDA runtime, ``torch.cuda``,
device strings ...) whose entries name a vendor-specific source symbol and, per target, a status,
a replacement and a note. Frontends ask this module "what is this symbol?" and never hard-code a
target's answer themselves.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from porter.model import SEVERITY_FOR_STATUS, Severity, Status, worst_status

try:  # the C loader is ~10x faster on the large generated tables
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _YamlLoader = yaml.SafeLoader

#: Files in the mappings folder that are not API families.
_NOT_FAMILIES = {"targets.yaml", "pits.yaml", "shims.yaml"}


class MappingError(ValueError):
    """The mapping data is malformed; the message names the file and the problem."""


def data_dir() -> Path:
    """The folder holding the mapping data: inside the wheel, or beside the source checkout."""
    packaged = Path(str(resources.files("porter"))) / "data"
    if (packaged / "targets.yaml").is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "mappings"


_SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def _schema(name: str) -> dict[str, Any]:
    text = resources.files("porter").joinpath("schemas", name).read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True, slots=True)
class Helper:
    """An expression a target's replacements repeat (the device to compute on), written once per
    ported file as a small function so the call sites read ``accelerator_or_cpu().type``."""

    name: str
    #: Python, with ``torch`` as the head of its dotted names (renamed to the file's alias).
    expression: str
    #: The return annotation, written like ``expression``.
    returns: str
    doc: str


@dataclass(frozen=True, slots=True)
class TargetInfo:
    """One port target as ``mappings/targets.yaml`` describes it."""

    id: str
    title: str
    vendor: str
    device: str | None
    torch_module: str | None
    dist_backend: str | None
    description: str = ""
    imports: tuple[str, ...] = ()
    helper: Helper | None = None


@dataclass(frozen=True, slots=True)
class ValueList:
    """What the value of a renamed architecture-list variable becomes on the target
    (``TORCH_CUDA_ARCH_LIST="8.0;9.0"`` -> ``PYTORCH_ROCM_ARCH="gfx90a;gfx942"``)."""

    #: A regex each item of the source's list must match whole for the value to be rewritten.
    replaces: str
    #: The target's list.
    names: tuple[str, ...]
    #: The separators the target's reader accepts, its own first.
    separators: str
    #: The reference list every name must appear in.
    reference: str


@dataclass(frozen=True, slots=True)
class PlanSpec:
    """One target's answer for one mapping entry, as written in the data."""

    status: Status
    replacement: str | None = None
    note: str = ""
    reference: str | None = None
    imports: tuple[str, ...] = ()
    #: For a package rename: "keep" or "drop" the requirement's version specifier.
    specifier: str | None = None
    #: For a renamed variable whose value lists GPU architectures: the target's list.
    value: ValueList | None = None


@dataclass(frozen=True, slots=True)
class MappingEntry:
    """One row of a family: a source symbol and what every target needs for it."""

    family: str
    language: str
    source: str
    kind: str
    match: str
    rule: str
    pit: str | None
    note: str
    targets: Mapping[str, PlanSpec]
    severity_override: Severity | None = None

    def severity(self, targets: Iterable[str]) -> Severity:
        """How much lock-in this entry carries for the targets asked for."""
        if self.severity_override:
            return self.severity_override
        statuses = [self.targets[t].status for t in targets if t in self.targets]
        return SEVERITY_FOR_STATUS[worst_status(statuses)]


@dataclass(frozen=True, slots=True)
class Family:
    name: str
    language: str
    title: str
    path: Path
    entries: tuple[MappingEntry, ...]
    description: str = ""


@dataclass(slots=True)
class _LanguageIndex:
    exact: dict[str, MappingEntry] = field(default_factory=dict)
    prefix: list[tuple[str, MappingEntry]] = field(default_factory=list)
    regex: list[tuple[re.Pattern[str], MappingEntry]] = field(default_factory=list)


class MappingTables:
    """All families, indexed by language for fast symbol look-up."""

    def __init__(self, targets: tuple[TargetInfo, ...], families: tuple[Family, ...]) -> None:
        self.targets = targets
        self.families = families
        self._index: dict[str, _LanguageIndex] = {}
        for family in families:
            index = self._index.setdefault(family.language, _LanguageIndex())
            for entry in family.entries:
                if entry.match == "exact":
                    index.exact.setdefault(entry.source, entry)
                elif entry.match == "prefix":
                    index.prefix.append((entry.source, entry))
                else:
                    index.regex.append((re.compile(entry.source), entry))
        for index in self._index.values():
            index.prefix.sort(key=lambda item: -len(item[0]))

    @property
    def target_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.targets)

    def target(self, target_id: str) -> TargetInfo:
        for info in self.targets:
            if info.id == target_id:
                return info
        raise KeyError(target_id)

    def lookup(self, language: str, symbol: str) -> MappingEntry | None:
        """The entry for ``symbol``: exact match first, then the longest prefix, then regexes."""
        index = self._index.get(language)
        if index is None:
            return None
        entry = index.exact.get(symbol)
        if entry is not None:
            return entry
        for prefix, candidate in index.prefix:
            if symbol.startswith(prefix):
                return candidate
        for pattern, candidate in index.regex:
            if pattern.fullmatch(symbol):
                return candidate
        return None

    def exact_names(self, language: str) -> Mapping[str, MappingEntry]:
        index = self._index.get(language)
        return index.exact if index else {}

    def entries(self, language: str | None = None) -> Iterable[MappingEntry]:
        for family in self.families:
            if language is None or family.language == language:
                yield from family.entries


def _read_yaml(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return yaml.load(handle, Loader=_YamlLoader)
    except OSError as exc:
        raise MappingError(f"{path}: cannot read YAML: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:  # PyYAML's message spans lines: keep the problem and its place
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise MappingError(f"{path}{where}: cannot read YAML: {problem}") from exc


def _validate(document: Any, schema: dict[str, Any], path: Path) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise MappingError(f"{path}: {where}: {error.message}")


def _plan(raw: Mapping[str, Any]) -> PlanSpec:
    value = raw.get("value")
    return PlanSpec(
        status=raw["status"],
        replacement=raw.get("replacement"),
        note=raw.get("note", ""),
        reference=raw.get("reference"),
        imports=tuple(raw.get("imports", ())),
        specifier=raw.get("specifier"),
        value=ValueList(
            replaces=value["replaces"],
            names=tuple(value["names"]),
            separators=value["separators"],
            reference=value["reference"],
        )
        if value is not None
        else None,
    )


def load_targets(directory: Path) -> tuple[TargetInfo, ...]:
    path = directory / "targets.yaml"
    document = _read_yaml(path)
    _validate(document, _schema("targets.schema.json"), path)
    return tuple(
        TargetInfo(
            id=t["id"],
            title=t["title"],
            vendor=t["vendor"],
            device=t["device"],
            torch_module=t["torch_module"],
            dist_backend=t["dist_backend"],
            description=t.get("description", ""),
            imports=tuple(t.get("imports", ())),
            helper=Helper(**t["helper"]) if "helper" in t else None,
        )
        for t in document["targets"]
    )


def load_family(path: Path, target_ids: tuple[str, ...]) -> Family:
    """Read one family file, check it, and merge its per-target defaults into every entry."""
    document = _read_yaml(path)
    _validate(document, _schema("mapping.schema.json"), path)
    defaults = document.get("defaults", {})
    entries = []
    for number, raw in enumerate(document["entries"]):
        merged = {**defaults, **raw["targets"]}
        unknown = sorted(set(merged) - set(target_ids))
        if unknown:
            raise MappingError(f"{path}: entries/{number}: unknown target(s) {', '.join(unknown)}")
        missing = sorted(set(target_ids) - set(merged))
        if missing:
            raise MappingError(
                f"{path}: entries/{number} ({raw['source']}): no plan for target(s) "
                f"{', '.join(missing)}"
            )
        match = raw.get("match", "exact")
        if match == "regex":
            try:
                re.compile(raw["source"])
            except re.error as exc:
                raise MappingError(f"{path}: entries/{number}: bad regex: {exc}") from exc
        for target, plan in merged.items():
            if "value" in plan:
                try:
                    re.compile(plan["value"]["replaces"])
                except re.error as exc:
                    raise MappingError(
                        f"{path}: entries/{number}/targets/{target}/value: bad regex: {exc}"
                    ) from exc
        entries.append(
            MappingEntry(
                family=document["family"],
                language=document["language"],
                source=raw["source"],
                kind=raw["kind"],
                match=match,
                rule=raw.get("rule", document["rule"]),
                pit=raw.get("pit", document.get("pit")),
                note=raw["note"],
                targets={t: _plan(merged[t]) for t in target_ids},
                severity_override=raw.get("severity", document.get("severity")),
            )
        )
    return Family(
        name=document["family"],
        language=document["language"],
        title=document["title"],
        path=path,
        entries=tuple(entries),
        description=document.get("description", ""),
    )


def family_paths(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name not in _NOT_FAMILIES)


def load_tables(directory: Path | None = None) -> MappingTables:
    """Load and validate every family; raises MappingError naming the first bad file."""
    directory = directory or data_dir()
    targets = load_targets(directory)
    ids = tuple(t.id for t in targets)
    families = tuple(load_family(path, ids) for path in family_paths(directory))
    names = [f.name for f in families]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise MappingError(f"{directory}: family defined twice: {', '.join(duplicates)}")
    return MappingTables(targets, families)


def _cache_key(directory: Path) -> str:
    """Fingerprint of what the loaded tables depend on: data, schemas, this loader, porter."""
    from porter import __version__

    digest = hashlib.sha1(__version__.encode())
    sources = [*sorted(directory.glob("*.yaml")), *sorted(_SCHEMA_DIR.glob("*.json")), Path(__file__)]
    for path in sources:
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:20]


def cache_dir() -> Path:
    """Where porter keeps its caches (mapping tables, per-file results)."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "porter"


def tables_fingerprint() -> str:
    """Fingerprint of the shipped mapping data as loaded now (part of every cache key)."""
    return _cache_key(data_dir())


@functools.cache
def default_tables() -> MappingTables:
    """The shipped mapping data, loaded once per process.

    Validating thousands of entries against the JSON Schema costs far more than a scan of a
    small repo, so the checked tables are pickled in the user's cache folder, keyed by the
    size and mtime of every data and schema file. Any cache problem falls back to a full load;
    ``PORTER_NO_CACHE=1`` turns the cache off.
    """
    directory = data_dir()
    if os.environ.get("PORTER_NO_CACHE") == "1":
        return load_tables(directory)
    try:
        cached: Path | None = cache_dir() / f"mappings-{_cache_key(directory)}.pickle"
    except OSError:
        cached = None
    try:
        if cached is None:
            raise FileNotFoundError
        with cached.open("rb") as handle:
            tables = pickle.load(handle)
        if isinstance(tables, MappingTables):
            return tables
    except Exception:  # a damaged pickle raises ValueError, OverflowError, MemoryError, ...
        pass
    tables = load_tables(directory)
    if cached is None:
        return tables
    with contextlib.suppress(OSError, pickle.PickleError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        temp = cached.with_suffix(f".{os.getpid()}.tmp")
        temp.write_bytes(pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temp, cached)
        for stale in cached.parent.glob("mappings-*.pickle"):  # older data or porter versions
            if stale != cached:
                stale.unlink(missing_ok=True)
    return tables


def reference_names(name: str, directory: Path | None = None) -> frozenset[str]:
    """A reference list: one public API name per line, taken from a vendor's headers/packages."""
    path = (directory or data_dir()) / "reference" / f"{name}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))
