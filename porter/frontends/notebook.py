"""Jupyter notebooks (``.ipynb``): code cells through the Python frontend, magics read here.

The notebook is read with ``nbformat`` (invalid JSON or an unreadable notebook is an ``error``
result, never an exception). Each code cell's source goes to the Python frontend with its IPython
lines (``!cmd``, ``%magic``, ``%%bash`` cells, ``x = !cmd``, ``obj?``) blanked to spaces of the
same byte length, so offsets stay valid and the cell still parses; those lines are read here:
shell commands and ``%env`` against the shell and env families, ``pip install`` arguments with
the dependency families. Findings carry the cell's index in the notebook's cells list and lines
within the cell.

Porting stays a plain byte rewrite of the file: every cell-relative edit is traced through the
JSON string escapes (``porter.frontends.jsonpos``) to the bytes of the notebook that spell it, so
outputs, metadata and formatting are left byte-identical and the generic edit applier works.
"""

from __future__ import annotations

import bisect
import codecs
import dataclasses
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import nbformat

from porter.frontends import inline_python, jsonpos
from porter.frontends.base import LineIndex, make_finding, sorted_findings
from porter.frontends.deps import DependencyList, Item
from porter.mappings import MappingEntry, MappingTables
from porter.model import Edit, FileResult, Finding, TargetPlan

#: Cell magics whose body is still Python (only their first line is IPython).
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "px", "autopx"})
#: Cell magics whose body is a shell script.
_SHELL_CELL_MAGICS = frozenset({"bash", "sh", "script", "system", "sx"})
_MAGIC_LINE = re.compile(r"[ \t]*(?:[!%]|[\w.,\[\] \t]+=[ \t]*[!%])")
_HELP_LINE = re.compile(r"[ \t]*%?[\w.]+\?\??[ \t]*")
_WORD = re.compile(r"\S+")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
#: Line magics that run a shell command: %pip and %conda keep their word, %sx/%system drop it.
_SHELL_LINE_MAGIC = re.compile(r"[ \t]*%(?:(?=pip\b|conda\b)|(?:sx|system)\b[ \t]*)")
_ENV_MAGIC = re.compile(r"[ \t]*%(?:env|set_env)[ \t]+([A-Za-z_][A-Za-z0-9_]*)(?=[ \t=]|$)")
_PIP_VALUE_OPTIONS = frozenset({"-i", "--index-url", "--extra-index-url", "-f", "--find-links",
                                "-c", "--constraint", "-r", "--requirement", "-e", "--editable"})


@dataclass(frozen=True, slots=True)
class _Cell:
    """One code cell: its index in the notebook's cells list and its source."""

    index: int
    source: str


def _cell_tokens(text: str) -> list[tuple[str, tuple[jsonpos.JString, ...]]] | None:
    """(cell_type, source tokens) per cell in file order, or None when the file cannot be traced."""
    try:
        root = jsonpos.parse(text)
    except (jsonpos.JSONPositionError, RecursionError):
        return None
    cells = jsonpos.member(root, "cells")
    if not isinstance(cells, list):
        return None
    found = []
    for cell in cells:
        kind = jsonpos.member(cell, "cell_type")
        source = jsonpos.member(cell, "source")
        if isinstance(source, jsonpos.JString):
            tokens: tuple[jsonpos.JString, ...] = (source,)
        elif isinstance(source, list) and all(isinstance(s, jsonpos.JString) for s in source):
            tokens = tuple(source)
        else:
            return None
        found.append((kind.value if isinstance(kind, jsonpos.JString) else "", tokens))
    return found


class _ByteOffsets:
    """Character offsets of the notebook text to byte offsets of the file, with checkpoints so
    that many look-ups in a large notebook stay linear."""

    def __init__(self, text: str, base: int = 0) -> None:
        self.text = text
        self.chars = [0]
        self.bytes = [base]

    def __call__(self, char: int) -> int:
        at = bisect.bisect_right(self.chars, char) - 1
        known_char, known_byte = self.chars[at], self.bytes[at]
        byte = known_byte + len(self.text[known_char:char].encode("utf-8"))
        if char != known_char:
            self.chars.insert(at + 1, char)
            self.bytes.insert(at + 1, byte)
        return byte


