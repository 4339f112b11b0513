"""The value of an architecture-list variable that a port renames.

``TORCH_CUDA_ARCH_LIST="8.0;9.0"`` renamed to ``PYTORCH_ROCM_ARCH`` must not keep NVIDIA's sm
numbers: the target's reader takes its own names. The mapping data says what the value becomes
(a plan's ``value``: the target's names, the separators its reader accepts, and what one item of
a source list looks like); this module turns a value as a file writes it into the edit that
writes the target's list over it, or into a note saying why it is kept (a variable reference,
an empty value, escapes). Frontends find where the value is; every frontend shares the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from porter.mappings import MappingEntry, ValueList
from porter.model import Edit

#: What separates the items of a source list: runs of spaces, semicolons or commas.
_SEPARATOR_RUN = re.compile(r"([ ;,]+)")
#: The longest value a note quotes.
_SHOWN = 40


@dataclass(frozen=True, slots=True)
class Written:
    """A variable's value as a file writes it.

    ``text`` is the value the variable gets; ``[start, end)`` are the bytes a new value goes
    over (inside the quotes, when ``quoted``); ``exact`` says whether those bytes are ``text``
    itself (no escapes, no expansions, no line folding), which an edit needs. A new value that
    holds a character of ``unsafe`` where the old one was not quoted is written inside
    ``quote`` (a shell's ``;``), or, where ``quote`` is empty (no quotes can go there), the
    value is kept.
    """

    text: str
    start: int
    end: int
    exact: bool = True
    quoted: bool = False
    unsafe: str = ""
    quote: str = '"'


def target_value(spec: ValueList, text: str) -> str | None:
    """The target's list for a source value, or None when the value is no plain list of items
    ``spec.replaces`` accepts. The source's separator is kept where the target's reader takes it."""
    parts = _SEPARATOR_RUN.split(text)
    items, separators = parts[::2], set(parts[1::2])
    pattern = re.compile(spec.replaces)
    if not all(pattern.fullmatch(item) for item in items):  # an empty item (a leading ';') fails too
        return None
    joiner = next(iter(separators)) if len(separators) == 1 else ""
    if len(joiner) != 1 or joiner not in spec.separators:
        joiner = spec.separators[0]
    return joiner.join(spec.names)


def value_plans(
    entry: MappingEntry, written: Written | None
) -> tuple[dict[str, Edit], dict[str, str]]:
    """Per target that renames the variable and lists its own names for its value: the edit
    writing them over ``written``, or a note saying why the value is kept as written."""
    edits: dict[str, Edit] = {}
    notes: dict[str, str] = {}
    if written is None:
        return edits, notes
    for target, spec in entry.targets.items():
        wanted = spec.value
        if wanted is None or spec.replacement is None or spec.status not in ("auto", "review"):
            continue
        new = target_value(wanted, written.text)
        bare = written.quoted or not any(c in written.unsafe for c in new or "")
        if new is None or not written.exact or not (bare or written.quote):
            notes[target] = kept_note(written.text, wanted, plain=new is not None)
            continue
        if not bare:
            new = f"{written.quote}{new}{written.quote}"
        edits[target] = Edit(written.start, written.end, new)
    return edits, notes


def kept_note(text: str | None, spec: ValueList, plain: bool = False) -> str:
    """Why a value stays as written, and what to write instead."""
    shown = ""
    if text is not None:
        shown = " (" + repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…") + ")"
    example = spec.separators[0].join(spec.names)
    why = (
        "is written in a form porter cannot rewrite exactly (escapes, folded lines, no room for quotes)"
        if plain
        else "is not a plain list of sm numbers"
    )
    return f"Its value{shown} {why}, so it is kept: set it to the target's names (such as {example})."


def with_note(note: str | None, extra: str | None) -> str:
    """A plan's note with ``extra`` after it."""
    return f"{note or ''} {extra}".strip() if extra else note or ""


#: Characters a shell (or a Dockerfile ENV) reads as syntax in an unquoted word.
SHELL_UNSAFE = " \t;&|<>()$`\\\"'*?[#~"
#: Per opening quote, the bytes that are not themselves inside it (its end, escapes, expansions).
_SHELL_SPECIAL = {0x27: b"'", 0x22: b'"\\$`'}
#: A shell's quoting: an escaped character, or a quote.
_SHELL_QUOTING = re.compile(r"\\(.)|['\"]", re.S)


def shell_value(data: bytes, start: int, end: int) -> Written:
    """A shell word's bytes ``[start, end)`` as a value: one quoted string, or bare text.
    Quotes and escapes inside make it inexact (its text is then the value without them)."""
    raw = data[start:end]
    if len(raw) >= 2 and raw[0] in _SHELL_SPECIAL and raw[-1] == raw[0]:
        inner = raw[1:-1]
        if not any(byte in _SHELL_SPECIAL[raw[0]] for byte in inner):
            return Written(inner.decode("utf-8", "replace"), start + 1, end - 1, quoted=True)
    text = raw.decode("utf-8", "replace")
    exact = not any(byte in b"\"'\\`" for byte in raw)
    if not exact:
        text = _SHELL_QUOTING.sub(lambda m: m.group(1) or "", text)
    return Written(text, start, end, exact=exact, unsafe=SHELL_UNSAFE)


def assignment_value(data: bytes, start: int, end: int, prefix: str) -> Written | None:
    """The value of a ``NAME=value`` word over ``[start, end)`` whose ``NAME=`` is ``prefix``,
    written as is (None when the prefix is quoted or escaped)."""
    head = prefix.encode("utf-8")
    if data[start : start + len(head)] != head:
        return None
    return shell_value(data, start + len(head), end)


#: Characters a plain YAML scalar may not hold everywhere (in a flow collection, as a comment).
YAML_UNSAFE = ",[]{}#"


def yaml_value(
    data: bytes, start: int, end: int, style: str | None, value: str, prefix: str = ""
) -> Written:
    """A YAML scalar over ``[start, end)`` (its quotes included) as a value; with ``prefix``, the
    part after the ``NAME=`` that starts it (a compose ``environment:`` item)."""
    quoted = style in ("'", '"')
    if quoted:
        start, end = start + 1, max(start + 1, end - 1)
    head = prefix.encode("utf-8")
    body = data[start:end]
    exact = style in (None, "", "'", '"') and body == value.encode("utf-8") and body.startswith(head)
    text = value[len(prefix) :]
    start = min(start + len(head), end)
    if quoted:
        return Written(text, start, end, exact=exact, quoted=True)
    if prefix:  # quotes cannot go around a part of a scalar
        flow = data[end : end + 80].lstrip(b" \t")[:1] in (b",", b"]", b"}")
        return Written(text, start, end, exact=exact, unsafe=YAML_UNSAFE if flow else "", quote="")
    return Written(text, start, end, exact=exact, unsafe=YAML_UNSAFE)
