"""Python that shell commands run: ``python -c CODE``, here-strings and heredocs.

CI smoke tests, Dockerfiles and job scripts hold Python the shell hands to an interpreter:
``python -c "import torch; print(torch.cuda.is_available())"``, ``python3 - <<'EOF' ... EOF``,
``python <<< 'CODE'``. The shell frontend's finders (scripts, Slurm jobs, Dockerfile RUN lines,
workflow ``run:`` scripts, notebook ``!`` lines) call ``scan`` for every command. When the
command runs Python (``python``, ``python3``, ``python3.11``, by path too; behind ``if``,
``X=1``, ``sudo``, ``env`` or ``time``; or behind a launcher: ``uv run``, ``conda run -n x``,
``srun``, ``docker run IMAGE`` ...), the code is decoded the way the shell hands it to Python,
analysed by the Python frontend (``analyze_source``: parsed, never run), and each finding
becomes a finding of the file over the bytes that spell it. Findings keep the Python frontend's
rule, symbol, family, severity and language (``python``). A code string with a syntax error
yields nothing. The commands of a ``sh -c`` string (``bash -lc "..."``, ``srun bash -c "..."``)
are read from the string's value, so its own escapes and expansions apply first, and every edit
there must be writable in both quotings.

Decoding follows the shell: single quotes keep every byte; double quotes and unquoted text drop
the backslash of ``\\$``, ``\\```, ``\\"``, ``\\\\`` and join ``\\``-newline lines; a heredoc
with a quoted delimiter keeps every byte, an unquoted one drops the backslash of ``\\$``,
``\\``` and ``\\\\``; ``<<-`` strips leading tabs. A ``$NAME``, ``${...}``, ``$(...)`` or
backtick expansion is read as underscores of the same length (its value is unknown, and Python
sees some word there). In a Dockerfile, BuildKit joins ``\\``-newline lines before the shell
runs, inside single quotes too. A JSON exec form (``CMD ["python", "-c", "..."]``) is read as
its JSON value.

An edit is written only where the code's bytes in the file are exactly the bytes Python reads
and the new text means the same to the shell as to Python: nothing escaped or expanded in the
range, nothing after a backslash; no ``'`` or line break inside single quotes; none of
``"`` ``\\`` ``$`` ````` or a line break inside double quotes (a replacement whose only
problem is ``"``, like ``to("xpu")``, is written with ``'`` instead); none of ``\\`` ``$``
````` in an unquoted heredoc; only plain word characters in unquoted text; nothing extra that a
``sh -c`` string around the command, or IPython's ``{}``/``$`` expansion in a notebook ``!``
line, would change. Otherwise the finding stays and its plan's note says why it is not
rewritten.

What the Python frontend adds at the top of a file does not fit a ``-c`` program as lines: its
imports (``import torch_npu`` for cann) are written inline before the first statement
(``import torch_npu; import torch; ...``), and the neutral target's helper
(``accelerator_or_cpu()``) is spelled out as its expression where the call would be. A heredoc
body is a whole program and gets the Python frontend's insertions as they are. A target whose
sites need such an addition is rewritten in all of one code's sites or in none, and every
rewritten code must still compile (or, where this Python cannot compile the original, parse).
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from porter.frontends.base import LineIndex
from porter.mappings import Helper, MappingEntry, MappingTables, PlanSpec
from porter.model import Edit, Finding
from porter.rewrite.apply import apply_edits

if TYPE_CHECKING:
    from porter.frontends.shell import Sites, Word

LANGUAGE = "python"

#: Interpreters: python, python3, python3.11 (by path too).
_PYTHON = re.compile(r"python[0-9.]*")
#: Commands that run the command given in their arguments. Their own options vary: the first
#: word naming an interpreter (or a shell) that is followed by its own arguments is the program.
_LAUNCHERS = frozenset({
    "uv", "conda", "mamba", "micromamba", "pixi", "poetry", "pipenv", "hatch", "pdm",
    "srun", "mpirun", "mpiexec", "timeout", "numactl", "taskset", "stdbuf", "xvfb-run", "nsys",
    "docker", "podman", "apptainer", "singularity",
})
#: Shells whose ``-c STRING`` is read as a script, and how that option may be written
#: (``-c``, ``-lc``, ``-ec``).
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh"})
_SHELL_CODE_FLAG = re.compile(r"-[A-Za-z]*c[A-Za-z]*")
#: Words a command can start with before the program it runs, and the options of the wrappers
#: that take an argument (the shell frontend reads the same ones).
_RESERVED = frozenset({"if", "then", "elif", "else", "do", "while", "until", "!", "{"})
_WRAPPERS = {"sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-U"}), "time": frozenset(),
             "nohup": frozenset(), "exec": frozenset(), "nice": frozenset({"-n"}),
             "env": frozenset({"-u", "-C", "-S"}), "command": frozenset()}
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
#: Python's options that take no argument, alone or combined (``-u``, ``-OO``, ``-Bu``).
_FLAGS = re.compile(r"-[bBdEhiIOPqRsSuvVx]+")
#: ``-c``, alone or last of combined options (``-uc``): the next word is the program.
_CODE_FLAG = re.compile(r"-[bBdEiIOPqRsSuvx]*c")
#: Redirections after a command; a here-string (``<<<``) or heredoc (``<<``/``<<-``) feeds stdin.
_REDIRECT = re.compile(rb"[0-9]*(<<<|<<-|<<|&>>|&>|>>|>&|<&|<>|>\||>|<)")
_NAME = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_IMPORT_LINE = re.compile(r"(?:import|from)\s")
#: Blank and comment lines, and the indentation, before a program's first statement.
_LEADING = re.compile(rb"(?:[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\r|\n))*[ \t\f]*")
#: Characters an unquoted word can take without the shell reading them differently.
_BARE_SAFE = re.compile(r"[A-Za-z0-9_.,:/=+@%-]*")
#: What ``$'...'`` escapes stand for (others are kept as written: Python reads most the same).
_ANSI_C = {ord("n"): 0x0A, ord("t"): 0x09, ord("r"): 0x0D, ord("\\"): 0x5C, ord("'"): 0x27,
           ord('"'): 0x22, ord("a"): 0x07, ord("b"): 0x08, ord("e"): 0x1B, ord("f"): 0x0C,
           ord("v"): 0x0B}

# How a byte of the code is written in the file, which decides what an edit may write there.
_SINGLE = "S"  # inside '...'
_DOUBLE = "D"  # inside "..."
_BARE = "U"  # unquoted
_JSON = "J"  # inside a JSON string (Dockerfile exec form)
_ANSI = "A"  # inside $'...' (never edited: every byte is marked as having no twin)
_LITERAL_BODY = "Q"  # heredoc with a quoted delimiter
_BODY = "H"  # heredoc with an unquoted delimiter

_PREFIX = "Python run by a shell command:"
_UNWRITABLE = (
    f"{_PREFIX} the edit is not written into the shell's quoting (escapes or expansions in its "
    "range, or characters the quoting would read differently); rewrite it by hand."
)
_TOGETHER = (
    f"{_PREFIX} not rewritten, because another site of the same code cannot be, and the code "
    "gets what they need added once for all of them; rewrite it by hand."
)
_NO_COMPILE = f"{_PREFIX} the rewritten code would not compile; rewrite it by hand."

#: What is being read around the current command (start, end, what): ``sh -c`` strings the
#: shell frontend scans as scripts, those read here, and notebook ``!`` lines. A context
#: variable, so threads never share it.
_LAYERS: ContextVar[tuple[tuple[int, int, bytes], ...]] = ContextVar("porter_inline_layers", default=())
_IPYTHON = b"!"
_SH_C = b"sh -c"
#: Nested ``sh -c`` strings read at most this deep.
_MAX_DEPTH = 8


@dataclass(slots=True)
class _Code:
    """Python code as the interpreter gets it, and where each of its bytes is in the file.

    ``offsets[i]`` is the file offset of ``value[i]``, or -1 where the byte has no twin there
    (an escape, an expansion read as ``_``); ``kinds[i]`` says how it is quoted, one letter per
    quoting it is inside (``"DS"``: in ``"..."`` inside a ``sh -c '...'`` string).
    """

    start: int
    end: int
    inline: bool = True
    value: bytearray = field(default_factory=bytearray)
    offsets: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    #: Characters no new text may hold (IPython's expansions in a notebook line).
    forbid: str = ""
    #: Why no edit at all is written in this code, or None.
    blocked: str | None = None
    #: Read from inside a ``sh -c`` string: an offset past the last byte has no known twin.
    nested: bool = False

    def put(self, byte: int, offset: int, kind: str) -> None:
        self.value.append(byte)
        self.offsets.append(offset)
        self.kinds.append(kind)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The file span of ``value[start:end]``: its first and last bytes that have a twin."""
        inside = [o for o in self.offsets[start:end] if o >= 0]
        if not inside:
            return self.start, self.end
        return inside[0], inside[-1] + 1

    def inside(self, outer: _Code | None) -> _Code:
        """This code, read from ``outer``'s value (a ``sh -c`` string), placed in the file."""
        if outer is None:
            return self
        offsets = [outer.offsets[o] if o >= 0 else -1 for o in self.offsets]
        kinds = [k + outer.kinds[o] if o >= 0 else k for k, o in zip(self.kinds, self.offsets, strict=True)]
        return _Code(outer.start, outer.end, self.inline, self.value, offsets, kinds,
                     outer.forbid + self.forbid, outer.blocked or self.blocked, nested=True)


