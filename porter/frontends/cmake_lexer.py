"""A small CMake tokenizer: command invocations with byte-exact argument spans.

It follows the grammar in cmake-language(7): a file is a sequence of command invocations
``name(args)``, bracket comments ``#[[ ]]``, line comments and whitespace. Arguments are bracket
arguments ``[=[ ]=]``, quoted arguments ``"..."`` (escapes and line continuations inside) and
unquoted arguments; nested parentheses are kept as their own tokens. Variable references
``${...}`` and generator expressions ``$<...>`` stay inside the argument that holds them: inside a
generator expression or a variable reference, ``#`` and parentheses are argument text
(``$<$<CONFIG:Debug>:f(x)>`` is one argument), which keeps their bytes in one span; whitespace
ends an unquoted argument everywhere, as it does for CMake itself.

Only positions are produced; nothing is evaluated. The tokenizer works on bytes (every CMake
delimiter is ASCII), so every offset is a byte offset into the original file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ArgKind = Literal["unquoted", "quoted", "bracket", "paren"]

_SPACE = b" \t\r\n"
_IDENT_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_IDENT = _IDENT_START | frozenset(b"0123456789")


class CMakeSyntaxError(ValueError):
    """The file is not valid CMake at ``offset``; the commands before it are still usable."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Argument:
    """One argument: ``[start, end)`` covers its quotes/brackets, ``value_start`` its content."""

    kind: ArgKind
    start: int
    end: int
    value_start: int
    value_end: int
    value: str


@dataclass(frozen=True, slots=True)
class Command:
    """One invocation ``name(args)``; ``end`` is just past its closing parenthesis."""

    name: str
    start: int
    end: int
    arguments: tuple[Argument, ...]

    @property
    def lower(self) -> str:
        return self.name.lower()

    def values(self) -> list[str]:
        """The argument values, without the parentheses that group them."""
        return [a.value for a in self.arguments if a.kind != "paren"]


@dataclass(frozen=True, slots=True)
class Tokens:
    """Every complete command before the end of the file or before the first syntax error."""

    commands: tuple[Command, ...]
    error: CMakeSyntaxError | None = None


def _bracket_close(data: bytes, pos: int) -> tuple[bytes, int] | None:
    """At ``[`` of ``[==[``: the matching close ``]==]`` and the offset just past the opener."""
    equals = pos + 1
    while equals < len(data) and data[equals] == 0x3D:  # '='
        equals += 1
    if equals < len(data) and data[equals] == 0x5B:  # '['
        return b"]" + b"=" * (equals - pos - 1) + b"]", equals + 1
    return None


