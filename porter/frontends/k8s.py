"""The YAML frontend for clusters and containers: Kubernetes manifests, Helm charts, docker-compose.

Valid YAML is composed with PyYAML (``yaml.compose_all``): every document of a multi-document
file is read, anchors and aliases resolve to the one node they name (an anchored site is found
and rewritten once, where its bytes are), and node marks give exact byte spans. Every scalar is
then looked up, keys and values alike, so ``nvidia.com/gpu`` is found in resource limits, node
selectors, tolerations and affinity expressions without a schema per kind:
- a scalar alone in the ``k8s`` family (resource and label names), and ``key: value`` pairs
  (``runtimeClassName: nvidia``, compose ``driver: nvidia``)
- images: ``image:`` values, and Helm's ``repository:`` (the tag is a separate value there)
- variables: ``name: CUDA_VISIBLE_DEVICES`` (Kubernetes env lists), upper-case keys (compose
  ``environment:`` maps) and ``KEY=value`` items (compose ``environment:`` lists)
- toolkit paths inside any value.

Helm templates (``{{ ... }}``) are not YAML: they are read line by line (``key: value`` and
``- item`` lines, template expressions left alone) and the file is marked ``partial``. Invalid
YAML is read the same way for the report, with no rewrite offered, and its error is the note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml

from porter.frontends.archvalue import Written, yaml_value
from porter.frontends.base import LineIndex
from porter.frontends.shell import Sites
from porter.mappings import MappingEntry, MappingTables
from porter.model import Edit, FileResult

LANGUAGE = "yaml"

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_COMPOSE = re.compile(r"(docker-)?compose([.-][\w.-]*)?\.ya?ml")
_MANIFEST = (re.compile(rb"^apiVersion:", re.M), re.compile(rb"^kind:", re.M))
_ENV_KEY = re.compile(r"[A-Z_][A-Z0-9_]*")
_ENV_ITEM = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
#: One line of a template: indentation, an optional "- ", and either "key: value" or an item.
_LINE = re.compile(
    rb"^[ \t]*(?:-[ \t]+)?"
    rb"(?:(?P<key>\"[^\"\n]*\"|'[^'\n]*'|[^\s#:{}\"'-][^:#{}\n]*?)[ \t]*:(?:[ \t]+|$))?"
    rb"(?P<value>[^\n]*?)[ \t]*(?:[ \t]#[^\n]*)?$",
    re.M,
)


@dataclass(frozen=True, slots=True)
class Scalar:
    """A scalar's text and the byte span of its source (quotes included); style as PyYAML's."""

    value: str
    start: int
    end: int
    style: str | None = None

    @property
    def inner(self) -> int:
        """Where the text itself starts (past an opening quote)."""
        return self.start + (1 if self.style in ("'", '"') else 0)


class _Reader:
    def __init__(self, sites: Sites, data: bytes, edits: bool) -> None:
        self.sites = sites
        self.data = data
        self.edits = edits

    def add(
        self, entry: MappingEntry, scalar: Scalar, transform: bool = False, symbol: str | None = None
    ) -> None:
        """A site over a whole scalar; replacements keep its quoting."""
        plans: dict[str, tuple[Edit, ...]] = {}
        if self.edits and scalar.style in (None, "", "'", '"'):
            quote = scalar.style or ""
            for target, spec in entry.targets.items():
                if spec.replacement is None or spec.status not in ("auto", "review"):
                    continue
                text = spec.replacement.split(":", 1)[0] if transform else spec.replacement
                plans[target] = (Edit(scalar.start, scalar.end, f"{quote}{text}{quote}"),)
        self.sites.add(entry, scalar.start, scalar.end, symbol or scalar.value, plans)

    def scalar(self, scalar: Scalar) -> None:
        """Every scalar, key or value: resource/label names and toolkit paths."""
        entry = None if " " in scalar.value else self.sites.tables.lookup("k8s", scalar.value)
        if entry is not None and entry.kind == "resource":
            self.add(entry, scalar)
        if "/" in scalar.value:
            self.sites.paths(self.data, scalar.start, scalar.end)
        item = _ENV_ITEM.match(scalar.value)
        if item is not None:
            self.env(item.group(1), scalar, self.written(scalar, item.group()))

    def pair(self, key: Scalar, value: Scalar | None, env_value: Scalar | None = None) -> None:
        """A ``key: value`` pair with a scalar value (or a key whose value is a collection);
        ``env_value`` is the ``value:`` beside a ``name:`` (a Kubernetes env list item)."""
        if _ENV_KEY.fullmatch(key.value):
            self.env(key.value, key, self.written(value) if value is not None else None)
        if value is None:
            return
        tables = self.sites.tables
        entry = tables.lookup("k8s", f"{key.value}: {value.value}")
        if entry is not None and entry.kind == "attribute":
            self.add(entry, value, symbol=entry.source)
        if key.value in ("image", "repository"):
            image = tables.lookup("image", value.value)
            if image is not None:
                self.add(image, value, transform=key.value == "repository")
        elif key.value == "name" and _ENV_KEY.fullmatch(value.value):
            self.env(value.value, value, self.written(env_value) if env_value is not None else None)

    def listed(self, key: Scalar, item: Scalar) -> None:
        """An item of a list under ``key``, looked up as ``key: item`` (``capabilities: [gpu]``)."""
        entry = self.sites.tables.lookup("k8s", f"{key.value}: {item.value}")
        if entry is not None and entry.kind == "attribute":
            self.add(entry, item, symbol=entry.source)

    def env(self, name: str, scalar: Scalar, value: Written | None = None) -> None:
        """A variable named at ``scalar``'s start; ``value`` is what it is set to, if known."""
        if not self.edits:
            entry = self.sites.tables.lookup("env", name)
            if entry is not None:
                start = scalar.inner
                self.sites.add(entry, start, start + len(name.encode("utf-8")), name, {})
            return
        self.sites.env_name(name, scalar.inner, value)

    def written(self, scalar: Scalar, prefix: str = "") -> Written:
        return yaml_value(self.data, scalar.start, scalar.end, scalar.style, scalar.value, prefix)


