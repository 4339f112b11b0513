"""Shim-style ports (``porter port --style shim``): turn on the vendor's runtime patch, report the rest.

Some vendors ship a module that patches torch when it is imported, so CUDA code runs unchanged
(``torch_npu.contrib.transfer_to_npu`` for CANN). Instead of editing every site, this style adds
the shim's imports once to the entry-point files and says, site by site, what the shim covers,
what it silently changes and what it leaves for a human. What a shim does is data
(``mappings/shims.yaml``), proven against reference lists read from the shim's own source.

Entry points are the Python files with a module-level ``if __name__ == "__main__":``, the
``__main__.py`` files and the modules that pyproject.toml ``[project.scripts]`` or setup.py
``console_scripts`` name. A tree with none of them (a library) gets the imports in every Python
file with sites, since any of them may be imported first. The imports go before the first
statement (after the docstring and ``__future__`` imports), so the patch is in place before any
project module imported below them runs CUDA code at import time. Notebooks are not edited: the
summary names them, and their first cell needs the same imports.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from porter.discover import DEFAULT_MAX_BYTES
from porter.frontends import frontend_for
from porter.limits import DEFAULT_FILE_TIMEOUT
from porter.mappings import (
    MappingError,
    MappingTables,
    _read_yaml,
    _schema,
    _validate,
    data_dir,
    reference_names,
)
from porter.model import Edit, FileResult, Finding
from porter.port import FilePort, PortResult, read_scanned
from porter.rewrite.apply import apply_edits
from porter.scan import check_targets, scan

Effect = Literal["covered", "check", "changed", "uncovered"]
#: From nothing to do to all to do; the summary counts them in this order.
EFFECTS: tuple[Effect, ...] = ("covered", "check", "changed", "uncovered")


class ShimUnavailable(Exception):
    """The target has no runtime shim; the message says why and what to use instead."""


@dataclass(frozen=True, slots=True)
class ShimRule:
    """One row of a shim's rules: conditions on a site, and what the shim does to it."""

    id: str
    effect: Effect
    note: str
    detect: tuple[str, ...] = ()
    keyword: str | None = None
    language: str | None = None
    family: tuple[str, ...] = ()
    symbol: tuple[str, ...] = ()
    symbol_prefix: str | None = None
    twin: str | None = None
    context: tuple[str, ...] = ()
    proof: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Shim:
    """A target's runtime shim as ``shims.yaml`` describes it."""

    target: str
    status: str
    note: str
    name: str = ""
    source: str = ""
    imports: tuple[str, ...] = ()
    reference: str = ""
    twin: tuple[str, str] | None = None  # (module it overwrites, module it copies from)
    aliases: Mapping[str, str] = field(default_factory=dict)
    patches: tuple[str, ...] = ()
    rules: tuple[ShimRule, ...] = ()


@dataclass(frozen=True, slots=True)
class ShimSite:
    """One site and what the shim does to it; ``fix`` is the target's rewrite plan (replacement
    and note);
    ``python`` is False for sites outside Python code (builds, containers, C++), which no
    runtime patch reaches."""

    path: str
    line: int
    column: int
    symbol: str
    effect: Effect
    rule: str
    note: str
    fix: str = ""
    cell: int | None = None
    finding_id: str | None = None
    python: bool = True


@dataclass(frozen=True, slots=True)
class ShimPort:
    """A shim-style port: the files that get the imports (as a PortResult) and every site.

    ``entry_points`` are the files chosen for the imports (whether or not they already hold
    them): the tree's entry points, or for a library every Python file with sites.
    """

    shim: Shim
    port: PortResult
    entry_points: tuple[str, ...]
    sites: tuple[ShimSite, ...]
    notebooks: tuple[str, ...] = ()

    def count(self, effect: Effect) -> int:
        return sum(1 for s in self.sites if s.effect == effect)


def _rule(raw: Mapping[str, object]) -> ShimRule:
    def names(key: str) -> tuple[str, ...]:
        return tuple(raw.get(key, ()))  # type: ignore[arg-type]

    return ShimRule(
        id=str(raw["id"]), effect=raw["effect"], note=str(raw["note"]),  # type: ignore[arg-type]
        detect=names("detect"), keyword=raw.get("keyword"), language=raw.get("language"),  # type: ignore[arg-type]
        family=names("family"), symbol=names("symbol"), symbol_prefix=raw.get("symbol_prefix"),  # type: ignore[arg-type]
        twin=raw.get("twin"), context=names("context"), proof=names("proof"),  # type: ignore[arg-type]
    )


