"""Make text taken from a scanned repository safe to show: no terminal control sequences."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters (ANSI escapes, bidi overrides, newlines) shown escaped.

    A hostile file name or snippet must not move the cursor, recolour the terminal or reorder
    what a reviewer reads, so every such character becomes a visible ``\\xNN`` / ``\\uNNNN``.
    """
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(escape, text.replace("\n", "\\n").replace("\t", "    "))
