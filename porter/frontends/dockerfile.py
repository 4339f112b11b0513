"""The Dockerfile frontend: base images, ENV/ARG settings and RUN scripts.

A Dockerfile is split into instructions first, the way BuildKit reads it: parser directives
(``# escape=``), comment lines, line continuations (comment and blank lines inside a
continuation are skipped) and heredocs (``RUN <<EOF ... EOF``; the body belongs to the
instruction and is never read as instructions). Then each instruction is read for what it is:
- ``FROM [--platform=...] image [AS stage]``: the image (family language ``image``)
- ``ENV``/``ARG``: variable names (``env``), paths and ``$VAR`` references in values
- ``RUN``/``CMD``/``ENTRYPOINT`` (shell or JSON exec form, heredocs included): scanned by the
  shell frontend's finders, so ``nvcc``, ``nvidia-smi``, pip index URLs ... are found as in scripts
- anything else: paths and ``$VAR`` references, and images named by ``--from=``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from porter.frontends.archvalue import Written, shell_value
from porter.frontends.base import LineIndex
from porter.frontends.shell import Sites, Word, scan_command, scan_commands, tokenize
from porter.mappings import MappingTables
from porter.model import FileResult

LANGUAGE = "dockerfile"

_DIRECTIVE = re.compile(rb"#[ \t]*([A-Za-z]+)[ \t]*=[ \t]*(\S+)[ \t]*$")
_KEYWORD = re.compile(rb"[A-Za-z]+")
_HEREDOC = re.compile(rb"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*)=")
_SCRIPTS = frozenset({"RUN", "CMD", "ENTRYPOINT"})
_VARIABLES = frozenset({"ENV", "ARG"})


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction: ``args`` spans its arguments, ``end`` is past its heredoc bodies."""

    keyword: str
    start: int
    args_start: int
    args_end: int
    end: int


@dataclass(frozen=True, slots=True)
class DockerTokens:
    instructions: tuple[Instruction, ...]
    escape: bytes = b"\\"
    error: str | None = None


def _line_end(data: bytes, pos: int) -> int:
    newline = data.find(b"\n", pos)
    return len(data) if newline < 0 else newline


def _start(data: bytes) -> int:
    """Where the instructions begin: past a UTF-8 BOM, which BuildKit skips as well."""
    return 3 if data.startswith(b"\xef\xbb\xbf") else 0


def _escape(data: bytes) -> bytes:
    """The escape character from the parser directives at the top of the file (default ``\\``)."""
    pos = _start(data)
    while pos < len(data):
        end = _line_end(data, pos)
        match = _DIRECTIVE.match(data[pos:end].rstrip(b"\r"))
        if match is None:
            break
        if match.group(1).lower() == b"escape" and match.group(2) in (b"\\", b"`"):
            return match.group(2)
        pos = end + 1
    return b"\\"


def tokenize_dockerfile(data: bytes) -> DockerTokens:
    """Split a Dockerfile into instructions (see the module docstring for the rules)."""
    escape = _escape(data)
    out: list[Instruction] = []
    pos = _start(data)
    size = len(data)
    while pos < size:
        end = _line_end(data, pos)
        line = data[pos:end]
        stripped = line.strip()
        if not stripped or stripped.startswith(b"#"):
            pos = end + 1
            continue
        start = pos + (len(line) - len(line.lstrip()))
        keyword = _KEYWORD.match(data, start)
        if keyword is None:
            line_number = data.count(b"\n", 0, pos) + 1
            return DockerTokens(tuple(out), escape, f"line {line_number}: not an instruction")
        args_start = keyword.end()
        while args_start < end and data[args_start] in b" \t":
            args_start += 1
        args_end = end
        while data[pos:end].rstrip().endswith(escape) and end < size:
            pos = end + 1
            end = _line_end(data, pos)
            while end < size and (not data[pos:end].strip() or data[pos:end].lstrip().startswith(b"#")):
                pos = end + 1
                end = _line_end(data, pos)
            args_end = end
        name = keyword.group().decode("ascii").upper()
        finish = args_end
        if name in ("RUN", "COPY", "ADD"):
            finish, error = _heredocs(data, args_start, args_end)
            if error:
                out.append(Instruction(name, start, args_start, args_end, finish))
                return DockerTokens(tuple(out), escape, error)
        out.append(Instruction(name, start, args_start, args_end, finish))
        pos = finish + 1
    return DockerTokens(tuple(out), escape)


def _heredocs(data: bytes, args_start: int, args_end: int) -> tuple[int, str | None]:
    """Skip the bodies of the heredocs an instruction opens; the offset of its last line's end."""
    finish = args_end
    for match in _HEREDOC.finditer(data, args_start, args_end):
        strip_tabs, delimiter = match.group(1) == b"-", match.group(3)
        pos = finish + 1
        while True:
            if pos > len(data):
                return len(data), f"heredoc {delimiter.decode()!r} is not closed"
            end = _line_end(data, pos)
            line = data[pos:end].rstrip(b"\r")
            if (line.lstrip(b"\t") if strip_tabs else line) == delimiter:
                finish = end
                break
            pos = end + 1
    return finish, None


def _exec_words(data: bytes, start: int, end: int) -> tuple[Word, ...] | None:
    """The strings of a JSON exec form (``["nvidia-smi", "-L"]``), or None if it is not one."""
    text = data[start:end].strip()
    if not text.startswith(b"["):
        return None
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        return None
    words = [  # spans inside the quotes, so a one-word replacement keeps the JSON valid
        Word(m.start() + 1, m.end() - 1, json.loads(m.group()))
        for m in _JSON_STRING.finditer(data, start, end)
    ]
    return tuple(words) if len(words) == len(values) else None