def load_shims(directory: Path | None = None) -> dict[str, Shim]:
    """Every target's shim entry from ``shims.yaml``, schema-checked; raises MappingError."""
    path = (directory or data_dir()) / "shims.yaml"
    document = _read_yaml(path)
    _validate(document, _schema("shims.schema.json"), path)
    shims = {}
    for target, raw in document["shims"].items():
        twin = raw.get("twin")
        shims[target] = Shim(
            target=target, status=raw["status"], note=raw["note"], name=raw.get("name", ""),
            source=raw.get("source", ""), imports=tuple(raw.get("imports", ())),
            reference=raw.get("reference", ""),
            twin=(twin["module"], twin["replacement"]) if twin else None,
            aliases=dict(raw.get("aliases", {})), patches=tuple(raw.get("patches", ())),
            rules=tuple(_rule(r) for r in raw.get("rules", ())),
        )
    return shims


def shim_for(target: str, directory: Path | None = None) -> Shim:
    """The target's shim; ShimUnavailable (with the data's reason) when it has none."""
    shim = load_shims(directory).get(target)
    if shim is None:
        raise ShimUnavailable(f"--style shim: porter has no runtime-shim data for target {target!r}")
    if shim.status != "available":
        raise ShimUnavailable(f"--style shim: no runtime shim for {target}: {shim.note}")
    return shim


@dataclass(frozen=True, slots=True)
class Knowledge:
    """The reference lists a shim's rules are judged with (read once per port)."""

    wrapped: frozenset[str]
    replaced: frozenset[str]
    twin_names: frozenset[str]
    shim: Shim

    @classmethod
    def of(cls, shim: Shim, directory: Path | None = None) -> Knowledge:
        twin = reference_names(shim.twin[1], directory) if shim.twin else frozenset()
        return cls(
            wrapped=reference_names(f"{shim.reference}.wrapped", directory),
            replaced=reference_names(f"{shim.reference}.replaced", directory),
            twin_names=twin,
            shim=shim,
        )

    @property
    def methods(self) -> frozenset[str]:
        """Tensor/Module methods it wraps (``to``, ``new_zeros`` ...): called on any object."""
        owners = ("torch.Tensor.", "torch.nn.Module.")
        return frozenset(n.rsplit(".", 1)[1] for n in self.wrapped if n.startswith(owners))

    def wraps(self, name: str) -> bool:
        return name in self.wrapped or self.shim.aliases.get(name) in self.wrapped

    def has_twin(self, symbol: str) -> bool:
        if self.shim.twin is None:
            return False
        module, replacement = self.shim.twin
        return symbol.startswith(module + ".") and replacement + symbol[len(module):] in self.twin_names

    def unproven(self) -> list[str]:
        """Names the data cites that the shim's source does not patch (empty when proven)."""
        known = self.wrapped | self.replaced
        missing = [f"{r.id}: {n}" for r in self.shim.rules for n in r.proof if n not in known]
        missing += [f"aliases: {a} -> {n}" for a, n in self.shim.aliases.items() if n not in self.wrapped]
        return missing


# -- Python sources, read with ast (cheap; nothing here rewrites) ----------------------------


def _import_keys(node: ast.stmt) -> set[tuple[str, ...]]:
    if isinstance(node, ast.Import):
        return {("import", a.name) for a in node.names}
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return {("from", node.module, a.name) for a in node.names}
    return set()


