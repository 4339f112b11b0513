"""The GitHub Actions frontend: workflows (``.github/workflows/*.yml``) and action metadata.

A workflow is composed with PyYAML (``yaml.compose_all``), so every scalar keeps its exact byte
span, anchors and aliases resolve to the one node they name (read and rewritten once, where its
bytes are), and every document of a multi-document file is read. Then the parts of a workflow
that carry lock-in are read for what they are; nothing else is looked up, so "CUDA" in a step's
``name:``, in an ``if:`` or in a comment is never a site:

- ``runs-on`` labels (and matrix values or ``runner`` inputs a label comes from): the
  ``ci-runner`` family. A label set that names another vendor (``[self-hosted, gpu, rocm]``) is
  not NVIDIA's and is not reported.
- container images: ``container``/``container.image``, ``services.*``, ``uses: docker://...``,
  an action's ``runs.image``, inputs named ``*image*`` and ``NAME=image`` build arguments: the
  ``image`` family the Dockerfile frontend uses, with its replacements.
- ``container.options``/``services.*.options``: read as ``docker run`` options (``--gpus all``).
- ``uses:`` actions that install CUDA (``Jimver/cuda-toolkit``): the ``ci-action`` family.
- matrix axes, ``with:`` and workflow/action inputs that pick a CUDA version, architecture or
  build (``cuda: ["11.8", "12.1"]``, ``cu121``): the ``ci-setting`` family.
- ``env:`` names (workflow, job, step, container, service): the ``env`` family; ``NAME=value``
  lines written to ``$GITHUB_ENV`` too.
- ``run:`` scripts: read by the shell frontend's finders (bash, sh; PowerShell and cmd scripts
  are read for sites but not rewritten; ``shell: python`` steps are not read).

Rewrites: a run script is analysed as its value (the text the shell gets), and each edit is
mapped back onto the file's bytes only where the value's bytes are the file's bytes (block
scalars ``|``/``>`` lose their indentation and ``>`` folds lines; quoted scalars have escapes):
an edit that cannot be mapped exactly is dropped and counted in the file's note, its finding
kept. Environment names are renamed in every place of a file or in none (a name also written in
an expression, a comment or a ``$GITHUB_ENV`` line keeps its name everywhere). Before a result
is returned, each target's edits are applied and the file is composed again: a rewrite must
leave every node as it was except the edited scalars, which must read as the value the edit
meant; an edit that fails that check is dropped with a note. Invalid YAML is read line by line
for the report, with no rewrite offered, and its error is the note.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import yaml

from porter.frontends.archvalue import YAML_UNSAFE, Written, kept_note, value_plans, with_note
from porter.frontends.base import LineIndex, replace_everywhere
from porter.frontends.shell import Sites, scan_commands, tokenize
from porter.mappings import MappingEntry, MappingTables
from porter.model import Edit, FileResult, FileStatus
from porter.rewrite.apply import apply_edits, plan_edits

LANGUAGE = "github-actions"
RUNNER = "ci-runner"
ACTION = "ci-action"
SETTING = "ci-setting"

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_ACTION_FILES = frozenset({"action.yml", "action.yaml"})
#: ``${{ matrix.a.b }}`` as a whole value: the matrix path a runner label comes from.
_MATRIX_REF = re.compile(r"\s*\$\{\{\s*matrix\.([A-Za-z0-9_.-]+)\s*\}\}\s*")
_RUNNER_KEY = re.compile(r"(?i)runs?[-_]?on|runners?|runner[-_]?labels?")
_ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BUILD_ARG = re.compile(rb"^[ \t]*([A-Za-z_][A-Za-z0-9_]*)=(\S+)[ \t]*$", re.M)
#: ``echo "NAME=value" >> $GITHUB_ENV``: a variable set for the later steps of the job.
_GITHUB_ENV = re.compile(
    rb"(?<![A-Za-z0-9_$])([A-Za-z_][A-Za-z0-9_]*)=[^\n]*>>[ \t]*[\"']?\$\{?GITHUB_ENV\b"
)
#: Shells whose ``run:`` scripts porter rewrites, and those it only reads for sites.
_POSIX_SHELLS = frozenset({"bash", "sh"})
_READ_ONLY_SHELLS = frozenset({"pwsh", "powershell", "cmd"})
#: One ``key: value`` line, for YAML the composer rejects (read for the report only).
_LINE = re.compile(
    rb"^[ \t]*(?:-[ \t]+)?(?P<key>[A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+(?P<value>[^\n#]*?))?"
    rb"[ \t]*(?:[ \t]#[^\n]*)?\r?$",
    re.M,
)
#: Escapes of quoted scalars: the bytes around them are found in the value piece by piece.
_ESCAPES = {
    '"': re.compile(rb"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.|$)"),
    "'": re.compile(rb"''"),
}
#: Edited scalars a failed check tries one by one (each try composes the file once) before
#: giving up all of a target's edits.
_MAX_CHECKS = 64
#: Nesting depth past which matrix values and inputs are not read (guards odd input).
_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class _Text:
    """What an analysis reads for one scalar, and where each of its bytes is in the file.

    ``value`` is the scalar's value as UTF-8 (after ``base`` bytes of context porter puts in
    front, like ``docker run `` before container options); ``offsets[i]`` is the file offset of
    ``value[i]``, or -1 for bytes with no twin in the file (context, folded line breaks,
    escapes, indentation).
    """

    node: yaml.ScalarNode | None
    value: bytes
    offsets: tuple[int, ...]
    start: int
    end: int
    style: str | None = None
    base: int = 0

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The file span of ``value[start:end]``: its first and last bytes that have a twin."""
        inside = [o for o in self.offsets[start:end] if o >= 0]
        if not inside:  # nothing written as-is: the whole scalar
            return self.start, self.end
        return inside[0], inside[-1] + 1

    def edit(self, edit: Edit) -> Edit | None:
        """``edit`` (in value bytes) as a file edit, or None when its bytes are not the file's."""
        start, end = edit.start, edit.end
        if end <= start or start < self.base or end > len(self.offsets):
            return None
        first = self.offsets[start]
        if first < 0 or any(self.offsets[i] != first + i - start for i in range(start, end)):
            return None
        text = edit.text
        if "\n" in text or "\r" in text:
            return None
        if (self.style == "'" and "'" in text) or (self.style == '"' and ('"' in text or "\\" in text)):
            return None
        return Edit(first, first + end - start, text)