# --- the shell side ------------------------------------------------------------------------------


@contextlib.contextmanager
def nested(data: bytes, start: int, end: int) -> Iterator[None]:
    """While the shell frontend scans the string ``data[start:end]`` of ``sh -c STRING`` as a
    script. The Python in it is read by ``scan`` for the ``sh -c`` command itself, through the
    string's quoting, so commands found inside are skipped."""
    token = _LAYERS.set((*_LAYERS.get(), (start, end, _SH_C)))
    try:
        yield
    finally:
        _LAYERS.reset(token)


def scan(words: Sequence[Word], index: int, name: str, data: bytes, sites: Sites) -> None:
    """The Python that the command ``words[index:]`` runs, if any, as sites of ``sites``.

    ``index`` is past the assignments and wrappers the shell frontend reads (``sudo``, ``env``,
    ``time``); ``data`` holds the words' bytes. A command inside a ``sh -c`` string the shell
    frontend is scanning is skipped: the ``sh -c`` command read it already.
    """
    if any(what == _SH_C for _, _, what in _LAYERS.get()):
        return
    _command(words, index, data, sites, None, sites.language == "dockerfile")


def _command(words: Sequence[Word], index: int, data: bytes, sites: Sites, outer: _Code | None,
             dockerfile: bool) -> None:
    """The Python run by one command of ``data`` (the file, or the value of ``outer``)."""
    index = _unwrapped(words, index)
    if index >= len(words):
        return
    name = PurePosixPath(words[index].value).name
    if _PYTHON.fullmatch(name) or name in _SHELLS:
        candidates = [index]
    elif name in _LAUNCHERS:
        candidates = [
            at for at in range(index + 1, len(words))
            if (_PYTHON.fullmatch(PurePosixPath(words[at].value).name)
                or PurePosixPath(words[at].value).name in _SHELLS)
            and data[words[at].start : words[at].end] == words[at].value.encode("utf-8")
        ]
    else:
        return
    for at in candidates:
        if PurePosixPath(words[at].value).name in _SHELLS:
            script = _shell_string(words, at)
            if script is None:
                continue
            if len(_LAYERS.get()) < _MAX_DEPTH:
                _script(_word_code(script, data, dockerfile).inside(outer), sites)
            return
        form = _python_arguments(words, at)
        if form is None:
            continue
        if form is True:
            code = _stdin_code(words, data, dockerfile)
        else:
            code = _word_code(form, data, dockerfile)
        if code is not None:
            code = code.inside(outer)
            _notebook_line(code, sites.lines.data)
            _analyse(code, sites)
        return


