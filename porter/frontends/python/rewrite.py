"""Per-target edits for judged sites: byte ranges of the original file and their new text.

Every edit touches only the bytes of its site (a chain's name, the four letters ``cuda`` inside a
literal, a method name), so quotes, indexes, arguments, comments and layout stay as written. When
a plan says ``auto``/``review`` but the site's shape does not allow an exact edit (an alias that
cannot reach torch, an indexed device string for an expression replacement), the target's plan
becomes ``review`` without edits and its note says why.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import libcst as cst

from porter.frontends.archvalue import Written, value_plans, with_note
from porter.frontends.python.collect import Chain, literal_text
from porter.frontends.python.context import Context
from porter.frontends.python.names import Bindings
from porter.frontends.python.sites import Site
from porter.mappings import Helper, PlanSpec
from porter.model import Edit, TargetPlan

#: ``NAME(ARG)``: a replacement that is called with one argument added (the device type).
_CALL_FORM = re.compile(r"([A-Za-z_][\w.]*)\((.+)\)")
#: ``.NAME(ARG)`` / ``.NAME()``: a replacement method for ``.cuda(...)``.
_METHOD_FORM = re.compile(r"\.([A-Za-z_]\w*)\((.*)\)")
_ATTRIBUTE_FORM = re.compile(r"\.([A-Za-z_]\w*)")
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_DOTTED_NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_KEYWORD_ARG = re.compile(r"([A-Za-z_]\w*)\s*=")
#: ``torch`` as the head of a dotted name inside a replacement.
_TORCH_HEAD = re.compile(r"(?<![\w.])torch(?=\.)")


class NoEdit(Exception):
    """This site cannot be rewritten exactly for one target; the message says why."""


@dataclass(frozen=True, slots=True)
class Spans:
    """Byte spans of the nodes the sites asked for."""

    spans: Mapping[int, tuple[int, int]]

    def __call__(self, node: cst.CSTNode) -> tuple[int, int]:
        return self.spans[id(node)]


class Rewriter:
    def __init__(
        self,
        context: Context,
        bindings: Bindings,
        spans: Spans,
        data: bytes,
        helpers: Mapping[str, Helper],
    ) -> None:
        self.context = context
        self.bindings = bindings
        self.span = spans
        self.data = data
        #: Per target, the helper its replacements call instead of repeating its expression.
        #: Its definition goes after the leading imports (or before the first statement), so
        #: every site that can call it comes after it.
        self.helpers = helpers
        #: The targets whose edits call their helper, so the file needs its definition.
        self.hoisted: set[str] = set()
        #: Per target, ``from M import N`` lines the edits need (names written bare).
        self.imports: dict[str, list[str]] = defaultdict(list)
        #: Those lines for the edit being made: kept only when the edit is.
        self._pending: list[str] = []

    def plans(self, site: Site) -> tuple[dict[str, tuple[Edit, ...]], dict[str, TargetPlan]]:
        """Edits per target, and the targets whose plan changes because no edit is possible."""
        edits: dict[str, tuple[Edit, ...]] = {}
        overrides: dict[str, TargetPlan] = {}
        value_edits, value_notes = value_plans(site.entry, self._written(site))
        if site.value_default:  # a read's default: rewritten when it is a plain list, else left
            value_notes = {}
        for target, spec in site.entry.targets.items():
            if spec.status not in ("auto", "review") or spec.replacement is None:
                continue
            self._pending = []
            try:
                found = self._edits(site, target, spec.replacement)
            except NoEdit as reason:
                note = " ".join(p for p in (str(reason), spec.note or site.entry.note) if p)
                overrides[target] = TargetPlan("review", spec.replacement, note)
                continue
            if self._already_ported(found):
                note = f"Already ported: the code reads {found[0].text}."
                overrides[target] = TargetPlan("not-needed", None, note)
            else:
                edits[target] = self._hoist(site, target, found)
                self.imports[target] += [x for x in self._pending if x not in self.imports[target]]
                if target in value_edits:  # the value of a renamed architecture list
                    edits[target] += (value_edits[target],)
                if target in value_notes:
                    note = with_note(spec.note or site.entry.note, value_notes[target])
                    overrides[target] = TargetPlan(spec.status, spec.replacement, note, edits[target])
        return edits, overrides

    def _written(self, site: Site) -> Written | None:
        """What a variable-name literal is set to, as written (None when it is not set here)."""
        node = site.value
        if site.kind != "literal" or site.role != "env" or node is None:
            return None
        start, end = self.span(node)
        if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
            body, body_end = start + len(node.prefix) + len(node.quote), end - len(node.quote)
            text = literal_text(node) or ""
            return Written(text, body, body_end, exact="\\" not in text, quoted=True)
        return Written(self.data[start:end].decode("utf-8", "replace"), start, end, exact=False)

    def _hoist(self, site: Site, target: str, edits: tuple[Edit, ...]) -> tuple[Edit, ...]:
        """``edits`` calling the target's helper where they spell out its expression."""
        helper = self.helpers.get(target)
        if helper is None:
            return edits
        call = f"{helper.name}()"
        heads = {self.bindings.torch_alias()}
        if site.chain is not None and site.head_is_torch:
            heads.add(site.chain.parts[0])
        hoisted = []
        for edit in edits:
            text = edit.text
            for head in sorted(h for h in heads if h):
                expression = _TORCH_HEAD.sub(head, helper.expression)
                # "(E).type" loses its grouping parentheses; "f(E)" keeps its call's.
                grouped = re.compile(r"(?<![\w)\]])\(" + re.escape(expression) + r"\)")
                text = grouped.sub(call, text).replace(expression, call)
            hoisted.append(Edit(edit.start, edit.end, text))
        if any(h.text != e.text for h, e in zip(hoisted, edits, strict=True)):
            self.hoisted.add(target)
        return tuple(hoisted)

    def _already_ported(self, edits: tuple[Edit, ...]) -> bool:
        """Whether a replacement that keeps the site's own text (``torch.version.cuda`` ->
        ``(torch.version.cuda or torch.version.hip)``) is already what surrounds the site, so a
        second port changes nothing."""
        if len(edits) != 1:
            return False
        edit = edits[0]
        original = self.data[edit.start : edit.end]
        wanted = edit.text.encode("utf-8")
        at = wanted.find(original) if original else -1
        while at != -1:
            begin = edit.start - at
            if begin >= 0 and self.data[begin : begin + len(wanted)] == wanted:
                return True
            at = wanted.find(original, at + 1)
        return False

    def _edits(self, site: Site, target: str, replacement: str) -> tuple[Edit, ...]:
        if site.kind == "chain":
            return self._chain(site, replacement)
        if site.kind == "method-call":
            return self._method_call(site, target, replacement)
        if site.kind == "attribute":
            match = _ATTRIBUTE_FORM.fullmatch(replacement)
            if match is None:
                raise NoEdit("Rewrite this attribute by hand.")
            start, end = self.span(site.node)
            return (Edit(start, end, match.group(1)),)
        if site.kind == "literal":
            return self._literal(site, replacement)
        raise NoEdit("Rewrite this site by hand.")

    # -- helpers ---------------------------------------------------------------------------

    def _torch(self, text: str, head: str | None = None) -> str:
        """``text`` with its ``torch.`` heads renamed to the name this file imports torch as."""
        if not _TORCH_HEAD.search(text):
            return text
        head = head or self.bindings.torch_alias()
        if head is None:
            raise NoEdit("The file does not import torch itself, which the replacement needs.")
        return _TORCH_HEAD.sub(head, text)

    # -- dotted names ----------------------------------------------------------------------

    def _alias(self, text: str, chain: Chain) -> str:
        """``text`` written through the alias the chain starts with, when the alias names a
        module or class the replacement is inside: ``dist.is_xccl_available`` for
        ``import torch.distributed as dist``, ``ProfilerActivity.XPU`` after
        ``from torch.profiler import ProfilerActivity``."""
        head = chain.parts[0]
        bound = self.bindings.names.get(head)
        if bound and bound != "torch" and text.startswith(bound + "."):
            return head + text[len(bound) :]
        return text

    def _siblings(self, text: str, chain: Chain) -> str:
        """``text`` with the names of the module the chain's head was imported from written bare,
        as the file's own ``from M import ...`` does: ``CUDAExtension`` (from
        torch.utils.cpp_extension) becomes ``SyclExtension``, which the target then imports
        beside it. A name the file binds to something else stays qualified."""
        bound = self.bindings.names.get(chain.parts[0], "")
        module = bound.rpartition(".")[0]
        if not module or bound == chain.parts[0]:
            return text

        def bare(match: re.Match[str]) -> str:
            name = match.group(0)
            parent, _, leaf = name.rpartition(".")
            if parent != module or self.bindings.names.get(leaf, name) != name:
                return name
            if self.bindings.names.get(leaf) != name:
                self._pending.append(f"from {module} import {leaf}")
            return leaf

        return _DOTTED_NAME.sub(bare, text)

    def _chain(self, site: Site, replacement: str) -> tuple[Edit, ...]:
        chain = site.chain
        assert chain is not None
        head = chain.parts[0] if site.head_is_torch else None
        start, end = self.span(site.node)
        match = _CALL_FORM.fullmatch(replacement)
        if match is None or chain.decorator:
            # A replacement that keeps the site ("(CUDA_HOME or ...ROCM_HOME)") keeps it as written.
            kept = self._siblings(replacement.replace(site.symbol, "\0"), chain)
            text = self._torch(self._alias(kept, chain), head)
            original = self.data[start:end].decode("utf-8")
            return (Edit(start, end, text.replace("\0", original)),)
        if site.call is None:
            raise NoEdit("Not called here, so the device argument cannot be added.")
        name = self._torch(self._alias(match.group(1), chain), head)
        argument = self._torch(match.group(2), head)
        call = site.call
        if not call.args:
            return (Edit(start, self.span(call)[1], f"{name}({argument})"),)
        keyword = _KEYWORD_ARG.match(argument)
        if keyword is not None:
            if any(a.keyword is not None and a.keyword.value == keyword.group(1) for a in call.args):
                raise NoEdit(f"The call already passes {keyword.group(1)}=.")
            after_last = self.span(call.args[-1].value)[1]
            return (Edit(start, end, name), Edit(after_last, after_last, f", {argument}"))
        if any(a.keyword is None for a in call.args):
            raise NoEdit("Positional arguments would shift when the device argument is added.")
        first = self.span(call.args[0])[0]
        return (Edit(start, end, name), Edit(first, first, f"{argument}, "))

    # -- .cuda() ---------------------------------------------------------------------------

    def _method_call(self, site: Site, target: str, replacement: str) -> tuple[Edit, ...]:
        match = _METHOD_FORM.fullmatch(replacement)
        if match is None:
            raise NoEdit("Rewrite this call by hand.")
        method, argument = match.groups()
        call = site.call
        assert call is not None
        start, end = self.span(site.node)
        if not argument:
            return (Edit(start, end, method),)
        argument = self._torch(argument)
        if not call.args:
            return (Edit(start, self.span(call)[1], f"{method}({argument})"),)
        if all(a.keyword is not None and a.keyword.value != "device" for a in call.args):
            first = self.span(call.args[0])[0]
            return (Edit(start, end, method), Edit(first, first, f"{argument}, "))
        device = self.context.tables.target(target).device
        if device and device in self.context.tensor_methods:
            return (Edit(start, end, device),)  # .cuda(i) -> .xpu(i): same signature
        raise NoEdit("The call passes a device index: pass the target device explicitly.")

    # -- literals --------------------------------------------------------------------------

    def _literal(self, site: Site, replacement: str) -> tuple[Edit, ...]:
        node = site.node
        assert isinstance(node, cst.SimpleString | cst.FormattedString)
        text = literal_text(node) or ""
        start, end = self.span(node)
        if isinstance(node, cst.SimpleString):
            body = start + len(node.prefix) + len(node.quote)
            body_end = end - len(node.quote)
        else:
            body, body_end = start + len(node.start), end - len(node.end)
        if site.role == "module":
            return self._dotted_string(site, body, replacement)
        if site.table:
            raise NoEdit(
                "This list or table names other accelerators too: add the target's own entry "
                "(or check it) rather than renaming the CUDA one."
            )
        if not _WORD.fullmatch(replacement):  # an expression: replaces the whole literal
            if not isinstance(node, cst.SimpleString) or text not in ("cuda", "nccl"):
                raise NoEdit("Only a plain literal can become an expression; rewrite by hand.")
            return (Edit(start, end, self._torch(replacement)),)
        if site.role == "env":
            if not isinstance(node, cst.SimpleString):
                raise NoEdit("Rewrite this environment variable by hand.")
            return (Edit(body, body_end, replacement),)
        if site.role == "device" or (site.role == "backend" and text == "nccl"):
            return (Edit(body, body + 4, replacement),)
        raise NoEdit("A per-device backend list: rewrite it by hand.")


    def _dotted_string(self, site: Site, body: int, replacement: str) -> tuple[Edit, ...]:
        """``"torch.cuda.FloatTensor"`` -> ``"torch.npu.FloatTensor"``: the known name at the
        start of the string, spelt out in full (a string never goes through an import alias)."""
        if site.symbol.startswith("import ") or not _DOTTED_NAME.fullmatch(replacement):
            raise NoEdit("A name inside a string: rewrite it by hand.")
        return (Edit(body, body + len(site.symbol), replacement),)


def insertion(data: bytes, offset: int, lines: list[str], newline: str, after: bool) -> Edit:
    """One Edit adding import lines: on the line after the one holding ``offset`` (the end of
    the file's leading imports, whose lines hold nothing else but comments), or at ``offset``
    itself, which then is the start of the first statement's line."""
    text = newline.join(lines)
    if not after:
        return Edit(offset, offset, text + newline)
    end = data.find(b"\n", offset)
    if end == -1:
        return Edit(len(data), len(data), newline + text)
    return Edit(end + 1, end + 1, text + newline)


def helper_definition(helper: Helper, torch: str) -> list[str]:
    """The lines defining ``helper`` in a file that imports torch as ``torch``."""
    return [
        f"def {helper.name}() -> {_TORCH_HEAD.sub(torch, helper.returns)}:",
        f'    """{helper.doc}"""',
        f"    return {_TORCH_HEAD.sub(torch, helper.expression)}",
    ]


def needed_imports(plans: Mapping[str, PlanSpec], edits: Mapping[str, tuple[Edit, ...]]) -> dict[str, list[str]]:
    """The import lines each target's applied replacements need."""
    return {t: list(plans[t].imports) for t, e in edits.items() if e and plans[t].imports}