class PythonSource:
    """One parsed Python file: import bindings, parents, literal positions, insertion point."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.tree = ast.parse(data)
        self.lines = data.split(b"\n")
        self.parents: dict[ast.AST, ast.AST] = {}
        self.bindings: dict[str, str] = {}
        self.imports: set[tuple[str, ...]] = set()
        self.literals: dict[tuple[int, int], ast.expr] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.Import | ast.ImportFrom):
                self._bind(node)
            elif isinstance(node, ast.JoinedStr) or (
                isinstance(node, ast.Constant) and isinstance(node.value, str)
            ):  # an f-string is seen before its parts, which may share its position
                self.literals.setdefault((node.lineno, node.col_offset), node)

    def _bind(self, node: ast.Import | ast.ImportFrom) -> None:
        self.imports |= _import_keys(node)
        if isinstance(node, ast.Import):
            for alias in node.names:
                head = alias.name.split(".")[0]
                self.bindings[alias.asname or head] = alias.name if alias.asname else head
        elif node.level == 0 and node.module:
            for alias in node.names:
                self.bindings[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def qualified(self, node: ast.AST) -> str | None:
        """``torch.jit.script`` for ``T.jit.script`` after ``import torch as T``; None if unknown."""
        if isinstance(node, ast.Name):
            return self.bindings.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.qualified(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def position(self, node: ast.expr) -> tuple[int, int]:
        """1-based line and character column of a node (ast counts UTF-8 bytes)."""
        line = self.lines[node.lineno - 1][: node.col_offset]
        return node.lineno, len(line.decode("utf-8", "replace")) + 1

    def literal_at(self, line: int, column: int) -> ast.expr | None:
        if not 0 < line <= len(self.lines):
            return None
        prefix = self.lines[line - 1].decode("utf-8", "replace")[: column - 1]
        return self.literals.get((line, len(prefix.encode("utf-8"))))

    def context(self, node: ast.expr, knowledge: Knowledge) -> str:
        """Where a literal sits: compare, patched-call, device-object, call or value."""
        child, parent = node, self.parents.get(node)
        while isinstance(parent, ast.BoolOp) or (isinstance(parent, ast.IfExp) and child is not parent.test):
            child, parent = parent, self.parents.get(parent)
        if isinstance(parent, ast.Compare):
            return "compare"
        if isinstance(parent, ast.keyword):
            child, parent = parent, self.parents.get(parent)
        if not isinstance(parent, ast.Call) or child is parent.func:
            return "value"
        name = self.qualified(parent.func)
        if name == "torch.device":
            return "device-object"
        if name is not None and knowledge.wraps(name):
            return "patched-call"
        if name is None and isinstance(parent.func, ast.Attribute) and parent.func.attr in knowledge.methods:
            return "patched-call"
        return "call"

    def uses(self, names: tuple[str, ...], keyword: str | None) -> Iterator[tuple[ast.expr, str]]:
        """Each use of one of ``names`` (whole dotted chains only); with ``keyword``, only
        calls of it that pass that keyword argument."""
        for node in ast.walk(self.tree):
            if not isinstance(node, ast.Name | ast.Attribute):
                continue
            parent = self.parents.get(node)
            if isinstance(parent, ast.Attribute) or isinstance(node.ctx, ast.Store):
                continue
            name = self.qualified(node)
            if name not in names:
                continue
            if keyword is not None and not (
                isinstance(parent, ast.Call) and parent.func is node
                and any(k.arg == keyword for k in parent.keywords)
            ):
                continue
            yield node, name

    def has_main_guard(self) -> bool:
        for node in self.tree.body:
            test = node.test if isinstance(node, ast.If) else None
            if isinstance(test, ast.Compare) and len(test.comparators) == 1:
                sides = {ast.dump(test.left), ast.dump(test.comparators[0])}
                if sides == {ast.dump(ast.Name("__name__", ast.Load())), ast.dump(ast.Constant("__main__"))}:
                    return True
        return False

    def missing(self, lines: tuple[str, ...]) -> list[str]:
        """The import lines this file does not already hold (anywhere in it)."""
        return [line for line in lines if not _import_keys(ast.parse(line).body[0]) <= self.imports]

    def insertion_offset(self) -> int:
        """Byte offset of the line that starts the first statement after the docstring and
        ``from __future__`` imports; the end of the file when there is none."""
        body = list(self.tree.body)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body.pop(0)
        while body and isinstance(body[0], ast.ImportFrom) and body[0].module == "__future__":
            body.pop(0)
        if not body:
            return len(self.data)
        first = body[0]
        line = min([first.lineno, *(d.lineno for d in getattr(first, "decorator_list", ()))])
        return sum(len(x) + 1 for x in self.lines[: line - 1])


def import_edit(source: PythonSource, lines: list[str]) -> Edit:
    """One insertion of ``lines`` before the first statement, in the file's own newline style."""
    newline = "\r\n" if source.lines[0].endswith(b"\r") and len(source.lines) > 1 else "\n"
    offset = source.insertion_offset()
    text = newline.join(lines) + newline
    if offset == len(source.data) and source.data and not source.data.endswith(b"\n"):
        text = newline + text
    return Edit(offset, offset, text)


