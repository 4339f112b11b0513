"""Read the declarations of C/C++ headers and Cython ``.pxd`` files: what each public name is.

``tools/gen_hip_tables.py`` pairs a CUDA name with a HIP name only when both exist *and* agree on
what they are: a function with a function taking as many arguments, an enumerator with an
enumerator or a constant, a type with a type. Reference lists hold names only, so this module
reads the headers again for those facts. It is a declaration reader, not a C parser: it walks the
tokens of :mod:`porter.frontends.cuda_lexer` (comments and strings are never code), keeps what
stands at file, ``extern "C"`` or namespace level, and skips function bodies and struct members.
Every branch of an ``#if`` is read, so a name declared under any configuration is seen.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from porter.frontends.cuda_lexer import Token, code_tokens

#: Preprocessor lines, with their continuations; their text is blanked before the token walk.
_DIRECTIVE = re.compile(rb"^[ \t]*#[ \t]*(\w+)(?:\\\r?\n|[^\n])*", re.M)
_DEFINE = re.compile(rb"#[ \t]*define[ \t]+([A-Za-z_]\w*)(\()?[ \t]*((?:\\\r?\n|[^\n])*)")
#: Identifiers that decorate a declaration and take parentheses themselves.
_DECORATORS = frozenset({
    "__attribute__", "__declspec", "alignas", "__align__", "decltype", "__launch_bounds__",
    "_Pragma", "__pragma", "static_assert", "__builtin_align__",
})
_TAG_WORDS = frozenset({b"struct", b"union", b"class", b"enum"})


@dataclass(slots=True)
class Decl:
    """What one name is: its kind, and for functions the argument counts it accepts.

    ``arities`` holds (fewest, most) argument counts, one pair per overload; ``most`` is -1 for a
    variadic function. ``alias`` is the name an object-like macro stands for (``#define
    cublasSgemm cublasSgemm_v2``), so that a macro spelling of a function inherits its arity.
    """

    kind: str
    arities: set[tuple[int, int]] = field(default_factory=set)
    alias: str | None = None
    #: The file that declared the name first (for the notes of generated rows).
    header: str = ""
    #: A macro defined without a value: an include guard or a decorator, never an API name.
    empty: bool = False


Decls = dict[str, Decl]


#: Set by :func:`read_files` to the file being read, so each Decl knows its header.
_current_header = [""]


def _record(decls: Decls, name: str, kind: str, arity: tuple[int, int] | None = None) -> None:
    """Keep the strongest kind seen for ``name`` (a function beats a macro of the same name)."""
    rank = {"function": 3, "type": 2, "enum": 1, "macro": 0}
    current = decls.get(name)
    if current is None or rank[kind] > rank[current.kind]:
        header = current.header if current else _current_header[0]
        current = decls[name] = Decl(kind, set(current.arities) if current else set(), header=header)
    if arity is not None:
        current.arities.add(arity)


def _blank_directives(data: bytes, decls: Decls) -> bytes:
    """Record ``#define`` names (and one-identifier aliases) and blank every directive line."""
    out = bytearray(data)
    for match in _DIRECTIVE.finditer(data):
        if match.group(1) == b"define":
            define = _DEFINE.match(data, match.start() + match.group().index(b"#"))
            if define:
                name = define.group(1).decode("ascii")
                body = re.sub(rb"/\*.*?\*/|//.*", b"", define.group(3)).strip()
                if name not in decls:
                    decls[name] = Decl("macro", header=_current_header[0], empty=not body)
                if not define.group(2) and re.fullmatch(rb"[A-Za-z_]\w*", body):
                    decls[name].alias = body.decode("ascii")
        for index in range(match.start(), match.end()):
            if out[index] not in b"\r\n":
                out[index] = 0x20
    return bytes(out)


def _arity(tokens: list[Token], open_index: int) -> tuple[tuple[int, int], int]:
    """(fewest, most) arguments of the parameter list opening at ``open_index``, and the index
    just past its closing parenthesis."""
    depth = 0
    params: list[list[Token]] = [[]]
    index = open_index
    while index < len(tokens):
        text = tokens[index].text
        if text in (b"(", b"[", b"{"):
            depth += 1
            if depth > 1:
                params[-1].append(tokens[index])
        elif text in (b")", b"]", b"}"):
            depth -= 1
            if depth == 0:
                break
            params[-1].append(tokens[index])
        elif text == b"," and depth == 1:
            params.append([])
        else:
            params[-1].append(tokens[index])
        index += 1
    if params == [[]] or (len(params) == 1 and [t.text for t in params[0]] == [b"void"]):
        return (0, 0), index + 1
    if params[-1] and params[-1][-1].text == b"...":
        return (len(params) - 1, -1), index + 1
    optional = sum(1 for p in params if any(t.text in (b"=", b"__dparm") for t in p))
    return (len(params) - optional, len(params)), index + 1


