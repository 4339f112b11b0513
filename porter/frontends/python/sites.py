"""Judging what the traversal recorded: which sites are lock-in, and by which mapping entry.

A site keeps the node its finding spans and enough context to rewrite it later (the call it is
the callee of, the literal's quote style). The answers all come from the mapping data: a site
no entry describes is not reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from porter.frontends.python.collect import (
    Chain,
    Collected,
    LiteralSite,
    Role,
    literal_sites,
    literal_text,
    mentions,
)
from porter.frontends.python.context import Context
from porter.frontends.python.names import Bindings, ImportSite, dotted, dotted_text
from porter.mappings import MappingEntry

#: Callees whose first positional argument is a device (type) string.
DEVICE_CALLEES = frozenset(
    {
        "torch.device",
        "torch.amp.autocast",
        "torch.autocast",
        "torch.amp.GradScaler",
        "torch.get_device_module",
        "torch.set_default_device",
        "torch.Generator",
        "torch.distributed.init_device_mesh",
        "torch.distributed.device_mesh.init_device_mesh",
        "torch.distributed.device_mesh.DeviceMesh",
    }
)
#: Keyword arguments that take a device wherever they appear.
DEVICE_KEYWORDS = frozenset({"device", "device_type", "map_location"})
#: Calls that run a shell command given as their first argument (or ``args=``).
COMMAND_CALLEES = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "os.system",
        "os.popen",
    }
)
#: Methods whose first argument names an environment variable.
ENV_METHODS = frozenset({"get", "getenv", "putenv", "setdefault", "pop", "setenv", "delenv", "unsetenv"})
#: Those of them that set the variable to their second argument, and those whose second
#: argument is the value used where the variable is not set.
ENV_SETTERS = frozenset({"putenv", "setdefault", "setenv"})
ENV_DEFAULTS = frozenset({"get", "getenv", "pop"})
#: Calls that import the module named by their first argument.
IMPORT_CALLEES = frozenset({"importlib.import_module", "__import__"})
CPP_EXTENSION = "torch.utils.cpp_extension"
#: The symbol of ``load(sources=[... ".cu"])``, as the mapping data names it. (CUDA-named
#: keywords such as ``load_inline(cuda_sources=)`` are looked up as ``callee(keyword=)``.)
LOAD_CU_SOURCES = f"{CPP_EXTENSION}.load(sources=*.cu)"

SiteKind = Literal["chain", "method-call", "attribute", "literal", "import", "plain"]


@dataclass(slots=True)
class Site:
    """One finding-to-be: its entry, its symbol, the node it spans and how it may be rewritten."""

    kind: SiteKind
    entry: MappingEntry
    symbol: str
    node: cst.CSTNode
    #: The dotted name (chain sites), the call it is the callee of (chain, method-call) and the
    #: literal's role (literal sites).
    chain: Chain | None = None
    call: cst.Call | None = None
    role: Role | None = None
    #: Whether the written head of the chain is the torch module itself (``torch``/``T``).
    head_is_torch: bool = False
    #: A literal in a list or dict that names other accelerators too (``LiteralSite.table``),
    #: and one that is only compared with (``LiteralSite.compared``).
    table: bool = False
    compared: bool = False
    #: What a variable-name literal is set to (``os.environ["X"] = value``), if it is set here,
    #: and whether that is only the default of a read (``os.environ.get("X", value)``).
    value: cst.BaseExpression | None = None
    value_default: bool = False
    wanted: list[cst.CSTNode] = field(default_factory=list)


def _qualified_callee(func: cst.BaseExpression, bindings: Bindings) -> tuple[str, str]:
    """(qualified name or "", last attribute/name) of a call's callee."""
    chain = dotted(func)
    if chain is None:
        return "", func.attr.value if isinstance(func, cst.Attribute) else ""
    parts = chain[0]
    qualified = bindings.qualify(parts)
    return (".".join(qualified) if qualified else ""), parts[-1]


