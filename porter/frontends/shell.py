"""The shell frontend (sh/bash/Slurm scripts) and the site finders other frontends share.

Scripts are tokenized, not matched line by line: quotes, escapes, comments, line continuations,
command substitutions ``$(...)`` and backticks, parameter expansions ``${...}`` and heredocs are
understood, so ``# nvidia-smi`` in a comment is not a site while ``$(nvidia-smi -L | wc -l)`` is.
Heredoc bodies and substitutions are scanned as scripts of their own (they usually are scripts:
``cat <<EOF > job.sh``). ``#SBATCH`` lines are read as the options of an ``sbatch`` command.

What each site becomes is the mapping data's answer; this module only locates sites:
- environment variables (assignments, ``export``, ``$NAME``/``${NAME}``): family language ``env``
- toolkit paths (``/usr/local/cuda/lib64``; the longest known prefix wins): language ``path``
- container images named as words (``docker run nvidia/cuda:12.1``): language ``image``
- tools, options and words of commands (``nvidia-smi``, ``docker run --gpus all``,
  ``#SBATCH --gres=gpu:8``, ``module load cuda/12.1``): language ``shell``, keys as described in
  ``mappings/shell-commands.yaml``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from porter.frontends import inline_python
from porter.frontends.archvalue import Written, assignment_value, value_plans, with_note
from porter.frontends.base import LineIndex, make_finding, replace_everywhere, sorted_findings
from porter.mappings import MappingEntry, MappingTables
from porter.model import Edit, FileResult, FileStatus, Finding

LANGUAGE = "shell"

_SHEBANG = re.compile(rb"#![ \t]*(?:/usr)?/bin/(?:env[ \t]+)?(?:ba|da|k|z)?sh\b")
_SUFFIXES = frozenset({".sh", ".bash", ".slurm", ".sbatch"})
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\+?=")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_REF = re.compile(rb"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_PATH = re.compile(rb"(?<![A-Za-z0-9_.$}/])/[A-Za-z0-9_.+\-/]+")
_QUOTES = re.compile(r"\\(.)|['\"]", re.S)
#: Builtins whose arguments are variable names or assignments.
_DECLARERS = frozenset({"export", "declare", "local", "readonly", "typeset"})
_METACHARS = b" \t\r\n;&|()<>"
_PIPS = frozenset({"pip", "pip3"})
#: Interpreters that run pip as ``python -m pip`` (python, python3, python3.11 ...).
_PYTHON = re.compile(r"python[0-9.]*")
_SHELLS = frozenset({"sh", "bash", "dash", "zsh"})
_PRINTERS = frozenset({"echo", "printf"})
#: A shell's option that runs the next word as a script: -c, also bundled (-lc, -ec, -xec).
_SCRIPT_OPTION = re.compile(r"-[a-z]*c")
#: Commands that run the command after them (and their options that take an argument).
_WRAPPERS = {"sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-U"}), "time": frozenset(),
             "nohup": frozenset(), "exec": frozenset(), "nice": frozenset({"-n"}),
             "env": frozenset({"-u", "-C", "-S"})}
#: Options that set a variable in a container or a job (docker run -e NAME=value).
_ENV_OPTIONS = frozenset({"-e", "--env", "--export"})
_REQUIREMENT = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")
#: Nesting depth past which substitutions are not scanned (guards against pathological input).
_MAX_DEPTH = 32


class ShellSyntaxError(ValueError):
    """The script is not valid at ``offset``; the commands before it are still usable."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Word:
    """One word: ``[start, end)`` covers its quotes; ``value`` has the quotes removed."""

    start: int
    end: int
    value: str


@dataclass(frozen=True, slots=True)
class SimpleCommand:
    words: tuple[Word, ...]


@dataclass(frozen=True, slots=True)
class ShellTokens:
    commands: tuple[SimpleCommand, ...]
    error: ShellSyntaxError | None = None


def _unquote(raw: str) -> str:
    return _QUOTES.sub(lambda m: m.group(1) or "", raw)