def _script(code: _Code, sites: Sites) -> None:
    """The commands of a ``sh -c`` string, read from its value."""
    from porter.frontends.shell import tokenize

    value = bytes(code.value)
    token = _LAYERS.set((*_LAYERS.get(), (code.start, code.end, b"")))
    try:
        for command in tokenize(value).commands:
            _command(command.words, 0, value, sites, code, dockerfile=False)
    finally:
        _LAYERS.reset(token)


def _unwrapped(words: Sequence[Word], index: int) -> int:
    """Past assignments, reserved words and wrappers (``if``, ``X=1``, ``sudo -E``, ``env -i``)."""
    while index < len(words):
        value = words[index].value
        if value in _RESERVED or _ASSIGNMENT.match(value):
            index += 1
            continue
        takes = _WRAPPERS.get(value)
        if takes is None:
            return index
        index += 1
        while index < len(words) and words[index].value.startswith("-"):
            index += 2 if words[index].value in takes else 1
    return index


def _shell_string(words: Sequence[Word], at: int) -> Word | None:
    """The word of ``sh [options] -c STRING`` (``bash -lc``, ``bash -e -o pipefail -c``)."""
    index = at + 1
    while index < len(words):
        value = words[index].value
        if _SHELL_CODE_FLAG.fullmatch(value):
            return words[index + 1] if index + 1 < len(words) else None
        if not value.startswith(("-", "+")) or value in ("-", "--"):
            return None  # a script file
        index += 2 if value in ("-o", "+o", "-O", "+O") else 1
    return None


