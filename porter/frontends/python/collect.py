"""One traversal of a libcst module that records every place that may be vendor lock-in.

The walk is an explicit stack over each node type's child fields (libcst's visitor dispatch costs
about ten times more), it skips the fields that never hold code (whitespace, commas, comments)
and the names that are bindings rather than uses (``def cuda``, ``f(cuda=1)``, ``x.cuda``'s
``cuda``). What it records still needs the file's import bindings to be judged, so judging is
done afterwards, in ``porter.frontends.python.sites``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

from porter.frontends.python.context import Context
from porter.frontends.python.names import Bindings, ImportSite, dotted, dotted_text

Role = Literal["device", "backend", "env", "command", "source", "module"]

#: Fields that hold layout, never code.
_LAYOUT = re.compile(
    r"^(whitespace.*|lpar|rpar|comma|dot|semicolon|colon|equal|newline|leading_lines|"
    r"lines_after_decorators|header|footer|operator|lbracket|rbracket|lbrace|rbrace|"
    r"trailing_whitespace|asynchronous|star|first_line|empty_lines|indent|footer)$"
)
#: Identifiers that say an expression is a device, a collective backend or an environment: a
#: name containing one of the words (``x.device.type``, ``child_env``), or equal to a short one.
_MENTIONS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "device": (("device",), frozenset({"dev"})),
    "backend": (("backend",), frozenset()),
    "env": (("env",), frozenset()),
}
#: How many nodes ``mentions`` looks at before giving up (big expressions are not devices).
_MENTION_LIMIT = 40
#: Lookups whose last argument is the value used when the key is missing:
#: ``getattr(args, "device", "cuda")``, ``os.environ.get("DEVICE", "cuda")``, ``cfg.get(k, d)``.
_DEFAULT_FUNCTIONS = {"getattr": 3, "getenv": 2}
_DEFAULT_METHODS = {"get": 2, "getenv": 2, "pop": 2, "setdefault": 2}
_DISPLAYS = (cst.List, cst.Tuple, cst.Set, cst.Dict)
#: Functions that import the module their first argument names.
_IMPORTERS = frozenset({"import_module", "__import__"})
#: A string that is a whole dotted module path (``"apex.optimizers.FusedAdam"``).
_MODULE_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


@dataclass(frozen=True, slots=True)
class Scope:
    """What a use sees: the parameters that shadow imports and the enclosing function's name."""

    shadowed: frozenset[str] = frozenset()
    function: str = ""


_MODULE_SCOPE = Scope()


@dataclass(frozen=True, slots=True)
class Chain:
    """A dotted name in code: ``nodes[k]`` spans ``parts[: k + 1]``."""

    parts: list[str]
    nodes: list[cst.BaseExpression]
    scope: Scope
    call: cst.Call | None = None
    decorator: bool = False


@dataclass(frozen=True, slots=True)
class LiteralSite:
    """A string literal in a position that gives it a meaning (a device, a backend ...)."""

    node: cst.SimpleString | cst.FormattedString
    role: Role
    #: The qualified callee when the literal is an argument (``torch.amp.autocast``), else "".
    callee: str = ""
    #: Whether the literal is one entry of a list or dict that also names other accelerators
    #: (``["cuda", "xpu"]``): a per-vendor table, which a rename would break.
    table: bool = False
    #: Whether the literal is only compared with (``device.type == "cuda"``), which needs no
    #: import of the target's package once renamed.
    compared: bool = False


@dataclass(slots=True)
class Collected:
    bindings: Bindings = field(default_factory=Bindings)
    chains: list[Chain] = field(default_factory=list)
    #: Calls with a literal argument that may matter (``.to("cuda")``, ``run(["nvidia-smi"])``).
    calls: list[cst.Call] = field(default_factory=list)
    literals: list[LiteralSite] = field(default_factory=list)
    #: ``.cuda(...)`` calls and ``.is_cuda`` attributes, with the chain of their receiver.
    methods: list[cst.Call | cst.Attribute] = field(default_factory=list)
    imports: list[ImportSite] = field(default_factory=list)
    #: Where an added import goes: after the file's leading imports (or its docstring) ...
    insert_after: cst.CSTNode | None = None
    #: Dotted attributes the file assigns (``self.is_cuda = ...``): the user's own, not torch's
    #: read-only ``Tensor.is_cuda``.
    assigned: set[str] = field(default_factory=set)
    #: The value a variable-name literal is set to, by the literal's id: ``os.environ["X"] = v``,
    #: ``{"X": v}``, ``os.environ.setdefault("X", v)``.
    env_values: dict[int, cst.BaseExpression] = field(default_factory=dict)
    #: Those of them that are only the default of a read (``os.environ.get("X", default)``).
    env_defaults: set[int] = field(default_factory=set)


