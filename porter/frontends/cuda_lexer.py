"""A small C/C++ lexer for text the tree-sitter grammar leaves raw: ``#define`` bodies.

To the grammar a macro body is one opaque ``preproc_arg`` node, yet CUDA code hides most of its
lock-in there (``CUDA_CHECK(x)`` wrappers, launch macros). This lexer splits such text into
tokens with byte offsets so the CUDA frontend can look identifiers up exactly as it does in parsed
code, while comments, string literals and character literals stay tokens of their own and are
never mistaken for code. It is also what ``tools/cuda_reference.py`` uses to read vendor headers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: One alternative per token kind; the order matters (a raw string before an identifier ``R``,
#: a comment before the ``/`` punctuator, ``<<<`` before ``<``).
_TOKEN = re.compile(
    rb"""
    (?P<space>(?:\s|\\\r?\n)+)
  | (?P<comment>//(?:\\\r?\n|[^\n])*|/\*.*?(?:\*/|\Z))
  | (?P<string>(?:u8|[uUL])?R"(?P<delim>[^()\\\s"]{0,16})\(.*?\)(?P=delim)"
              |(?:u8|[uUL])?"(?:\\.|[^"\\\n])*"?)
  | (?P<char>(?:u8|[uUL])?'(?:\\.|[^'\\\n])*'?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>\.?[0-9](?:[eEpP][+-]|[A-Za-z0-9_.']|'[0-9A-Fa-f])*)
  | (?P<punct><<<|>>>|::|->|\.\.\.|\S)
    """,
    re.S | re.X,
)

#: Token kinds that are code (the others are skipped by :func:`code_tokens`).
CODE_KINDS = frozenset({"ident", "number", "punct"})


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind and its byte range ``[start, end)`` in the text it was cut from."""

    kind: str
    start: int
    end: int
    text: bytes


def tokens(data: bytes, start: int = 0, end: int | None = None) -> Iterator[Token]:
    """Every token of ``data[start:end]``, with offsets into ``data`` (whitespace left out)."""
    end = len(data) if end is None else end
    for match in _TOKEN.finditer(data, start, end):
        kind = match.lastgroup
        if kind == "delim":  # the raw string's delimiter group closes last
            kind = "string"
        if kind == "space" or kind is None:
            continue
        yield Token(kind, match.start(), match.end(), match.group())


def code_tokens(data: bytes, start: int = 0, end: int | None = None) -> list[Token]:
    """The code tokens of a range: identifiers, numbers and punctuators, never comments/strings."""
    return [t for t in tokens(data, start, end) if t.kind in CODE_KINDS]


def identifiers(data: bytes) -> Iterator[str]:
    """Every identifier of a C/C++ text outside comments and literals (for reading headers)."""
    for token in tokens(data):
        if token.kind == "ident":
            yield token.text.decode("ascii")