def _python_arguments(words: Sequence[Word], at: int) -> Word | bool | None:
    """The word holding ``-c``'s program, True when the program comes from stdin, else None."""
    index = at + 1
    while index < len(words):
        value = words[index].value
        if _CODE_FLAG.fullmatch(value):
            return words[index + 1] if index + 1 < len(words) else None
        if value in ("-W", "-X"):
            index += 2
        elif _FLAGS.fullmatch(value) or value[:2] in ("-W", "-X") or (value.startswith("--") and value != "--"):
            index += 1
        elif value == "-":
            return True
        else:  # a script, -m module, --
            return None
    return True


def _word_code(word: Word, data: bytes, dockerfile: bool) -> _Code:
    """The program of ``-c WORD`` (or a here-string's word), decoded as the shell passes it."""
    start, end = word.start, word.end
    if start > 0 and data[start - 1 : start] == b'"' and data[end : end + 1] == b'"':
        return _json_code(word, data)  # only a JSON exec form puts a quote right before a word
    return _decode_word(data, start, end, dockerfile)

def _json_code(word: Word, data: bytes) -> _Code:
    code = _Code(word.start, word.end)
    value = word.value.encode("utf-8", "surrogateescape")
    verbatim = data[word.start : word.end] == value
    for index, byte in enumerate(value):
        code.put(byte, word.start + index if verbatim else -1, _JSON)
    return code


def _decode_word(data: bytes, start: int, end: int, dockerfile: bool) -> _Code:
    code = _Code(start, end)
    pos = start
    while pos < end:
        byte = data[pos]
        if byte == 0x27:  # '...'
            close = data.find(b"'", pos + 1, end)
            close = end if close < 0 else close
            pos += 1
            while pos < close:
                if dockerfile and data.startswith(b"\\\n", pos):  # BuildKit joins the lines first
                    pos += 2
                    continue
                code.put(data[pos], pos, _SINGLE)
                pos += 1
            pos = close + 1
        elif byte == 0x22:
            pos = _double_quoted(data, pos + 1, end, code)
        elif byte == 0x24 and data[pos + 1 : pos + 2] == b"'":
            pos = _ansi_c(data, pos + 2, end, code)
        elif byte in (0x24, 0x60):
            pos = _expansion(data, pos, end, code, _BARE)
        elif byte == 0x5C:
            if data[pos + 1 : pos + 2] == b"\n":
                pos += 2
            elif pos + 1 < end:
                code.put(data[pos + 1], -1, _BARE)
                pos += 2
            else:
                pos += 1
        else:
            code.put(byte, pos, _BARE)
            pos += 1
    return code


def _double_quoted(data: bytes, pos: int, end: int, code: _Code) -> int:
    while pos < end:
        byte = data[pos]
        if byte == 0x22:
            return pos + 1
        if byte == 0x5C and pos + 1 < end:
            following = data[pos + 1]
            if following == 0x0A:
                pos += 2
            elif following in b'$`"\\':
                code.put(following, -1, _DOUBLE)
                pos += 2
            else:
                code.put(byte, pos, _DOUBLE)
                pos += 1
        elif byte in (0x24, 0x60):
            pos = _expansion(data, pos, end, code, _DOUBLE)
        else:
            code.put(byte, pos, _DOUBLE)
            pos += 1
    return end


def _ansi_c(data: bytes, pos: int, end: int, code: _Code) -> int:
    while pos < end:
        byte = data[pos]
        if byte == 0x27:
            return pos + 1
        if byte == 0x5C and pos + 1 < end:
            following = data[pos + 1]
            if following in _ANSI_C:
                code.put(_ANSI_C[following], -1, _ANSI)
            else:
                code.put(byte, -1, _ANSI)
                code.put(following, -1, _ANSI)
            pos += 2
        else:
            code.put(byte, -1, _ANSI)
            pos += 1
    return end