class _Tracer:
    """Maps edits on one cell's source bytes to edits on the notebook file's bytes."""

    def __init__(self, text: str, tokens: Sequence[jsonpos.JString], to_byte: _ByteOffsets) -> None:
        self.text = text
        self.tokens = tokens
        self.to_byte = to_byte
        self.bases: list[int] = []
        total = 0
        for token in tokens:
            self.bases.append(total)
            total += len(token.value)
        self.length = total
        self.source = "".join(token.value for token in tokens)
        self._offsets: dict[int, list[int]] = {}

    def _raw(self, index: int, local: int) -> int:
        if index not in self._offsets:
            self._offsets[index] = self.tokens[index].raw_offsets(self.text)
        return self._offsets[index][local]

    def _locate(self, char: int, prefer_end: bool) -> int | None:
        """Text offset (characters) of source character ``char``."""
        if not self.tokens or char > self.length:
            return None
        for index in range(len(self.tokens)):
            base = self.bases[index]
            size = len(self.tokens[index].value)
            inside = base <= char < base + size
            at_end = char == base + size and (prefer_end or index == len(self.tokens) - 1)
            if inside or at_end:
                return self._raw(index, char - base)
        return None

    def edit(self, edit: Edit) -> Edit | None:
        source_bytes = self.source.encode("utf-8")
        start = len(source_bytes[: edit.start].decode("utf-8", errors="ignore"))
        end = len(source_bytes[: edit.end].decode("utf-8", errors="ignore"))
        raw_start = self._locate(start, prefer_end=edit.start == edit.end)
        raw_end = self._locate(end, prefer_end=True) if edit.end != edit.start else raw_start
        if raw_start is None or raw_end is None:
            return None
        text = jsonpos.escape(edit.text)
        if edit.start == edit.end and self._splits_lines(start, edit.text):
            # Whole lines inserted after a line break: one array element per line, as Jupyter
            # writes them; the element being extended closes the last one.
            separator = self.text[self.tokens[0].end + 1 : self.tokens[1].start - 1]
            lines = edit.text.splitlines(keepends=True)
            text = "".join(f'"{separator}"{jsonpos.escape(line)}' for line in lines)
        return Edit(self.to_byte(raw_start), self.to_byte(raw_end), text)

    def _splits_lines(self, char: int, inserted: str) -> bool:
        """Whether an insertion of ``inserted`` at source character ``char`` can be written as
        array elements of their own: whole lines, after a line break the source array ends an
        element with, in a source written as several elements."""
        return (
            len(self.tokens) > 1
            and inserted.endswith("\n")
            and char > 0
            and self.source[char - 1] == "\n"
            and any(char == base + len(t.value) for base, t in zip(self.bases, self.tokens, strict=True))
        )


def _blank(line: bytes) -> bytes:
    """A line's bytes as spaces (an indented line becomes ``pass`` so its block stays valid)."""
    content = line.rstrip(b"\r\n")
    ending = line[len(content):]
    indent = len(content) - len(content.lstrip(b" \t"))
    if indent and len(content) - indent >= 4:
        return content[:indent] + b"pass" + b" " * (len(content) - indent - 4) + ending
    return b" " * len(content) + ending


@dataclass(frozen=True, slots=True)
class _ShellLine:
    """A shell command inside a cell: its text and the byte offset of that text in the cell."""

    text: str
    start: int


