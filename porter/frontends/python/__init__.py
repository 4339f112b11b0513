"""The Python frontend: torch.cuda, device strings, nccl, CUDA-only libraries and tools in .py files.

A file goes through four steps, each cheap enough for trees of thousands of files:

1. a bytes regex derived from the mapping data; most files of a big tree stop here;
2. one libcst parse (modern syntax, exact round trip; broken files become a one-line note);
3. one traversal (``collect``) that records candidate sites and import bindings, then judging
   (``sites``) against the mapping data, aliases resolved (``import torch as T``,
   ``from torch.cuda import amp``);
4. byte spans for the judged nodes only (``positions``) and per-target edits (``rewrite``), plus
   one import insertion per target when a replacement needs a package (``import torch_npu``).

A ``setup.py`` also gets the dependency findings of its requirement strings
(``porter.frontends.python_setup``), whatever the prefilter says.

``analyze_source`` is the whole pipeline for one source text; the notebook frontend calls it per
code cell with ``cell`` set.
"""

from __future__ import annotations

from collections import defaultdict

import libcst as cst

from porter.frontends.base import LineIndex, make_finding, sorted_findings
from porter.frontends.python.collect import collect
from porter.frontends.python.context import LANGUAGE, Context, context_for
from porter.frontends.python.names import Bindings
from porter.frontends.python.positions import character_spans, first_statement_offset
from porter.frontends.python.rewrite import (
    Rewriter,
    Spans,
    helper_definition,
    insertion,
    needed_imports,
)
from porter.frontends.python.shape import refusal
from porter.frontends.python.sites import Site, judge
from porter.frontends.python.source import Parsed, SourceError, parse
from porter.frontends.python_setup import setup_py_findings
from porter.mappings import MappingTables
from porter.model import Edit, FileResult, Finding

__all__ = ["PythonFrontend", "analyze_source"]


class PythonFrontend:
    language = LANGUAGE

    def claims(self, path: str, head: bytes) -> bool:
        name = path.rsplit("/", 1)[-1]
        if name.endswith((".py", ".pyi")):
            return True
        first = head.split(b"\n", 1)[0]
        return "." not in name and first.startswith(b"#!") and b"python" in first

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        return analyze_source(path, data, tables)


def analyze_source(
    path: str, data: bytes, tables: MappingTables, cell: int | None = None
) -> FileResult:
    """Every finding of one Python source; never raises (a failure is the result's note)."""
    lines = LineIndex(data)
    try:
        context = context_for(tables)
        extra = _setup_py(path, data, tables)
        if not context.prefilter.search(data):
            return FileResult(
                path, LANGUAGE, "scanned", lines=lines.line_count, findings=sorted_findings(extra)
            )
        refused = refusal(data)
        if refused is not None:
            line, reason = refused
            note = f"{path}:{line}: {reason}; not analysed"
            return FileResult(path, LANGUAGE, "error", lines=lines.line_count, note=note,
                              findings=sorted_findings(extra))
        parsed = parse(path, data)
        return _analyze(path, data, parsed, context, lines, cell, extra)
    except SourceError as exc:
        return FileResult(path, LANGUAGE, "error", lines=lines.line_count, note=str(exc))
    except RecursionError:
        note = f"{path}: nested too deeply to analyse"
        return FileResult(path, LANGUAGE, "error", lines=lines.line_count, note=note)
    except Exception as exc:  # the protocol: one bad file is a result, never a crashed scan
        note = f"{path}: internal error in the Python frontend: {type(exc).__name__}: {exc}"
        return FileResult(path, LANGUAGE, "error", lines=lines.line_count, note=note)


def _setup_py(path: str, data: bytes, tables: MappingTables) -> list[Finding]:
    """The requirement strings of a ``setup.py`` (dependency findings, ``python_setup``)."""
    if path.rsplit("/", 1)[-1] != "setup.py":
        return []
    return setup_py_findings(path, data, tables)


