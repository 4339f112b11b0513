"""Dependencies declared in ``pyproject.toml`` and ``setup.cfg``.

``tomllib`` says whether the TOML is valid and what it means but not where anything is, so a
small TOML scanner here walks the same text and records every string with its key path and
byte span; a string in ``project.dependencies``, ``project.optional-dependencies.*``,
``dependency-groups.*`` or ``build-system.requires`` is a requirement, and any string elsewhere
that is a known wheel index URL (``[[tool.uv.index]] url = ...``) is looked up too. ``setup.cfg``
keeps requirements one per line under ``install_requires``, ``setup_requires`` and
``[options.extras_require]``. Both hand their items to ``porter.frontends.deps``; neither syntax
accepts pip options, so an index a target needs is named in the finding's note, not written.
Each list is checked on its own, but a list that names no torch reads the file's torch pin from
the others (the wheel index it stands for follows that pin).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from porter.frontends.base import LineIndex, sorted_findings
from porter.frontends.deps import PIP, DependencyList, Item
from porter.mappings import MappingTables
from porter.model import Edit, FileResult

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SPACE = re.compile(r"[ \t]*")
_SCALAR = re.compile(r"[^,\]\}\s#]+")
#: Key paths (prefixes) whose array strings are requirements.
_REQUIREMENT_PATHS = (
    ("project", "dependencies"),
    ("project", "optional-dependencies"),
    ("dependency-groups",),
    ("build-system", "requires"),
)


class TomlScanError(ValueError):
    """The scanner lost its way in text that tomllib accepted."""


@dataclass(frozen=True, slots=True)
class TomlString:
    """A TOML string value: the key path it sits under, its token span (quotes included, in
    characters), its value, and whether it is an element of an array."""

    path: tuple[str, ...]
    start: int
    end: int
    value: str
    in_array: bool


class _Scanner:
    """Walks TOML text once, yielding every string with its key path."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.strings: list[TomlString] = []

    def error(self, what: str) -> TomlScanError:
        return TomlScanError(f"{what} at character {self.at}")

    def space(self, newlines: bool = False) -> None:
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in " \t" or (newlines and char in "\r\n"):
                self.at += 1
            elif char == "#" and newlines:
                stop = self.text.find("\n", self.at)
                self.at = len(self.text) if stop < 0 else stop
            else:
                return

    def scan(self) -> list[TomlString]:
        table: tuple[str, ...] = ()
        while True:
            self.space(newlines=True)
            if self.at >= len(self.text):
                return self.strings
            if self.text.startswith("[", self.at):
                double = self.text.startswith("[[", self.at)
                self.at += 2 if double else 1
                table = self.key()
                self.space()
                closing = "]]" if double else "]"
                if not self.text.startswith(closing, self.at):
                    raise self.error("table header not closed")
                self.at += len(closing)
                continue
            key = self.key()
            self.space()
            if not self.text.startswith("=", self.at):
                raise self.error("'=' expected")
            self.at += 1
            self.space()
            self.value(table + key, in_array=False)

    def key(self) -> tuple[str, ...]:
        parts = []
        while True:
            self.space()
            char = self.text[self.at : self.at + 1]
            if char in ('"', "'"):
                parts.append(self.string((), in_array=False, record=False))
            else:
                match = _BARE_KEY.match(self.text, self.at)
                if not match:
                    raise self.error("key expected")
                parts.append(match.group())
                self.at = match.end()
            self.space()
            if not self.text.startswith(".", self.at):
                return tuple(parts)
            self.at += 1

    def string(self, path: tuple[str, ...], in_array: bool, record: bool = True) -> str:
        start = self.at
        quote = self.text[start]
        triple = self.text.startswith(quote * 3, start)
        delimiter = quote * 3 if triple else quote
        at = start + len(delimiter)
        while True:
            stop = self.text.find(delimiter, at)
            if stop < 0:
                raise self.error("string not closed")
            escaped = quote == '"' and (len(self.text[at:stop]) - len(self.text[at:stop].rstrip("\\"))) % 2
            if escaped:
                at = stop + 1
                continue
            end = stop + len(delimiter)
            while triple and self.text.startswith(quote, end) and end - stop < 5:
                end += 1  # up to two quotes may close a multi-line string's content
            break
        self.at = end
        token = self.text[start:end]
        value = tomllib.loads(f"x = {token}")["x"]
        if record:
            self.strings.append(TomlString(path, start, end, value, in_array))
        return value

    def value(self, path: tuple[str, ...], in_array: bool) -> None:
        char = self.text[self.at : self.at + 1]
        if char in ('"', "'"):
            self.string(path, in_array)
        elif char == "[":
            self.at += 1
            while True:
                self.space(newlines=True)
                if self.text.startswith("]", self.at):
                    self.at += 1
                    return
                self.value(path, in_array=True)
                self.space(newlines=True)
                if self.text.startswith(",", self.at):
                    self.at += 1
        elif char == "{":
            self.at += 1
            while True:
                self.space()
                if self.text.startswith("}", self.at):
                    self.at += 1
                    return
                key = self.key()
                self.space()
                if not self.text.startswith("=", self.at):
                    raise self.error("'=' expected in inline table")
                self.at += 1
                self.space()
                self.value(path + key, in_array=False)
                self.space()
                if self.text.startswith(",", self.at):
                    self.at += 1
        else:
            match = _SCALAR.match(self.text, self.at)
            if not match:
                raise self.error("value expected")
            self.at = match.end()


def toml_strings(text: str) -> list[TomlString]:
    """Every string value of a TOML document with its key path (raises TomlScanError)."""
    return _Scanner(text).scan()


def _is_requirement(path: tuple[str, ...]) -> bool:
    return any(path[: len(prefix)] == prefix for prefix in _REQUIREMENT_PATHS)


