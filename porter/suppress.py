"""Inline suppression comments: ``porter: ignore[rule-id]`` silences one rule on one line.

A suppression lives in a comment (``#`` in Python, shell, YAML, CMake, Dockerfiles, requirement
files; ``//`` in C, C++ and CUDA) and names the rules it silences, comma-separated. A comment
that shares its line with code covers the findings on that line; a comment alone on its line
covers the next line. It must name a rule: a bare ``porter: ignore`` silences nothing and is
reported as ``porter-invalid-suppression``, and a named rule that has nothing to silence is
reported as ``porter-unused-suppression``, so suppressions cannot rot unseen.

This runs after a frontend, over its FileResult and the file's bytes, so every frontend and every
command gets it for free; files whose bytes never mention ``porter:`` cost one substring search.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass

from porter.frontends.base import LineIndex, make_finding, sorted_findings
from porter.mappings import MappingEntry, MappingTables
from porter.model import FileResult, Finding, TargetPlan

#: Languages whose line comments start with ``//`` (the CUDA frontend reads C and C++ too);
#: every other language porter reads uses ``#``.
SLASH_LANGUAGES = frozenset({"cuda"})
#: The language and sources of porter's own mapping entries (mappings/porter-meta.yaml).
META_LANGUAGE = "porter"
UNUSED = "unused-suppression"
INVALID = "invalid-suppression"

_PREFILTER = re.compile(rb"porter:\s*ignore")
#: ``ignore`` then either a bracketed rule list or the end of the word (a bare, invalid marker).
_MARKER = re.compile(r"porter:\s*ignore(?:\[(?P<rules>[^\]\n]*)(?P<close>\])?|(?![\w-]))")
_RULE_ID = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True, slots=True)
class Suppression:
    """One ``porter: ignore[...]`` marker inside a comment."""

    line: int
    #: The comment is alone on its line, so it covers the next line as well.
    own_line: bool
    #: Byte range of the marker in the file (where unused/invalid findings point).
    start: int
    end: int
    rules: tuple[str, ...]
    #: Why (part of) the marker is invalid, else None.
    problem: str | None = None

    def covers(self, finding: Finding) -> bool:
        first = finding.span.line
        last = finding.span.end_line
        if last > first and finding.span.end_column == 1:
            last -= 1  # a span ending at the start of a line does not reach into it
        if first <= self.line <= last:
            return True
        return self.own_line and self.line + 1 == first


@dataclass(frozen=True, slots=True)
class _Comment:
    line: int
    own_line: bool
    #: Byte offset of the comment's first character.
    offset: int
    text: str


def _python_comments(data: bytes, lines: LineIndex) -> Iterator[_Comment]:
    """Comments as Python's tokenizer sees them, so a ``#`` inside any string never counts."""
    encoding = "utf-8"
    for token in tokenize.tokenize(io.BytesIO(data).readline):
        if token.type == tokenize.ENCODING:
            encoding = token.string
        elif token.type == tokenize.COMMENT:
            row, col = token.start
            before = token.line[:col]
            offset = lines.starts[row - 1] + len(before.encode(encoding, errors="replace"))
            yield _Comment(row, not before.strip(), offset, token.string)


def _opens_comment(line: bytes, pos: int, slash: bool) -> bool:
    if slash:
        return line.startswith(b"//", pos)
    # ``#`` starts a comment at the start of a word (shell, YAML, Dockerfile: ``a#b`` is a word)
    return line[pos] == 0x23 and (pos == 0 or line[pos - 1] in b" \t")


def _comment_start(line: bytes, slash: bool) -> int:
    """Where a line's comment starts, skipping quoted strings; -1 when it has none."""
    quote = 0
    pos = 0
    while pos < len(line):
        byte = line[pos]
        if quote:
            if byte == 0x5C:  # backslash escapes the next byte
                pos += 1
            elif byte == quote:
                quote = 0
        elif _opens_comment(line, pos, slash):
            return pos
        elif slash and line.startswith(b"/*", pos):
            close = line.find(b"*/", pos + 2)
            if close == -1:
                return -1
            pos = close + 1
        elif byte in b"\"'" and not (slash and byte == 0x27 and line[pos - 1 : pos].isalnum()):
            quote = byte  # a C++14 digit separator (1'000) is not a quote
        pos += 1
    return -1