class DockerfileFrontend:
    """Dockerfile, Dockerfile.*, *.dockerfile and Containerfile."""

    language = LANGUAGE

    def claims(self, path: str, head: bytes) -> bool:
        name = PurePosixPath(path).name
        lower = name.lower()
        return (
            name in ("Dockerfile", "Containerfile")
            or name.startswith(("Dockerfile.", "Containerfile."))
            or lower.endswith((".dockerfile", ".containerfile"))
        )

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        lines = LineIndex(data)
        sites = Sites(path, LANGUAGE, lines, tables)
        tokens = tokenize_dockerfile(data)
        notes = []
        for instruction in tokens.instructions:
            problem = self._instruction(instruction, data, sites, tokens.escape)
            if problem and problem not in notes:
                notes.append(problem)
        if tokens.error:
            notes.insert(0, f"{tokens.error}; later lines were not scanned")
        status = "partial" if notes else "scanned"
        return sites.result(status, "; ".join(notes) or None)

    def _instruction(self, ins: Instruction, data: bytes, sites: Sites, escape: bytes) -> str | None:
        """Find the sites of one instruction; a reason when part of it could not be read."""
        start, end = ins.args_start, ins.end
        if ins.keyword in _SCRIPTS:
            words = _exec_words(data, start, ins.args_end)
            if words is not None:
                before = len(sites.findings)
                scan_command(words, data, sites)
                _single_word_edits(sites, before, data)
                return None
            if escape != b"\\":
                sites.env_refs(data, start, end)
                sites.paths(data, start, end)
                return "escape directive is not '\\': RUN lines scanned for paths and variables only"
            script = tokenize(data, _skip_flags(data, start, ins.args_end), end)
            scan_commands(script, data, sites)
            if script.error is not None:
                line, _ = sites.lines.position(script.error.offset)
                return f"{ins.keyword} at line {line}: {script.error}"
            return None
        if escape == b"\\":
            flat = [w for command in tokenize(data, start, end).commands for w in command.words]
        else:
            flat = _plain_words(data, start, end, escape)
        for word in flat:
            sites.env_refs(data, word.start, word.end)
            sites.paths(data, word.start, word.end)
            if word.value.startswith("--from="):
                sites.image(word.value[7:], word.start + 7)
        if ins.keyword == "FROM":
            image = next((w for w in flat if not w.value.startswith("--")), None)
            if image is not None and data[image.start : image.end] == image.value.encode("utf-8"):
                sites.image(image.value, image.start)
        elif ins.keyword in _VARIABLES:
            self._variables(flat, sites)
        return None

    def _variables(self, words: list[Word], sites: Sites) -> None:
        """``ENV A=1 B=2`` / ``ARG A=1``, or the legacy ``ENV NAME value with spaces``."""
        data = sites.lines.data
        if words and "=" not in words[0].value:
            sites.env_name(words[0].value, words[0].start, _legacy_value(data, words[1:]))
            return
        for word in words:
            match = _ASSIGNMENT.match(word.value)
            if match is not None:
                head = word.start + len(match.group().encode("utf-8"))
                value = None
                if data[word.start : head] == match.group().encode("utf-8"):
                    value = shell_value(data, head, _value_end(data, word.end))
                sites.env_name(match.group(1), word.start, value)


def _value_end(data: bytes, end: int) -> int:
    """Where a value ends: at a blank. The words come from the shell's tokenizer, which ends
    them at ``;`` too; an ENV value does not end there (``ENV A=8.0;9.0``)."""
    while end < len(data) and data[end] not in b" \t\r\n":
        end += 1
    return end


def _legacy_value(data: bytes, words: list[Word]) -> Written | None:
    """The value of ``ENV NAME value with spaces``: the rest of the instruction."""
    if not words:
        return None
    end = _value_end(data, words[-1].end)
    if len(words) == 1:
        return shell_value(data, words[0].start, end)
    raw = data[words[0].start : end]
    exact = not any(byte in b"\"'\\`\n" for byte in raw)
    return Written(raw.decode("utf-8", "replace"), words[0].start, end, exact=exact)


def _single_word_edits(sites: Sites, since: int, data: bytes) -> None:
    """In a JSON exec form an edit may not span several strings (it would merge arguments)."""
    for index in range(since, len(sites.findings)):
        finding = sites.findings[index]
        plans = finding.targets
        if any(b'"' in data[e.start : e.end] for p in plans.values() for e in p.edits):
            sites.findings[index] = dataclasses.replace(
                finding,
                targets={t: dataclasses.replace(p, edits=()) for t, p in plans.items()},
            )


def _plain_words(data: bytes, start: int, end: int, escape: bytes) -> list[Word]:
    """Whitespace-separated words for files whose escape character is not a backslash."""
    return [
        Word(m.start(), m.end(), m.group().decode("utf-8", errors="replace"))
        for m in re.finditer(rb"\S+", data[:end])
        if m.start() >= start and m.group() != escape
    ]


def _skip_flags(data: bytes, start: int, end: int) -> int:
    """Past ``RUN --mount=... --network=...`` flags, where the script itself starts."""
    pos = start
    while pos < end and data.startswith(b"--", pos):
        while pos < end and data[pos] not in b" \t\r\n":
            pos += 1
        while pos < end and data[pos] in b" \t\r\n\\":
            pos += 1
    return pos