class _Lexer:
    """Splits ``data[start:end]`` into simple commands; nested scripts share one command list."""

    def __init__(
        self, data: bytes, start: int, end: int, commands: list[SimpleCommand], depth: int = 0
    ) -> None:
        self.data = data
        self.pos = start
        self.end = end
        self.commands = commands
        self.depth = depth

    def run(self) -> None:
        self.script(None)

    def nested(self, start: int, end: int) -> None:
        """Scan ``[start, end)`` as a script of its own; its syntax errors stay local to it."""
        if self.depth >= _MAX_DEPTH:
            return
        with contextlib.suppress(ShellSyntaxError):
            _Lexer(self.data, start, end, self.commands, self.depth + 1).run()

    def flush(self, words: list[Word]) -> None:
        if words:
            self.commands.append(SimpleCommand(tuple(words)))
            words.clear()

    def script(self, closer: int | None) -> None:
        """Commands up to ``end`` or, inside ``$(...)``/``(...)``, past the closing ``)``."""
        data = self.data
        words: list[Word] = []
        heredocs: list[tuple[bytes, bool]] = []
        while self.pos < self.end:
            byte = data[self.pos]
            if byte in b" \t\r":
                self.pos += 1
            elif byte == 0x5C and data[self.pos + 1 : self.pos + 2] == b"\n":  # continuation
                self.pos += 2
            elif byte == 0x0A:
                self.flush(words)
                self.pos += 1
                if heredocs:
                    self.heredoc_bodies(heredocs)
                    heredocs.clear()
            elif byte == 0x23:  # '#' at a word start: a comment or a directive
                self.comment()
            elif closer is not None and byte == closer:
                self.flush(words)
                self.pos += 1
                return
            elif byte in b";&|":
                self.flush(words)
                self.pos += 1
            elif byte == 0x28:  # '(' subshell
                self.flush(words)
                self.pos += 1
                if self.depth < _MAX_DEPTH:
                    self.depth += 1
                    self.script(0x29)
                    self.depth -= 1
            elif byte == 0x29:  # stray ')'
                self.flush(words)
                self.pos += 1
            elif byte in b"<>":
                self.redirect(heredocs)
            else:
                words.append(self.word())
        self.flush(words)
        if closer is not None:
            raise ShellSyntaxError(self.pos, f"missing {chr(closer)!r}")

    def comment(self) -> None:
        """Skip a comment; ``#SBATCH`` at a line start becomes an ``sbatch`` command."""
        data = self.data
        newline = data.find(b"\n", self.pos, self.end)
        stop = self.end if newline < 0 else newline
        line_start = data.rfind(b"\n", 0, self.pos) + 1
        if self.pos == line_start and data.startswith(b"#SBATCH", self.pos):
            head = Word(self.pos, self.pos + 7, "sbatch")
            options: list[SimpleCommand] = []
            with contextlib.suppress(ShellSyntaxError):
                _Lexer(data, self.pos + 7, stop, options, self.depth + 1).run()
            rest = options[0].words if options else ()
            self.commands.append(SimpleCommand((head, *rest)))
        self.pos = stop

    def redirect(self, heredocs: list[tuple[bytes, bool]]) -> None:
        data = self.data
        start = self.pos
        while self.pos < self.end and data[self.pos] in b"<>&|-" and self.pos - start < 3:
            self.pos += 1
        operator = data[start : self.pos]
        while self.pos < self.end and data[self.pos] in b" \t":
            self.pos += 1
        if self.pos >= self.end or data[self.pos] in _METACHARS:
            return
        target = self.word()
        if operator in (b"<<", b"<<-"):
            delimiter = _unquote(target.value).encode("utf-8")
            heredocs.append((delimiter, operator == b"<<-"))

    def heredoc_bodies(self, heredocs: list[tuple[bytes, bool]]) -> None:
        """Read the bodies of the heredocs opened on the line just ended, in order."""
        data = self.data
        for delimiter, strip_tabs in heredocs:
            body = self.pos
            while self.pos < self.end:
                newline = data.find(b"\n", self.pos, self.end)
                stop = self.end if newline < 0 else newline
                line = data[self.pos : stop]
                if (line.lstrip(b"\t") if strip_tabs else line).rstrip(b"\r") == delimiter:
                    self.nested(body, self.pos)
                    self.pos = stop + 1 if newline >= 0 else stop
                    break
                self.pos = stop + 1
            else:
                self.nested(body, self.end)
                raise ShellSyntaxError(body, f"heredoc {delimiter.decode(errors='replace')!r} is not closed")

    def word(self) -> Word:
        data = self.data
        start = self.pos
        while self.pos < self.end:
            byte = data[self.pos]
            if byte in _METACHARS:
                break
            if byte == 0x5C:  # backslash
                self.pos += 2
            elif byte == 0x27:  # single quote
                close = data.find(b"'", self.pos + 1, self.end)
                if close < 0:
                    raise ShellSyntaxError(self.pos, "unterminated single quote")
                self.pos = close + 1
            elif byte == 0x22:  # double quote
                self.double_quoted()
            elif byte == 0x60:  # backtick
                self.backtick()
            elif byte == 0x24:  # '$'
                self.dollar()
            else:
                self.pos += 1
        self.pos = min(self.pos, self.end)
        raw = data[start : self.pos].decode("utf-8", errors="replace")
        return Word(start, self.pos, _unquote(raw))

    def double_quoted(self) -> None:
        data = self.data
        start = self.pos
        self.pos += 1
        while self.pos < self.end:
            byte = data[self.pos]
            if byte == 0x5C:
                self.pos += 2
            elif byte == 0x22:
                self.pos += 1
                return
            elif byte == 0x60:
                self.backtick()
            elif byte == 0x24:
                self.dollar()
            else:
                self.pos += 1
        raise ShellSyntaxError(start, "unterminated double quote")

    def backtick(self) -> None:
        data = self.data
        start = self.pos
        close = self.pos + 1
        while close < self.end and data[close] != 0x60:
            close += 2 if data[close] == 0x5C else 1
        if close >= self.end:
            raise ShellSyntaxError(start, "unterminated backtick")
        self.nested(start + 1, close)
        self.pos = close + 1

    def dollar(self) -> None:
        """``$(( ))`` arithmetic, ``$( )`` substitution, ``${ }`` expansion, or a plain ``$``."""
        data = self.data
        nxt = data[self.pos + 1 : self.pos + 2]
        if data.startswith(b"$((", self.pos):
            depth, self.pos = 0, self.pos + 1
            while self.pos < self.end:
                if data[self.pos] == 0x28:
                    depth += 1
                elif data[self.pos] == 0x29:
                    depth -= 1
                    if depth == 0:
                        self.pos += 1
                        return
                self.pos += 1
            raise ShellSyntaxError(self.pos, "unterminated $((")
        if nxt == b"(":
            self.pos += 2
            if self.depth >= _MAX_DEPTH:
                raise ShellSyntaxError(self.pos, "substitutions nested too deeply")
            self.depth += 1
            self.script(0x29)
            self.depth -= 1
        elif nxt == b"{":
            start = self.pos
            self.pos += 2
            while self.pos < self.end:
                byte = data[self.pos]
                if byte == 0x7D:
                    self.pos += 1
                    return
                if byte == 0x5C:
                    self.pos += 2
                elif byte == 0x22:
                    self.double_quoted()
                elif byte == 0x27:
                    close = data.find(b"'", self.pos + 1, self.end)
                    self.pos = self.end if close < 0 else close + 1
                elif byte == 0x24:
                    self.dollar()
                elif byte == 0x60:
                    self.backtick()
                else:
                    self.pos += 1
            raise ShellSyntaxError(start, "unterminated ${")
        else:
            self.pos += 1


