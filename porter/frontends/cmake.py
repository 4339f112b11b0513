"""The CMake frontend: CUDA language, toolkit targets, variables, flags and .cu sources.

The file is tokenized by ``cmake_lexer`` (never matched line by line), then every command is
read in context: the package of ``find_package``, ``set(VAR values)``, target properties with
their values, ``.cu`` sources of the target commands, and otherwise every identifier and flag
inside every argument (generator expressions included). What a site becomes is the mapping
data's answer (``mappings/cmake-*.yaml``); this module only locates sites and shapes edits.

A replacement's ``imports`` are ``find_package(...)`` lines it needs (``roc::hipblas`` needs
``find_package(hipblas REQUIRED)``); each is inserted once per target, after the file's first
``find_package`` (or ``project``) call, unless the file already finds that package.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from porter.frontends.base import LineIndex, make_finding, replace_everywhere, sorted_findings
from porter.frontends.cmake_lexer import Argument, Command, tokenize
from porter.mappings import MappingEntry, MappingTables
from porter.model import Edit, FileResult, Finding

LANGUAGE = "cmake"

#: Identifiers, namespaced ones (``CUDA::cublas``) included.
_IDENT = re.compile(rb"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*(?:::[A-Za-z0-9_]+)*")
#: Compiler flags inside an argument: ``-lineinfo``, ``--use_fast_math``, ``-arch=sm_80``.
_FLAG = re.compile(rb"(?<![A-Za-z0-9_\-])--?[A-Za-z][A-Za-z0-9_\-]*(?:=[^\s;>\",]*)?")
#: Commands whose plain arguments are source files.
_SOURCE_COMMANDS = frozenset({"add_library", "add_executable", "target_sources"})
#: A find_package version (``12``, ``11.8``, ``11.0...12.4``).
_VERSION = re.compile(r"[0-9][0-9.]*(\.\.\.[0-9][0-9.]*)?")
#: Variable references inside prose (message text still names variables that get renamed).
_VARIABLE_REF = re.compile(rb"\$\{([A-Za-z0-9_]+)\}")
#: Commands that set properties, and the keyword that opens their property/value pairs.
_PROPERTY_COMMANDS = {
    "set_target_properties": "PROPERTIES",
    "set_source_files_properties": "PROPERTIES",
    "set_directory_properties": "PROPERTIES",
    "set_tests_properties": "PROPERTIES",
    "set_property": "PROPERTY",
}
#: set() keywords that end a variable's value list.
_SET_KEYWORDS = frozenset({"CACHE", "PARENT_SCOPE"})


@dataclass(slots=True)
class _Collector:
    """The findings of one file, and the find_package lines each target's edits need."""

    path: str
    lines: LineIndex
    tables: MappingTables
    findings: list[Finding] = field(default_factory=list)
    imports: dict[str, list[str]] = field(default_factory=dict)

    def add(
        self,
        entry: MappingEntry,
        start: int,
        end: int,
        symbol: str,
        edits: dict[str, tuple[Edit, ...]] | None = None,
    ) -> None:
        if edits is None:
            edits = replace_everywhere(start, end, entry)
        for target, target_edits in edits.items():
            if target_edits:
                bucket = self.imports.setdefault(target, [])
                bucket.extend(i for i in entry.targets[target].imports if i not in bucket)
        self.findings.append(
            make_finding(
                entry, path=self.path, lines=self.lines, start=start, end=end, symbol=symbol, edits=edits
            )
        )


def _plain(args: tuple[Argument, ...]) -> list[Argument]:
    return [a for a in args if a.kind != "paren"]


def _prose(command: Command) -> set[int]:
    """Indexes of arguments that are documentation text, not code (never scanned)."""
    args = _plain(command.arguments)
    if command.lower == "message":
        return set(range(len(args)))
    skip: set[int] = set()
    if command.lower == "option" and len(args) > 1:
        skip.add(1)
    for index, arg in enumerate(args):
        if arg.value == "DESCRIPTION" and command.lower == "project":
            skip.add(index + 1)
        if arg.value == "CACHE" and command.lower == "set":
            skip.add(index + 2)  # set(VAR value CACHE TYPE "doc string")
    return skip


