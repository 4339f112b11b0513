"""conda environment files (``environment*.yml`` / ``.yaml``).

Read with PyYAML's composer, which keeps every scalar's position: anchors and aliases resolve to
one node (read once, edited once), several documents are read one after another, and a YAML
error is a per-file ``error`` result. ``channels`` and ``dependencies`` are looked up in the
conda family (package names, ``channel:<name>``, ``build=<build string>``); the ``pip:`` list
is handed to the pip dependency logic of ``porter.frontends.deps``, so its CUDA wheels, index
options and torch/torch-npu versions are handled as in a requirements file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

import yaml

from porter.frontends.base import LineIndex, make_finding, sorted_findings
from porter.frontends.deps import DependencyList, Item
from porter.mappings import MappingEntry, MappingTables
from porter.model import Edit, FileResult, Finding

CONDA = "conda"
_NAME = re.compile(r"\s*(?:[\w./-]+::)?([A-Za-z0-9_][\w.-]*)")
#: A build string after the version: "=2.3.1=py3.11_cuda12.1_0" or " 2.3.1 py3.11_cuda12.1_0".
_BUILD = re.compile(r"\s*(?:=|\s)\s*[^=\s]+\s*(=|\s+)([^=\s]+)\s*$")
_FILE = re.compile(r"environment[\w.-]*\.ya?ml", re.I)


class _Text:
    """The decoded file with character-to-byte offsets and the line bounds edits need."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.text = data.decode("utf-8")

    def byte(self, char: int) -> int:
        return len(self.text[:char].encode("utf-8"))

    def line_bounds(self, char: int) -> tuple[int, int, int]:
        """(line start, end of content, end after the newline) in characters."""
        start = self.text.rfind("\n", 0, char) + 1
        stop = self.text.find("\n", char)
        if stop < 0:
            return start, len(self.text), len(self.text)
        content_end = stop - 1 if stop > start and self.text[stop - 1] == "\r" else stop
        return start, content_end, stop + 1


class _Scalar:
    """A scalar list item and where its value sits (characters), if it can be edited in place."""

    def __init__(self, node: yaml.ScalarNode, text: _Text) -> None:
        self.node = node
        self.value = str(node.value)
        start, end = node.start_mark.index, node.end_mark.index
        if node.style in ("'", '"'):
            start, end = start + 1, end - 1
        elif text.text[start:end].startswith(("&", "!")) and text.text[start:end].endswith(self.value):
            start = end - len(self.value)  # the node's mark includes its anchor or tag
        self.start = start
        self.literal = text.text[start:end] == self.value

    def item(self, text: _Text) -> Item:
        """The item as a dependency Item: removable and with siblings when alone on its line."""
        line_start, content_end, line_end = text.line_bounds(self.node.start_mark.index)
        before = text.text[line_start : self.node.start_mark.index]
        after = text.text[self.node.end_mark.index : content_end]
        alone = bool(re.fullmatch(r"\s*-\s+", before)) and bool(re.fullmatch(r"\s*(#.*)?", after))
        if not alone:
            return Item(self.value, text.byte(self.start), literal=self.literal, options=False)
        sibling = before  # the same indentation and dash as this item
        newline = text.text[content_end:line_end] or "\n"
        return Item(
            self.value,
            text.byte(self.start),
            removal=Edit(text.byte(line_start), text.byte(line_end), ""),
            before=(text.byte(line_start), sibling + "{}" + newline),
            after=(text.byte(content_end), newline + sibling + "{}"),
            literal=self.literal,
        )


def _mapping(node: yaml.Node) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _scalars(node: yaml.Node | None) -> Iterator[yaml.ScalarNode]:
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            if isinstance(child, yaml.ScalarNode):
                yield child


