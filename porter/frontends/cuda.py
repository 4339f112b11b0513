"""The CUDA/C++ frontend: tree-sitter finds the vendor-specific sites, the mapping data plans them.

One parse per file with the tree-sitter CUDA grammar and one query over the tree collect every
place lock-in can live: identifiers and types (``cudaMalloc``, ``cudaStream_t``), qualified names
(``at::cuda::getCurrentCUDAStream``, ``cub::BlockReduce``), member calls (``x.is_cuda()``),
``#include`` paths, kernel launches ``<<<...>>>``, CUDA keywords (``__global__``, ``__shared__``),
inline PTX ``asm(...)``, and literals that encode the warp width. Comments and string literals are
separate nodes, so a ``cudaMalloc`` in either is never a finding. Macro bodies, raw text to the
grammar, are read with :mod:`porter.frontends.cuda_lexer` so that ``CUDA_CHECK``-style wrappers
are looked into as well. Every symbol is answered by ``MappingTables.lookup`` (exact, then prefix,
then the catch-all regexes that keep unknown ``cuda*``/``cublas*``/... names visible); the edits
are byte ranges of the original file, so nothing outside a site is ever touched.

Plain C/C++ files are only parsed when a cheap byte search finds CUDA vocabulary in them.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import weakref
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import tree_sitter_cuda
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from porter.frontends import cuda_warp
from porter.frontends.base import LineIndex, make_finding, sorted_findings
from porter.frontends.cuda_lexer import Token, code_tokens
from porter.limits import parse_tree
from porter.mappings import MappingEntry, MappingTables
from porter.model import Edit, FileResult, Finding, TargetPlan

LANGUAGE = "cuda"
CUDA_SUFFIXES = frozenset({".cu", ".cuh"})
CPP_SUFFIXES = frozenset({".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx", ".inl"})

#: Plain C/C++ files without any of these (lower-cased) words cannot hold CUDA lock-in and are
#: not parsed; substring tests are ~6x faster than one case-insensitive regex over the bytes.
PREFILTER_WORDS = (
    b"cuda", b"cublas", b"cudnn", b"curand", b"cufft", b"cusparse", b"cusolver", b"nccl", b"nvtx",
    b"thrust", b"cub::", b"cutlass", b"wmma", b"cooperative_groups", b"__global__", b"__device__",
    b"__shfl", b"__ballot", b"warpsize", b"<<<",
)
#: Driver API names (cuInit, CUresult, CU_...) are case-sensitive.
PREFILTER_DRIVER = re.compile(rb"\bcu[A-Z]|\bCU[a-z_]")


def uses_cuda(data: bytes) -> bool:
    """Whether a plain C/C++ file mentions CUDA vocabulary at all (a cheap byte test)."""
    lowered = data.lower()
    return any(word in lowered for word in PREFILTER_WORDS) or bool(PREFILTER_DRIVER.search(data))


#: Lookup keys for sites that are not identifiers (the mapping rows use the same strings).
LAUNCH_KEY = "<<<>>>"
ASM_KEY = "asm"
#: A .cu/.cuh file that relies on nvcc including cuda_runtime.h before its first line.
IMPLICIT_KEY = "implicit-cuda-runtime"
_ASM_WORDS = frozenset({b"asm", b"__asm__", b"__asm"})

_QUERY = """
(identifier) @id
(type_identifier) @id
(namespace_identifier) @ns
(field_identifier) @field
(qualified_identifier) @qual
(preproc_include path: (_) @include)
(kernel_call_syntax) @launch
(gnu_asm_expression) @asm
(preproc_def name: (identifier) @macro.name value: (preproc_arg) @macro)
(preproc_function_def name: (identifier) @macro.name value: (preproc_arg) @macro)
((number_literal) @number (#match? @number "^(32|31|5|0[xX][fF]{8})[uUlL]*$"))
["__global__" "__device__" "__shared__" "__constant__" "__managed__" "__launch_bounds__" "__grid_constant__"] @keyword
"""

#: Names this file defines itself; a catch-all regex row never reports those (``CUDA_CHECK``).
_DEFINITIONS_QUERY = """
(preproc_def name: (identifier) @name)
(preproc_function_def name: (identifier) @name)
(function_declarator declarator: (identifier) @name)
(struct_specifier name: (type_identifier) @name body: (_))
(class_specifier name: (type_identifier) @name body: (_))
(type_definition declarator: (type_identifier) @name)
(alias_declaration name: (type_identifier) @name)
(enumerator name: (identifier) @name)
"""

#: Node types whose ``field`` child is a name being declared, not a use of an existing name.
_DECLARING_FIELDS = {
    "function_declarator": "declarator",
    "init_declarator": "declarator",
    "pointer_declarator": "declarator",
    "reference_declarator": "declarator",
    "array_declarator": "declarator",
    "declaration": "declarator",
    "parameter_declaration": "declarator",
    "field_declaration": "declarator",
    "type_definition": "declarator",
    "preproc_def": "name",
    "preproc_function_def": "name",
    "enumerator": "name",
    "alias_declaration": "name",
}


@functools.cache
def _language() -> Language:
    return Language(tree_sitter_cuda.language())


@functools.cache
def _parser() -> Parser:
    """One parser per process: building it costs more than parsing a small file."""
    return Parser(_language())


@functools.cache
def _query(text: str) -> Query:
    return Query(_language(), text)


#: Per-table memo of symbol look-ups: identifiers repeat across files, the answer never changes.
_MEMOS: weakref.WeakKeyDictionary[MappingTables, dict[str, MappingEntry | None]] = (
    weakref.WeakKeyDictionary()
)
_ROOTS: weakref.WeakKeyDictionary[MappingTables, frozenset[str]] = weakref.WeakKeyDictionary()
_CONTEXT: weakref.WeakKeyDictionary[MappingTables, frozenset[bytes]] = weakref.WeakKeyDictionary()
#: Per-table memo keyed by an identifier's raw bytes: most identifiers are answered without decoding.
_RAW_MEMOS: weakref.WeakKeyDictionary[MappingTables, dict[bytes, MappingEntry | None]] = (
    weakref.WeakKeyDictionary()
)


def _qualified_roots(tables: MappingTables) -> frozenset[str]:
    """First components of the qualified rows (``at`` of ``at::cuda::``): the only qualified
    names worth building a key for."""
    roots = _ROOTS.get(tables)
    if roots is None:
        roots = frozenset(
            entry.source.split("::", 1)[0]
            for entry in tables.entries(LANGUAGE)
            if "::" in entry.source and entry.match != "regex"
        )
        _ROOTS[tables] = roots
    return roots


def _context_names(tables: MappingTables) -> frozenset[bytes]:
    """Identifiers whose meaning depends on where they stand: namespace roots
    (``using namespace nvcuda;``) and template names with a ``name<>`` row (``texture<...>``)."""
    names = _CONTEXT.get(tables)
    if names is None:
        templates = {
            entry.source[:-2] for entry in tables.entries(LANGUAGE) if entry.source.endswith("<>")
        }
        names = frozenset(n.encode() for n in _qualified_roots(tables) | templates)
        _CONTEXT[tables] = names
    return names


def _text(data: bytes, start: int, end: int) -> str:
    return data[start:end].decode("utf-8", errors="replace")


@dataclass(slots=True)
class _File:
    """One file's analysis state: its bytes, positions, look-ups and the findings so far."""

    path: str
    data: bytes
    tables: MappingTables
    lines: LineIndex
    tree_root: Node
    memo: dict[str, MappingEntry | None]
    raw_memo: dict[bytes, MappingEntry | None]
    findings: dict[tuple[str, int, int], Finding] = field(default_factory=dict)
    defined: frozenset[str] | None = None

    def lookup(self, key: str) -> MappingEntry | None:
        if key in self.memo:
            return self.memo[key]
        entry = self.tables.lookup(LANGUAGE, key)
        self.memo[key] = entry
        return entry

    def lookup_raw(self, raw: bytes) -> MappingEntry | None:
        """``lookup`` for an identifier's bytes, memoised without decoding them."""
        try:
            return self.raw_memo[raw]
        except KeyError:
            entry = self.raw_memo[raw] = self.lookup(raw.decode("utf-8", errors="replace"))
            return entry

    def locally_defined(self, name: str) -> bool:
        """Whether this file defines ``name`` (computed once, only when a catch-all fires)."""
        if self.defined is None:
            captures = QueryCursor(_query(_DEFINITIONS_QUERY)).captures(self.tree_root)
            self.defined = frozenset(
                _text(self.data, n.start_byte, n.end_byte) for n in captures.get("name", ())
            )
        return name in self.defined

    def add(
        self,
        entry: MappingEntry,
        start: int,
        end: int,
        symbol: str,
        edits: Mapping[str, tuple[Edit, ...]] | None = None,
        overrides: Mapping[str, TargetPlan] | None = None,
    ) -> None:
        key = (entry.rule, start, end)
        if key not in self.findings:
            self.findings[key] = make_finding(
                entry,
                path=self.path,
                lines=self.lines,
                start=start,
                end=end,
                symbol=symbol,
                edits=edits,
                overrides=overrides,
            )

    def report(self, entry: MappingEntry | None, start: int, end: int, symbol: str) -> bool:
        """Report a name with the common rename edit; False when nothing was reported."""
        if entry is None or (entry.match == "regex" and self.locally_defined(symbol)):
            return False
        self.add(entry, start, end, symbol, edits=rename_edits(entry, start, end))
        return True


def rename_edits(entry: MappingEntry, start: int, end: int) -> dict[str, tuple[Edit, ...]]:
    """Per target, the replacement over ``[start, end)``; prefix/regex rows rename nothing (their
    replacement, if any, describes a family, not this exact name)."""
    if entry.match != "exact":
        return {}
    return {
        target: (Edit(start, end, spec.replacement),)
        for target, spec in entry.targets.items()
        if spec.replacement is not None and spec.status in ("auto", "review")
    }


def include_edits(entry: MappingEntry, node: Node) -> dict[str, tuple[Edit, ...]]:
    """Replace the path between the delimiters, keeping ``<...>`` or ``"..."`` as written."""
    edits: dict[str, tuple[Edit, ...]] = {}
    for target, spec in entry.targets.items():
        if spec.replacement is None or spec.status not in ("auto", "review"):
            continue
        inner = spec.replacement.strip()
        if inner[:1] in "<\"" and inner[-1:] in ">\"":
            inner = inner[1:-1]
        edits[target] = (Edit(node.start_byte + 1, node.end_byte - 1, inner),)
    return edits


def _masked_call(
    file: _File, entry: MappingEntry, start: int, end: int, symbol: str, second: int | None
) -> None:
    """A ``*_sync`` warp intrinsic: targets whose replacement drops the mask get one edit over
    the name and the mask argument; without a call to rewrite they fall back to manual."""
    edits: dict[str, tuple[Edit, ...]] = {}
    overrides: dict[str, TargetPlan] = {}
    for target, spec in entry.targets.items():
        if spec.replacement is None or spec.status not in ("auto", "review"):
            continue
        if spec.replacement.endswith("_sync"):
            edits[target] = (Edit(start, end, spec.replacement),)
        elif second is not None:
            edits[target] = (cuda_warp.drop_mask_edit(start, second, spec.replacement),)
        else:
            overrides[target] = TargetPlan(
                status="manual",
                replacement=spec.replacement,
                note=f"{spec.note or entry.note} Not a call with a mask argument: porter cannot "
                "drop the mask here.",
            )
    file.add(entry, start, end, symbol, edits=edits, overrides=overrides)


def _is_declared_name(node: Node) -> bool:
    """Whether ``node`` is the name a declaration introduces (``int cudaStatus;``)."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "preproc_params":
        return True
    field_name = _DECLARING_FIELDS.get(parent.type)
    return field_name is not None and any(
        child == node for child in parent.children_by_field_name(field_name)
    )


def _qualified_key(node: Node, data: bytes) -> tuple[str, Node] | None:
    """``a::b<T>::c`` -> ("a::b::c", leaf node of c); None for forms porter does not name."""
    parts: list[str] = []
    current: Node | None = node
    while current is not None and current.type == "qualified_identifier":
        scope = current.child_by_field_name("scope")
        if scope is not None:
            if scope.type == "template_type":
                scope = scope.child_by_field_name("name")
                if scope is None:
                    return None
            parts.append(_text(data, scope.start_byte, scope.end_byte))
        current = current.child_by_field_name("name")
    if current is None:
        return None
    if current.type in ("template_type", "template_function"):
        current = current.child_by_field_name("name")
        if current is None:
            return None
    if current.type not in ("identifier", "type_identifier", "field_identifier"):
        return None
    parts.append(_text(data, current.start_byte, current.end_byte))
    return "::".join(parts), current


def _scan_tree(file: _File) -> None:
    data = file.data
    captures = QueryCursor(_query(_QUERY)).captures(file.tree_root)
    roots = _qualified_roots(file.tables)
    consumed: set[int] = set()

    for node in captures.get("qual", ()):
        parent = node.parent
        if parent is not None and parent.type == "qualified_identifier":
            continue
        scope = node.child_by_field_name("scope")
        if scope is None or _text(data, scope.start_byte, scope.end_byte).split("<")[0] not in roots:
            continue
        qualified = _qualified_key(node, data)
        if qualified is None:
            continue
        key, leaf = qualified
        entry = file.lookup(key)
        if entry is not None and entry.match != "regex":
            file.add(entry, node.start_byte, leaf.end_byte, key,
                     edits=rename_edits(entry, node.start_byte, leaf.end_byte))
            consumed.add(leaf.start_byte)

    context = _context_names(file.tables)
    for node in captures.get("id", ()):
        start = node.start_byte
        if start in consumed:
            continue
        end = node.end_byte
        raw = data[start:end]
        entry = file.lookup_raw(raw)
        if entry is None and raw not in context:
            continue
        _identifier(file, node, raw.decode("utf-8", errors="replace"), entry)

    for node in captures.get("ns", ()):
        parent = node.parent
        if parent is None or parent.type == "qualified_identifier":
            continue
        if parent.type == "namespace_alias_definition" and parent.child_by_field_name("name") == node:
            continue
        if parent.type == "namespace_definition":
            continue
        _namespace(file, _text(data, node.start_byte, node.end_byte), node.start_byte, node.end_byte)

    for node in captures.get("field", ()):
        parent = node.parent
        if parent is None or parent.type not in ("field_expression", "template_method"):
            continue
        name = "." + _text(data, node.start_byte, node.end_byte)
        entry = file.lookup(name)
        if entry is not None:
            file.add(entry, node.start_byte, node.end_byte, name,
                     edits=rename_edits(entry, node.start_byte, node.end_byte))

    for node in captures.get("include", ()):
        path = _text(data, node.start_byte, node.end_byte).strip()
        if len(path) < 3:
            continue
        entry = file.lookup(path[1:-1])
        # A quoted header that only a catch-all matches is the project's own (cuda_utils.h).
        if entry is not None and not (path.startswith('"') and entry.match == "regex"):
            file.add(entry, node.start_byte, node.end_byte, path[1:-1], edits=include_edits(entry, node))

    _constructs(file, captures.get("launch", ()), LAUNCH_KEY)
    implicit_paths = captures.get("include", ())
    _constructs(file, captures.get("asm", ()), ASM_KEY)
    sized = file.lookup(cuda_warp.WARP_SIZED_SHARED)
    for node in captures.get("keyword", ()):
        keyword = _text(data, node.start_byte, node.end_byte)
        entry = file.lookup(keyword)
        if entry is not None:
            file.add(entry, node.start_byte, node.end_byte, keyword,
                     edits=rename_edits(entry, node.start_byte, node.end_byte))
        if keyword == "__shared__" and sized is not None:
            for size in cuda_warp.warp_sized_extents(node, data):
                file.add(sized, size.start_byte, size.end_byte, _text(data, size.start_byte, size.end_byte))

    for node in captures.get("number", ()):
        _literal(file, cuda_warp.tree_kind(node, data), node.start_byte, node.end_byte)

    names = captures.get("macro.name", ())
    bodies = captures.get("macro", ())
    body_names = {n.parent.id: n for n in names if n.parent is not None}
    for body in bodies:
        name = body_names.get(body.parent.id) if body.parent is not None else None
        _scan_macro(file, body, _text(data, name.start_byte, name.end_byte) if name else "")
    if file.findings and PurePosixPath(file.path).suffix.lower() in CUDA_SUFFIXES:
        _implicit_runtime(file, implicit_paths)
    _drop_repeated_includes(file, implicit_paths)


def _drop_repeated_includes(file: _File, paths: Iterable[Node]) -> None:
    """Where a port maps two top-level includes onto one header (cuda.h and cuda_runtime.h both
    become hip/hip_runtime.h, which may also have been inserted above them), the first stays and
    the later directives are deleted, line and all."""
    directives = {
        (n.start_byte, n.end_byte): n.parent
        for n in paths
        if n.parent is not None and n.parent.parent == file.tree_root
    }
    seen: dict[str, set[str]] = defaultdict(set)
    for key, finding in sorted(file.findings.items(), key=lambda item: item[0][1:]):
        directive = directives.get(key[1:])
        if directive is None and finding.symbol != IMPLICIT_KEY:
            continue
        targets = dict(finding.targets)
        for target, plan in finding.targets.items():
            if len(plan.edits) != 1:
                continue
            header = plan.edits[0].text.removeprefix("#include").strip().strip("<>\"")
            if directive is not None and header in seen[target]:
                drop = (Edit(directive.start_byte, directive.end_byte, ""),)
                targets[target] = dataclasses.replace(plan, edits=drop)
            seen[target].add(header)
        if targets != finding.targets:
            file.findings[key] = dataclasses.replace(finding, targets=targets)


def _implicit_runtime(file: _File, paths: Iterable[Node]) -> None:
    """nvcc includes cuda_runtime.h before every .cu file; other compilers do not. Where the
    file's first include is not already the target's runtime header, the row's replacement is
    inserted before the top-level construct holding that include (outside any #if around it)."""
    entry = file.lookup(IMPLICIT_KEY)
    if entry is None:
        return
    first = min(paths, key=lambda n: n.start_byte, default=None)
    written = _text(file.data, first.start_byte + 1, first.end_byte - 1).strip() if first else ""
    first_entry = file.lookup(written) if first else None
    if first is None and file.tree_root.has_error:
        return  # an include may sit unseen inside the part that did not parse
    anchor = first if first is not None else next(
        (c for c in file.tree_root.children if c.type != "comment"), None)
    while anchor is not None and anchor.parent is not None and anchor.parent != file.tree_root:
        anchor = anchor.parent
    if anchor is not None and anchor.has_error:
        return  # inside or around a syntax error "the first include" is a guess
    at = anchor.start_byte if anchor is not None else 0
    newline = "\r\n" if b"\r\n" in file.data else "\n"  # keep the file's line endings
    edits: dict[str, tuple[Edit, ...]] = {}
    for target, spec in entry.targets.items():
        if spec.replacement is None or spec.status not in ("auto", "review"):
            continue
        header = spec.replacement.strip("<>\"")
        becomes = written
        if first_entry is not None and first_entry.match == "exact":
            plan = first_entry.targets[target]
            if plan.replacement and plan.status in ("auto", "review"):
                becomes = plan.replacement.strip("<>\"")
        if becomes != header:
            edits[target] = (Edit(at, at, f"#include {spec.replacement}{newline}"),)
    if edits:
        file.add(entry, at, at, IMPLICIT_KEY, edits=edits)


def _identifier(file: _File, node: Node, name: str, entry: MappingEntry | None) -> None:
    """One identifier that has a row, or whose row depends on where it stands."""
    start, end = node.start_byte, node.end_byte
    parent = node.parent
    if parent is not None and parent.type == "using_declaration":
        _namespace(file, name, start, end)
        return
    if parent is not None and parent.type == "template_type":
        template = file.lookup(name + "<>")
        if template is not None:
            file.add(template, start, end, name + "<>")
            return
    if entry is None or _is_declared_name(node):
        return
    if name in cuda_warp.MASKED_INTRINSICS:
        _masked_call(file, entry, start, end, name, cuda_warp.second_argument_in_tree(node))
    else:
        file.report(entry, start, end, name)
    if name in cuda_warp.BALLOTS and cuda_warp.ballot_is_narrowed(node, file.data):
        narrowed = file.lookup(cuda_warp.NARROW_BALLOT)
        if narrowed is not None:
            file.add(narrowed, start, end, cuda_warp.NARROW_BALLOT)


def _namespace(file: _File, name: str, start: int, end: int) -> None:
    """A namespace named on its own (``using namespace nvcuda;``) matches the ``name::`` rows."""
    entry = file.lookup(name + "::")
    if entry is not None and entry.match != "regex":
        file.add(entry, start, end, name)


def _constructs(file: _File, nodes: Iterable[Node], key: str) -> None:
    """Report whole constructs (a ``<<<...>>>`` launch, an ``asm(...)`` block) under one row;
    a finding spans at most the construct's first line, so a long asm block stays one site."""
    entry = file.lookup(key)
    if entry is None:
        return
    for node in nodes:
        newline = file.data.find(b"\n", node.start_byte, node.end_byte)
        file.add(entry, node.start_byte, newline if newline != -1 else node.end_byte, key)


def _literal(file: _File, kind: str | None, start: int, end: int) -> None:
    if kind is None:
        return
    entry = file.lookup(kind)
    if entry is not None:
        file.add(entry, start, end, _text(file.data, start, end))


def _scan_macro(file: _File, body: Node, macro_name: str) -> None:
    """Look into a ``#define`` body, which the grammar keeps as raw text."""
    tokens = code_tokens(file.data, body.start_byte, body.end_byte)
    if len(tokens) == 1 and tokens[0].kind == "number":
        only = tokens[0]
        _literal(file, cuda_warp.definition_kind(macro_name, only.text.decode("ascii", "replace")),
                 only.start, only.end)
        return
    roots = _qualified_roots(file.tables)
    index = 0
    while index < len(tokens):
        index = _macro_token(file, tokens, index, roots)


def _macro_token(file: _File, tokens: list[Token], index: int, roots: frozenset[str]) -> int:
    """Handle ``tokens[index]`` of a macro body; returns the index of the next token to read."""
    token = tokens[index]
    if token.kind == "number":
        if cuda_warp.CANDIDATE.fullmatch(token.text.decode("ascii", "replace")):
            _literal(file, cuda_warp.token_kind(tokens, index), token.start, token.end)
        return index + 1
    if token.text == b"<<<":
        entry = file.lookup(LAUNCH_KEY)
        close = next((i for i in range(index + 1, len(tokens)) if tokens[i].text == b">>>"), index)
        if entry is not None:
            file.add(entry, token.start, tokens[close].end, LAUNCH_KEY)
        return close + 1
    if token.kind != "ident":
        return index + 1
    if token.text in _ASM_WORDS:
        entry = file.lookup(ASM_KEY)
        if entry is not None:
            file.add(entry, token.start, token.end, ASM_KEY)
        return index + 1
    previous = tokens[index - 1].text if index else b""
    name = token.text.decode("ascii", "replace")
    if previous in (b".", b"->"):
        entry = file.lookup("." + name)
        if entry is not None:
            file.add(entry, token.start, token.end, "." + name,
                     edits=rename_edits(entry, token.start, token.end))
        return index + 1
    if previous != b"::" and name in roots:
        last = index
        while last + 2 < len(tokens) and tokens[last + 1].text == b"::" and tokens[last + 2].kind == "ident":
            last += 2
        if last > index:
            key = "::".join(t.text.decode("ascii", "replace") for t in tokens[index : last + 1 : 2])
            entry = file.lookup(key)
            if entry is not None and entry.match != "regex":
                file.add(entry, token.start, tokens[last].end, key,
                         edits=rename_edits(entry, token.start, tokens[last].end))
                return last + 1
    entry = file.lookup(name)
    if name in cuda_warp.MASKED_INTRINSICS and entry is not None:
        second = cuda_warp.second_argument_in_tokens(tokens, index)
        _masked_call(file, entry, token.start, token.end, name, second)
    else:
        file.report(entry, token.start, token.end, name)
    return index + 1


def _first_error_line(root: Node, lines: LineIndex) -> int | None:
    """1-based line of the first syntax error (an ERROR node or a missing token), if any."""
    if not root.has_error:
        return None
    node = root
    while True:
        if node.is_error or node.is_missing:
            return lines.position(node.start_byte)[0]
        child = next((c for c in node.children if c.has_error or c.is_missing), None)
        if child is None:
            return lines.position(node.start_byte)[0]
        node = child


def _line_count(data: bytes) -> int:
    """Lines of a file as LineIndex counts them, without building the index."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


class CudaFrontend:
    """CUDA sources (.cu, .cuh) and the C/C++ files that use CUDA."""

    language = LANGUAGE

    def claims(self, path: str, head: bytes) -> bool:
        suffix = PurePosixPath(path).suffix.lower()
        return suffix in CUDA_SUFFIXES or suffix in CPP_SUFFIXES

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        suffix = PurePosixPath(path).suffix.lower()
        if suffix not in CUDA_SUFFIXES and not uses_cuda(data):
            return FileResult(path=path, language=LANGUAGE, status="scanned", lines=_line_count(data))
        try:
            return self._analyze(path, data, tables, LineIndex(data))
        except Exception as exc:  # a frontend must never raise: one bad file is one result
            return FileResult(
                path=path,
                language=LANGUAGE,
                status="error",
                lines=_line_count(data),
                note=f"CUDA frontend failed: {type(exc).__name__}: {exc}",
            )

    def _analyze(self, path: str, data: bytes, tables: MappingTables, lines: LineIndex) -> FileResult:
        tree = parse_tree(_parser(), data)  # stoppable by --file-timeout
        memo = _MEMOS.get(tables)
        if memo is None:
            memo = _MEMOS[tables] = {}
        raw_memo = _RAW_MEMOS.get(tables)
        if raw_memo is None:
            raw_memo = _RAW_MEMOS[tables] = {}
        file = _File(path, data, tables, lines, tree.root_node, memo, raw_memo)
        _scan_tree(file)
        error_line = _first_error_line(tree.root_node, lines)
        return FileResult(
            path=path,
            language=LANGUAGE,
            status="partial" if error_line else "scanned",
            lines=lines.line_count,
            note=(
                f"syntax error at line {error_line}: findings come from what parsed around it"
                if error_line
                else None
            ),
            findings=sorted_findings(file.findings.values()),
        )