def _expansion(data: bytes, pos: int, end: int, code: _Code, kind: str) -> int:
    """A ``$...`` or backtick expansion at ``pos``, read as underscores; past its end."""
    if data[pos] == 0x60:
        close = pos + 1
        while close < end and data[close] != 0x60:
            close += 2 if data[close] == 0x5C else 1
        stop = min(close + 1, end)
    else:
        following = data[pos + 1 : pos + 2]
        if following == b"(":
            stop = _closing(data, pos + 2, end, 0x28, 0x29)
        elif following == b"{":
            stop = _closing(data, pos + 2, end, 0x7B, 0x7D)
        elif (name := _NAME.match(data, pos + 1, end)) is not None:
            stop = name.end()
        elif following and following in b"0123456789@*#?$!-":
            stop = pos + 2
        else:  # a lone '$' is itself
            code.put(0x24, -1, kind)
            return pos + 1
    for _ in range(stop - pos):
        code.put(0x5F, -1, kind)
    return stop


def _closing(data: bytes, pos: int, end: int, opener: int, closer: int) -> int:
    """Past the ``closer`` that matches an opener just before ``pos`` (quotes skipped in ``$(``)."""
    depth = 1
    while pos < end:
        byte = data[pos]
        if byte == 0x5C:
            pos += 2
            continue
        if opener == 0x28 and byte in (0x27, 0x22):
            close = data.find(bytes((byte,)), pos + 1, end)
            while byte == 0x22 and close > 0 and data[close - 1] == 0x5C:
                close = data.find(b'"', close + 1, end)
            pos = end if close < 0 else close + 1
            continue
        if byte == opener:
            depth += 1
        elif byte == closer:
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    return end


def _stdin_code(words: Sequence[Word], data: bytes, dockerfile: bool) -> _Code | None:
    """The program a here-string or heredoc after the command feeds to the interpreter."""
    from porter.frontends.shell import ShellSyntaxError, _Lexer

    end = len(data)
    pos = words[-1].end
    for _ in range(8):  # other redirections may come first (2>&1, > log)
        while pos < end and data[pos] in b" \t":
            pos += 1
        operator = _REDIRECT.match(data, pos)
        if operator is None:
            return None
        at = operator.start(1)
        pos = operator.end()
        while pos < end and data[pos] in b" \t":
            pos += 1
        if pos >= end or data[pos] in b" \t\r\n;&|()<>":
            return None
        try:
            target = _Lexer(data, pos, end, []).word()
        except (ShellSyntaxError, RecursionError):
            return None
        kind = operator.group(1)
        if kind == b"<<<":
            code = _word_code(target, data, dockerfile)
            code.inline = True
            return code
        if kind in (b"<<", b"<<-"):
            return _heredoc(data, words[0].start, at, target, kind == b"<<-")
        pos = target.end
    return None


def _heredoc(data: bytes, command: int, operator: int, target: Word, strip_tabs: bool) -> _Code | None:
    """The body of the heredoc whose operator is at ``operator`` (the command starts at
    ``command``), when it is the first heredoc of its line; None if it is not closed."""
    line = _logical_line_start(data, command)
    if b"<<" in data[line:operator]:
        return None  # an earlier heredoc on the line: its body comes first
    newline = data.find(b"\n", target.end)
    if newline < 0:
        return None
    rest = data[target.end : newline]
    if rest.count(b"'") % 2 or rest.count(b'"') % 2 or rest.rstrip(b"\r").endswith(b"\\"):
        return None  # the line goes on past this newline: where the body starts is unclear
    raw = data[target.start : target.end]
    quoted = any(c in raw for c in b"'\"\\")
    delimiter = re.sub(rb"\\(.)|['\"]", lambda m: m.group(1) or b"", raw)
    body = pos = newline + 1
    while pos < len(data):
        stop = data.find(b"\n", pos)
        stop = len(data) if stop < 0 else stop
        text = data[pos:stop].rstrip(b"\r")
        if (text.lstrip(b"\t") if strip_tabs else text) == delimiter:
            return _decode_body(data, body, pos, quoted, strip_tabs)
        pos = stop + 1
    return None


def _logical_line_start(data: bytes, at: int) -> int:
    """Where the line holding ``at`` starts, lines continued with a backslash joined."""
    start = data.rfind(b"\n", 0, at) + 1
    while start >= 2 and data[start - 2] == 0x5C:
        start = data.rfind(b"\n", 0, start - 1) + 1
    return start