def tokenize(data: bytes, start: int = 0, end: int | None = None) -> ShellTokens:
    """The simple commands of ``data[start:end]``, nested ones (substitutions, heredocs) included."""
    commands: list[SimpleCommand] = []
    lexer = _Lexer(data, start, len(data) if end is None else end, commands)
    try:
        lexer.run()
    except ShellSyntaxError as error:
        return ShellTokens(tuple(commands), error)
    return ShellTokens(tuple(commands))


@dataclass(slots=True)
class Sites:
    """Collects one file's findings; shared by the shell, Dockerfile and YAML frontends.

    Findings take the file's language (a Dockerfile's ENV is a Dockerfile finding, whatever
    family answered it), and a site found twice (a word seen as an image and as a path) counts once.
    """

    path: str
    language: str
    lines: LineIndex
    tables: MappingTables
    findings: list[Finding] = field(default_factory=list)
    seen: set[tuple[int, int, str]] = field(default_factory=set)

    def add(
        self,
        entry: MappingEntry,
        start: int,
        end: int,
        symbol: str,
        edits: dict[str, tuple[Edit, ...]] | None = None,
        notes: dict[str, str] | None = None,
    ) -> None:
        """A site over ``[start, end)``, once per family; ``notes`` add to the plans' notes, per
        target."""
        key = (start, end, entry.family)
        if key in self.seen:
            return
        self.seen.add(key)
        edits = replace_everywhere(start, end, entry) if edits is None else edits
        self.record(entry, start, end, symbol, edits, notes)

    def record(
        self,
        entry: MappingEntry,
        start: int,
        end: int,
        symbol: str,
        edits: dict[str, tuple[Edit, ...]],
        notes: dict[str, str] | None,
    ) -> None:
        """Keep one new site as a finding of this file."""
        finding = make_finding(
            entry, path=self.path, lines=self.lines, start=start, end=end, symbol=symbol, edits=edits
        )
        if notes:
            plans = {
                t: dataclasses.replace(p, note=with_note(p.note, notes.get(t))) for t, p in finding.targets.items()
            }
            finding = dataclasses.replace(finding, targets=plans)
        # Python a command runs stays Python (porter.frontends.inline_python).
        language = finding.language if finding.language == inline_python.LANGUAGE else self.language
        self.findings.append(dataclasses.replace(finding, language=language))

    def env_name(self, name: str, start: int, value: Written | None = None) -> None:
        """A variable name being set or read at ``start``; when set, ``value`` is what it is set
        to, which a target with values of its own (an architecture list) rewrites too."""
        entry = self.tables.lookup("env", name)
        if entry is not None:
            end = start + len(name.encode("utf-8"))
            edits = replace_everywhere(start, end, entry)
            value_edits, notes = value_plans(entry, value)
            for target, edit in value_edits.items():
                if target in edits:
                    edits[target] = (*edits[target], edit)
            self.add(entry, start, end, name, edits, notes)

    def env_assignment(self, prefix: str, name: str, start: int, end: int) -> None:
        """A ``NAME=value`` word over ``[start, end)`` whose ``NAME=`` is ``prefix``."""
        self.env_name(name, start, assignment_value(self.lines.data, start, end, prefix))

    def env_refs(self, data: bytes, start: int, end: int) -> None:
        """Every ``$NAME`` / ``${NAME}`` in ``data[start:end]``."""
        for match in _ENV_REF.finditer(data, start, end):
            self.env_name(match.group(1).decode("ascii"), match.start(1))

    def paths(self, data: bytes, start: int, end: int) -> None:
        """Absolute paths in ``data[start:end]``: the longest prefix the ``path`` family knows."""
        for match in _PATH.finditer(data, start, end):
            text = match.group().decode("utf-8", errors="replace").rstrip("/")
            if text.startswith("//"):
                continue
            best: tuple[str, MappingEntry] | None = None
            cut = 0
            while cut >= 0:
                cut = text.find("/", cut + 1)
                prefix = text if cut < 0 else text[:cut]
                entry = self.tables.lookup("path", prefix)
                if entry is not None:
                    best = (prefix, entry)
            if best is not None:
                prefix, entry = best
                at = match.start()
                self.add(entry, at, at + len(prefix.encode("utf-8")), prefix)

    def image(self, value: str, start: int) -> bool:
        """A container image reference whose text starts at byte ``start``."""
        for scheme in ("docker://", "docker-daemon:"):
            if value.startswith(scheme):
                value, start = value[len(scheme) :], start + len(scheme)
        entry = self.tables.lookup("image", value)
        if entry is None:
            return False
        self.add(entry, start, start + len(value.encode("utf-8")), value)
        return True

    def result(self, status: FileStatus = "scanned", note: str | None = None) -> FileResult:
        return FileResult(
            path=self.path,
            language=self.language,
            status=status,
            lines=self.lines.line_count,
            note=note,
            findings=sorted_findings(self.findings),
        )


