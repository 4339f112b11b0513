"""Warp-width heuristics and the warp-shuffle rewrite: what no mapping row can express.

A mapping row can say that ``__shfl_xor_sync`` is a warp intrinsic, but not that a bare ``32`` is
a warp width or that ``0xffffffff`` is a 32-lane mask: that depends on where the literal stands.
The rules below are deliberately narrow, so a ``32`` that has nothing to do with warps (an array
size, a loop bound, a bit width) is not reported:

* **warp-size literal** (``32``, or ``31`` as a lane mask, or ``5`` as a shift): the right operand
  of ``%``, ``/`` (32), ``&`` (31) or ``>>`` (5) whose left operand names a thread index or a
  thread count (``threadIdx``, ``blockDim``, ``tid``, ``lane``, ``thread...``); a ``32`` multiplied
  with something named ``warp...``; a ``32`` passed to a ``__shfl*`` intrinsic after its first
  argument (the width); and a ``32`` assigned to a name that mentions warps or lanes
  (``#define WARP_SIZE 32``, ``constexpr int kWarpSize = 32``).
* **lane-mask literal** (``0xffffffff``): the first argument of a ``*_sync`` warp intrinsic
  (``__shfl_xor_sync``, ``__ballot_sync``, ``__syncwarp`` ...), or a value assigned to a name that
  mentions masks, warps or lanes (``#define FULL_MASK 0xffffffff``). ``x & 0xffffffff`` is not a
  mask.

The same rules read a parsed tree and, for macro bodies the grammar leaves raw, a token list.

HIP 5.2 has no ``__shfl*_sync``/``__ballot_sync``/``__any_sync``/``__all_sync``: those take the
lane mask as their *first* argument (a fact about CUDA's signatures, kept here), and the HIP forms
are the same call without it, so the rewrite is one edit over the name and the mask argument.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tree_sitter import Node

from porter.frontends.cuda_lexer import Token
from porter.model import Edit

WARP_LITERAL = "warp-size-literal"
MASK_LITERAL = "lane-mask-literal"
#: Lookup keys of two more warp-width sites: a ballot kept in 32 bits, shared memory sized by warps.
NARROW_BALLOT = "ballot-32bit"
WARP_SIZED_SHARED = "warp-sized-shared"

#: Intrinsics returning a lane mask: 32 bits in CUDA, 64 on wave64 AMD GPUs.
BALLOTS = frozenset({"__ballot_sync", "__ballot", "__activemask"})
#: 32-bit integer types (as written, spaces normalised) and intrinsics taking a 32-bit mask.
_NARROW_TYPE = re.compile(r"(?:const )?(?:(?:signed |unsigned )?int|unsigned|signed|u?int32_t|uint)")
_NARROW_CALLS = frozenset({"__popc", "__ffs", "__clz", "__brev", "__fns"})

#: CUDA warp intrinsics whose first parameter is the lane mask.
MASKED_INTRINSICS = frozenset(
    {
        "__shfl_sync", "__shfl_up_sync", "__shfl_down_sync", "__shfl_xor_sync",
        "__ballot_sync", "__any_sync", "__all_sync", "__uni_sync", "__match_any_sync",
        "__match_all_sync", "__syncwarp", "__reduce_add_sync", "__reduce_min_sync",
        "__reduce_max_sync", "__reduce_and_sync", "__reduce_or_sync", "__reduce_xor_sync",
    }
)

#: Literals the heuristics care about; everything else is skipped before any tree walk.
CANDIDATE = re.compile(r"(?:32|31|5|0[xX][fF]{8})[uUlL]*")
_MASK = re.compile(r"0[xX][fF]{8}[uUlL]*")
_INDEX_NAME = re.compile(r"threadIdx|blockDim|\w*(?:tid|lane|thread)\w*", re.I)
_WARP_NAME = re.compile(r"\w*warp\w*", re.I)
_WIDTH_NAME = re.compile(r"\w*(?:warp|lane|wave)\w*", re.I)
_MASK_NAME = re.compile(r"\w*(?:mask|warp|lane)\w*", re.I)

#: (operator, literal value) pairs that mean "warp width" when the other side is a thread index.
_INDEX_OPERATORS = {("%", 32), ("/", 32), ("&", 31), (">>", 5)}


def _value(text: str) -> int | None:
    stripped = text.rstrip("uUlL")
    try:
        return int(stripped, 0)
    except ValueError:
        return None


def _names_in(text: str, pattern: re.Pattern[str]) -> bool:
    return any(pattern.fullmatch(word) for word in re.findall(r"[A-Za-z_]\w*", text))


def definition_kind(name: str, value: str) -> str | None:
    """The literal kind of ``name = value`` (a macro or a constant), or None."""
    number = _value(value.strip())
    if number == 32 and _WIDTH_NAME.fullmatch(name):
        return WARP_LITERAL
    if _MASK.fullmatch(value.strip()) and _MASK_NAME.fullmatch(name):
        return MASK_LITERAL
    return None


def _call_kind(function: str, position: int, text: str) -> str | None:
    if _MASK.fullmatch(text) and position == 0 and function in MASKED_INTRINSICS:
        return MASK_LITERAL
    if _value(text) == 32 and position > 0 and function.startswith("__shfl"):
        return WARP_LITERAL
    return None


def _binary_kind(operator: str, literal: str, other: str) -> str | None:
    number = _value(literal)
    if number is None:
        return None
    if (operator, number) in _INDEX_OPERATORS and _names_in(other, _INDEX_NAME):
        return WARP_LITERAL
    if operator == "*" and number == 32 and _names_in(other, _WARP_NAME):
        return WARP_LITERAL
    return None


def _text(node: Node | None, data: bytes) -> str:
    if node is None:
        return ""
    return data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def tree_kind(node: Node, data: bytes) -> str | None:
    """The literal kind of a ``number_literal`` node in a parsed tree, or None."""
    text = _text(node, data)
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "binary_expression" and parent.child_by_field_name("right") == node:
        operator = parent.child_by_field_name("operator")
        return _binary_kind(_text(operator, data), text, _text(parent.child_by_field_name("left"), data))
    if parent.type == "binary_expression" and parent.child_by_field_name("left") == node:
        operator = _text(parent.child_by_field_name("operator"), data)
        if operator == "*":
            return _binary_kind(operator, text, _text(parent.child_by_field_name("right"), data))
        return None
    if parent.type == "argument_list" and parent.parent is not None:
        function = parent.parent.child_by_field_name("function")
        if function is None or parent.parent.type != "call_expression":
            return None
        arguments = [c for c in parent.named_children if c.type != "comment"]
        return _call_kind(_text(function, data), arguments.index(node), text)
    if parent.type == "init_declarator" and parent.child_by_field_name("value") == node:
        declarator = parent.child_by_field_name("declarator")
        return definition_kind(_text(declarator, data), text)
    return None


def token_kind(tokens: Sequence[Token], index: int) -> str | None:
    """The literal kind of the number token ``tokens[index]`` in a macro body, or None."""
    text = tokens[index].text.decode("ascii", errors="replace")
    previous = tokens[index - 1].text.decode("ascii", errors="replace") if index else ""
    if previous in {"%", "/", "&", ">>"}:
        # The left operand: tokens back to the nearest opening bracket, comma or start.
        start = index - 1
        depth = 0
        while start > 0:
            token = tokens[start - 1].text
            if token in (b")", b"]"):
                depth += 1
            elif token in (b"(", b"[", b","):
                if depth == 0:
                    break
                depth -= 1
            start -= 1
        left = " ".join(t.text.decode("ascii", errors="replace") for t in tokens[start : index - 1])
        return _binary_kind(previous, text, left)
    call = _enclosing_call(tokens, index)
    if call is not None:
        function, position = call
        return _call_kind(function, position, text)
    return None


def _enclosing_call(tokens: Sequence[Token], index: int) -> tuple[str, int] | None:
    """(function name, argument position) when ``tokens[index]`` is a whole call argument."""
    depth = 0
    position = 0
    cursor = index - 1
    while cursor >= 0:
        token = tokens[cursor].text
        if token in (b")", b"]"):
            depth += 1
        elif token in (b"(", b"["):
            if depth == 0:
                break
            depth -= 1
        elif token == b"," and depth == 0:
            position += 1
        cursor -= 1
    if cursor <= 0 or tokens[cursor].text != b"(" or tokens[cursor - 1].kind != "ident":
        return None
    following = tokens[index + 1].text if index + 1 < len(tokens) else b""
    if following not in (b",", b")") or tokens[index - 1].text not in (b",", b"("):
        return None
    return tokens[cursor - 1].text.decode("ascii"), position


def drop_mask_edit(name_start: int, second_argument_start: int, replacement: str) -> Edit:
    """``__shfl_xor_sync(mask, v, lane)`` -> ``__shfl_xor(v, lane)``: one edit, name to 2nd arg."""
    return Edit(name_start, second_argument_start, f"{replacement}(")


def second_argument_in_tree(name: Node) -> int | None:
    """Start of the second argument when ``name`` is the function of a call, else None."""
    call = name.parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != name:
        return None
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return None
    named = [c for c in arguments.named_children if c.type != "comment"]
    return named[1].start_byte if len(named) >= 2 else None


def second_argument_in_tokens(tokens: Sequence[Token], index: int) -> int | None:
    """The same for the identifier token ``tokens[index]`` of a macro body."""
    if index + 1 >= len(tokens) or tokens[index + 1].text != b"(":
        return None
    depth = 0
    for cursor in range(index + 2, len(tokens)):
        token = tokens[cursor].text
        if token in (b"(", b"[", b"{"):
            depth += 1
        elif token in (b")", b"]", b"}"):
            if depth == 0:
                return None
            depth -= 1
        elif token == b"," and depth == 0:
            return tokens[cursor + 1].start if cursor + 1 < len(tokens) else None
    return None


def _narrow(type_text: str) -> bool:
    return bool(_NARROW_TYPE.fullmatch(" ".join(type_text.split())))


def ballot_is_narrowed(name: Node, data: bytes) -> bool:
    """Whether the ballot called by ``name`` lands in 32 bits: a 32-bit variable initialised with
    it, a cast to a 32-bit type, or a 32-bit bit intrinsic (``__popc``) applied to it."""
    call = name.parent
    if call is None or call.type != "call_expression" or call.child_by_field_name("function") != name:
        return False
    node = call
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    parent = node.parent
    if parent is None:
        return False
    if parent.type == "init_declarator" and parent.child_by_field_name("value") == node:
        declaration = parent.parent
        kind = declaration.child_by_field_name("type") if declaration is not None else None
        return kind is not None and _narrow(_text(kind, data))
    if parent.type == "cast_expression":
        return _narrow(_text(parent.child_by_field_name("type"), data))
    if parent.type == "argument_list" and parent.parent is not None:
        function = parent.parent.child_by_field_name("function")
        if function is None:
            return False
        if function.type == "template_function":  # static_cast<unsigned>(...)
            arguments = function.child_by_field_name("arguments")
            return _text(function.child_by_field_name("name"), data).endswith("_cast") and _narrow(
                _text(arguments, data).strip("<>"))
        return _text(function, data) in _NARROW_CALLS
    return False


def warp_sized_extents(shared: Node, data: bytes) -> list[Node]:
    """Array extents of a ``__shared__`` declaration that depend on the warp width: they name a
    warp, lane or wave quantity (``WARP_SIZE``, ``warpSize``, ``kNumWarps``) or divide by 32."""
    declaration = shared.parent
    while declaration is not None and declaration.type != "declaration":
        declaration = declaration.parent
    if declaration is None:
        return []
    found = []
    stack = list(declaration.children_by_field_name("declarator"))
    while stack:
        node = stack.pop()
        if node.type in ("init_declarator", "array_declarator", "pointer_declarator"):
            stack.extend(node.children_by_field_name("declarator"))
        if node.type == "array_declarator":
            size = node.child_by_field_name("size")
            text = _text(size, data)
            if size is not None and (_names_in(text, _WIDTH_NAME) or re.search(r"/\s*32[uU]?\b", text)):
                found.append(size)
    return found