def _analyze(
    path: str,
    data: bytes,
    parsed: Parsed,
    context: Context,
    lines: LineIndex,
    cell: int | None,
    extra: list[Finding],
) -> FileResult:
    collected = collect(parsed.module, context)
    sites = judge(context, collected)
    if not sites:
        return FileResult(
            path, LANGUAGE, "scanned", lines=lines.line_count, findings=sorted_findings(extra)
        )
    anchor = collected.insert_after
    wanted = [node for site in sites for node in site.wanted]
    if anchor is not None:
        wanted.append(anchor)
    chars = character_spans(parsed.module, wanted)
    start_offset = first_statement_offset(parsed.module) if anchor is None else 0
    flat = [offset for span in chars.values() for offset in span]
    to_bytes = parsed.offsets.convert([*flat, start_offset])
    spans = Spans({key: (to_bytes[s], to_bytes[e]) for key, (s, e) in chars.items()})
    first_statement = to_bytes[start_offset]
    helpers = {t.id: t.helper for t in context.tables.targets if t.helper is not None}
    rewriter = Rewriter(context, collected.bindings, spans, data, helpers)
    findings: list[Finding] = list(extra)
    needed: list[dict[str, list[str]]] = []
    for site in sites:
        finding, needs = _finding(site, rewriter, spans, path, lines, cell)
        findings.append(finding)
        needed.append(needs)
    imports: dict[str, list[str]] = defaultdict(list)
    for needs in [*needed, rewriter.imports]:
        for target, lines_needed in needs.items():
            imports[target].extend(x for x in lines_needed if x not in imports[target])
    defined = _top_level_functions(parsed.module)
    definitions = {
        target: helper_definition(helpers[target], collected.bindings.torch_alias() or "torch")
        for target in rewriter.hoisted
        if helpers[target].name not in defined
    }
    file_edits = _import_edits(
        imports, definitions, collected.bindings, data, parsed, spans, anchor, first_statement
    )
    return FileResult(
        path,
        LANGUAGE,
        "scanned",
        lines=lines.line_count,
        findings=sorted_findings(findings),
        file_edits=file_edits,
    )


def _finding(
    site: Site, rewriter: Rewriter, spans: Spans, path: str, lines: LineIndex, cell: int | None
) -> tuple[Finding, dict[str, list[str]]]:
    start, end = spans(site.node)
    edits, overrides = rewriter.plans(site)
    finding = make_finding(
        site.entry,
        path=path,
        lines=lines,
        start=start,
        end=end,
        symbol=site.symbol,
        edits=edits,
        overrides=overrides,
        cell=cell,
    )
    # A renamed string that is only compared with calls nothing of the target's package.
    return finding, {} if site.compared else needed_imports(site.entry.targets, edits)


def _import_edits(
    imports: dict[str, list[str]],
    definitions: dict[str, list[str]],
    bindings: Bindings,
    data: bytes,
    parsed: Parsed,
    spans: Spans,
    anchor: cst.CSTNode | None,
    first_statement: int,
) -> dict[str, tuple[Edit, ...]]:
    """One insertion per target: the imports its edits need and the file lacks, then the
    definition of the helper its edits call, set off by two blank lines as PEP 8 asks."""
    newline = parsed.module.default_newline
    result: dict[str, tuple[Edit, ...]] = {}
    for target in sorted(set(imports) | set(definitions)):
        block = _merged([line for line in imports.get(target, ()) if not _imported(line, bindings)])
        definition = definitions.get(target)
        if definition:
            if anchor is not None:
                block += ["", "", *definition]
                block += [""] * (2 - _blank_lines_after(data, spans(anchor)[1]))
            else:
                block = [*block, *definition, "", ""]
        if not block:
            continue
        if anchor is not None:
            edit = insertion(data, spans(anchor)[1], block, newline, after=True)
        else:
            edit = insertion(data, first_statement, block, newline, after=False)
        result[target] = (edit,)
    return result


def _merged(lines: list[str]) -> list[str]:
    """``from M import a`` and ``from M import b`` as one ``from M import a, b``, in place of the
    first; other lines as they are."""
    names: dict[str, list[str]] = {}  # a from-import's "from M import" head, or a whole line
    for line in lines:
        words = line.split()
        if len(words) == 4 and words[0] == "from" and words[2] == "import":
            names.setdefault(f"from {words[1]} import", []).append(words[3])
        else:
            names.setdefault(line, [])
    return [f"{head} {', '.join(imported)}" if imported else head for head, imported in names.items()]


def _blank_lines_after(data: bytes, offset: int) -> int:
    """How many blank lines (at most two) follow the line holding ``offset``."""
    count = 0
    for line in data[offset:].split(b"\n", 3)[1:3]:
        if line.strip():
            break
        count += 1
    return count


def _top_level_functions(module: cst.Module) -> set[str]:
    """Names of the functions a module defines at its top level."""
    return {s.name.value for s in module.body if isinstance(s, cst.FunctionDef)}


def _imported(line: str, bindings: Bindings) -> bool:
    """Whether ``import x`` / ``from x import y`` is already satisfied by the file's imports."""
    words = line.split()
    if len(words) < 2 or words[0] not in ("import", "from"):
        return False
    module = words[1]
    if words[0] == "from" and len(words) == 4 and words[2] == "import":
        return bindings.names.get(words[3]) == f"{module}.{words[3]}"
    return any(m == module or m.startswith(module + ".") for m in bindings.modules)