def _statement(tokens: list[Token], decls: Decls, keep: re.Pattern[str]) -> None:
    """Name what a declaration statement (without its ``;`` or body) declares."""
    if not tokens:
        return
    texts = [t.text for t in tokens]
    if texts[0] == b"typedef":
        _typedef(tokens, decls, keep)
        return
    if texts[0] in (b"using", b"friend", b"return"):
        return
    for index in range(1, len(tokens)):
        if texts[index] != b"(" or tokens[index - 1].kind != "ident":
            continue
        name = tokens[index - 1].text.decode("ascii")
        if name in _DECORATORS or index < 2:
            continue
        before = tokens[index - 2]
        if before.kind == "ident" or before.text in (b"*", b"&", b">", b"::"):
            if before.text == b"::":
                return  # an out-of-class member definition
            arity, _ = _arity(tokens, index)
            if keep.fullmatch(name):
                _record(decls, name, "function", arity)
            return
    if len(tokens) >= 2 and tokens[0].text in _TAG_WORDS and tokens[1].kind == "ident":
        name = tokens[1].text.decode("ascii")
        if keep.fullmatch(name):
            _record(decls, name, "type")


def _typedef(tokens: list[Token], decls: Decls, keep: re.Pattern[str]) -> None:
    texts = [t.text for t in tokens]
    for index in range(len(tokens) - 2):  # typedef R (CALLCONV *NAME)(...): a function pointer
        if texts[index] != b"(":
            continue
        star = index + 1
        while star < len(tokens) and tokens[star].kind == "ident" and _is_macro(decls, tokens[star].text):
            star += 1
        if star + 1 < len(tokens) and texts[star] in (b"*", b"^") and tokens[star + 1].kind == "ident":
            name = tokens[star + 1].text.decode("ascii")
            if keep.fullmatch(name):
                _record(decls, name, "type")
            return
    # Decorator macros may trail the name (``typedef struct X *X_t DEPRECATED;``): skip them.
    plain = [t for t in tokens if not (t.kind == "ident" and _is_macro(decls, t.text))]
    texts = [t.text for t in plain]
    depth = 0
    for index, token in enumerate(plain):
        if token.text in (b"(", b"["):
            depth += 1
        elif token.text in (b")", b"]"):
            depth -= 1
        following = texts[index + 1] if index + 1 < len(plain) else b";"
        if depth == 0 and token.kind == "ident" and following in (b",", b";", b"[") and index > 1:
            name = token.text.decode("ascii")
            if keep.fullmatch(name):
                _record(decls, name, "type")


def _is_macro(decls: Decls, text: bytes) -> bool:
    decl = decls.get(text.decode("ascii"))
    return decl is not None and decl.kind == "macro"


def _matching(tokens: list[Token], open_index: int) -> int:
    """Index of the ``}`` closing the brace at ``open_index``."""
    depth = 0
    for index in range(open_index, len(tokens)):
        if tokens[index].text == b"{":
            depth += 1
        elif tokens[index].text == b"}":
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _enumerators(tokens: list[Token], start: int, end: int, decls: Decls, keep: re.Pattern[str]) -> None:
    expect = True
    depth = 0
    for token in tokens[start + 1 : end]:
        if token.text in (b"(", b"{", b"["):
            depth += 1
        elif token.text in (b")", b"}", b"]"):
            depth -= 1
        elif token.text == b"," and depth == 0:
            expect = True
            continue
        if expect and token.kind == "ident":
            name = token.text.decode("ascii")
            if keep.fullmatch(name):
                _record(decls, name, "enum")
        expect = False