def literal_text(node: cst.CSTNode) -> str | None:
    """The text a string literal starts with (an f-string's leading text), bytes excluded."""
    if isinstance(node, cst.SimpleString):
        prefix = node.prefix.lower()
        if "b" in prefix:
            return None
        return node.value[len(node.prefix) + len(node.quote) : len(node.value) - len(node.quote)]
    if isinstance(node, cst.FormattedString):
        first = node.parts[0] if node.parts else None
        return first.value if isinstance(first, cst.FormattedStringText) else ""
    return None


def value_literals(node: cst.CSTNode) -> Iterator[cst.SimpleString | cst.FormattedString]:
    """The literals an expression's value may start with.

    ``"cuda" if ok else "cpu"``, ``args.device or "cuda"``, ``"cuda:%d" % i``, ``"cuda:" + r``,
    ``"cuda:{}".format(i)``, ``"cu" "da"`` and the default of a lookup
    (``getattr(args, "device", "cuda")``, ``os.environ.get("DEVICE", "cuda")``) all reach their
    literal here.
    """
    if isinstance(node, cst.SimpleString | cst.FormattedString):
        yield node
    elif isinstance(node, cst.ConcatenatedString):
        yield from value_literals(node.left)
    elif isinstance(node, cst.IfExp):
        yield from value_literals(node.body)
        yield from value_literals(node.orelse)
    elif isinstance(node, cst.BooleanOperation):
        yield from value_literals(node.left)
        yield from value_literals(node.right)
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add | cst.Modulo):
        yield from value_literals(node.left)
    elif isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            yield from value_literals(func.value)
        elif (default := _lookup_default(node)) is not None:
            yield from value_literals(default)


def _lookup_default(call: cst.Call) -> cst.BaseExpression | None:
    """The default argument of ``getattr(o, name, default)`` / ``mapping.get(key, default)``."""
    func = call.func
    if isinstance(func, cst.Name):
        count = _DEFAULT_FUNCTIONS.get(func.value)
    elif isinstance(func, cst.Attribute):
        count = _DEFAULT_METHODS.get(func.attr.value)
    else:
        return None
    args = call.args
    if count is None or len(args) != count or any(a.keyword or a.star for a in args):
        return None
    return args[-1].value


def element_literals(node: cst.CSTNode) -> Iterator[cst.SimpleString | cst.FormattedString]:
    """Literals of a value or of the elements of a list/tuple/set display."""
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        for element in node.elements:
            yield from value_literals(element.value)
    else:
        yield from value_literals(node)


def literal_sites(
    node: cst.CSTNode,
    role: Role,
    accelerators: frozenset[str],
    callee: str = "",
    table: bool = False,
    compared: bool = False,
) -> list[LiteralSite]:
    """The literals of ``node`` in ``role``: of its value, or with ``table`` of the entries of
    the list/tuple/set or dict display it is, each marked when the display also names another
    accelerator."""
    found = list(table_literals(node) if table else value_literals(node))
    texts = (literal_text(n) for n in found)
    several = isinstance(node, _DISPLAYS) and any(t and t.split(":")[0] in accelerators for t in texts)
    return [LiteralSite(n, role, callee, several, compared) for n in found]


def table_literals(node: cst.CSTNode) -> Iterator[cst.SimpleString | cst.FormattedString]:
    """Literals of a value, of a display's elements, or of a dict display's values: what a
    variable named for devices or backends holds (``supported_devices = ["cuda", "xpu"]``,
    ``backends = {"cpu": "gloo", "cuda": "nccl"}``)."""
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                yield from value_literals(element.value)
    else:
        yield from element_literals(node)