# -- judging sites ---------------------------------------------------------------------------


def decide(rules: tuple[ShimRule, ...], finding: Finding, context: str | None, knowledge: Knowledge) -> ShimRule | None:
    """The first rule whose conditions all hold for a scan finding (detect rules never do)."""
    language = "python" if finding.language == "python" else "other"  # as ShimSite.python
    for rule in rules:
        if rule.detect or (rule.language and rule.language != language):
            continue
        if (rule.family and finding.family not in rule.family) or (rule.symbol and finding.symbol not in rule.symbol):
            continue
        if rule.symbol_prefix and not finding.symbol.startswith(rule.symbol_prefix):
            continue
        if rule.twin and knowledge.has_twin(finding.symbol) != (rule.twin == "present"):
            continue
        if rule.context and context not in rule.context:
            continue
        return rule
    return None


def _finding_site(finding: Finding, target: str, source: PythonSource | None, knowledge: Knowledge) -> ShimSite:
    context = None
    if source is not None:
        literal = source.literal_at(finding.span.line, finding.span.column)
        context = source.context(literal, knowledge) if literal is not None else None
    rule = decide(knowledge.shim.rules, finding, context, knowledge)
    plan = finding.targets[target]
    return ShimSite(
        path=finding.path, line=finding.span.line, column=finding.span.column, symbol=finding.symbol,
        effect=rule.effect if rule else "uncovered", rule=rule.id if rule else "shim-no-rule",
        note=rule.note if rule else "No shim rule matches this site; port it by hand.",
        fix=" ".join(x for x in (f"becomes {plan.replacement}." if plan.replacement else "", plan.note) if x),
        cell=finding.cell, finding_id=finding.id, python=finding.language == "python",
    )


def _detected_sites(
    path: str, cell: int | None, source: PythonSource, rules: tuple[ShimRule, ...]
) -> Iterator[ShimSite]:
    for rule in rules:
        if not rule.detect:
            continue
        for node, name in source.uses(rule.detect, rule.keyword):
            line, column = source.position(node)
            yield ShimSite(path, line, column, name, rule.effect, rule.id, rule.note, cell=cell)


# -- entry points ----------------------------------------------------------------------------

_SCRIPT = re.compile(r"^\s*[\w.-]+\s*=\s*([\w.]+)\s*(?::.*)?$")


def _module_paths(module: str) -> tuple[str, ...]:
    rel = module.replace(".", "/")
    return tuple(f"{base}{rel}{tail}" for base in ("", "src/") for tail in (".py", "/__init__.py"))


def _setup_scripts(data: bytes) -> list[str]:
    """``name = module:func`` strings of setup.py's console_scripts/gui_scripts (literals only)."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in ("console_scripts", "gui_scripts"):
                    found += [e.value for e in ast.walk(value) if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return found


def script_modules(base: Path) -> set[str]:
    """Paths of the modules the project's console and GUI scripts run."""
    specs: list[str] = []
    try:
        project = tomllib.loads((base / "pyproject.toml").read_text(encoding="utf-8")).get("project", {})
        for table in ("scripts", "gui-scripts"):
            specs += [f"x = {v}" for v in project.get(table, {}).values() if isinstance(v, str)]
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, AttributeError):
        pass
    with contextlib.suppress(OSError):
        specs += _setup_scripts((base / "setup.py").read_bytes())
    return {path for spec in specs if (m := _SCRIPT.match(spec)) for path in _module_paths(m.group(1))}


def _is_python(file: FileResult) -> bool:
    return file.language == "python" and file.status != "error"


def entry_points(base: Path, sources: Mapping[tuple[str, int | None], PythonSource]) -> tuple[str, ...]:
    scripts = script_modules(base)
    return tuple(sorted(
        path for (path, cell), source in sources.items()
        if cell is None and (path.rsplit("/", 1)[-1] == "__main__.py" or path in scripts or source.has_main_guard())
    ))


# -- the port --------------------------------------------------------------------------------


def _parsed(data: bytes) -> PythonSource | None:
    try:
        return PythonSource(data)
    except (SyntaxError, ValueError, RecursionError):
        return None


