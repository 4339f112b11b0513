"""Dependencies declared in ``setup.py``: a detector the Python frontend can call.

``setup.py`` is Python and belongs to the Python frontend; this module only reads the string
literals of ``install_requires``, ``setup_requires``, ``tests_require`` and ``extras_require``
in any ``setup(...)`` call and hands them to the dependency logic, so a ``setup.py`` gets the
same findings as a requirements file. Only plain one-piece string literals are edited in place
(``ast`` column offsets are UTF-8 byte offsets); a list built at run time is not followed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from porter.frontends.base import LineIndex
from porter.frontends.deps import DependencyList, Item
from porter.mappings import MappingTables
from porter.model import Finding

_KEYWORDS = frozenset({"install_requires", "setup_requires", "tests_require", "extras_require"})


def _strings(node: ast.AST) -> Iterator[ast.Constant]:
    """String constants of a list/tuple (or the lists of a dict) literal."""
    if isinstance(node, ast.Dict):
        for value in node.values:
            yield from _strings(value)
    elif isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                yield element


def _item(node: ast.Constant, lines: LineIndex, data: bytes) -> Item:
    start = lines.offset(node.lineno, node.col_offset)
    end = lines.offset(node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
    token = data[start:end].decode("utf-8", errors="replace")
    quote = token.lstrip("rRbBuUfF")[:1]
    body_at = token.find(quote) + 1 if quote in ("'", '"') else 0
    literal = token[body_at : body_at + len(node.value)] == node.value and token.count(quote) == 2
    return Item(node.value, start + len(token[:body_at].encode("utf-8")), literal=literal, options=False)


def setup_py_findings(path: str, data: bytes, tables: MappingTables) -> list[Finding]:
    """Findings for the requirement strings of the ``setup()`` calls in ``data``; [] when the
    file does not parse (the Python frontend reports that)."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return []
    lines = LineIndex(data)
    lists: list[list[Item]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name != "setup":
            continue
        for keyword in node.keywords:
            if keyword.arg in _KEYWORDS:
                lists.append([_item(s, lines, data) for s in _strings(keyword.value)])
    every = [item for items in lists for item in items]  # a list without torch reads the file's pin
    findings: list[Finding] = []
    for items in lists:
        findings.extend(DependencyList(path, lines, tables).findings(items, context=every))
    return findings