def _decode_body(data: bytes, start: int, end: int, quoted: bool, strip_tabs: bool) -> _Code:
    code = _Code(start, end, inline=False)
    pos = start
    line_start = True
    while pos < end:
        byte = data[pos]
        if strip_tabs and line_start and byte == 0x09:
            pos += 1
            continue
        line_start = False
        if quoted:
            code.put(byte, pos, _LITERAL_BODY)
            pos += 1
        elif byte == 0x5C and pos + 1 < end and data[pos + 1] in b"$`\\\n":
            if data[pos + 1] != 0x0A:
                code.put(data[pos + 1], -1, _BODY)
            pos += 2
        elif byte in (0x24, 0x60):
            pos = _expansion(data, pos, end, code, _BODY)
        else:
            code.put(byte, pos, _BODY)
            pos += 1
        line_start = data[pos - 1] == 0x0A
    return code


def _notebook_line(code: _Code, data: bytes) -> None:
    """In a notebook ``!`` line IPython expands ``{...}`` and ``$name`` before the shell runs."""
    for start, end, what in _LAYERS.get():
        if what == _IPYTHON and start <= code.start and code.end <= end:
            code.forbid += "{}$"
            if any(c in data[code.start : code.end] for c in b"{}$"):
                code.blocked = f"{_PREFIX} IPython expands {{...}} and $ in this line first; rewrite it by hand."


# --- the Python side -----------------------------------------------------------------------------


def _analyse(code: _Code, sites: Sites) -> None:
    from porter.frontends.python import analyze_source

    value = bytes(code.value)
    result = analyze_source(sites.path, value, sites.tables)
    if result.status == "error" or not result.findings:
        return
    lines = LineIndex(value)
    findings = result.findings
    edits, notes = _plans(code, sites.lines.data, value, findings, result.file_edits, sites.tables)
    for index, finding in enumerate(findings):
        start = _offset(lines, finding.span.line, finding.span.column)
        end = _offset(lines, finding.span.end_line, finding.span.end_column)
        file_start, file_end = code.span(start, max(start, end))
        sites.add(_entry(finding, notes[index]), file_start, file_end, finding.symbol, edits[index])


def _offset(lines: LineIndex, line: int, column: int) -> int:
    """The byte offset of a 1-based line and character column (as findings give them)."""
    start = lines.starts[line - 1]
    stop = lines.starts[line] if line < len(lines.starts) else len(lines.data)
    raw = lines.data[start:stop]
    if raw.isascii():
        return start + min(column - 1, len(raw))
    text = raw.decode("utf-8", "replace")
    return start + min(len(text[: column - 1].encode("utf-8")), len(raw))


def _entry(finding: Finding, notes: dict[str, str]) -> MappingEntry:
    """The Python frontend's answer for one site, as the mapping entry the shell's ``Sites``
    turn into a finding: the same rule, symbol, family, language, severity and plans."""
    targets = {
        target: PlanSpec(
            status=plan.status,
            replacement=plan.replacement,
            note=" ".join(p for p in (plan.note, notes.get(target)) if p),
        )
        for target, plan in finding.targets.items()
    }
    return MappingEntry(
        family=finding.family,
        language=finding.language,
        source=finding.symbol,
        kind="python",
        match="exact",
        rule=finding.rule,
        pit=finding.pit,
        note="",
        targets=targets,
        severity_override=finding.severity,
    )


def _plans(
    code: _Code,
    data: bytes,
    value: bytes,
    findings: Sequence[Finding],
    file_edits: Mapping[str, tuple[Edit, ...]],
    tables: MappingTables,
) -> tuple[list[dict[str, tuple[Edit, ...]]], list[dict[str, str]]]:
    """Per finding: the file edits per target, and the note of each target left unrewritten."""
    edits: list[dict[str, tuple[Edit, ...]]] = [{} for _ in findings]
    notes: list[dict[str, str]] = [{} for _ in findings]
    helpers = {t.id: t.helper for t in tables.targets if t.helper is not None}
    for target in tables.target_ids:
        wanted = [f.targets[target].edits if target in f.targets else () for f in findings]
        if not any(wanted):
            continue
        placed, reasons = _target(code, data, value, wanted, file_edits.get(target, ()), helpers.get(target))
        for index, (found, reason) in enumerate(zip(placed, reasons, strict=True)):
            if found:
                edits[index][target] = found
            if reason:
                notes[index][target] = reason
    return edits, notes