def split_ipython(source: bytes) -> tuple[bytes, list[_ShellLine], list[tuple[str, int]]]:
    """The cell as plain Python (IPython lines blanked), its shell lines, and its %env names.

    Shell lines are ``!cmd`` escapes, ``x = !cmd`` captures and the body of a ``%%bash`` cell;
    %env names come with their byte offset in the cell.
    """
    lines = source.splitlines(keepends=True)
    python = bytearray()
    shell: list[_ShellLine] = []
    env: list[tuple[str, int]] = []
    offset = 0
    first = lines[0].decode("utf-8", errors="replace").strip() if lines else ""
    cell_magic = first[2:].split()[0] if first.startswith("%%") and len(first) > 2 else None
    continuing = False
    for number, line in enumerate(lines):
        text = line.decode("utf-8", errors="replace")
        content = text.rstrip("\r\n")
        if cell_magic is not None and (number == 0 or cell_magic not in _PYTHON_CELL_MAGICS):
            python += b" " * len(line.rstrip(b"\r\n")) + line[len(line.rstrip(b"\r\n")):]
            if number > 0 and cell_magic in _SHELL_CELL_MAGICS and content.strip():
                lead = len(content) - len(content.lstrip())
                shell.append(_ShellLine(content.strip(), offset + len(content[:lead].encode())))
        elif continuing or _MAGIC_LINE.match(content) or _HELP_LINE.fullmatch(content):
            python += _blank(line)
            env_match = _ENV_MAGIC.match(content)
            if env_match:
                env.append((env_match.group(1), offset + len(content[: env_match.start(1)].encode())))
            bang = content.find("!")
            if not continuing and bang >= 0 and "%" not in content[:bang]:
                command = content[bang + 1 :].strip()
                at = offset + len(content[: bang + 1].encode()) + (
                    len(content[bang + 1 :]) - len(content[bang + 1 :].lstrip())
                )
                shell.append(_ShellLine(command.rstrip("\\").rstrip(), at))
            elif not continuing and (magic := _SHELL_LINE_MAGIC.match(content)):
                command = content[magic.end():]
                at = offset + len(content[: magic.end()].encode())
                shell.append(_ShellLine(command.rstrip("\\").rstrip(), at))
            continuing = content.endswith("\\")
        else:
            python += line
        offset += len(line)
    return bytes(python), shell, env


def _words(text: str) -> list[tuple[str, int, int]]:
    """Whitespace-separated words: (word, its character offset, end of the raw word). Quotes
    around a word are dropped from it but stay inside the raw span."""
    words = []
    for match in _WORD.finditer(text):
        word, at = match.group(), match.start()
        if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
            word, at = word[1:-1], at + 1
        words.append((word, at, match.end()))
    return words


def _pip_items(text: str, start: int, words: list[tuple[str, int, int]]) -> list[Item]:
    """The requirement and option arguments of ``pip install ...`` as dependency Items."""

    def byte(char: int) -> int:
        return start + len(text[:char].encode("utf-8"))

    items = []
    position = 0
    while position < len(words):
        first = position
        word, at, _ = words[position]
        if word in _PIP_VALUE_OPTIONS and position + 1 < len(words):
            position += 1
        elif word.startswith("-") and "=" not in word:
            position += 1
            continue
        value, value_at, raw_end = words[position]
        end = value_at + len(value)
        # Removing an argument takes the space before it (after it, for the first argument).
        if first > 0:
            cut = (words[first - 1][2], raw_end)
        else:
            following = words[position + 1] if position + 1 < len(words) else None
            cut = (_raw_start(text, words[first]), _raw_start(text, following) if following else raw_end)
        items.append(
            Item(
                text=text[at:end],
                start=byte(at),
                removal=Edit(byte(cut[0]), byte(cut[1]), ""),
                before=(byte(_raw_start(text, words[first])), "{} "),
                after=(byte(raw_end), " {}"),
            )
        )
        position += 1
    return items


def _raw_start(text: str, word: tuple[str, int, int]) -> int:
    """Where a word starts in the text, its opening quote included."""
    return word[1] - 1 if word[1] > 0 and text[word[1] - 1] in "'\"" else word[1]


def _pip_arguments(words: list[tuple[str, int, int]]) -> list[tuple[str, int, int]] | None:
    """The words after ``install`` when the command is pip (or python -m pip) install."""
    names = [w for w, _, _ in words]
    for head in (["pip", "install"], ["pip3", "install"], ["uv", "pip", "install"],
                 ["python", "-m", "pip", "install"], ["python3", "-m", "pip", "install"],
                 ["conda", "install"], ["mamba", "install"]):
        if names[: len(head)] == head:
            return words[len(head):] if head[0] not in ("conda", "mamba") else []
    return None