def _expanded(data: bytes, word: Word) -> list[tuple[int, int]]:
    """The parts of a word the shell expands ``$`` in: all of it but single-quoted text."""
    parts: list[tuple[int, int]] = []
    start, pos, double = word.start, word.start, False
    while pos < word.end:
        byte = data[pos]
        if byte == 0x5C:
            pos += 2
            continue
        if byte == 0x22:
            double = not double
        elif byte == 0x27 and not double:
            close = data.find(b"'", pos + 1, word.end)
            parts.append((start, pos))
            pos = word.end if close < 0 else close + 1
            start = pos
            continue
        pos += 1
    parts.append((start, word.end))
    return [(s, e) for s, e in parts if e > s]


def _lookup(tables: MappingTables, key: str, kinds: tuple[str, ...]) -> MappingEntry | None:
    entry = tables.lookup(LANGUAGE, key)
    return entry if entry is not None and entry.kind in kinds else None


def _literal(word: Word, data: bytes) -> bool:
    """Whether the word's bytes are exactly its value (no quotes or escapes to keep)."""
    return data[word.start : word.end] == word.value.encode("utf-8")


def scan_commands(tokens: ShellTokens, data: bytes, sites: Sites) -> None:
    """Find every site in already tokenized commands (a script, or a Dockerfile RUN body)."""
    for command in tokens.commands:
        scan_command(command.words, data, sites)