def _target(
    code: _Code,
    data: bytes,
    value: bytes,
    wanted: list[tuple[Edit, ...]],
    insertion: tuple[Edit, ...],
    helper: Helper | None,
) -> tuple[list[tuple[Edit, ...]], list[str | None]]:
    """One target's file edits per site of one code, and why a site's edits are left out."""
    none: list[tuple[Edit, ...]] = [() for _ in wanted]

    def all_left(reason: str) -> tuple[list[tuple[Edit, ...]], list[str | None]]:
        return none, [reason if w else None for w in wanted]

    if code.blocked:
        return all_left(code.blocked)
    shared: list[Edit] = []  # value edits every rewritten site needs (imports, the helper)
    prefix = ""
    if insertion:
        if code.inline:
            parts = _insertion_parts(insertion, helper)
            if parts is None:
                return all_left(f"{_PREFIX} what it needs added to the file does not fit a one-line program; rewrite it by hand.")
            imports, expression = parts
            if expression is not None and helper is not None:
                wanted = [tuple(_spelled(e, helper.name, expression) for e in w) for w in wanted]
            prefix = "".join(f"{line}; " for line in imports)
        else:
            shared = list(insertion)
    kept: list[list[Edit]] = []
    placed: list[list[Edit]] = []
    reasons: list[str | None] = [None for _ in wanted]
    for index, site_edits in enumerate(wanted):
        pairs = [_place(code, data, e) for e in site_edits]
        if all(p is not None for p in pairs):
            kept.append([p[0] for p in pairs if p is not None])
            placed.append([p[1] for p in pairs if p is not None])
        else:
            kept.append([])
            placed.append([])
            reasons[index] = _UNWRITABLE
    if insertion and any(reasons):
        return none, [r or (_TOGETHER if w else None) for r, w in zip(reasons, wanted, strict=True)]
    if not any(placed):
        return none, reasons
    if prefix:
        head = _LEADING.match(value)
        first = head.end() if head is not None else 0
        if first >= len(value):
            return all_left(_NO_COMPILE)
        owner = next(((i, j) for i, site in enumerate(kept) for j, e in enumerate(site)
                      if e.start == first and e.end > first), None)
        if owner is not None:  # a site's own edit starts there: the imports go in front of it
            i, j = owner
            edit = kept[i][j]
            shared.append(Edit(edit.start, edit.end, prefix + edit.text))
            del kept[i][j], placed[i][j]
        else:  # over the statement's first character, so no insertion is needed
            size = 1
            while first + size < len(value) and 0x80 <= value[first + size] < 0xC0:
                size += 1
            text = value[first : first + size].decode("utf-8", "replace")
            shared.append(Edit(first, first + size, prefix + text))
    shared_placed = [_place(code, data, e) for e in shared]
    if not all(p is not None for p in shared_placed):
        return all_left(f"{_PREFIX} what it needs added to the code cannot be written here; rewrite it by hand.")
    shared_value = [p[0] for p in shared_placed if p is not None]
    shared_file = [p[1] for p in shared_placed if p is not None]
    every = {e for site in kept for e in site} | set(shared_value)
    if not _still_compiles(value, apply_edits(value, every).data):
        return all_left(_NO_COMPILE)
    result = [
        tuple(dict.fromkeys([*site, *shared_file])) if wanted[i] and reasons[i] is None else ()
        for i, site in enumerate(placed)
    ]
    return result, reasons


def _insertion_parts(insertion: tuple[Edit, ...], helper: Helper | None) -> tuple[list[str], str | None] | None:
    """The import lines and the helper's expression the Python frontend's insertion carries,
    or None when it holds something else."""
    lines = [line.strip() for e in insertion for line in e.text.splitlines() if line.strip()]
    count = 0
    while count < len(lines) and _IMPORT_LINE.match(lines[count]):
        count += 1
    imports, rest = lines[:count], lines[count:]
    if not rest:
        return imports, None
    if (
        helper is not None
        and len(rest) == 3
        and rest[0].startswith(f"def {helper.name}(")
        and rest[2].startswith("return ")
    ):
        return imports, rest[2][len("return ") :]
    return None