class NotebookFrontend:
    """``.ipynb`` files: nbformat for reading, the Python frontend per code cell."""

    language = "notebook"

    def claims(self, path: str, head: bytes) -> bool:
        return path.lower().endswith(".ipynb")

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        try:
            text = data.decode("utf-8-sig")
            with warnings.catch_warnings():  # nbformat's schema nags (cell ids) would spam stderr
                warnings.simplefilter("ignore")
                notebook = nbformat.reads(text, as_version=4)
        except Exception as exc:  # nbformat raises JSON, schema and conversion errors alike
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return FileResult(path, self.language, "error", note=f"invalid notebook: {reason}")
        notes: list[str] = []
        traced = _cell_tokens(text)
        cells = notebook.get("cells", [])
        if traced is None or len(traced) != len(cells) or any(
            "".join(t.value for t in tokens) != cell.get("source", "")
            for (_, tokens), cell in zip(traced, cells, strict=False)
        ):
            traced = None
            notes.append("cell sources could not be traced in the file: findings listed, not rewritten")
        to_byte = _ByteOffsets(text, len(data) - len(data.removeprefix(codecs.BOM_UTF8)))
        code = [_Cell(i, c.get("source", "")) for i, c in enumerate(cells) if c.get("cell_type") == "code"]
        python = _python_by_cell(path, code, tables)
        findings: list[Finding] = []
        file_edits: dict[str, list[Edit]] = {}
        for cell in code:
            tokens = traced[cell.index][1] if traced is not None else None
            found, edits, note = self._cell(path, cell, tables, python.get(cell.index))
            tracer = _Tracer(text, tokens, to_byte) if tokens is not None else None
            findings.extend(_traced(found, tracer))
            for target, cell_edits in edits.items():
                kept = file_edits.setdefault(target, [])
                for edit in cell_edits:
                    mapped = tracer.edit(edit) if tracer else None
                    if mapped is not None and all(e.text != mapped.text for e in kept):
                        kept.append(mapped)
            if note:
                notes.append(f"cell {cell.index}: {note}")
        return FileResult(
            path=path,
            language=self.language,
            status="partial" if notes else "scanned",
            lines=LineIndex(data).line_count,
            note="; ".join(notes) or None,
            findings=sorted_findings(findings),
            file_edits={t: tuple(e) for t, e in file_edits.items() if e},
        )

    def _cell(self, path: str, cell: _Cell, tables: MappingTables, result: FileResult | None
              ) -> tuple[list[Finding], dict[str, tuple[Edit, ...]], str | None]:
        """Findings (edits relative to the cell source), file-level edits and a note, for one
        cell; ``result`` is what the Python frontend found in the cell."""
        source = cell.source.encode("utf-8")
        _, shell, env = split_ipython(source)
        lines = LineIndex(source)
        findings: list[Finding] = []
        note = None
        file_edits: dict[str, tuple[Edit, ...]] = {}
        if result is not None:
            findings.extend(dataclasses.replace(f, cell=cell.index) for f in result.findings)
            file_edits = dict(result.file_edits)
            if result.status in ("error", "partial") and result.note:
                note = result.note
        for name, at in env:
            entry = tables.lookup("env", name)
            if entry is not None:
                findings.append(self._replace(entry, path, lines, at, at + len(name.encode()), name, cell))
        for line in shell:
            findings.extend(self._shell(path, lines, line, cell, tables))
            end = line.start + len(line.text.encode("utf-8"))
            inline = inline_python.notebook_line(path, source, line.start, end, tables)
            findings.extend(dataclasses.replace(f, cell=cell.index) for f in inline)
        return findings, file_edits, note

    def _replace(self, entry: MappingEntry, path: str, lines: LineIndex, start: int, end: int,
                 symbol: str, cell: _Cell) -> Finding:
        edits = {
            target: (Edit(start, end, spec.replacement),)
            for target, spec in entry.targets.items()
            if spec.replacement is not None and spec.status in ("auto", "review")
        }
        return make_finding(entry, path=path, lines=lines, start=start, end=end, symbol=symbol,
                            edits=edits, cell=cell.index)

    def _shell(self, path: str, lines: LineIndex, line: _ShellLine, cell: _Cell,
               tables: MappingTables) -> Iterable[Finding]:
        words = _words(line.text)

        def byte(char: int) -> int:
            return line.start + len(line.text[:char].encode("utf-8"))

        while words and (words[0][0] == "export" or _ASSIGNMENT.match(words[0][0])):
            word, at, _ = words.pop(0)
            assignment = _ASSIGNMENT.match(word)
            if assignment:
                name = assignment.group(1)
                entry = tables.lookup("env", name)
                if entry is not None:
                    yield self._replace(entry, path, lines, byte(at), byte(at + len(name)), name, cell)
        if not words:
            return
        arguments = _pip_arguments(words)
        if arguments is not None:
            items = _pip_items(line.text, line.start, arguments)
            yield from DependencyList(path, lines, tables, cell=cell.index).findings(items)
            return
        tool, at, _ = words[0]
        rest = line.text[at + len(tool):].strip()
        end = len(line.text.rstrip())
        keys = [(f"{tool} {rest}", end), (f"{tool} *", at + len(tool))] if rest else []
        keys.append((tool, at + len(tool) if rest else end))
        for key, stop in keys:
            entry = tables.lookup("shell", key)
            if entry is not None:
                yield self._replace(entry, path, lines, byte(at), byte(stop), key, cell)
                return