class CMakeFrontend:
    """CMakeLists.txt and *.cmake files."""

    language = LANGUAGE

    def claims(self, path: str, head: bytes) -> bool:
        name = PurePosixPath(path).name
        return name == "CMakeLists.txt" or name.endswith(".cmake")

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        lines = LineIndex(data)
        tokens = tokenize(data)
        out = _Collector(path, lines, tables)
        found: set[str] = set()
        for command in tokens.commands:
            self._command(command, data, out)
            if command.lower == "find_package" and command.arguments:
                found.add(command.arguments[0].value)
        status, note = "scanned", None
        if tokens.error is not None:
            line, _ = lines.position(tokens.error.offset)
            status = "partial"
            note = f"CMake syntax error at line {line}: {tokens.error}; the rest of the file was not scanned"
        file_edits = _import_edits(tokens.commands, out, found, data)
        return FileResult(
            path=path,
            language=LANGUAGE,
            status=status,
            lines=lines.line_count,
            note=note,
            findings=sorted_findings(out.findings),
            file_edits=file_edits,
        )

    def _command(self, command: Command, data: bytes, out: _Collector) -> None:
        tables = out.tables
        name_end = command.start + len(command.name.encode("utf-8"))
        entry = tables.lookup(LANGUAGE, f"{command.lower}()")
        if entry is not None:
            out.add(entry, command.start, name_end, f"{command.lower}()")
        args = _plain(command.arguments)
        skip = _prose(command)
        if command.lower == "find_package" and args:
            skip.add(0)
            first = args[0]
            entry = tables.lookup(LANGUAGE, f"find_package({first.value})")
            if entry is not None:
                # the version that follows the name is the old package's: it goes with the name
                end = first.value_end
                if len(args) > 1 and _VERSION.fullmatch(args[1].value):
                    end = args[1].end
                    skip.add(1)
                out.add(entry, first.value_start, end, entry.source)
            else:
                skip.discard(0)
        if command.lower == "set" and len(args) > 1:
            entry = tables.lookup(LANGUAGE, f"set({args[0].value})")
            values = []
            for arg in args[1:]:
                if arg.value in _SET_KEYWORDS:
                    break
                values.append(arg)
            if entry is not None and values:
                out.add(entry, args[0].start, values[-1].end, entry.source)
                skip.update(range(len(values) + 1))
        keyword = _PROPERTY_COMMANDS.get(command.lower)
        if keyword is not None:
            skip.update(self._properties(args, keyword, out))
        if command.lower in _SOURCE_COMMANDS:
            skip.update(self._sources(command, args, data, out))
        prose = _prose(command)
        for index, arg in enumerate(args):
            if index in prose:
                self._references(arg, data, out)
            elif index not in skip:
                self._argument(arg, data, out)

    def _references(self, arg: Argument, data: bytes, out: _Collector) -> None:
        """Only the ``${VAR}`` references of a prose argument (a message, a doc string)."""
        for match in _VARIABLE_REF.finditer(data, arg.value_start, arg.value_end):
            name = match.group(1).decode("ascii")
            entry = out.tables.lookup(LANGUAGE, name)
            if entry is not None and entry.kind in ("attribute", "env"):
                out.add(entry, match.start(1), match.end(1), name)

    def _properties(self, args: list[Argument], keyword: str, out: _Collector) -> set[int]:
        """Property/value pairs answered as a whole (``CUDA_ARCHITECTURES 80``); their indexes."""
        done: set[int] = set()
        try:
            index = next(i for i, a in enumerate(args) if a.value == keyword)
        except StopIteration:
            return done
        pairs = range(index + 1, len(args) - 1, 2) if keyword == "PROPERTIES" else [index + 1]
        for at in pairs:
            if at + 1 >= len(args):
                break
            prop, value = args[at], args[at + 1]
            entry = out.tables.lookup(LANGUAGE, f"PROPERTIES {prop.value}")
            if entry is not None:
                out.add(entry, prop.start, value.end, entry.source)
                done.update((at, at + 1))
        return done

    def _sources(
        self, command: Command, args: list[Argument], data: bytes, out: _Collector
    ) -> set[int]:
        """``.cu`` sources: each gets a finding, and a LANGUAGE line inserted after the command."""
        done: set[int] = set()
        entry = out.tables.lookup(LANGUAGE, "*.cu")
        if entry is None:
            return done
        line_start = out.lines.starts[out.lines.line_of(command.start)]
        indent = data[line_start : command.start].decode("utf-8", errors="replace")
        indent = indent if not indent.strip() else ""
        for index, arg in enumerate(args[1:], start=1):
            if not arg.value.endswith(".cu") or "$" in arg.value:
                continue
            eol = _eol(data, command.end)
            edits = {}
            for target, spec in entry.targets.items():
                if spec.replacement is None or spec.status not in ("auto", "review"):
                    continue
                line = spec.replacement.format(source=arg.value)
                if line.encode("utf-8") not in data:  # a ported file has it: porting again adds nothing
                    edits[target] = (Edit(command.end, command.end, f"{eol}{indent}{line}"),)
            out.add(entry, arg.value_start, arg.value_end, arg.value, edits)
            done.add(index)
        return done

    def _argument(self, arg: Argument, data: bytes, out: _Collector) -> None:
        tables = out.tables
        if arg.kind in ("unquoted", "quoted"):
            entry = tables.lookup(LANGUAGE, arg.value)
            if entry is not None and entry.kind in ("include", "package"):
                out.add(entry, arg.value_start, arg.value_end, entry.source)
                return
        covered: list[tuple[int, int]] = []
        for start, end, text in _matches(_FLAG, data, arg):
            entry = tables.lookup(LANGUAGE, text)
            if entry is None and "=" in text:
                name = text.split("=", 1)[0]
                entry = tables.lookup(LANGUAGE, name)
                if entry is not None:
                    end = start + len(name.encode("utf-8"))
            if entry is not None and entry.kind == "flag":
                out.add(entry, start, end, text)
                covered.append((start, end))
        for start, end, text in _matches(_IDENT, data, arg):
            if any(s <= start < e for s, e in covered):
                continue
            entry = tables.lookup(LANGUAGE, text)
            if entry is not None and entry.kind not in ("flag", "pattern", "include", "package"):
                if entry.kind == "function":  # a command key ("cuda_add_library()") never an identifier
                    continue
                out.add(entry, start, end, text)


