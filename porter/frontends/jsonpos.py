"""Where JSON strings sit in their file: what lets a notebook be ported with byte edits.

A notebook cell's source is stored as JSON strings (usually one per line). The Python frontend
reports edits as offsets into the cell's source; to apply them to the file, and leave every other
byte of the notebook (outputs, metadata, indentation, key order) as it was, each source character
must be traced back to the bytes that spell it in the file, escapes included. ``json`` gives
values without positions, so this module parses JSON itself (strings with the C-accelerated
``json.decoder.scanstring``) and keeps, for every string, the span of its token.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.S)


class JSONPositionError(ValueError):
    """The text is not JSON this parser can follow."""


@dataclass(frozen=True, slots=True)
class JString:
    """A JSON string value and where its token sits: ``start``/``end`` in characters of the
    text, quotes excluded (``text[start:end]`` is the escaped body)."""

    value: str
    start: int
    end: int

    def raw_offsets(self, text: str) -> list[int]:
        """For each character index of ``value`` (and one past the end), its offset in ``text``."""
        body = text[self.start : self.end]
        offsets: list[int] = []
        position = 0
        high_end = -1
        for match in _ESCAPE.finditer(body):
            offsets.extend(range(self.start + position, self.start + match.start()))
            escaped = match.group(1)
            code = int(escaped[1:], 16) if escaped[0] == "u" else -1
            if not (0xDC00 <= code <= 0xDFFF and high_end == match.start()):
                offsets.append(self.start + match.start())  # a low surrogate joins its high half
            high_end = match.end() if 0xD800 <= code <= 0xDBFF else -1
            position = match.end()
        offsets.extend(range(self.start + position, self.end))
        offsets.append(self.end)
        if len(offsets) != len(self.value) + 1:
            raise JSONPositionError("string escapes could not be traced")
        return offsets


def escape(text: str) -> str:
    """``text`` as the body of a JSON string, non-ASCII kept as is (as Jupyter writes it)."""
    return json.dumps(text, ensure_ascii=False)[1:-1]


def parse(text: str) -> Any:
    """The JSON value of ``text`` with every string as a JString; objects are lists of
    (key, value) pairs so duplicate keys and order survive."""
    value, end = _value(text, _SPACE.match(text, 0).end())  # type: ignore[union-attr]
    end = _SPACE.match(text, end).end()  # type: ignore[union-attr]
    if end != len(text):
        raise JSONPositionError(f"extra data at character {end}")
    return value


def _value(text: str, at: int) -> tuple[Any, int]:
    if at >= len(text):
        raise JSONPositionError("unexpected end of text")
    char = text[at]
    if char == '"':
        try:
            value, end = scanstring(text, at + 1, True)
        except ValueError as exc:
            raise JSONPositionError(str(exc)) from exc
        return JString(value, at + 1, end - 1), end
    if char == "{":
        return _object(text, at + 1)
    if char == "[":
        return _array(text, at + 1)
    for word, literal in _LITERALS.items():
        if text.startswith(word, at):
            return literal, at + len(word)
    number = _NUMBER.match(text, at)
    if number:
        return float(number.group()) if any(c in number.group() for c in ".eE") else int(number.group()), number.end()
    raise JSONPositionError(f"unexpected {char!r} at character {at}")


def _skip(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]


def _array(text: str, at: int) -> tuple[list[Any], int]:
    items: list[Any] = []
    at = _skip(text, at)
    if text.startswith("]", at):
        return items, at + 1
    while True:
        value, at = _value(text, _skip(text, at))
        items.append(value)
        at = _skip(text, at)
        if text.startswith(",", at):
            at += 1
        elif text.startswith("]", at):
            return items, at + 1
        else:
            raise JSONPositionError(f"expected ',' or ']' at character {at}")


def _object(text: str, at: int) -> tuple[list[tuple[str, Any]], int]:
    pairs: list[tuple[str, Any]] = []
    at = _skip(text, at)
    if text.startswith("}", at):
        return pairs, at + 1
    while True:
        key, at = _value(text, _skip(text, at))
        if not isinstance(key, JString):
            raise JSONPositionError(f"object key expected at character {at}")
        at = _skip(text, at)
        if not text.startswith(":", at):
            raise JSONPositionError(f"expected ':' at character {at}")
        value, at = _value(text, _skip(text, at + 1))
        pairs.append((key.value, value))
        at = _skip(text, at)
        if text.startswith(",", at):
            at += 1
        elif text.startswith("}", at):
            return pairs, at + 1
        else:
            raise JSONPositionError(f"expected ',' or '}}' at character {at}")


def member(pairs: Any, key: str) -> Any:
    """The last value of ``key`` in a parsed object (as ``json`` keeps it), else None."""
    if not isinstance(pairs, list):
        return None
    found = None
    for item in pairs:
        if isinstance(item, tuple) and item[0] == key:
            found = item[1]
    return found