@dataclass(slots=True)
class _Recorder(Sites):
    """Collects the shell frontend's sites in value bytes, to be mapped onto the file later."""

    raw: list[tuple[MappingEntry, int, int, str, dict[str, tuple[Edit, ...]]]] = field(
        default_factory=list
    )
    #: The notes a site adds to its plans, per target, by the site's span.
    notes: dict[tuple[int, int], dict[str, str]] = field(default_factory=dict)

    def record(
        self,
        entry: MappingEntry,
        start: int,
        end: int,
        symbol: str,
        edits: dict[str, tuple[Edit, ...]],
        notes: dict[str, str] | None,
    ) -> None:
        self.raw.append((entry, start, end, symbol, edits))
        if notes:
            self.notes[(start, end)] = notes


def _skip_properties(data: bytes, start: int, end: int) -> int:
    """Past an anchor (``&name``) or tag (``!tag``) written before a scalar."""
    while start < end and data[start : start + 1] in (b"&", b"!"):
        while start < end and data[start] not in b" \t\r\n":
            start += 1
        while start < end and data[start] in b" \t\r\n":
            start += 1
    return start


def _offsets(data: bytes, start: int, end: int, style: str | None, value: bytes) -> list[int]:
    """Where each byte of a scalar's value sits in the file (-1 where it has no twin there).

    The source is read line by line, and a quoted line piece by piece between its escapes
    (``\\"``, ``''``): each piece of text (past the indentation, and for plain and quoted scalars
    without the blanks that folding drops) is found in the value after the text matched so far,
    with only blanks and line breaks between (or, after an escape, the few bytes it stands for).
    Text that is not found as written leaves its bytes unmapped.
    """
    offsets = [-1] * len(value)
    start = _skip_properties(data, start, end)
    block = style in ("|", ">")
    if block:
        newline = data.find(b"\n", start, end)
        if newline < 0:
            return offsets
        start = newline + 1
    elif style in ("'", '"'):
        start, end = start + 1, max(start + 1, end - 1)
    escapes = _ESCAPES.get(style or "")
    at = 0
    pos = start
    while pos < end:
        newline = data.find(b"\n", pos, end)
        stop = end if newline < 0 else newline
        line = data[pos:stop]
        if line.endswith(b"\r"):
            line = line[:-1]
        content = line.lstrip(b" ") if block else line.lstrip(b" \t").rstrip(b" \t")
        lead = len(line) - len(line.lstrip(b" ") if block else line.lstrip(b" \t"))
        pieces = [(0, len(content))]
        if escapes is not None:
            cuts = [m.span() for m in escapes.finditer(content)]
            bounds = [0] + [x for span in cuts for x in span] + [len(content)]
            pieces = list(zip(bounds[::2], bounds[1::2], strict=True))
        after_escape = False
        for piece_start, piece_end in pieces:
            piece = content[piece_start:piece_end]
            if piece:
                found = value.find(piece, at)
                gap = value[at:found] if found >= 0 else b""
                if found >= 0 and (len(gap) <= 4 if after_escape else not gap.strip(b" \t\n")):
                    for k in range(len(piece)):
                        offsets[found + k] = pos + lead + piece_start + k
                    at = found + len(piece)
            after_escape = True
        if newline < 0:
            break
        pos = newline + 1
    return offsets


