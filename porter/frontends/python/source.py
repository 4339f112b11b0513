"""Turning a file's bytes into a libcst module, or into a one-line reason why not.

Broken input is normal in a big tree (Python 2 scripts, generated files, merge conflicts, other
encodings); each becomes a note on the file's result, never an exception.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import libcst as cst

from porter.frontends.python.positions import ByteOffsets

#: PEP 263: a coding declaration in one of the first two lines.
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
#: Where libcst's message puts the real position ("error at 3:14").
_ERROR_AT = re.compile(r"error at (\d+):(\d+)")
#: Constructs only Python 2 accepts; one is enough to suggest the file is Python 2.
_PYTHON2 = re.compile(
    r"""^[ \t]*print[ \t]+[^\s(=,.\[)+\-*/%<>!&|^:;]"""  # print "x"
    r"""|^[ \t]*exec[ \t]+["'\w]"""  # exec "code"
    r"""|^[ \t]*except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:"""  # except E, e:
    r"""|^[ \t]*raise[ \t]+[\w.]+[ \t]*,"""  # raise E, "message"
    r"""|\b0[0-7]+\b(?![.eEjJ])|\b\d+[lL]\b"""  # 0777, 10L
    r"""|<>|`""",
    re.MULTILINE,
)
#: Lines git leaves in a file with an unresolved merge.
_CONFLICT = re.compile(r"^(<<<<<<<|>>>>>>>) ", re.MULTILINE)
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Parsed:
    module: cst.Module
    offsets: ByteOffsets


class SourceError(Exception):
    """The file cannot be parsed; the message is the one-line note for its result."""


def _declared_encoding(data: bytes) -> str | None:
    head = b"\n".join(data.split(b"\n", 2)[:2])
    match = _CODING.search(head)
    return match.group(1).decode("ascii", errors="replace") if match else None


def _undecodable(path: str, data: bytes) -> str | None:
    """A note when the bytes are not UTF-8 and no coding declaration says what they are."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _declared_encoding(data) is None:
            line = data.count(b"\n", 0, exc.start) + 1
            return (
                f"{path}:{line}: not UTF-8 (byte 0x{data[exc.start]:02x}) and no coding "
                "declaration (PEP 263); re-encode the file as UTF-8 or declare its encoding"
            )
    return None


def _syntax_note(path: str, text: str, exc: cst.ParserSyntaxError) -> str:
    """``path:line: syntax error: reason``, with CPython's own line and message when it agrees
    that the file is broken (its messages are the ones people know: "Missing parentheses in
    call to 'print'"); libcst's otherwise."""
    try:
        ast.parse(text)
    except SyntaxError as python:
        line = python.lineno or exc.raw_line
        reason = (python.msg or "invalid syntax").splitlines()[0]
    else:
        match = _ERROR_AT.search(str(exc))
        line = int(match.group(1)) if match else exc.raw_line
        reason = exc.message.strip().splitlines()[0] if exc.message else "invalid syntax"
        reason = re.sub(r"^(parser|tokenizer) error: (error at \d+:\d+: )?", "", reason)
    if len(reason) > 80:
        reason = reason[:79] + "…"
    hint = ""
    if _CONFLICT.search(text):
        hint = " (merge conflict markers?)"
    elif _PYTHON2.search(text):
        hint = " (Python 2 syntax?)"
    return f"{path}:{line}: syntax error{hint}: {reason}"


def parse(path: str, data: bytes) -> Parsed:
    """Parse once; raises SourceError with the file's note when that is impossible."""
    note = _undecodable(path, data)
    if note:
        raise SourceError(note)
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as exc:
        text = data.decode(_declared_encoding(data) or "utf-8", errors="replace")
        raise SourceError(_syntax_note(path, text, exc)) from None
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        raise SourceError(f"{path}: cannot decode: {exc}") from None
    except RecursionError:
        raise SourceError(f"{path}: nested too deeply for the parser") from None
    encoding = module.encoding
    bom = len(_BOM) if data.startswith(_BOM) else 0
    base = "utf-8" if encoding.lower().replace("_", "-") == "utf-8-sig" else encoding
    text = data[bom:].decode(base, errors="replace")
    return Parsed(module, ByteOffsets(text, base, bom))
