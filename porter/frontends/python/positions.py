"""Byte spans of chosen libcst nodes, computed by one code-generation pass that only counts.

libcst keeps no positions on its nodes; its ``ByteSpanPositionProvider`` computes a span for every
node of the file (about 1.2x the cost of parsing again). A scan only needs the few nodes that
became findings, so this pass walks the same code generation but keeps no text: it adds up token
lengths, records spans only for the wanted nodes, and stops as soon as the last one is seen.
Spans are syntactic (no surrounding whitespace or parentheses), like libcst's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from types import TracebackType

import libcst as cst
from libcst._nodes.internal import CodegenState

#: One reusable no-op context for the nodes nobody asked about (most of them).
_NULL = nullcontext()


class _AllFound(Exception):
    """Raised inside code generation once every wanted node has its span."""


class _Record:
    """Context that stores one wanted node's span when its code generation ends."""

    __slots__ = ("key", "start", "state")

    def __init__(self, state: _CountingState, key: int) -> None:
        self.state = state
        self.key = key
        self.start = 0

    def __enter__(self) -> None:
        self.start = self.state.position

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None:
            return
        state = self.state
        state.spans[self.key] = (self.start, state.position)
        if len(state.spans) == len(state.wanted):
            raise _AllFound


class _CountingState(CodegenState):
    """A codegen state that counts characters instead of collecting them."""

    def __init__(self, module: cst.Module, wanted: set[int]) -> None:
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.wanted = wanted
        self.spans: dict[int, tuple[int, int]] = {}
        self.position = 0

    def add_token(self, value: str) -> None:
        self.position += len(value)

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.position += len(token)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _Record | nullcontext[None]:
        key = id(node)
        if key in self.wanted and key not in self.spans:
            return _Record(self, key)
        return _NULL


def character_spans(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, tuple[int, int]]:
    """``id(node) -> (start, end)`` in characters of ``module.code`` for each node given."""
    wanted = {id(node) for node in nodes}
    state = _CountingState(module, wanted)
    if not wanted:
        return state.spans
    try:
        for part in (*module.header, *module.body, *module.footer):
            part._codegen(state)
    except _AllFound:
        pass
    return state.spans


def first_statement_offset(module: cst.Module) -> int:
    """Characters before the first statement's code: the header comments (shebang, coding
    declaration, licence) and the first statement's own leading comment lines."""
    state = _CountingState(module, set())
    for line in module.header:
        line._codegen(state)
    if module.body:
        for line in module.body[0].leading_lines:
            line._codegen(state)
    return state.position


class ByteOffsets:
    """Converts character offsets of the decoded module into byte offsets of the original file."""

    def __init__(self, text: str, encoding: str, bom: int) -> None:
        self.text = text
        self.encoding = encoding
        self.bom = bom
        self.ascii = text.isascii()

    def convert(self, offsets: Iterable[int]) -> dict[int, int]:
        """Byte offset for each character offset, in one pass over the text."""
        result: dict[int, int] = {}
        if self.ascii:
            return {offset: offset + self.bom for offset in offsets}
        char = 0
        byte = self.bom
        for offset in sorted(set(offsets)):
            byte += len(self.text[char:offset].encode(self.encoding))
            char = offset
            result[offset] = byte
        return result