class _Lexer:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # CMake skips a UTF-8 BOM too

    def text(self, start: int, end: int) -> str:
        return self.data[start:end].decode("utf-8", errors="replace")

    def skip_bracket(self, at: int, what: str) -> int:
        """Skip a bracket construct starting at ``at`` ('['); return the offset past its close."""
        opened = _bracket_close(self.data, at)
        assert opened is not None
        close, body = opened
        end = self.data.find(close, body)
        if end < 0:
            raise CMakeSyntaxError(at, f"unterminated bracket {what}")
        return end + len(close)

    def skip_comment(self) -> None:
        """At '#': skip a bracket comment or a line comment (not the newline after it)."""
        data = self.data
        if self.pos + 1 < len(data) and data[self.pos + 1] == 0x5B and _bracket_close(data, self.pos + 1):
            self.pos = self.skip_bracket(self.pos + 1, "comment")
            return
        newline = data.find(b"\n", self.pos)
        self.pos = len(data) if newline < 0 else newline

    def tokens(self) -> Tokens:
        commands: list[Command] = []
        data = self.data
        try:
            while self.pos < len(data):
                byte = data[self.pos]
                if byte in _SPACE:
                    self.pos += 1
                elif byte == 0x23:  # '#'
                    self.skip_comment()
                elif byte in _IDENT_START:
                    commands.append(self.command())
                else:
                    raise CMakeSyntaxError(self.pos, f"unexpected {chr(byte)!r} outside a command")
        except CMakeSyntaxError as error:
            return Tokens(tuple(commands), error)
        return Tokens(tuple(commands))

    def command(self) -> Command:
        data = self.data
        start = self.pos
        while self.pos < len(data) and data[self.pos] in _IDENT:
            self.pos += 1
        name = self.text(start, self.pos)
        while self.pos < len(data) and data[self.pos] in b" \t":
            self.pos += 1
        if self.pos >= len(data) or data[self.pos] != 0x28:  # '('
            raise CMakeSyntaxError(start, f"command {name!r} has no '('")
        self.pos += 1
        arguments = self.arguments(start)
        return Command(name, start, self.pos, tuple(arguments))

    def arguments(self, command_start: int) -> list[Argument]:
        """Arguments up to and past the closing parenthesis of the command at ``command_start``."""
        data = self.data
        out: list[Argument] = []
        depth = 0
        while True:
            if self.pos >= len(data):
                raise CMakeSyntaxError(command_start, "command has no closing ')'")
            byte = data[self.pos]
            if byte in _SPACE:
                self.pos += 1
            elif byte == 0x23:  # '#'
                self.skip_comment()
            elif byte == 0x28:  # '('
                out.append(Argument("paren", self.pos, self.pos + 1, self.pos, self.pos + 1, "("))
                depth += 1
                self.pos += 1
            elif byte == 0x29:  # ')'
                self.pos += 1
                if depth == 0:
                    return out
                depth -= 1
                out.append(Argument("paren", self.pos - 1, self.pos, self.pos - 1, self.pos, ")"))
            elif byte == 0x22:  # '"'
                out.append(self.quoted())
            elif byte == 0x5B and _bracket_close(data, self.pos):
                out.append(self.bracket())
            else:
                out.append(self.unquoted())

    def quoted(self) -> Argument:
        data = self.data
        start = self.pos
        pos = start + 1
        while pos < len(data):
            byte = data[pos]
            if byte == 0x5C:  # backslash: escape or line continuation
                pos += 2
            elif byte == 0x22:
                self.pos = pos + 1
                return Argument("quoted", start, pos + 1, start + 1, pos, self.text(start + 1, pos))
            else:
                pos += 1
        raise CMakeSyntaxError(start, "unterminated quoted argument")

    def bracket(self) -> Argument:
        start = self.pos
        opened = _bracket_close(self.data, start)
        assert opened is not None
        close, body = opened
        end = self.skip_bracket(start, "argument")
        self.pos = end
        value_end = end - len(close)
        return Argument("bracket", start, end, body, value_end, self.text(body, value_end))

    def unquoted(self) -> Argument:
        """An unquoted argument; generator expressions and variable references nest inside it."""
        data = self.data
        start = self.pos
        pos = start
        genex = 0  # depth of $<...>
        braces = 0  # depth of ${...}
        while pos < len(data):
            byte = data[pos]
            if byte == 0x5C:  # backslash escape
                pos += 2
                continue
            if byte == 0x24 and pos + 1 < len(data) and data[pos + 1] in b"<{":  # '$<' / '${'
                if data[pos + 1] == 0x3C:
                    genex += 1
                else:
                    braces += 1
                pos += 2
                continue
            if genex and byte == 0x3E:  # '>'
                genex -= 1
            elif braces and byte == 0x7D:  # '}'
                braces -= 1
            elif byte == 0x22:  # legacy: a quoted section inside an unquoted argument
                close = data.find(b'"', pos + 1)
                while close > 0 and data[close - 1] == 0x5C:
                    close = data.find(b'"', close + 1)
                if close < 0:
                    raise CMakeSyntaxError(pos, "unterminated quote inside an argument")
                pos = close
            elif byte in _SPACE or (not genex and not braces and byte in b"()#"):
                break
            pos += 1
        pos = min(pos, len(data))
        self.pos = pos
        return Argument("unquoted", start, pos, start, pos, self.text(start, pos))


def tokenize(data: bytes) -> Tokens:
    """The command invocations of a CMake file (see the module docstring for the grammar)."""
    return _Lexer(data).tokens()