def _scalar(node: yaml.ScalarNode, lines: LineIndex, text_lines: list[str]) -> Scalar:
    return Scalar(
        node.value,
        _offset(node.start_mark, lines, text_lines),
        _offset(node.end_mark, lines, text_lines),
        node.style,
    )


def _offset(mark: Any, lines: LineIndex, text_lines: list[str]) -> int:
    """A PyYAML mark (line, column in characters) as a byte offset."""
    if mark.line >= len(lines.starts):
        return len(lines.data)
    line = text_lines[mark.line] if mark.line < len(text_lines) else ""
    return lines.starts[mark.line] + len(line[: mark.column].encode("utf-8"))


def _walk(documents: list[yaml.Node], reader: _Reader, lines: LineIndex, text: str) -> None:
    text_lines = text.split("\n")
    seen: set[int] = set()
    valued: set[int] = set()
    stack: list[yaml.Node] = list(reversed(documents))
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: its anchor was read already
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            reader.scalar(_scalar(node, lines, text_lines))
        elif isinstance(node, yaml.MappingNode):
            # A compose device request that names its driver is judged by that pair (driver:
            # nvidia); one that names none goes to the driver Docker registered for its
            # capabilities, which for "gpu" is NVIDIA's container toolkit.
            driver = any(isinstance(k, yaml.ScalarNode) and k.value == "driver" for k, _ in node.value)
            # A Kubernetes env item: the value its name is set to.
            env_value = next(
                (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "value"), None
            )
            env_scalar = None
            if isinstance(env_value, yaml.ScalarNode) and id(env_value) not in valued:
                valued.add(id(env_value))  # an alias of it elsewhere is edited here only
                env_scalar = _scalar(env_value, lines, text_lines)
            for key, value in reversed(node.value):
                if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.SequenceNode) and not driver:
                    for item in value.value:
                        if isinstance(item, yaml.ScalarNode) and id(item) not in seen:
                            reader.listed(_scalar(key, lines, text_lines), _scalar(item, lines, text_lines))
                if isinstance(key, yaml.ScalarNode):
                    scalar_value = value if isinstance(value, yaml.ScalarNode) else None
                    if id(key) not in seen:
                        reader.pair(
                            _scalar(key, lines, text_lines),
                            _scalar(scalar_value, lines, text_lines)
                            if scalar_value is not None and id(scalar_value) not in seen
                            else None,
                            env_scalar,
                        )
                stack.extend((value, key))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


def _unquote(raw: bytes, start: int) -> Scalar:
    text = raw.decode("utf-8", errors="replace")
    style = text[0] if len(text) >= 2 and text[0] in "'\"" and text[-1] == text[0] else None
    value = text[1:-1] if style else text
    return Scalar(value, start, start + len(raw), style)


def _lines(data: bytes, reader: _Reader) -> None:
    """Read ``key: value`` and ``- item`` lines; template expressions are never sites."""
    for match in _LINE.finditer(data):
        raw_key, raw_value = match.group("key"), match.group("value")
        if raw_key is not None and raw_key.strip().startswith(b"#"):
            continue
        key = _unquote(raw_key, match.start("key")) if raw_key else None
        value = None
        if raw_value and b"{{" not in raw_value and not raw_value.startswith((b"#", b"|", b">")):
            value = _unquote(raw_value, match.start("value"))
        if key is not None:
            reader.scalar(key)
            reader.pair(key, value)
        if value is not None:
            reader.scalar(value)


class K8sFrontend:
    """Kubernetes manifests, Helm values and templates, and docker-compose files."""

    language = LANGUAGE

    def claims(self, path: str, head: bytes) -> bool:
        pure = PurePosixPath(path)
        name = pure.name.lower()
        if not name.endswith((".yaml", ".yml")):
            return False
        if _COMPOSE.fullmatch(name) or name.startswith("values"):
            return True
        if "templates" in pure.parts[:-1]:
            return True
        head = head.removeprefix(b"\xef\xbb\xbf")  # YAML allows a BOM before "apiVersion:"
        return all(pattern.search(head) for pattern in _MANIFEST)

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        lines = LineIndex(data)
        sites = Sites(path, LANGUAGE, lines, tables)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return sites.result("error", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        if b"{{" in data:
            _lines(data, _Reader(sites, data, edits=True))
            return sites.result(
                "partial", "Helm template ({{ }} is not YAML): read line by line, not as YAML"
            )
        try:
            documents = [d for d in yaml.compose_all(text, Loader=_Loader) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            _lines(data, _Reader(sites, data, edits=False))
            return sites.result(
                "partial", f"invalid YAML{where} ({problem}): read line by line, no rewrite offered"
            )
        _walk(documents, _Reader(sites, data, edits=True), lines, text)
        return sites.result()