def _matches(pattern: re.Pattern[bytes], data: bytes, arg: Argument) -> Iterator[tuple[int, int, str]]:
    for match in pattern.finditer(data, arg.value_start, arg.value_end):
        yield match.start(), match.end(), match.group().decode("utf-8", errors="replace")


def _import_edits(
    commands: tuple[Command, ...], out: _Collector, found: set[str], data: bytes
) -> dict[str, tuple[Edit, ...]]:
    """Insert each target's needed find_package lines once, after the first find_package/project."""
    anchor = next((c for c in commands if c.lower == "find_package"), None)
    anchor = anchor or next((c for c in commands if c.lower == "project"), None)
    at = anchor.end if anchor is not None else 0
    indent = ""
    if anchor is not None:
        line_start = out.lines.starts[out.lines.line_of(anchor.start)]
        prefix = data[line_start : anchor.start].decode("utf-8", errors="replace")
        indent = prefix if not prefix.strip() else ""
    edits: dict[str, tuple[Edit, ...]] = {}
    for target, needed in out.imports.items():
        have = set(found)
        for finding in out.findings:
            plan = finding.targets[target]
            if finding.symbol.startswith("find_package(") and plan.edits and plan.replacement:
                have.add(plan.replacement)
        lines = []
        for line in needed:
            parsed = tokenize(line.encode("utf-8")).commands
            package = parsed[0].arguments[0].value if parsed and parsed[0].arguments else line
            if package not in have:
                have.add(package)
                lines.append(line)
        if lines:
            eol = _eol(data, at)
            text = "".join(f"{eol}{indent}{line}" for line in lines)
            edits[target] = (Edit(at, at, text if at else text[len(eol) :] + eol),)
    return edits


def _eol(data: bytes, offset: int) -> str:
    """The line ending of the line holding ``offset``, so an inserted line matches a CRLF file."""
    newline = data.find(b"\n", offset)
    return "\r\n" if newline > 0 and data[newline - 1 : newline] == b"\r" else "\n"