def _spelled(edit: Edit, name: str, expression: str) -> Edit:
    """``edit`` with calls of the helper ``name()`` spelled out as its expression."""
    call = f"{name}()"
    if call not in edit.text:
        return edit
    text = re.sub(rf"(?<=\(){re.escape(call)}(?=\))", lambda _: expression, edit.text)
    return Edit(edit.start, edit.end, text.replace(call, f"({expression})"))


def _place(code: _Code, data: bytes, edit: Edit) -> tuple[Edit, Edit] | None:
    """``edit`` (in code bytes) and the same edit in file bytes, or None where it cannot be
    written exactly. The code edit may differ from ``edit`` by its quotes (see the docstring)."""
    size = len(code.value)
    start, end = edit.start, edit.end
    if not 0 <= start <= end <= size or size == 0:
        return None
    offsets, kinds = code.offsets, code.kinds
    if start < end:
        at = offsets[start]
        kind = kinds[start]
        if at < 0 or any(offsets[i] != at + i - start or kinds[i] != kind for i in range(start, end)):
            return None
        stop = at + end - start
    elif start < size:
        at, kind = offsets[start], kinds[start]
        if at < 0 or (start > 0 and (offsets[start - 1] != at - 1 or kinds[start - 1] != kind)):
            return None
        stop = at
    else:
        at, kind = offsets[start - 1] + 1, kinds[start - 1]
        if at <= 0 or code.nested:
            return None
        stop = at
    if at > 0 and data[at - 1] == 0x5C and any(k not in (_SINGLE, _LITERAL_BODY) for k in kind):
        return None  # text after a backslash would be escaped by it
    text = edit.text
    if not _writable(text, kind, code.forbid):
        swapped = _single_quoted(text) if kind[0] in (_DOUBLE, _JSON) else None
        if swapped is None or not _writable(swapped, kind, code.forbid):
            return None
        text = swapped
    return Edit(start, end, text), Edit(at, stop, text)


def _writable(text: str, kinds: str, forbid: str) -> bool:
    """Whether ``text`` means to the shell, written at a byte quoted as ``kinds``, what it says."""
    return not any(c in text for c in forbid) and all(_writable_in(text, k) for k in kinds)


def _writable_in(text: str, kind: str) -> bool:
    if kind == _SINGLE:
        return not any(c in text for c in "'\n\r")
    if kind == _DOUBLE:
        return not any(c in text for c in '"\\$`\n\r')
    if kind == _JSON:
        return not any(c in text for c in '"\\') and all(ord(c) >= 0x20 for c in text)
    if kind == _BARE:
        return _BARE_SAFE.fullmatch(text) is not None
    if kind == _BODY:
        return not any(c in text for c in "\\$`")
    return kind == _LITERAL_BODY


def _single_quoted(text: str) -> str | None:
    """``text`` with its Python strings in ``'`` rather than ``"`` (``to("xpu")`` ->
    ``to('xpu')``), where that means the same: whole strings, no ``'`` or backslash in them."""
    if '"' not in text or "'" in text or "\\" in text or text.count('"') % 2:
        return None
    return text.replace('"', "'")


def _compiles(code: bytes) -> bool:
    """Whether CPython compiles ``code`` (compiled only: nothing is run)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<porter>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _still_compiles(before: bytes, after: bytes) -> bool:
    """Whether rewritten code is still a program: compiled when this Python compiles the
    original, else parsed the way the Python frontend parses it."""
    if _compiles(before):
        return _compiles(after)
    from porter.frontends.python.source import SourceError, parse

    try:
        parse("<inline>", after)
    except (SourceError, RecursionError):
        return False
    return True


# --- notebooks -----------------------------------------------------------------------------------


def notebook_line(path: str, source: bytes, start: int, end: int, tables: MappingTables) -> list[Finding]:
    """The Python that one shell line of a notebook cell (``source[start:end]``, ``!python -c
    ...``) runs, as findings with positions and edits in the cell's source bytes."""
    from porter.frontends.shell import Sites, scan_commands, tokenize

    sites = Sites(path, "notebook", LineIndex(source), tables)
    data = source[:end]  # the line is a command of its own: no heredoc body after it
    token = _LAYERS.set((*_LAYERS.get(), (start, end, b"!")))
    try:
        scan_commands(tokenize(data, start, end), data, sites)
    finally:
        _LAYERS.reset(token)
    return [f for f in sites.findings if f.language == LANGUAGE]