def _pairs(node: yaml.Node | None) -> Iterator[tuple[yaml.ScalarNode, yaml.Node]]:
    """A mapping's pairs with scalar keys; ``<<`` merge keys give the pairs they merge in."""
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        if key.value == "<<" and key.tag == _MERGE:
            merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for item in merged:
                if isinstance(item, yaml.MappingNode):
                    yield from ((k, v) for k, v in item.value if isinstance(k, yaml.ScalarNode))
            continue
        yield key, value


def _get(node: yaml.Node | None, name: str) -> yaml.Node | None:
    for key, value in _pairs(node):
        if key.value == name:
            return value
    return None


def _scalars(node: yaml.Node | None) -> list[yaml.ScalarNode]:
    """A scalar, or the scalar items of a sequence."""
    if isinstance(node, yaml.ScalarNode):
        return [node]
    if isinstance(node, yaml.SequenceNode):
        return [n for n in node.value if isinstance(n, yaml.ScalarNode)]
    return []


def _shell_program(shell: str | None) -> str | None:
    """``bash -el {0}`` -> ``bash``; None for no shell or one chosen by an expression."""
    if not shell or "${{" in shell:
        return None
    first = shell.split()[0] if shell.split() else ""
    return PurePosixPath(first.replace("\\", "/")).name.lower().removesuffix(".exe") or None