def scan_command(words: tuple[Word, ...], data: bytes, sites: Sites) -> None:
    """Every site of one simple command: variables, paths, images, options and tools."""
    tables = sites.tables
    for word in words:
        for start, end in _expanded(data, word):
            sites.env_refs(data, start, end)
        sites.paths(data, word.start, word.end)
        if _literal(word, data) or data[word.start : word.start + 1] in (b'"', b"'"):
            offset = word.start + (0 if _literal(word, data) else 1)
            sites.image(word.value, offset)
    index = _command_start(words, sites)
    if index >= len(words):
        return
    name = PurePosixPath(words[index].value).name or words[index].value
    index, name = _pip_runner(words, index, name)
    if name in _DECLARERS:
        for word in words[index + 1 :]:
            match = _ASSIGNMENT.match(word.value) or _NAME.fullmatch(word.value)
            if match and not word.value.startswith("-"):
                if match.re is _ASSIGNMENT:
                    sites.env_assignment(match.group(), match.group(1), word.start, word.end)
                else:
                    sites.env_name(word.value, word.start)
        return
    _arguments(words, index, name, sites)
    if name not in _SHELLS:
        _launched_script(words, index, sites)
    inline_python.scan(words, index, name, data, sites)
    if name in _PRINTERS:
        return  # their words are text: "echo nvidia-smi" runs nothing
    for at in range(index, len(words)):
        if _tool(words, at, tables, sites):
            break


def _command_start(words: tuple[Word, ...], sites: Sites) -> int:
    """The index of the command a simple command runs, past what only sets up its run: the
    ``NAME=value`` assignments (sites of their own), and the wrappers with their options
    (``sudo -E``, ``time``, ``nice -n 5``, ``env -i NAME=value``)."""
    index = 0
    while index < len(words):
        word = words[index]
        if match := _ASSIGNMENT.match(word.value):
            sites.env_assignment(match.group(), match.group(1), word.start, word.end)
            index += 1
        elif (takes := _WRAPPERS.get(PurePosixPath(word.value).name)) is not None:
            index += 1
            while index < len(words) and words[index].value.startswith("-"):
                index += 2 if words[index].value in takes else 1
        else:
            break
    return index


def _pip_runner(words: tuple[Word, ...], index: int, name: str) -> tuple[int, str]:
    """``python -m pip install ...`` and ``uv pip install ...`` read as ``pip install ...``."""
    values = [w.value for w in words[index + 1 : index + 3]]
    if _PYTHON.fullmatch(name) and len(values) == 2 and values[0] == "-m" and values[1] in _PIPS:
        return index + 2, values[1]
    if name == "uv" and values[:1] == ["pip"]:
        return index + 1, "pip"
    return index, name


def _arguments(words: tuple[Word, ...], index: int, name: str, sites: Sites) -> None:
    """Options and positional words of one command, keyed ``cmd [sub] --opt=value`` / ``cmd [sub] word``."""
    rest = words[index + 1 :]
    # The subcommand: the first word that is no option (apt-get --yes install ...).
    at = next((i for i, w in enumerate(rest) if not w.value.startswith("-")), None)
    sub = rest[at].value if at is not None else None
    prefixes = [f"{name} {sub}", name] if sub else [name]
    skip_next = False
    for position, word in enumerate(rest):
        if skip_next:
            skip_next = False
            continue
        if position == at and position:
            continue  # the subcommand itself, after options that took no argument
        value = word.value
        if value.startswith("-") and len(value) > 1:
            option, equals, argument = value.partition("=")
            end = word.end
            following = rest[position + 1] if position + 1 < len(rest) else None
            if not equals and following is not None and not following.value.startswith("-"):
                argument, end = following.value, following.end
            keys = [f"{p} {option}={argument}" if argument else f"{p} {option}" for p in prefixes]
            if _option_or_word(keys, word.start, end, sites):
                skip_next = end != word.end
            elif option in _ENV_OPTIONS and (assigned := _ASSIGNMENT.match(argument)):
                sites.env_name(assigned.group(1), end - len(argument.encode("utf-8")))
            elif _SCRIPT_OPTION.fullmatch(option) and name in _SHELLS and following is not None and not equals:
                _inline_script(following, sites)
            continue
        if position or sub is None:
            found = _option_or_word([f"{p} {value}" for p in prefixes], word.start, word.end, sites)
            if not found and name in _PIPS and sub == "install":
                _requirement(word, sites)