def mentions(node: cst.CSTNode, role: str) -> bool:
    """Whether an expression names a device / backend / environment (``x.device.type``)."""
    words, short = _MENTIONS[role]
    stack = [node]
    seen = 0
    while stack and seen < _MENTION_LIMIT:
        current = stack.pop()
        seen += 1
        name = None
        if isinstance(current, cst.Name):
            name = current.value
        elif isinstance(current, cst.Attribute):
            name = current.attr.value
            stack.append(current.value)
        elif isinstance(current, cst.Call):
            stack.append(current.func)
            stack.extend(arg.value for arg in current.args)
        elif isinstance(current, cst.Subscript):
            stack.append(current.value)
        if name is not None:
            lowered = name.lower()
            if lowered in short or any(w in lowered for w in words):
                return True
    return False


def _role_for_name(name: str) -> Role | None:
    lowered = name.lower()
    if "device" in lowered:
        return "device"
    if "backend" in lowered:
        return "backend"
    return None


def _last_name(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return ""


_FIELDS: dict[type, tuple[str, ...]] = {}
_NODE_TYPES: dict[type, bool] = {}


def _is_node(kind: type) -> bool:
    """``issubclass(kind, cst.CSTNode)``, cached: the ABC check is slow on every field."""
    known = _NODE_TYPES.get(kind)
    if known is None:
        known = _NODE_TYPES[kind] = issubclass(kind, cst.CSTNode)
    return known


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = tuple(
            f.name for f in dataclasses.fields(kind) if not _LAYOUT.match(f.name)
        )
        _FIELDS[kind] = fields
    return fields


class Collector:
    """Walks one module once, with what the mapping data says is worth recording."""

    def __init__(self, context: Context) -> None:
        #: Whether a literal's text may matter.
        self.interesting: Callable[[str], bool] = context.literal_filter.search
        #: Packages whose dotted names in strings are looked up at run time.
        self.modules = context.string_roots
        self.accelerators = context.accelerators
        self.out = Collected()
        self._stack: list[tuple[cst.CSTNode, Scope]] = []
        self._handlers: dict[type, Callable[[cst.CSTNode, Scope], bool]] = {
            cst.Import: self._import,
            cst.ImportFrom: self._import,
            cst.Attribute: self._attribute,
            cst.Name: self._name,
            cst.Call: self._call,
            cst.Decorator: self._decorator,
            cst.FunctionDef: self._function,
            cst.Lambda: self._lambda,
            cst.ClassDef: self._class,
            cst.Param: self._param,
            cst.Arg: self._arg,
            cst.Comparison: self._comparison,
            cst.Subscript: self._subscript,
            cst.Assign: self._assign,
            cst.AnnAssign: self._annassign,
            cst.AssignTarget: self._assign_target,
            cst.Dict: self._dict,
            cst.DictElement: self._dict_element,
            cst.Return: self._return,
            cst.IfExp: self._if_expression,
            cst.SimpleString: self._string,
            cst.AsName: self._skip,
            cst.Global: self._skip,
            cst.Nonlocal: self._skip,
        }

    # -- driving ---------------------------------------------------------------------------

    def run(self, module: cst.Module) -> Collected:
        self._top_imports(module)
        stack = self._stack
        stack.extend((stmt, _MODULE_SCOPE) for stmt in reversed(module.body))
        handlers = self._handlers
        while stack:
            node, scope = stack.pop()
            handler = handlers.get(type(node))
            if handler is None or handler(node, scope):
                self._push_children(node, scope)
        return self.out

    def _push_children(self, node: cst.CSTNode, scope: Scope) -> None:
        pending = []
        for name in _child_fields(type(node)):
            value = getattr(node, name)
            kind = type(value)
            if kind is tuple or kind is list:
                pending.extend(v for v in value if _is_node(type(v)))
            elif _is_node(kind):
                pending.append(value)
        self._stack.extend((child, scope) for child in reversed(pending))

    def _push(self, scope: Scope, *nodes: cst.CSTNode | None) -> None:
        self._stack.extend((n, scope) for n in reversed(nodes) if n is not None)

    def _top_imports(self, module: cst.Module) -> None:
        """The last statement of the file's docstring-and-imports opening block, if any."""
        for index, statement in enumerate(module.body):
            if not isinstance(statement, cst.SimpleStatementLine):
                return
            small = statement.body
            docstring = index == 0 and len(small) == 1 and isinstance(small[0], cst.Expr)
            if docstring and isinstance(small[0].value, cst.SimpleString | cst.ConcatenatedString):
                self.out.insert_after = small[0]
                continue
            if not small or not all(isinstance(s, cst.Import | cst.ImportFrom) for s in small):
                return
            self.out.insert_after = small[-1]

    # -- recording helpers -----------------------------------------------------------------

    def _chain(self, node: cst.BaseExpression, scope: Scope, **context: object) -> bool:
        """Record ``node`` as a dotted-name use when it is one whose head may be an import."""
        chain = dotted(node)
        if chain is None:
            return False
        parts, nodes = chain
        head = parts[0]
        if head == "torch" or head in self.out.bindings.names:
            self.out.chains.append(Chain(parts, nodes, scope, **context))  # type: ignore[arg-type]
        return True

    def _literals(
        self, node: cst.CSTNode | None, role: Role, table: bool = False, compared: bool = False
    ) -> None:
        if node is None:
            return
        for site in literal_sites(node, role, self.accelerators, table=table, compared=compared):
            text = literal_text(site.node)
            if text and self.interesting(text):
                self.out.literals.append(site)

    def _has_interesting(self, node: cst.CSTNode) -> bool:
        for literal in element_literals(node):
            text = literal_text(literal)
            if text and self.interesting(text):
                return True
        return isinstance(node, cst.Call) and any(self._has_interesting(a.value) for a in node.args)

    # -- handlers: return True to walk the node's children generically --------------------

    def _skip(self, node: cst.CSTNode, scope: Scope) -> bool:
        return False

    def _string(self, node: cst.CSTNode, scope: Scope) -> bool:
        """``"apex.optimizers.FusedAdam"``, ``"torch.cuda.FloatTensor"``: a dotted name that an
        importer, ``set_default_tensor_type`` or ``mock.patch`` resolves later."""
        text = literal_text(node)
        if text and text.split(".", 1)[0] in self.modules and _MODULE_PATH.fullmatch(text):
            self.out.literals.append(LiteralSite(node, "module"))  # type: ignore[arg-type]
        return False

    def _import(self, node: cst.CSTNode, scope: Scope) -> bool:
        site = self.out.bindings.add(node)  # type: ignore[arg-type]
        if site is not None:
            self.out.imports.append(site)
        return False

    def _attribute(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Attribute)
        if node.attr.value == "is_cuda":
            self.out.methods.append(node)
        if self._chain(node, scope):
            return False
        self._push(scope, node.value)
        return False

    def _name(self, node: cst.CSTNode, scope: Scope) -> bool:
        self._chain(node, scope)  # type: ignore[arg-type]
        return False

    def _call(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Call)
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "cuda":
            self.out.methods.append(node)
        if not self._chain(func, scope, call=node):
            self._push(scope, func)
        default = _lookup_default(node)
        if default is not None:  # getattr(args, "device", "cuda"): the key says what it is
            role = _role_for_name(literal_text(node.args[-2].value) or "")
            if role is not None:
                self._literals(default, role)
        if _last_name(func) in _IMPORTERS or any(
            (arg.keyword is not None and "cuda" in arg.keyword.value) or self._has_interesting(arg.value)
            for arg in node.args
        ):
            self.out.calls.append(node)
        self._push(scope, *(arg.value for arg in node.args))
        return False

    def _decorator(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Decorator)
        if not self._chain(node.decorator, scope, decorator=True):
            self._push(scope, node.decorator)
        return False

    def _function(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.FunctionDef)
        inner = Scope(scope.shadowed | _param_names(node.params), node.name.value)
        self._push(scope, *node.decorators)
        self._push(inner, node.params, node.returns, node.body)
        return False

    def _lambda(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Lambda)
        inner = Scope(scope.shadowed | _param_names(node.params), scope.function)
        self._push(inner, node.params, node.body)
        return False

    def _class(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.ClassDef)
        self._push(scope, *node.decorators, *(a.value for a in node.bases))
        self._push(scope, *(a.value for a in node.keywords), node.body)
        return False

    def _param(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Param)
        role = _role_for_name(node.name.value)
        if role is not None:
            self._literals(node.default, role)
        self._push(scope, node.annotation, node.default)
        return False

    def _arg(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Arg)
        self._push(scope, node.value)
        return False

    def _comparison(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Comparison)
        left = node.left
        for target in node.comparisons:
            right = target.comparator
            contains = isinstance(target.operator, cst.In | cst.NotIn)
            for role in ("device", "backend", "env"):
                if mentions(right, role):
                    self._literals(left, role, compared=True)  # type: ignore[arg-type]
                if mentions(left, role):
                    self._literals(right, role, table=contains, compared=True)  # type: ignore[arg-type]
            left = right
        return True

    def _subscript(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Subscript)
        # Any mapping indexed by a known variable name: os.environ, env, a subprocess's env dict.
        index = node.slice[0].slice if len(node.slice) == 1 else None
        if isinstance(index, cst.Index):
            self._literals(index.value, "env")
        return True

    def _assigned(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Attribute):
            self.out.assigned.add(dotted_text(target))

    def _assign(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Assign)
        if len(node.targets) == 1 and isinstance(subscript := node.targets[0].target, cst.Subscript):
            index = subscript.slice[0].slice if len(subscript.slice) == 1 else None
            if isinstance(index, cst.Index):  # os.environ["X"] = value
                self.out.env_values[id(index.value)] = node.value
        for target in node.targets:
            self._assigned(target.target)
            role = _role_for_name(_last_name(target.target))
            if role is not None:
                self._literals(node.value, role, table=True)
        return True

    def _annassign(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.AnnAssign)
        self._assigned(node.target)
        role = _role_for_name(_last_name(node.target))
        if role is not None:
            self._literals(node.value, role, table=True)
        if isinstance(node.target, cst.Name):
            self._push(scope, node.annotation, node.value)
            return False
        return True

    def _assign_target(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.AssignTarget)
        # ``cuda = ...`` rebinds a name, it is no use of one; ``torch.backends.x = ...`` is.
        return not isinstance(node.target, cst.Name)

    def _dict_element(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.DictElement)
        key = literal_text(node.key)
        if key is not None:
            role = _role_for_name(key)
            if role is not None:
                self._literals(node.value, role)
            self._literals(node.key, "env")
            self.out.env_values[id(node.key)] = node.value
        return True

    def _dict(self, node: cst.CSTNode, scope: Scope) -> bool:
        """``{"cpu": "gloo", "cuda": "nccl"}``: a device -> backend table, whose CUDA key and
        nccl value move together (and stay when other accelerators have entries)."""
        assert isinstance(node, cst.Dict)
        pairs = [e for e in node.elements if isinstance(e, cst.DictElement)]
        keys = [literal_text(e.key) for e in pairs]
        several = any(k and k.split(":")[0] in self.accelerators for k in keys)
        for element, key in zip(pairs, keys, strict=True):
            if key and literal_text(element.value) == "nccl":
                for literal, role in ((element.key, "device"), (element.value, "backend")):
                    assert isinstance(literal, cst.SimpleString | cst.FormattedString)
                    self.out.literals.append(LiteralSite(literal, role, table=several))  # type: ignore[arg-type]
        return True

    def _if_expression(self, node: cst.CSTNode, scope: Scope) -> bool:
        """``"cuda" if torch.cuda.is_available() else "cpu"``: a choice made on an availability
        test picks a device, whatever the expression is assigned to or returned from."""
        assert isinstance(node, cst.IfExp)
        test = node.test.expression if isinstance(node.test, cst.UnaryOperation) else node.test
        if isinstance(test, cst.Call) and _last_name(test.func) == "is_available":
            self._literals(node.body, "device")
            self._literals(node.orelse, "device")
        return True

    def _return(self, node: cst.CSTNode, scope: Scope) -> bool:
        assert isinstance(node, cst.Return)
        if scope.function:
            role = _role_for_name(scope.function)
            if role is not None:
                self._literals(node.value, role)
        return True


def _param_names(params: cst.Parameters) -> frozenset[str]:
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            every.append(star)
    return frozenset(p.name.value for p in every)


def collect(module: cst.Module, context: Context) -> Collected:
    """Every candidate site of one module, with the module's import bindings."""
    return Collector(context).run(module)