class _Analysis:
    """One file's analysis: the sites, the edits' origins and the notes."""

    def __init__(self, path: str, data: bytes, text: str, tables: MappingTables) -> None:
        self.path = path
        self.data = data
        self.text_lines = text.split("\n")
        self.lines = LineIndex(data)
        self.tables = tables
        self.sites = Sites(path, LANGUAGE, self.lines, tables)
        #: file span of each finding in ``sites.findings`` (same index)
        self.spans: list[tuple[int, int]] = []
        #: file edit -> (the scalar it edits, the same edit in value bytes)
        self.origin: dict[Edit, tuple[_Text, Edit]] = {}
        self.notes: list[str] = []
        self.unmapped = 0
        self.visited: set[tuple[int, str]] = set()
        self.texts: dict[int, _Text] = {}

    # --- positions ---------------------------------------------------------------------------

    def offset(self, mark: Any) -> int:
        """A PyYAML mark (line, column in characters) as a byte offset."""
        if mark.line >= len(self.lines.starts):
            return len(self.data)
        line = self.text_lines[mark.line] if mark.line < len(self.text_lines) else ""
        return self.lines.starts[mark.line] + len(line[: mark.column].encode("utf-8"))

    def text(self, node: yaml.ScalarNode) -> _Text:
        known = self.texts.get(id(node))
        if known is None:
            start, end = self.offset(node.start_mark), self.offset(node.end_mark)
            value = node.value.encode("utf-8", "surrogateescape")
            offsets = _offsets(self.data, start, end, node.style, value)
            known = self.texts[id(node)] = _Text(node, value, tuple(offsets), start, end, node.style)
        return known

    def once(self, node: yaml.Node, role: str) -> bool:
        """True the first time ``node`` is read in ``role`` (aliases are read once)."""
        key = (id(node), role)
        if key in self.visited:
            return False
        self.visited.add(key)
        return True

    # --- sites -------------------------------------------------------------------------------

    def site(
        self,
        entry: MappingEntry,
        text: _Text,
        start: int,
        end: int,
        symbol: str,
        edits: dict[str, tuple[Edit, ...]],
        notes: dict[str, str] | None = None,
        extra: dict[str, tuple[_Text, Edit]] | None = None,
    ) -> None:
        """A site over ``text.value[start:end]``; its edits (value bytes) mapped onto the file.

        An edit beyond the site's own bytes (the value of a renamed variable) that cannot be
        mapped is left out alone, with a note; ``extra`` adds, per target, one edit of another
        scalar (the value of an ``env:`` entry), kept only where the target renames the site.
        """
        file_start, file_end = text.span(start, end)
        mapped: dict[str, tuple[Edit, ...]] = {}
        notes = dict(notes or {})
        unmapped = False
        for target, value_edits in edits.items():
            if not value_edits:
                continue
            out = self._mapped([(text, e) for e in value_edits])
            own = [(text, e) for e in value_edits if start <= e.start and e.end <= end]
            if out is None and own and len(own) < len(value_edits):
                out = self._mapped(own)
                if out is not None:
                    notes[target] = with_note(notes.get(target), self._kept(entry, target))
            if out is None:
                unmapped = True
                continue
            if extra and target in extra:
                more = self._mapped([extra[target]])
                if more is None:
                    notes[target] = with_note(notes.get(target), self._kept(entry, target))
                out += more or ()
            mapped[target] = out
        before = len(self.sites.findings)
        self.sites.add(entry, file_start, file_end, symbol, mapped, notes)
        if len(self.sites.findings) > before:
            self.spans.append((file_start, file_end))
            self.unmapped += unmapped

    def _mapped(self, edits: list[tuple[_Text, Edit]]) -> tuple[Edit, ...] | None:
        """Edits in value bytes as file edits, or None when one of them cannot be mapped."""
        out = []
        for text, value_edit in edits:
            file_edit = text.edit(value_edit)
            if file_edit is None:
                return None
            out.append(file_edit)
        for file_edit, origin in zip(out, edits, strict=True):
            self.origin[file_edit] = origin
        return tuple(out)

    @staticmethod
    def _kept(entry: MappingEntry, target: str) -> str | None:
        spec = entry.targets[target].value
        return kept_note(None, spec, plain=True) if spec is not None else None

    def whole(self, entry: MappingEntry, node: yaml.ScalarNode, edits: bool, symbol: str | None = None,
              skip: int = 0) -> None:
        """A site over a whole scalar (past ``skip`` bytes such as ``docker://``)."""
        text = self.text(node)
        start, end = skip, len(text.value)
        plans = replace_everywhere(start, end, entry) if edits else {}
        self.site(entry, text, start, end, symbol or text.value[start:].decode("utf-8", "replace"), plans)

    def image(self, node: yaml.Node | None) -> None:
        for scalar in _scalars(node):
            value = scalar.value.strip()
            if not value or "\n" in value:
                continue
            skip = len("docker://") if value.startswith("docker://") else 0
            entry = self.tables.lookup("image", value[skip:])
            if entry is not None:
                self.whole(entry, scalar, edits=scalar.value == value, skip=skip)

    def build_args(self, node: yaml.ScalarNode) -> None:
        """``NAME=value`` lines (docker/build-push-action ``build-args``): images and CUDA builds."""
        text = self.text(node)
        for match in _BUILD_ARG.finditer(text.value):
            value = match.group(2).decode("utf-8", "replace")
            start, end = match.span(2)
            entry = self.tables.lookup("image", value)
            if entry is not None:
                self.site(entry, text, start, end, value, replace_everywhere(start, end, entry))
            elif "${{" not in value and (entry := self.tables.lookup(SETTING, f"value {value}")):
                self.site(entry, text, start, end, value, {})

    def setting_key(self, key: yaml.ScalarNode) -> bool:
        entry = self.tables.lookup(SETTING, f"key {key.value}")
        if entry is None:
            return False
        self.whole(entry, key, edits=False)
        return True

    def setting_value(self, node: yaml.ScalarNode) -> None:
        value = node.value
        if not value or "${{" in value or "\n" in value or len(value) > 200:
            return
        entry = self.tables.lookup(SETTING, f"value {value}")
        if entry is not None:
            self.whole(entry, node, edits=False)

    def labels(self, nodes: list[yaml.ScalarNode]) -> None:
        """One job's runner labels: reported unless one of them names another vendor."""
        found = []
        for node in nodes:
            entry = self.tables.lookup(RUNNER, node.value.strip())
            if entry is None:
                continue
            if all(spec.status == "not-needed" for spec in entry.targets.values()):
                return
            found.append((entry, node))
        if found:  # one site per label set: the label the most specific entry answers
            order = {id(e): i for i, e in enumerate(self.tables.entries(RUNNER))}
            entry, node = min(found, key=lambda item: order.get(id(item[0]), 0))
            self.whole(entry, node, edits=False)

    def env_map(self, node: yaml.Node | None) -> None:
        """``env:`` names, renamed like a script's variables; values are read for paths."""
        if not isinstance(node, yaml.MappingNode) or not self.once(node, "env"):
            return
        names = {key.value for key, _ in _pairs(node)}
        for key, value in _pairs(node):
            entry = self.tables.lookup("env", key.value) if _ENV_KEY.fullmatch(key.value) else None
            if entry is not None:
                plans = {
                    t: e for t, e in replace_everywhere(0, len(self.text(key).value), entry).items()
                    if entry.targets[t].replacement not in names  # would repeat a key of the map
                }
                notes: dict[str, str] = {}
                extra: dict[str, tuple[_Text, Edit]] = {}
                if isinstance(value, yaml.ScalarNode):  # its value, when the target has its own
                    text = self.text(value)
                    # A plain value in a flow map ({A: 8.0}) cannot take a comma, nor quotes here.
                    flow = bool(node.flow_style) and value.style in (None, "")
                    written = Written(value.value, 0, len(text.value), quoted=not flow,
                                      unsafe=YAML_UNSAFE, quote="")
                    value_edits, value_notes = value_plans(entry, written)
                    extra = {t: (text, e) for t, e in value_edits.items() if t in plans}
                    notes = {t: n for t, n in value_notes.items() if t in plans}
                self.site(entry, self.text(key), 0, len(self.text(key).value), key.value, plans, notes, extra)
            else:
                self.setting_key(key)
            if isinstance(value, yaml.ScalarNode):
                text = self.text(value)
                self._report_only(lambda sites, t=text: sites.paths(t.value, 0, len(t.value)), text)
                self.setting_value(value)

    def _report_only(self, find: Any, text: _Text) -> None:
        """Run a shell-frontend finder over ``text`` and keep its sites without edits."""
        recorder = _Recorder(self.path, LANGUAGE, LineIndex(text.value), self.tables)
        find(recorder)
        for entry, start, end, symbol, _ in recorder.raw:
            self.site(entry, text, start, end, symbol, {})

    # --- scripts -----------------------------------------------------------------------------

    def script(self, node: yaml.ScalarNode, shell: str | None, where: str, context: bytes = b"") -> None:
        """A ``run:`` script (or container options read as ``docker run`` options)."""
        if not self.once(node, "script"):
            return
        program = _shell_program(shell) or "bash"
        if program not in _POSIX_SHELLS and program not in _READ_ONLY_SHELLS:
            self.note(f"{where}: shell {program!r} is not read")
            return
        text = self.text(node)
        if context:
            text = dataclasses.replace(
                text,
                value=context + text.value,
                offsets=(-1,) * len(context) + text.offsets,
                base=len(context),
            )
        recorder = _Recorder(self.path, LANGUAGE, LineIndex(text.value), self.tables)
        tokens = tokenize(text.value)
        scan_commands(tokens, text.value, recorder)
        for match in _GITHUB_ENV.finditer(text.value):
            name = match.group(1).decode("ascii")
            entry = self.tables.lookup("env", name)
            if entry is not None:
                recorder.add(entry, match.start(1), match.end(1), name, {})
        edits = program in _POSIX_SHELLS
        for entry, start, end, symbol, plans in recorder.raw:
            notes = recorder.notes.get((start, end)) if edits else None
            self.site(entry, text, start, end, symbol, plans if edits else {}, notes)
        if not edits and recorder.raw:
            self.note(f"{where}: {program} script read for sites, not rewritten")
        if tokens.error is not None:
            offset = text.offsets[tokens.error.offset] if tokens.error.offset < len(text.offsets) else -1
            line = self.lines.position(offset if offset >= 0 else text.start)[0]
            self.note(f"{where} near line {line}: {tokens.error}; the rest of that script was not scanned")

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    # --- the workflow ------------------------------------------------------------------------

    def document(self, root: yaml.Node) -> None:
        if not isinstance(root, yaml.MappingNode):
            return
        default_shell = _run_shell(_get(root, "defaults"))
        for key, value in _pairs(root):
            if key.value == "env":
                self.env_map(value)
            elif key.value == "on":
                for _, trigger in _pairs(value):
                    self.inputs(_get(trigger, "inputs"))
            elif key.value == "inputs":  # action metadata
                self.inputs(value)
            elif key.value == "jobs":
                for _, job in _pairs(value):
                    if self.once(job, "job"):
                        self.job(job, default_shell)
            elif key.value == "runs":  # action metadata
                self.action_runs(value)

    def inputs(self, node: yaml.Node | None) -> None:
        for name, spec in _pairs(node):
            self.setting_key(name)
            default = _get(spec, "default")
            if isinstance(default, yaml.ScalarNode):
                self.setting_value(default)
                if _RUNNER_KEY.fullmatch(name.value):
                    self.labels([default])
            for option in _scalars(_get(spec, "options")):
                self.setting_value(option)

    def job(self, job: yaml.Node, default_shell: str | None) -> None:
        matrix = _get(_get(job, "strategy"), "matrix")
        runs_on = _get(job, "runs-on")
        labels = self.runs_on(runs_on, matrix)
        shell = _run_shell(_get(job, "defaults")) or default_shell
        if shell is None and labels and any("windows" in label.lower() for label in labels):
            shell = "pwsh"
        self.matrix(matrix)
        container = _get(job, "container")
        self.container(container, "container")
        for _, service in _pairs(_get(job, "services")):
            self.container(service, "service")
        self.env_map(_get(job, "env"))
        self.with_map(_get(job, "with"))
        steps = _get(job, "steps")
        if isinstance(steps, yaml.SequenceNode):
            for step in steps.value:
                if self.once(step, "step"):
                    self.step(step, shell)

    def runs_on(self, node: yaml.Node | None, matrix: yaml.Node | None) -> list[str]:
        """Read a job's runner labels; returns the literal labels (for the default shell)."""
        if isinstance(node, yaml.MappingNode):
            nodes = _scalars(_get(node, "labels")) + _scalars(_get(node, "group"))
        else:
            nodes = _scalars(node)
        literal = [n for n in nodes if "${{" not in n.value]
        if literal and self.once(node, "runs-on"):
            self.labels(literal)
        for expression in (n for n in nodes if "${{" in n.value):
            ref = _MATRIX_REF.fullmatch(expression.value)
            if ref is not None:
                for values in _matrix_values(matrix, ref.group(1).split(".")):
                    if self.once(values[0], "runs-on"):
                        self.labels(values)
        return [n.value for n in literal]

    def matrix(self, matrix: yaml.Node | None) -> None:
        if not isinstance(matrix, yaml.MappingNode) or not self.once(matrix, "matrix"):
            return
        axes = set()
        for key, value in _pairs(matrix):
            if key.value in ("include", "exclude"):
                continue
            axes.add(key.value)
            if not self.setting_key(key):
                self.values(value, key.value)
        for key, value in _pairs(matrix):
            if key.value == "include" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    for name, setting in _pairs(item):
                        if name.value in axes or not self.setting_key(name):
                            self.values(setting, name.value)

    def values(self, node: yaml.Node | None, key: str, depth: int = 0) -> None:
        """Matrix values and inputs: CUDA builds, images, and what is looked up by its key."""
        if node is None or depth > _MAX_DEPTH or not self.once(node, "values"):
            return
        if isinstance(node, yaml.ScalarNode):
            if "image" in key.lower():
                self.image(node)
            self.setting_value(node)
            if _RUNNER_KEY.fullmatch(key):
                self.labels([node])
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self.values(item, key, depth + 1)
        else:
            for name, value in _pairs(node):
                if not self.setting_key(name):
                    self.values(value, name.value, depth + 1)

    def with_map(self, node: yaml.Node | None) -> None:
        """An action's or a called workflow's inputs."""
        for key, value in _pairs(node):
            if self.setting_key(key):
                continue
            if isinstance(value, yaml.ScalarNode):
                self.build_args(value)
            self.values(value, key.value)

    def container(self, node: yaml.Node | None, where: str) -> None:
        if node is None or not self.once(node, "container"):
            return
        if isinstance(node, yaml.ScalarNode):
            self.image(node)
            return
        self.image(_get(node, "image"))
        options = _get(node, "options")
        if isinstance(options, yaml.ScalarNode):
            self.script(options, "bash", f"{where} options", context=b"docker run ")
        self.env_map(_get(node, "env"))
        for volume in _scalars(_get(node, "volumes")):
            text = self.text(volume)
            self._report_only(lambda sites, t=text: sites.paths(t.value, 0, len(t.value)), text)

    def step(self, step: yaml.Node, shell: str | None) -> None:
        uses = _get(step, "uses")
        action_found = False
        if isinstance(uses, yaml.ScalarNode):
            if uses.value.startswith("docker://"):
                self.image(uses)
            else:
                name = uses.value.split("@", 1)[0].strip().lower()
                entry = self.tables.lookup(ACTION, name)
                if entry is not None:
                    self.whole(entry, uses, edits=False, symbol=name)
                    action_found = True
        if not action_found:
            self.with_map(_get(step, "with"))
        self.env_map(_get(step, "env"))
        run = _get(step, "run")
        if isinstance(run, yaml.ScalarNode):
            step_shell = _get(step, "shell")
            chosen = step_shell.value if isinstance(step_shell, yaml.ScalarNode) else shell
            self.script(run, chosen, "run:")

    def action_runs(self, runs: yaml.Node | None) -> None:
        """An action's ``runs:``: a composite action's steps, or a Docker action's image."""
        if runs is None or not self.once(runs, "runs"):
            return
        image = _get(runs, "image")
        if isinstance(image, yaml.ScalarNode) and image.value.startswith("docker://"):
            self.image(image)
        self.env_map(_get(runs, "env"))
        steps = _get(runs, "steps")
        if isinstance(steps, yaml.SequenceNode):
            for step in steps.value:
                if self.once(step, "step"):
                    self.step(step, None)

    # --- after the walk ----------------------------------------------------------------------

    def consistent_env_names(self) -> None:
        """Rename a variable in every place of the file or in none."""
        env_families = {f.name for f in self.tables.families if f.language == "env"}
        by_name: dict[str, list[int]] = {}
        for index, finding in enumerate(self.sites.findings):
            if finding.family in env_families:
                by_name.setdefault(finding.symbol, []).append(index)
        for name, indexes in by_name.items():
            starts = {self.spans[i][0] for i in indexes}
            pattern = re.compile(rb"(?<![A-Za-z0-9_])" + re.escape(name.encode()) + rb"(?![A-Za-z0-9_])")
            stray = any(m.start() not in starts for m in pattern.finditer(self.data))
            for target in self.tables.target_ids:
                plans = [self.sites.findings[i].targets[target] for i in indexes]
                wanted = [p for p in plans if p.status in ("auto", "review") and p.replacement]
                if not wanted or (not stray and all(p.edits for p in wanted)):
                    continue
                for i in indexes:
                    self.strip(i, target)
                why = "it is written where it is not a site" if stray else "not every site of it can be edited"
                self.note(f"{name} is not renamed ({why}): rename it in every place by hand")

    def strip(self, index: int, target: str) -> None:
        finding = self.sites.findings[index]
        plan = finding.targets[target]
        if plan.edits:
            targets = {**finding.targets, target: dataclasses.replace(plan, edits=())}
            self.sites.findings[index] = dataclasses.replace(finding, targets=targets)

    def verify(self, documents: list[yaml.Node]) -> None:
        """Apply each target's edits and compose the file again (see the module docstring)."""
        for target in self.tables.target_ids:
            owners: dict[Edit, int] = {}
            for index, finding in enumerate(self.sites.findings):
                for edit in finding.targets[target].edits:
                    owners[edit] = index
            if not owners:
                continue
            _, dropped = plan_edits(owners, len(self.data))
            for edit in dropped:
                self.strip(owners[edit], target)
            if dropped:
                self.note(f"{len(dropped)} overlapping {target} edit(s) dropped")
            edits = [e for f in self.sites.findings for e in f.targets[target].edits]
            if not edits or self._composes_as_meant(documents, edits):
                continue
            by_node: dict[int, list[Edit]] = {}
            for edit in edits:
                by_node.setdefault(id(self.origin[edit][0].node), []).append(edit)
            bad_edits = set(edits)  # too many scalars to try one by one, or fine alone only: none
            if len(by_node) <= _MAX_CHECKS:
                bad = [group for group in by_node.values() if not self._composes_as_meant(documents, group)]
                bad_edits = {e for group in bad for e in group} or bad_edits
            for edit in bad_edits:
                self.strip(owners[edit], target)
            remaining = [e for f in self.sites.findings for e in f.targets[target].edits]
            if remaining and not self._composes_as_meant(documents, remaining):
                for index in {owners[e] for e in remaining}:
                    self.strip(index, target)
                bad_edits |= set(remaining)
            self.note(
                f"{len(bad_edits)} {target} edit(s) dropped: the rewritten YAML would not read as meant"
            )

    def _composes_as_meant(self, documents: list[yaml.Node], edits: list[Edit]) -> bool:
        expected: dict[int, tuple[_Text, list[Edit]]] = {}
        for edit in edits:
            text, value_edit = self.origin[edit]
            expected.setdefault(id(text.node), (text, []))[1].append(value_edit)
        values = {}
        for key, (text, value_edits) in expected.items():
            shifted = [Edit(e.start - text.base, e.end - text.base, e.text) for e in value_edits]
            applied = apply_edits(text.value[text.base :], shifted)
            if applied.dropped:
                return False
            values[key] = applied.data.decode("utf-8", "surrogateescape")
        try:
            ported = apply_edits(self.data, edits).data.decode("utf-8")
            again = [d for d in yaml.compose_all(ported, Loader=_Loader) if d is not None]
        except (yaml.YAMLError, UnicodeDecodeError, RecursionError, ValueError):
            return False
        return _same_tree(documents, again, values)

    def fallback(self) -> None:
        """Invalid YAML: ``key: value`` lines, read for the report only (no edits)."""
        data = self.data
        for match in _LINE.finditer(data):
            key = match.group("key").decode("utf-8", "replace")
            raw = match.group("value") or b""
            start = match.start("value") if match.group("value") is not None else match.end()
            text = _Text(None, raw, tuple(range(start, start + len(raw))), start, start + len(raw))
            value = raw.decode("utf-8", "replace").strip("'\"")
            if key in ("image", "container") and value:
                entry = self.tables.lookup("image", value.removeprefix("docker://"))
                if entry is not None:
                    self.site(entry, text, 0, len(raw), value, {})
            elif key == "runs-on":
                for item in re.finditer(rb"[^\s\[\],'\"]+", raw):
                    entry = self.tables.lookup(RUNNER, item.group().decode("utf-8", "replace"))
                    if entry is not None and any(s.status != "not-needed" for s in entry.targets.values()):
                        self.site(entry, text, item.start(), item.end(), item.group().decode(), {})
            elif key == "uses" and value:
                name = value.split("@", 1)[0].lower()
                entry = self.tables.lookup(ACTION, name)
                if entry is not None:
                    self.site(entry, text, 0, len(raw), name, {})
            elif key == "run" and raw and not raw.startswith((b"|", b">")):
                recorder = _Recorder(self.path, LANGUAGE, self.lines, self.tables)
                scan_commands(tokenize(data, start, start + len(raw)), data, recorder)
                for entry, s, e, symbol, _ in recorder.raw:
                    self.sites.add(entry, s, e, symbol, {})
            key_start = match.start("key")
            key_text = _Text(None, match.group("key"), tuple(range(key_start, match.end("key"))),
                             key_start, match.end("key"))
            entry = self.tables.lookup("env", key) if key.isupper() else None
            entry = entry or self.tables.lookup(SETTING, f"key {key}")
            if entry is not None:
                self.site(entry, key_text, 0, len(key_text.value), key, {})

    def result(self, status: FileStatus | None = None, note: str | None = None) -> FileResult:
        notes = list(self.notes)
        if self.unmapped:
            notes.append(
                f"{self.unmapped} site(s) reported without a rewrite: their text is not written as-is "
                "in the YAML (folded lines, escapes)"
            )
        if note:
            notes.insert(0, note)
        chosen: FileStatus = status or ("partial" if notes else "scanned")
        return self.sites.result(chosen, "; ".join(notes) or None)


