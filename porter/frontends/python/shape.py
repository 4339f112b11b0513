"""Shapes of code libcst cannot take, found before the parse so a file costs a note, not the scan.

libcst's parser is one native call that ``--file-timeout`` cannot interrupt, and two shapes break
it (measured with libcst 1.9 on this project's machines):

- brackets nested about 1,500 deep overflow its stack and kill the process (a segfault, not an
  exception). CPython's own tokenizer refuses more than 200 (``too many nested parentheses``),
  so no runnable file gets anywhere near; deeper than that is refused here.
- chains of operations at one level (``a + b + ...``, ``x.a.b...``, ``f()()...``, ``x[0][0]...``,
  ``a if c else b if ...``) cost time growing with the square of their length: 4,000 links take
  3 s as a sum and 20 s as subscripts. A file is refused when the squared lengths of its long
  chains add up past the budget (the cost of one 4,000-link chain).

The scan is a regular-expression tokenizer that skips names, numbers, strings and comments in C
and runs Python only for brackets, separators and operators: a few per cent of the parse it
guards, and only for files big enough to hold such a shape.
"""

from __future__ import annotations

import re

#: CPython's tokenizer limit on nested brackets (MAXLEVEL).
MAX_NESTING = 200
#: Chains shorter than this cost libcst nothing worth counting.
LONG_CHAIN = 100
#: Sum of squared long-chain lengths a file may have: one chain of 4,000 links (3 s as a sum).
CHAIN_BUDGET = 4_000**2
#: Files smaller than this hold neither shape at a harmful size.
MIN_BYTES = 2_000

_KEYWORDS = rb"(?:and|or|for|in|lambda|return|yield|if|else|not)\b"
#: One bracket, separator or link, after the names, numbers, strings and comments before it
#: (consumed inside the regex engine, so Python sees only the tokens that matter). Any other
#: character (``=``, a stray quote) and the end are tokens too, so no match attempt fails: a
#: failed attempt would restart inside the string it had skipped, at quadratic cost.
_TOKEN = re.compile(
    rb"""
    (?:
        [ \t]+ | (?!KEYWORDS)[A-Za-z_]\w* | \d[\w.]* | \#[^\r\n]* | \\\r?\n
      | '''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      | '(?:[^'\\\r\n]|\\.)*' | "(?:[^"\\\r\n]|\\.)*"
    )*+
    (?:
        (?P<separator>[,;]|:(?!=)|\r?\n|\r|\b(?:and|or|for|in|lambda|return|yield)\b)
      | (?P<link>\*\*|//|<<|>>|[-+*/%@&|^~<>.]|\b(?:if|else|not)\b)
      | (?P<open>[(\[{])
      | (?P<close>[)\]}])
      | (?P<other>.|\Z)
    )
    """.replace(b"KEYWORDS", _KEYWORDS),
    re.VERBOSE | re.DOTALL,
)


def refusal(data: bytes) -> tuple[int, str] | None:
    """Why libcst must not see ``data`` (the line and the reason), or None when it may."""
    if len(data) < MIN_BYTES:
        return None
    depth = 0
    links = [0]  # links of the chain open at each bracket level
    cost = 0
    worst = (0, 0)  # (links, offset) of the longest chain

    def ended(chain: int, offset: int) -> bool:
        """Count a finished chain; True once the file is over budget."""
        nonlocal cost, worst
        if chain >= LONG_CHAIN:
            cost += chain * chain
            worst = max(worst, (chain, offset))
        return cost > CHAIN_BUDGET

    for match in _TOKEN.finditer(data):
        kind = match.lastgroup
        if kind == "open":
            links[-1] += 1  # a call or subscript applied to what precedes it
            depth += 1
            if depth > MAX_NESTING:
                line = data.count(b"\n", 0, match.start()) + 1
                return line, f"brackets nested deeper than {MAX_NESTING} (CPython's own limit)"
            links.append(0)
        elif kind == "link":
            links[-1] += 1
        elif kind == "close" and depth:
            depth -= 1
            if ended(links.pop(), match.start()):
                break
        elif kind == "separator" and not (depth and match.group().isspace()):
            chain, links[-1] = links[-1], 0  # a line break inside brackets goes on
            if ended(chain, match.start()):
                break
    else:
        if not any(ended(chain, len(data)) for chain in links):
            return None
    line = data.count(b"\n", 0, worst[1]) + 1
    return line, (
        f"an expression of {worst[0]:,} chained operations (libcst's parse time grows with "
        "the square of such chains: minutes)"
    )
