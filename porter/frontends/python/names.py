"""Import bindings: which local name stands for which qualified name.

Resolved by hand in the one traversal (libcst's QualifiedNameProvider costs a scope analysis of the
whole file). Bindings are flow-insensitive: an import anywhere in the file binds its name for the
whole file, except where a function parameter of the same name shadows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst


def dotted(node: cst.BaseExpression) -> tuple[list[str], list[cst.BaseExpression]] | None:
    """``a.b.c`` as (["a", "b", "c"], [a, a.b, a.b.c]) when the node is a pure dotted chain."""
    parts: list[str] = []
    nodes: list[cst.BaseExpression] = []
    current: cst.BaseExpression = node
    while isinstance(current, cst.Attribute):
        parts.append(current.attr.value)
        nodes.append(current)
        current = current.value
    if not isinstance(current, cst.Name):
        return None
    parts.append(current.value)
    nodes.append(current)
    parts.reverse()
    nodes.reverse()
    return parts, nodes


def dotted_text(node: cst.BaseExpression) -> str:
    chain = dotted(node)
    return ".".join(chain[0]) if chain else ""


@dataclass(frozen=True, slots=True)
class ImportSite:
    """One import statement and the qualified names it imports, with the node naming each."""

    statement: cst.Import | cst.ImportFrom
    names: tuple[tuple[str, cst.CSTNode], ...]


@dataclass(slots=True)
class Bindings:
    names: dict[str, str] = field(default_factory=dict)
    #: Every module the file imports, fully qualified (to know whether ``torch_npu`` is there).
    modules: set[str] = field(default_factory=set)

    def qualify(self, parts: list[str]) -> list[str] | None:
        """The qualified parts of a chain, or None when its head is no imported name.

        An unbound ``torch`` counts as torch: notebook cells and snippets often use it with the
        import elsewhere.
        """
        head = self.names.get(parts[0])
        if head is None:
            return parts if parts[0] == "torch" else None
        return [*head.split("."), *parts[1:]]

    def torch_alias(self) -> str | None:
        """The name under which this file imports the torch module itself, if it does."""
        if self.names.get("torch") == "torch":
            return "torch"
        for name, target in self.names.items():
            if target == "torch":
                return name
        return None

    def add(self, statement: cst.Import | cst.ImportFrom) -> ImportSite | None:
        if isinstance(statement, cst.Import):
            return self._add_import(statement)
        return self._add_from(statement)

    def _add_import(self, statement: cst.Import) -> ImportSite:
        sites = []
        for alias in statement.names:
            name = dotted_text(alias.name)
            self.modules.add(name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.names[alias.asname.name.value] = name
            else:
                head = name.split(".")[0]
                self.names[head] = head
            sites.append((name, alias.name))
        return ImportSite(statement, tuple(sites))

    def _add_from(self, statement: cst.ImportFrom) -> ImportSite | None:
        if statement.relative or statement.module is None:
            return None
        module = dotted_text(statement.module)
        self.modules.add(module)
        if isinstance(statement.names, cst.ImportStar):
            return ImportSite(statement, ((module, statement.module),))
        sites = []
        for alias in statement.names:
            imported = dotted_text(alias.name)
            local = imported
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.names[local] = f"{module}.{imported}"
            sites.append((f"{module}.{imported}", alias.name))
        return ImportSite(statement, tuple(sites))