def _python_result(path: str, python: bytes, tables: MappingTables) -> FileResult | None:
    """The Python frontend's result for some Python, or None where there is no frontend."""
    try:
        from porter.frontends.python import PythonFrontend
    except ImportError:
        return None
    try:
        return PythonFrontend().analyze(path, python, tables)
    except Exception as exc:  # one cell's crash must not cost the other cells
        return FileResult(path, "python", "error", note=f"{type(exc).__name__}: {exc}")


def _python_by_cell(path: str, cells: Sequence[_Cell], tables: MappingTables
                    ) -> dict[int, FileResult]:
    """The Python frontend's findings per cell, with cell-relative lines and edits.

    The cells run as one program (an import in the first cell names what later cells use), so
    they are analysed as one module and the findings split back by line; when that module does
    not parse (one broken cell), each cell is analysed alone instead.
    """
    blanked = [split_ipython(cell.source.encode("utf-8"))[0] for cell in cells]
    parts = [b if b.endswith(b"\n") or not b else b + b"\n" for b in blanked]
    whole = _python_result(path, b"".join(parts), tables)
    if whole is None:
        return {}
    if whole.status == "error":
        results = {}
        for cell, python in zip(cells, blanked, strict=True):
            result = _python_result(path, python, tables)
            if result is not None:
                results[cell.index] = result
        return results
    results = {}
    start, first_line = 0, 1
    for cell, part in zip(cells, parts, strict=True):
        end, lines = start + len(part), part.count(b"\n")
        inside = [
            _shifted(f, first_line, start) for f in whole.findings
            if first_line <= f.span.line < first_line + lines
        ]
        edits = {
            target: tuple(Edit(e.start - start, e.end - start, e.text) for e in file_edits
                          if start <= e.start and e.end <= end)
            for target, file_edits in whole.file_edits.items()
        }
        results[cell.index] = FileResult(path, "python", whole.status, findings=tuple(inside),
                                         file_edits={t: e for t, e in edits.items() if e})
        start, first_line = end, first_line + lines
    return results


def _shifted(finding: Finding, first_line: int, start: int) -> Finding:
    """A finding of the joined module moved to its cell: lines and edit offsets made relative."""
    span = dataclasses.replace(
        finding.span,
        line=finding.span.line - first_line + 1,
        end_line=max(finding.span.end_line - first_line + 1, 1),
    )
    targets = {
        target: dataclasses.replace(
            plan, edits=tuple(Edit(e.start - start, e.end - start, e.text) for e in plan.edits)
        )
        for target, plan in finding.targets.items()
    }
    return dataclasses.replace(finding, span=span, targets=targets)


def _traced(findings: Iterable[Finding], tracer: _Tracer | None) -> Iterable[Finding]:
    """The findings with their cell-relative edits moved onto the notebook's bytes.

    A target whose edits cannot all be traced keeps its status and note but loses its edits,
    so a port never applies half a change.
    """
    for finding in findings:
        targets = {}
        for target, plan in finding.targets.items():
            mapped = [tracer.edit(e) for e in plan.edits] if tracer else []
            edits = tuple(e for e in mapped if e is not None)
            if len(edits) != len(plan.edits):
                edits = ()
            targets[target] = TargetPlan(plan.status, plan.replacement, plan.note, edits)
        yield dataclasses.replace(finding, targets=targets)