def _run_shell(defaults: yaml.Node | None) -> str | None:
    shell = _get(_get(defaults, "run"), "shell")
    return shell.value if isinstance(shell, yaml.ScalarNode) else None


def _matrix_values(matrix: yaml.Node | None, path: list[str]) -> Iterator[list[yaml.ScalarNode]]:
    """The scalars a ``${{ matrix.a.b }}`` expression can take: the axis and ``include`` items."""
    if not isinstance(matrix, yaml.MappingNode) or not path:
        return
    head, rest = path[0], path[1:]

    def follow(node: yaml.Node | None, keys: list[str]) -> list[yaml.ScalarNode]:
        for key in keys:
            node = _get(node, key)
        return _scalars(node)

    axis = _get(matrix, head)
    if isinstance(axis, yaml.SequenceNode):
        for item in axis.value:
            found = follow(item, rest)
            if found:
                yield found
    elif axis is not None:
        found = follow(axis, rest)
        if found:
            yield found
    include = _get(matrix, "include")
    for item in include.value if isinstance(include, yaml.SequenceNode) else []:
        found = follow(_get(item, head), rest)
        if found:
            yield found


def _same_tree(before: list[yaml.Node], after: list[yaml.Node], values: dict[int, str]) -> bool:
    """Whether ``after`` is ``before`` with only the scalars in ``values`` changed, as given."""
    if len(before) != len(after):
        return False
    paired: dict[int, yaml.Node] = {}
    stack = list(zip(before, after, strict=True))
    while stack:
        old, new = stack.pop()
        seen = paired.get(id(old))
        if seen is not None:
            if seen is not new:
                return False
            continue
        paired[id(old)] = new
        if type(old) is not type(new):
            return False
        if old.tag != new.tag and not (id(old) in values and new.tag == _STR):  # 8.0 -> gfx90a
            return False
        if isinstance(old, yaml.ScalarNode):
            if new.value != values.get(id(old), old.value):
                return False
        elif isinstance(old, yaml.SequenceNode):
            if len(old.value) != len(new.value):
                return False
            stack.extend(zip(old.value, new.value, strict=True))
        else:
            if len(old.value) != len(new.value):
                return False
            for (old_key, old_value), (new_key, new_value) in zip(old.value, new.value, strict=True):
                stack.append((old_key, new_key))
                stack.append((old_value, new_value))
    return True