def _requirement(word: Word, sites: Sites) -> None:
    """A package named on a ``pip install`` line, answered by the requirements data (``pip``).

    Only reported: a requirement inside a script carries versions, URLs and extras that the
    requirements frontend owns, so no edit is offered here.
    """
    value = word.value
    egg = value.partition("#egg=")[2]
    if egg:
        value = egg
    elif "://" in value:
        value = PurePosixPath(value.split("://", 1)[1].split("@", 1)[0].split("#", 1)[0]).name
        value = value.removesuffix(".git")
    match = _REQUIREMENT.match(value)
    if match is None:
        return
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    keys = [name + match.group(2).lower(), name] if match.group(2) else [name]
    for key in keys:
        entry = sites.tables.lookup("pip", key)
        if entry is not None:
            sites.add(entry, word.start, word.end, key, {})
            return


def _launched_script(words: tuple[Word, ...], index: int, sites: Sites) -> None:
    """``srun bash -c "script"``, ``docker run img sh -lc "..."``: a shell a launcher runs, with
    its script string, is read like the shell's own ``-c``."""
    for at in range(index + 1, len(words) - 2):
        shell = PurePosixPath(words[at].value).name
        if shell in _SHELLS and _SCRIPT_OPTION.fullmatch(words[at + 1].value):
            _inline_script(words[at + 2], sites)
            return


def _inline_script(word: Word, sites: Sites) -> None:
    """``bash -c "script"``: the string is a script of its own, scanned where its bytes are."""
    data = sites.lines.data
    start, end = word.start, word.end
    if end - start >= 2 and data[start] in b"\"'" and data[end - 1] == data[start]:
        start, end = start + 1, end - 1
    with inline_python.nested(data, word.start, word.end):
        scan_commands(tokenize(data, start, end), data, sites)


def _option_or_word(keys: list[str], start: int, end: int, sites: Sites) -> bool:
    """The first key the data answers (most specific first) becomes a site over ``[start, end)``."""
    for key in keys:
        entry = _lookup(sites.tables, key, ("flag", "package"))
        if entry is not None:
            sites.add(entry, start, end, key)
            return True
    return False


def _tool(words: tuple[Word, ...], at: int, tables: MappingTables, sites: Sites) -> bool:
    """A vendor tool run at ``words[at]``: ``tool args`` exact, ``tool *`` or bare ``tool``."""
    word = words[at]
    name = PurePosixPath(word.value).name
    if not name or not _literal(word, sites.lines.data):
        return False
    args = words[at + 1 :]
    if args:
        full = f"{name} {' '.join(a.value for a in args)}"
        entry = _lookup(tables, full, ("command",))
        if entry is not None and entry.match == "exact":
            sites.add(entry, word.start, args[-1].end, full, _no_edit_for_paths(word, name))
            return True
        entry = _lookup(tables, f"{name} *", ("command",))
    else:
        entry = _lookup(tables, name, ("command",))
    if entry is None:
        return False
    sites.add(entry, word.start, word.end, f"{name} *" if args else name, _no_edit_for_paths(word, name))
    return True


def _no_edit_for_paths(word: Word, name: str) -> dict[str, tuple[Edit, ...]] | None:
    """A tool called by path (/usr/local/cuda/bin/nvcc) is rewritten by the path family alone."""
    return {} if word.value != name else None


class ShellFrontend:
    """sh/bash scripts and Slurm batch scripts."""

    language = LANGUAGE

    def claims(self, path: str, head: bytes) -> bool:
        pure = PurePosixPath(path)
        if pure.suffix in _SUFFIXES:
            return True
        return not pure.suffix and bool(_SHEBANG.match(head))

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        lines = LineIndex(data)
        sites = Sites(path, LANGUAGE, lines, tables)
        tokens = tokenize(data)
        scan_commands(tokens, data, sites)
        if tokens.error is None:
            return sites.result()
        line, _ = lines.position(tokens.error.offset)
        return sites.result(
            "partial", f"shell syntax error at line {line}: {tokens.error}; later lines were not scanned"
        )