def _array_item(text: str, string: TomlString, to_byte: _Bytes) -> Item:
    """An array element as an Item: removable with its comma, and with room for siblings."""
    quote = text[string.start]
    body_start = string.start + (3 if text.startswith(quote * 3, string.start) else 1)
    body_end = string.end - (body_start - string.start)
    literal = text[body_start:body_end] == string.value
    line_start = text.rfind("\n", 0, string.start) + 1
    newline_at = text.find("\n", string.end)
    line_end = len(text) if newline_at < 0 else newline_at + 1
    after = string.end
    while after < len(text) and text[after] in " \t":
        after += 1
    comma = after < len(text) and text[after] == ","
    rest = text[after + 1 if comma else after : line_end]
    alone = not text[line_start : string.start].strip() and not rest.split("#")[0].strip()
    indent = text[line_start : string.start]
    sibling = quote + "{}" + quote
    if alone:
        removal = Edit(to_byte(line_start), to_byte(line_end), "")
        before = (to_byte(line_start), indent + sibling + ",\n")
        if comma:
            after_edit = (to_byte(line_end), indent + sibling + ",\n")
        else:
            after_edit = (to_byte(string.end), ",\n" + indent + sibling)
    else:
        stop = after + 1 if comma else string.end
        while comma and stop < len(text) and text[stop] in " \t":
            stop += 1
        removal = Edit(to_byte(string.start), to_byte(stop), "") if comma else None
        before = (to_byte(string.start), sibling + ", ")
        after_edit = (to_byte(string.end), ", " + sibling)
    return Item(
        text=string.value,
        start=to_byte(body_start),
        removal=removal,
        before=before,
        after=after_edit,
        literal=literal,
        options=False,
    )


class _Bytes:
    """Character offsets of the text to byte offsets of the file."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, char: int) -> int:
        return len(self.text[:char].encode("utf-8"))


def _url_item(text: str, string: TomlString, to_byte: _Bytes) -> Item:
    """A TOML string holding an index URL, read as the pip option it stands for. The item's
    start is shifted back by the option's length so that the URL lands on its own bytes."""
    quote = 3 if text.startswith(text[string.start] * 3, string.start) else 1
    body = text[string.start + quote : string.end - quote]
    option = "--index-url "
    return Item(
        option + string.value,
        to_byte(string.start + quote) - len(option),
        literal=body == string.value,
        options=False,
    )


def _setup_cfg_items(text: str, to_byte: _Bytes) -> Iterator[tuple[tuple[str, ...], Item]]:
    """Requirements of setup.cfg, keyed by their list: install_requires, setup_requires, extras."""
    section = ""
    key = None
    offset = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        stripped = content.strip()
        header = re.fullmatch(r"\ufeff?\[([^\]]+)\]\s*", content)  # a BOM hid every site
        if header:
            section, key = header.group(1).strip(), None
        elif content[:1] not in (" ", "\t", "") and "=" in content:
            name, _, value = content.partition("=")
            name = name.strip()
            wanted = section == "options.extras_require" or (
                section == "options" and name in ("install_requires", "setup_requires")
            )
            key = name if wanted else None
            if key and value.strip():
                at = offset + content.index("=") + 1 + (len(value) - len(value.lstrip()))
                yield (section, key), Item(value.strip(), to_byte(at), options=False)
        elif key and stripped and not stripped.startswith(("#", ";")):
            lead = len(content) - len(content.lstrip())
            newline = line[len(content):] or "\n"
            yield (section, key), Item(
                stripped,
                to_byte(offset + lead),
                removal=Edit(to_byte(offset), to_byte(offset + len(line)), ""),
                before=(to_byte(offset), content[:lead] + "{}" + newline),
                after=(to_byte(offset + len(content)), newline + content[:lead] + "{}"),
                options=False,
            )
        elif content[:1] not in (" ", "\t") and stripped:
            key = None
        offset += len(line)


class PyprojectFrontend:
    """``pyproject.toml`` dependency tables and ``setup.cfg`` requirement lists."""

    language = "pyproject"

    def claims(self, path: str, head: bytes) -> bool:
        return PurePosixPath(path).name in ("pyproject.toml", "setup.cfg")

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return FileResult(path, self.language, "error", note=f"not valid UTF-8: {exc.reason}")
        to_byte = _Bytes(text)
        lines = LineIndex(data)
        note = None
        # Each list is its own set of dependencies: companions and pins are checked per list.
        groups: dict[tuple[str, ...], list[Item]] = {}
        if path.endswith(".cfg"):
            for key, item in _setup_cfg_items(text, to_byte):
                groups.setdefault(key, []).append(item)
        else:
            try:
                tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                return FileResult(path, self.language, "error", note=f"invalid TOML: {exc}")
            try:
                strings = toml_strings(text)
            except (TomlScanError, tomllib.TOMLDecodeError, IndexError) as exc:
                strings = []
                note = f"dependencies could not be located ({exc}): not scanned"
            for string in strings:
                if string.in_array and _is_requirement(string.path):
                    groups.setdefault(string.path, []).append(_array_item(text, string, to_byte))
                elif "://" in string.value and tables.lookup(PIP, string.value):
                    groups.setdefault(string.path, []).append(_url_item(text, string, to_byte))
        # The file's torch pin, wherever it is, picks the wheel index of a list that has none
        # (a [[tool.uv.index]] url, an extra without torch).
        every = [item for items in groups.values() for item in items]
        findings = [
            finding
            for items in groups.values()
            for finding in DependencyList(path, lines, tables).findings(items, context=every)
        ]
        return FileResult(
            path=path,
            language=self.language,
            status="partial" if note else "scanned",
            lines=lines.line_count,
            note=note,
            findings=sorted_findings(findings),
        )