class Judge:
    def __init__(self, context: Context, collected: Collected) -> None:
        self.context = context
        self.collected = collected
        self.bindings = collected.bindings
        self.sites: list[Site] = []
        self._literal_ids: set[int] = set()

    def run(self) -> list[Site]:
        for chain in self.collected.chains:
            self._chain(chain)
        for node in self.collected.methods:
            self._method(node)
        for call in self.collected.calls:
            self._call(call)
        for literal in self.collected.literals:
            self._literal(literal)
        for site in self.collected.imports:
            self._import(site)
        return self.sites

    # -- dotted names ----------------------------------------------------------------------

    def _chain(self, chain: Chain) -> None:
        head = chain.parts[0]
        if head in chain.scope.shadowed:
            return
        qualified = self.bindings.qualify(chain.parts)
        if qualified is None or qualified[0] not in self.context.roots:
            return
        found = self.context.resolve(qualified)
        if found is None:
            return
        entry, covered = found
        expansion = len(qualified) - len(chain.parts)  # extra parts an alias stands for
        index = max(covered - expansion, 1) - 1
        node = chain.nodes[index]
        symbol = ".".join(qualified[:covered])
        head_is_torch = self.bindings.names.get(head) == "torch" or (
            head == "torch" and "torch" not in self.bindings.names
        )
        call = chain.call if index == len(chain.nodes) - 1 else None
        site = Site("chain", entry, symbol, node, chain=chain, call=call, head_is_torch=head_is_torch)
        site.wanted.append(node)
        if call is not None:
            site.wanted.append(call)
            if call.args:
                site.wanted.extend((call.args[0], call.args[-1].value))
        self.sites.append(site)

    # -- .cuda() and .is_cuda -------------------------------------------------------------

    def _is_module_attribute(self, receiver: cst.BaseExpression, attribute: str) -> bool:
        """Whether ``receiver.attribute`` is a name the data knows (``torch.cuda``), which the
        dotted-name rules report, rather than a method of an object."""
        chain = dotted(receiver)
        qualified = self.bindings.qualify(chain[0]) if chain else None
        return qualified is not None and self.context.resolve([*qualified, attribute]) is not None

    def _method(self, node: cst.Call | cst.Attribute) -> None:
        if isinstance(node, cst.Call):
            func = node.func
            assert isinstance(func, cst.Attribute)
            if self._is_module_attribute(func.value, "cuda"):
                return
            entry = self.context.exact.get(".cuda")
            if entry is None:
                return
            site = Site("method-call", entry, ".cuda()", func.attr, call=node)
            site.wanted.extend((func.attr, node))
            if node.args:
                site.wanted.append(node.args[0])
        else:
            if self._is_module_attribute(node.value, "is_cuda"):
                return
            if dotted_text(node) in self.collected.assigned:  # self.is_cuda = ...: the user's own
                return
            entry = self.context.exact.get(".is_cuda")
            if entry is None:
                return
            site = Site("attribute", entry, ".is_cuda", node.attr)
            site.wanted.append(node.attr)
        self.sites.append(site)

    # -- calls: arguments that are devices, backends, commands, sources -------------------

    def _call(self, call: cst.Call) -> None:
        qualified, name = _qualified_callee(call.func, self.bindings)
        positional = [a for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
        first = positional[0].value if positional else None
        method = isinstance(call.func, cst.Attribute)
        if first is not None and (qualified in DEVICE_CALLEES or (name == "to" and method)):
            self._add_literals(first, "device", qualified)
        if qualified == "torch.device" and "type" in keywords:
            self._add_literals(keywords["type"].value, "device", qualified)
        for keyword, arg in keywords.items():
            if keyword in DEVICE_KEYWORDS:
                self._add_literals(arg.value, "device", qualified)
            elif keyword == "backend":
                self._add_literals(arg.value, "backend", qualified)
        if first is not None and (qualified in IMPORT_CALLEES or name == "__import__"):
            self._add_literals(first, "module", qualified)
        for keyword, arg in keywords.items():
            if "cuda" in keyword:
                self._keyword(qualified, arg)
        if first is not None and name == "init_process_group":
            self._add_literals(first, "backend", qualified)
        if first is not None and name in ENV_METHODS:
            sets = name in ENV_SETTERS | ENV_DEFAULTS and len(positional) == 2
            if sets and not any(a.star for a in call.args):
                self.collected.env_values[id(first)] = positional[1].value
                if name in ENV_DEFAULTS:
                    self.collected.env_defaults.add(id(first))
            self._add_literals(first, "env", qualified)
        receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
        if name == "startswith" and first is not None and receiver and mentions(receiver, "device"):
            self._add_literals(first, "device", qualified, compared=True)
        if name == "add_argument":
            self._argparse(call, positional, keywords)
        if qualified in COMMAND_CALLEES:
            command = keywords["args"].value if "args" in keywords else first
            if command is not None:
                self._command(command, qualified)
        if qualified == f"{CPP_EXTENSION}.load":
            sources = keywords["sources"].value if "sources" in keywords else None
            if sources is None and len(positional) > 1:
                sources = positional[1].value
            if sources is not None:
                self._add_literals(sources, "source", qualified, elements=True)

    def _keyword(self, callee: str, arg: cst.Arg) -> None:
        """``profile(use_cuda=True)``, ``load_inline(cuda_sources=...)``: a CUDA-named keyword
        the data knows for this callee."""
        assert arg.keyword is not None
        symbol = f"{callee}({arg.keyword.value}=)"
        entry = self.context.exact.get(symbol)
        if entry is not None:
            site = Site("plain", entry, symbol, arg.keyword)
            site.wanted.append(arg.keyword)
            self.sites.append(site)

    def _argparse(self, call: cst.Call, positional: list[cst.Arg], keywords: dict[str, cst.Arg]) -> None:
        """``parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])``."""
        role: Role | None = None
        for arg in positional:
            text = literal_text(arg.value) or ""
            if "device" in text:
                role = "device"
            elif "backend" in text:
                role = "backend"
        if role is None:
            return
        if "default" in keywords:
            self._add_literals(keywords["default"].value, role, "")
        if "choices" in keywords:
            self._add_literals(keywords["choices"].value, role, "", elements=True)

    def _command(self, command: cst.BaseExpression, callee: str) -> None:
        if isinstance(command, cst.Call) and command.args:  # shlex.split("nvidia-smi ...")
            command = command.args[0].value
        if isinstance(command, cst.List | cst.Tuple) and command.elements:
            command = command.elements[0].value
        self._add_literals(command, "command", callee)

    def _add_literals(
        self,
        node: cst.BaseExpression,
        role: Role,
        callee: str,
        elements: bool = False,
        compared: bool = False,
    ) -> None:
        accelerators = self.context.accelerators
        for site in literal_sites(node, role, accelerators, callee, table=elements, compared=compared):
            self._literal(site)

    # -- literals --------------------------------------------------------------------------

    def _literal(self, site: LiteralSite) -> None:
        if id(site.node) in self._literal_ids:
            return
        text = literal_text(site.node)
        if not text:
            return
        found = self._literal_entry(text, site)
        if found is None:
            return
        entry, symbol = found
        self._literal_ids.add(id(site.node))
        judged = Site(
            "literal", entry, symbol, site.node, role=site.role, table=site.table, compared=site.compared
        )
        judged.wanted.append(site.node)
        if site.role == "env":
            judged.value = self.collected.env_values.get(id(site.node))
            judged.value_default = id(site.node) in self.collected.env_defaults
            if judged.value is not None:
                judged.wanted.append(judged.value)
        self.sites.append(judged)

    def _literal_entry(self, text: str, site: LiteralSite) -> tuple[MappingEntry, str] | None:
        exact = self.context.exact
        role = site.role
        if role == "device":
            if text != "cuda" and not text.startswith("cuda:"):
                return None
            if site.callee:
                specific = exact.get(f'{site.callee}("cuda")')
                if specific is not None:
                    return specific, specific.source
            if site.compared:  # x.device.type == "cuda": a test, which must not fall back to the CPU
                specific = exact.get('== "cuda"')
                if specific is not None:
                    return specific, specific.source
            entry = exact.get('"cuda"')
            return (entry, entry.source) if entry else None
        if role == "backend":
            if text != "nccl" and not _backend_spec_has_nccl(text):
                return None
            entry = exact.get('"nccl"')
            return (entry, entry.source) if entry else None
        if role == "env":
            entry = self.context.lookup(text)
            return (entry, text) if entry is not None and entry.kind == "env" else None
        if role == "command":
            word = text.strip().split(" ", 1)[0]
            entry = exact.get(word)
            return (entry, word) if entry is not None and entry.kind == "command" else None
        if role == "source" and text.endswith((".cu", ".cuh")):
            entry = exact.get(LOAD_CU_SOURCES)
            return (entry, LOAD_CU_SOURCES) if entry else None
        if role == "module":
            return self._dotted_string(text)
        return None

    def _dotted_string(self, text: str) -> tuple[MappingEntry, str] | None:
        """A dotted name in a string: a known name (``"torch.cuda.FloatTensor"``) or a module
        of a CUDA-only library (``"apex.optimizers.FusedAdam"``, an import made at run time)."""
        parts = text.split(".")
        if not all(p.isidentifier() for p in parts):
            return None
        if parts[0] in self.context.roots:
            found = self.context.resolve(parts)
            if found is not None:
                return found[0], ".".join(parts[: found[1]])
        if parts[0] in self.context.import_roots:
            found = self.context.resolve(parts, prefix="import ")
            if found is not None:
                return found[0], "import " + ".".join(parts[: found[1]])
        return None

    # -- imports ---------------------------------------------------------------------------

    def _import(self, site: ImportSite) -> None:
        seen: set[int] = set()
        for qualified, node in site.names:
            parts = qualified.split(".")
            if parts[0] not in self.context.import_roots:
                continue
            found = self.context.resolve(parts, prefix="import ")
            if found is None or id(found[0]) in seen:
                continue
            entry, covered = found
            seen.add(id(entry))
            judged = Site("import", entry, "import " + ".".join(parts[:covered]), node)
            judged.wanted.append(node)
            self.sites.append(judged)


def _backend_spec_has_nccl(text: str) -> bool:
    """``"cpu:gloo,cuda:nccl"``: a per-device backend spec naming nccl."""
    pairs = [p.split(":") for p in text.split(",")]
    return all(len(p) == 2 for p in pairs) and any(p[1].strip() == "nccl" for p in pairs)


def judge(context: Context, collected: Collected) -> list[Site]:
    return Judge(context, collected).run()