def _line_comments(data: bytes, lines: LineIndex, slash: bool) -> Iterator[_Comment]:
    """Comments found line by line: only the lines that mention ``porter:`` are looked at."""
    seen = -1
    for match in _PREFILTER.finditer(data):
        row = lines.line_of(match.start())
        if row == seen:
            continue
        seen = row
        start = lines.starts[row]
        stop = lines.starts[row + 1] if row + 1 < len(lines.starts) else len(data)
        text = data[start:stop].rstrip(b"\r\n")
        at = _comment_start(text, slash)
        if at != -1:
            comment = text[at:].decode("utf-8", errors="replace")
            yield _Comment(row + 1, not text[:at].strip(), start + at, comment)


def _comments(data: bytes, language: str, lines: LineIndex) -> list[_Comment]:
    if language in SLASH_LANGUAGES:
        return list(_line_comments(data, lines, slash=True))
    if language == "python":
        try:
            return list(_python_comments(data, lines))
        except (tokenize.TokenError, SyntaxError):
            pass  # a file the tokenizer rejects still gets the line-by-line reading
    return list(_line_comments(data, lines, slash=False))


def _parse(comment: _Comment) -> Iterator[Suppression]:
    for match in _MARKER.finditer(comment.text):
        start = comment.offset + len(comment.text[: match.start()].encode("utf-8"))
        end = start + len(match.group().encode("utf-8"))
        names = match.group("rules")
        parts = [part.strip() for part in (names or "").split(",")]
        rules = tuple(p for p in parts if _RULE_ID.fullmatch(p))
        bad = [p for p in parts if p and not _RULE_ID.fullmatch(p)]
        problem = None
        if names is not None and match.group("close") is None:
            problem, rules = "unclosed '[': write porter: ignore[rule-id]", ()
        elif bad:
            problem = "not a rule id: " + ", ".join(repr(p) for p in bad)
        elif not rules:
            problem = "names no rule: write porter: ignore[rule-id]"
        yield Suppression(comment.line, comment.own_line, start, end, rules, problem)


def find_suppressions(data: bytes, language: str) -> list[Suppression]:
    """Every suppression marker in the file's comments, in file order."""
    if not _PREFILTER.search(data):
        return []
    lines = LineIndex(data)
    return [s for comment in _comments(data, language, lines) for s in _parse(comment)]


def _meta_finding(
    entry: MappingEntry, result: FileResult, lines: LineIndex, item: Suppression, symbol: str
) -> Finding:
    plans = {t: TargetPlan(status=spec.status, note=entry.note) for t, spec in entry.targets.items()}
    return make_finding(
        entry, path=result.path, lines=lines, start=item.start, end=item.end, symbol=symbol,
        overrides=plans,
    )


def apply_suppressions(result: FileResult, data: bytes, tables: MappingTables) -> FileResult:
    """Drop the findings a suppression names; add findings for unused and invalid suppressions.

    The dropped findings move to ``FileResult.suppressed`` (counted in reports, marked as
    suppressed in SARIF). Files that were not read (skipped, error) and notebooks (whose lines
    are per cell) are returned unchanged; a partly read file gets no unused-suppression findings,
    since the finding a suppression names may sit in the part that was not read.
    """
    if result.status not in ("scanned", "partial") or not _PREFILTER.search(data):
        return result
    if result.path.endswith(".ipynb") or any(f.cell is not None for f in result.findings):
        return result  # a notebook's bytes are JSON: its cells' lines are not the file's lines
    suppressions = find_suppressions(data, result.language)
    if not suppressions:
        return result
    used: set[tuple[int, str]] = set()
    kept: list[Finding] = []
    hidden: list[Finding] = []
    for finding in result.findings:
        hits = [
            number for number, item in enumerate(suppressions)
            if finding.rule in item.rules and item.covers(finding)
        ]
        used.update((number, finding.rule) for number in hits)
        (hidden if hits else kept).append(finding)
    lines = LineIndex(data)
    unused = tables.lookup(META_LANGUAGE, UNUSED)
    invalid = tables.lookup(META_LANGUAGE, INVALID)
    for number, item in enumerate(suppressions):
        marker = data[item.start : item.end].decode("utf-8", errors="replace")
        if item.problem and invalid is not None:
            kept.append(_meta_finding(invalid, result, lines, item, marker))
        if result.status != "scanned" or unused is None:
            continue
        for rule in item.rules:
            if (number, rule) not in used:
                kept.append(_meta_finding(unused, result, lines, item, f"ignore[{rule}]"))
    return dataclasses.replace(
        result, findings=sorted_findings(kept), suppressed=result.suppressed + tuple(hidden)
    )