def _cells(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(index in the notebook's cells list, source) of each code cell; nothing if unreadable."""
    try:
        cells = json.loads(data).get("cells", [])
    except (ValueError, AttributeError):
        return
    for index, cell in enumerate(cells if isinstance(cells, list) else ()):
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        if cell.get("cell_type") == "code" and isinstance(source, str | list):
            yield index, "".join(source).encode("utf-8", "surrogatepass")


def _read_sources(
    root: Path, files: tuple[FileResult, ...], shim: Shim
) -> dict[tuple[str, int | None], PythonSource]:
    """Parsed Python, keyed by (path, notebook cell or None): the files with sites, a main guard
    or a name a detect rule wants, and the code cells of notebooks with sites."""
    words = {n.rsplit(".", 1)[-1].encode() for r in shim.rules for n in r.detect} | {b"__main__"}
    sources: dict[tuple[str, int | None], PythonSource] = {}
    for file in files:
        notebook = file.language == "notebook" and bool(file.findings)
        if not (_is_python(file) or notebook):
            continue
        data = read_scanned(root, file.path)
        if data is None or hashlib.sha1(data).hexdigest() != file.digest:
            continue
        parts = _cells(data) if notebook else [(None, data)] if file.findings or any(w in data for w in words) else []
        parsed = {(file.path, cell): s for cell, text in parts if (s := _parsed(text)) is not None}
        if notebook:  # a cell uses the names earlier cells imported: share one set of bindings
            shared = {k: v for s in parsed.values() for k, v in s.bindings.items()}
            for source in parsed.values():
                source.bindings = shared
        sources.update(parsed)
    return sources


def _with_imports(path: str, source: PythonSource, shim: Shim, tables: MappingTables) -> FilePort | None:
    """The entry point with the shim's missing imports added, None when it has them all."""
    missing = source.missing(shim.imports)
    if not missing:
        return None
    ported = apply_edits(source.data, [import_edit(source, missing)]).data
    frontend = frontend_for(path, ported[:512])
    check = frontend.analyze(path, ported, tables) if frontend else None
    note = None
    if check is not None and check.status == "error":
        ported, note = source.data, f"shim imports not added: the result would not parse ({check.note})"
    return FilePort(path, source.data, ported, (), (), (), (), note=note)


def plan_shim(
    root: Path,
    target: str,
    *,
    exclude: tuple[str, ...] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
    tables: MappingTables | None = None,
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT,
) -> ShimPort:
    """Scan ``root`` and plan the shim style for ``target``; writes nothing.

    Raises ShimUnavailable for a target without a shim, MappingError for bad shim data.
    """
    from porter.mappings import default_tables

    shim = shim_for(target)
    tables = tables or default_tables()
    (chosen,) = check_targets([target], tables)
    knowledge = Knowledge.of(shim)
    if unproven := knowledge.unproven():
        raise MappingError(f"shims.yaml: {target}: not in the shim's reference lists: {', '.join(unproven)}")
    result = scan(root, targets=[chosen], exclude=exclude, max_bytes=max_bytes, tables=tables,
                  file_timeout=file_timeout)
    sources = _read_sources(root, result.files, shim)
    sites = [
        _finding_site(f, chosen, sources.get((file.path, f.cell)), knowledge)
        for file in result.files for f in file.findings if f.targets[chosen].status != "not-needed"
    ]
    seen = {(s.path, s.cell, s.line, s.column, s.symbol) for s in sites}
    sites += [
        s for (path, cell), source in sources.items() for s in _detected_sites(path, cell, source, shim.rules)
        if (s.path, s.cell, s.line, s.column, s.symbol) not in seen
    ]
    with_sites = {s.path for s in sites}
    base = root if root.is_dir() else root.parent
    python = sorted(path for path, cell in sources if cell is None)
    entries = entry_points(base, sources) or tuple(p for p in python if p in with_sites)
    ports = tuple(p for path in entries if (p := _with_imports(path, sources[(path, None)], shim, tables)))
    notebooks = tuple(sorted({f.path for f in result.files if f.language == "notebook" and f.path in with_sites}))
    return ShimPort(
        shim=shim,
        port=PortResult(root=root, target=chosen, scan=result, files=ports),
        entry_points=entries,
        sites=tuple(sorted(sites, key=lambda s: (s.path, s.cell or 0, s.line, s.column, s.symbol))),
        notebooks=notebooks,
    )