class WorkflowsFrontend:
    """GitHub Actions workflows (``.github/workflows/*.yml``) and action metadata (``action.yml``)."""

    language = LANGUAGE

    def claims(self, path: str, head: bytes) -> bool:
        pure = PurePosixPath(path)
        name = pure.name.lower()
        if not name.endswith((".yml", ".yaml")):
            return False
        if name in _ACTION_FILES:
            return True
        parts = pure.parts
        return len(parts) >= 3 and parts[-2] == "workflows" and parts[-3] == ".github"

    def analyze(self, path: str, data: bytes, tables: MappingTables) -> FileResult:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            lines = LineIndex(data)
            return Sites(path, LANGUAGE, lines, tables).result(
                "error", f"not UTF-8 text ({exc.reason} at byte {exc.start})"
            )
        analysis = _Analysis(path, data, text, tables)
        try:
            documents = [d for d in yaml.compose_all(text, Loader=_Loader) if d is not None]
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            analysis.fallback()
            return analysis.result(
                "partial", f"invalid YAML{where} ({problem}): read line by line, no rewrite offered"
            )
        except RecursionError:
            analysis.fallback()
            return analysis.result("partial", "YAML nested too deeply: read line by line, no rewrite offered")
        for document in documents:
            analysis.document(document)
        analysis.consistent_env_names()
        analysis.verify(documents)
        return analysis.result()
