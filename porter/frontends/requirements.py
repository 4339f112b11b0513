"""pip requirements files (requirements*.txt, constraints*.txt, pip-tools ``*.in``).

The file is cut into logical lines the way pip reads it: a line ending in a backslash continues
on the next one (unless it is a comment line), and ``#`` at the start of a line or after
whitespace starts a comment. Each logical line becomes one dependency Item (a requirement or an
option such as ``--extra-index-url``) whose removal is the whole logical line, and beside which a
new line can be written; ``porter.frontends.deps`` does the rest. Bytes outside an edit are never
touched, so comments, blank lines and other requirements stay byte-identical.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from porter.frontends.base import LineIndex, sorted_findings
from porter.frontends.deps import DependencyList, Item
from porter.mappings import MappingTables
from porter.model import Edit, FileResult

_COMMENT = re.compile(r"(^|\s+)#.*$")
_NAMES = re.compile(r"(.*[-_.])?(requirements|constraints|reqs)([-_.].*)?\.(txt|in)", re.I)
#: Folders whose .txt/.in files are requirements files (requirements/base.txt ...).
_FOLDERS = frozenset({"requirements", "reqs", "constraints"})
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def claims_requirements(path: str) -> bool:
    """Whether ``path`` names a pip requirements or constraints file."""
    pure = PurePosixPath(path)
    if pure.suffix.lower() not in (".txt", ".in"):
        return False
    return bool(_NAMES.fullmatch(pure.name)) or pure.parent.name.lower() in _FOLDERS


@dataclass(frozen=True, slots=True)
class _Line:
    """One physical line: its bytes without the line ending, where it starts, its ending."""

    start: int
    content: bytes
    ending: bytes


def _physical_lines(data: bytes) -> list[_Line]:
    lines = []
    start = 0
    for raw in data.splitlines(keepends=True):
        content = raw.rstrip(b"\r\n")
        lines.append(_Line(start, content, raw[len(content):]))
        start += len(raw)
    return lines


def _logical_lines(lines: list[_Line]) -> list[list[_Line]]:
    """Group physical lines as pip joins them: a trailing backslash continues a non-comment line."""
    groups: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        text = line.content.decode("utf-8", errors="replace")
        current.append(line)
        if not text.endswith("\\") or _COMMENT.match(text):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _text(line: _Line) -> str:
    return line.content.decode("utf-8", errors="replace")


def _item(group: list[_Line], newline: str, editable: bool) -> Item | None:
    """The dependency Item of one logical line, or None for blank and comment-only lines.

    The item's text is the first physical line's requirement when the continuation lines only
    carry per-requirement options (``--hash=...``), so in-text edits stay on that line; a
    requirement split over lines is read whole but not edited inside.
    """
    first, last = group[0], group[-1]
    head = _text(first)[:-1] if len(group) > 1 else _text(first)
    head = _COMMENT.sub("", head)
    rest = " ".join(_COMMENT.sub("", _text(line)).removesuffix("\\").strip() for line in group[1:])
    body, rest = head.strip(), rest.strip()
    if not body and not rest:
        return None
    literal = editable and bool(body) and (not rest or rest.startswith("-"))
    text = body if literal else f"{body} {rest}".strip()
    lead = len(head) - len(head.lstrip())
    start = first.start + len(head[:lead].encode("utf-8"))
    if not editable:
        return Item(text=text, start=start, literal=False)
    return Item(
        text=text,
        start=start,
        removal=Edit(first.start, last.start + len(last.content) + len(last.ending), ""),
        before=(first.start, "{}" + newline),
        after=(last.start + len(last.content), newline + "{}"),
        literal=literal,
    )


def _decode(data: bytes) -> tuple[bytes, str | None]:
    """UTF-8 bytes to analyse, and a note when the file is in another encoding (not rewritten)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return data, f"not valid {encoding}: read as far as possible, not rewritten"
            return text.encode("utf-8"), f"encoded as {encoding}: findings listed, not rewritten"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data, "not valid UTF-8: read as far as possible, not rewritten"
    return data, None


class RequirementsFrontend:
    """requirements*.txt, constraints*.txt and pip-tools ``*.in`` files."""

    language = "requirements"

    def claims(self, path: str, head: bytes) -> bool:
        return claims_requirements(path)

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        text, note = _decode(data)
        editable = note is None
        lines = _physical_lines(text)
        if text.startswith(codecs.BOM_UTF8) and lines:
            first = lines[0]
            lines[0] = _Line(first.start + 3, first.content[3:], first.ending)
        newline = next((line.ending.decode() for line in lines if line.ending), "\n")
        items = [
            item
            for group in _logical_lines(lines)
            if (item := _item(group, newline, editable)) is not None
        ]
        index = LineIndex(text)
        findings = DependencyList(path, index, tables).findings(items)
        return FileResult(
            path=path,
            language=self.language,
            status="scanned" if editable else "partial",
            lines=index.line_count,
            note=note,
            findings=sorted_findings(findings),
        )