class CondaFrontend:
    """conda ``environment*.yml`` files: conda specs, channels and the ``pip:`` list."""

    language = "conda"

    def claims(self, path: str, head: bytes) -> bool:
        return bool(_FILE.fullmatch(PurePosixPath(path).name))

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        try:
            text = _Text(data)
            documents = list(yaml.compose_all(text.text, Loader=yaml.SafeLoader))
        except UnicodeDecodeError as exc:
            return FileResult(path, self.language, "error", note=f"not valid UTF-8: {exc.reason}")
        except yaml.YAMLError as exc:
            reason = " ".join(str(exc).split())
            return FileResult(path, self.language, "error", note=f"invalid YAML: {reason}")
        lines = LineIndex(data)
        findings: list[Finding] = []
        seen: set[int] = set()
        for document in documents:
            top = _mapping(document)
            for node in self._fresh(_scalars(top.get("channels")), seen):
                findings.extend(self._conda(path, lines, text, node, tables, channel=True))
            dependencies = top.get("dependencies")
            for child in dependencies.value if isinstance(dependencies, yaml.SequenceNode) else ():
                if isinstance(child, yaml.ScalarNode):
                    findings.extend(self._fresh_conda(path, lines, text, child, tables, seen))
                pip = _mapping(child).get("pip")
                items = [_Scalar(n, text).item(text) for n in self._fresh(_scalars(pip), seen)]
                findings.extend(DependencyList(path, lines, tables).findings(items))
        return FileResult(
            path=path,
            language=self.language,
            status="scanned",
            lines=lines.line_count,
            findings=sorted_findings(findings),
        )

    @staticmethod
    def _fresh(nodes: Iterator[yaml.ScalarNode], seen: set[int]) -> Iterator[yaml.ScalarNode]:
        """Each node once: an alias is the anchored node again, and is edited only there."""
        for node in nodes:
            if id(node) not in seen:
                seen.add(id(node))
                yield node

    def _fresh_conda(self, path: str, lines: LineIndex, text: _Text, node: yaml.ScalarNode,
                     tables: MappingTables, seen: set[int]) -> list[Finding]:
        if id(node) in seen:
            return []
        seen.add(id(node))
        return self._conda(path, lines, text, node, tables, channel=False)

    def _conda(self, path: str, lines: LineIndex, text: _Text, node: yaml.ScalarNode,
               tables: MappingTables, *, channel: bool) -> list[Finding]:
        """Findings for one channel or conda spec: the package (or channel) and its build."""
        scalar = _Scalar(node, text)
        item = scalar.item(text)
        value = scalar.value
        found = []
        if channel:
            entry = tables.lookup(CONDA, f"channel:{value.strip()}")
            if entry is not None:
                found.append((entry, f"channel:{value.strip()}", 0, len(value), True))
        else:
            name = _NAME.match(value)
            if name:
                entry = tables.lookup(CONDA, name.group(1).lower())
                if entry is not None:
                    found.append((entry, name.group(1).lower(), name.start(1), name.end(1), True))
            build = _BUILD.search(value)
            if build and build.group(2):
                entry = tables.lookup(CONDA, f"build={build.group(2)}")
                if entry is not None:
                    found.append((entry, f"build={build.group(2)}", build.start(1), build.end(2), False))
        spans = []
        for entry, symbol, start, end, whole in found:
            byte_start = item.start + len(value[:start].encode("utf-8"))
            byte_end = item.start + len(value[:end].encode("utf-8"))
            spans.append((entry, symbol, byte_start, byte_end,
                          _edits(entry, item, byte_start, byte_end, whole=whole)))
        # A target that removes the whole item has nothing left to edit inside it (its build).
        removed = {t for *_, edits in spans for t, e in edits.items() if e == (item.removal,)}
        return [
            make_finding(
                entry, path=path, lines=lines, start=start, end=end, symbol=symbol,
                edits={t: e for t, e in edits.items() if t not in removed or e == (item.removal,)},
            )
            for entry, symbol, start, end, edits in spans
        ]


def _edits(entry: MappingEntry, item: Item, start: int, end: int, *, whole: bool
           ) -> dict[str, tuple[Edit, ...]]:
    """The data's replacement per target: an empty one removes the item (or only the span)."""
    edits = {}
    for target, spec in entry.targets.items():
        if spec.status not in ("auto", "review") or spec.replacement is None:
            continue
        if spec.replacement == "" and whole:
            edit = item.removal
        elif item.literal:
            edit = Edit(start, end, spec.replacement)
        else:
            edit = None
        if edit is not None:
            edits[target] = (edit,)
    return edits