def read_c(data: bytes, decls: Decls, keep: re.Pattern[str]) -> None:
    """Add the declarations of one C/C++ header to ``decls`` (names ``keep`` accepts)."""
    tokens = code_tokens(_blank_directives(data, decls))
    statement: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.text == b";":
            _statement(statement, decls, keep)
            statement = []
        elif token.text == b"{":
            words = {t.text for t in statement}
            if not statement or statement[-1].text == b"extern" or (b"namespace" in words and b"(" not in words):
                statement = []  # extern "C" { / namespace x {: declarations go on inside
            elif b"(" in words and statement[0].text != b"typedef" and (
                statement[-1].text == b")" or not words & _TAG_WORDS - {b"enum"}
            ):  # ``struct X f(...) {`` defines a function; ``struct __align__(16) X {`` a type
                _statement(statement, decls, keep)  # a function definition: skip its body
                index = _matching(tokens, index)
                statement = []
            else:
                close = _matching(tokens, index)
                if b"enum" in words:
                    _enumerators(tokens, index, close, decls, keep)
                if statement[0].text in _TAG_WORDS:
                    head = statement[: next((i for i, t in enumerate(statement) if t.text == b":"), None)]
                    names = [t for t in head if t.kind == "ident" and t.text not in _TAG_WORDS]
                    if names:
                        _statement([statement[0], names[-1]], decls, keep)
                if statement[0].text == b"typedef":
                    statement = [statement[0], tokens[close]]  # typedef } NAME, *PNAME;
                    index = close
                else:
                    statement = []
                    index = close
                    if index + 1 < len(tokens) and tokens[index + 1].text == b";":
                        index += 1
        elif token.text == b"}":
            statement = []
        else:
            statement.append(token)
        index += 1
    for name, decl in list(decls.items()):
        if decl.kind == "macro" and not keep.fullmatch(name):
            del decls[name]


_PXD_FUNCTION = re.compile(r"^\s*cdef\s+[^=(]*?\b([A-Za-z_]\w*)\s*\(")
_PXD_ENUM = re.compile(r"^(\s*)(?:cdef|ctypedef)\s+enum\s+([A-Za-z_]\w*)\s*:")
_PXD_TYPE = re.compile(r"^\s*(?:ctypedef\s+.*?\b([A-Za-z_]\w*)\s*$|cdef\s+(?:struct|union)\s+([A-Za-z_]\w*)\s*:?)")
_PXD_CONSTANT = re.compile(r"^\s*cdef\s+[\w\s*]+?\b([A-Za-z_]\w*)\s*$")


def read_pxd(text: str, decls: Decls, keep: re.Pattern[str]) -> None:
    """Add the declarations of one hip-python ``.pxd`` file (Cython's view of a C header)."""
    lines = text.splitlines()
    enum_indent: int | None = None
    for line in lines:
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped.strip():
            continue
        indent = len(stripped) - len(stripped.lstrip())
        if enum_indent is not None:
            if indent > enum_indent:
                name = stripped.split("=")[0].strip()
                if keep.fullmatch(name):
                    _record(decls, name, "enum")
                continue
            enum_indent = None
        if (match := _PXD_ENUM.match(stripped)) is not None:
            enum_indent = len(match.group(1))
            if keep.fullmatch(match.group(2)):
                _record(decls, match.group(2), "type")
            continue
        if (match := _PXD_FUNCTION.match(stripped)) is not None:
            start = stripped.index("(", match.end() - 1)
            tokens = code_tokens(stripped.encode())
            open_index = next(i for i, t in enumerate(tokens) if t.start == start)
            arity, _ = _arity(tokens, open_index)
            if keep.fullmatch(match.group(1)):
                _record(decls, match.group(1), "function", arity)
            continue
        if (match := _PXD_TYPE.match(stripped)) is not None:
            name = match.group(1) or match.group(2)
            if keep.fullmatch(name):
                _record(decls, name, "type")
            continue
        if (match := _PXD_CONSTANT.match(stripped)) is not None and keep.fullmatch(match.group(1)):
            _record(decls, match.group(1), "macro")


def read_files(files: Iterable[tuple[str, bytes]], keep: str) -> Decls:
    """Declarations of many files (``(name, bytes)`` pairs; ``.pxd`` read as Cython)."""
    pattern = re.compile(keep)
    decls: Decls = {}
    for name, data in files:
        _current_header[0] = name
        if name.endswith(".pxd"):
            read_pxd(data.decode("utf-8", errors="replace"), decls, pattern)
        else:
            read_c(data, decls, pattern)
    resolve_aliases(decls)
    return decls


def resolve_aliases(decls: Decls) -> None:
    """A macro that only renames a function (``cublasSgemm`` -> ``cublasSgemm_v2``) takes the
    function's kind and arities."""
    for decl in decls.values():
        seen = 0
        target = decl.alias
        while decl.kind == "macro" and target in decls and seen < 8:
            other = decls[target]
            if other.kind != "macro":
                decl.kind = other.kind
                decl.arities = set(other.arities)
                break
            target = other.alias
            seen += 1


def iter_names(decls: Decls, kinds: Iterable[str]) -> Iterator[str]:
    wanted = set(kinds)
    return (name for name, decl in sorted(decls.items()) if decl.kind in wanted)
