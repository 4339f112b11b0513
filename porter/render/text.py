"""Make text taken from a scanned repository safe to show: no terminal control sequences."""

from __future__ import annotations

import re

#: C0/C1 controls (tab and newline aside), every bidi control (Trojan Source: embeddings,
#: overrides, isolates and the LRM/RLM/ALM marks) and the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: What JSON may carry raw but a reader should not see raw: the same set minus what JSON escapes.
_JSON_RAW = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control characters (ANSI escapes, bidi overrides, newlines) shown escaped.

    A hostile file name or snippet must not move the cursor, recolour the terminal or reorder
    what a reviewer reads, so every such character becomes a visible ``\\xNN`` / ``\\uNNNN``.
    """
    return _CONTROL.sub(_escape, text.replace("\n", "\\n").replace("\t", "    "))


def visible(text: str) -> str:
    """Like ``printable`` but for multi-line text shown on a terminal (a diff): newlines and
    tabs stay, every other control character is escaped."""
    return _CONTROL.sub(_escape, text)


def json_text(text: str) -> str:
    """Serialised JSON with DEL, C1 and bidi/separator characters written as ``\\uNNNN``
    escapes: the parsed data is unchanged, but no viewer shows them raw (and U+2028/2029 no
    longer end a line for a JavaScript reader)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
