"""The guard in front of libcst: shapes that crash it or cost minutes are refused with the line;
ordinary code, however big, is not."""

from __future__ import annotations

import pytest

from porter.frontends.python import analyze_source
from porter.frontends.python.shape import CHAIN_BUDGET, MAX_NESTING, refusal
from porter.mappings import default_tables

PAD = "import torch\n" + "# padding\n" * 200  # past the size below which nothing is checked


def nested(depth: int) -> str:
    return PAD + "x = " + "f(" * depth + "a" + ")" * depth + "\n"


def test_nesting_up_to_cpythons_limit_is_accepted_and_past_it_refused() -> None:
    assert refusal(nested(MAX_NESTING).encode()) is None
    line, reason = refusal(nested(MAX_NESTING + 1).encode())
    assert line == 202 and "nested deeper than 200" in reason


@pytest.mark.parametrize(
    ("name", "expression"),
    [
        ("sum", "a" + " + a" * 5000),
        ("sum over lines in brackets", "(a" + " +\n a" * 5000 + ")"),
        ("sum over backslashed lines", "a" + " + \\\n a" * 5000),
        ("subscripts", "a" + "[0]" * 5000),
        ("calls", "f" + "()" * 5000),
        ("attributes", "a" + ".b" * 5000),
        ("conditionals", "a" + " if c else a" * 2500),
        ("unary minus", "-" * 5000 + "a"),
    ],
)
def test_long_chains_are_refused_at_their_line(name: str, expression: str) -> None:
    found = refusal((PAD + "y = 1\nx = " + expression + "\nz = 2\n").encode())
    assert found is not None, name
    line, reason = found
    assert line >= 203 and "chained operations" in reason


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("a long list", "x = [" + ", ".join(["a + b"] * 20_000) + "]"),
        ("a long dict", "x = {" + ", ".join(f"{i}: a.b(c)[0]" for i in range(20_000)) + "}"),
        ("many statements", "\n".join(f"x{i} = a + b * c.d(e)[0] - f" for i in range(20_000))),
        ("a call with many arguments", "f(" + ", ".join(["a.b.c"] * 20_000) + ")"),
        ("operators in a string", "x = '''" + "+" * 100_000 + "'''"),
        ("operators in a comment", "# " + ".(" * 100_000),
        ("brackets in strings", "x = '" + "(" * 5_000 + "'"),
        ("boolean chains (flat in libcst)", "x = " + " and ".join(["a"] * 20_000)),
        ("chains below the budget", "\n".join("x = " + " + ".join(["a"] * 500) for _ in range(40))),
    ],
)
def test_ordinary_code_is_not_refused(name: str, code: str) -> None:
    assert refusal((PAD + code + "\n").encode()) is None, name


def test_many_medium_chains_add_up() -> None:
    chain = int(CHAIN_BUDGET**0.5) // 2  # four of these cost as much as one over the budget
    code = "\n".join("x = " + " + ".join(["a"] * chain) for _ in range(5))
    assert refusal((PAD + code + "\n").encode()) is not None


def test_small_files_are_not_checked() -> None:
    assert refusal(b"x = " + b"(" * 300 + b"a" + b")" * 300) is None  # CPython refuses it; libcst copes


def test_a_refused_file_is_an_error_result_with_the_note() -> None:
    data = nested(1_500).replace("(a)", "(torch.cuda.synchronize())").encode()  # libcst would crash here
    result = analyze_source("deep.py", data, default_tables())
    assert result.status == "error" and result.findings == ()
    assert result.note == "deep.py:202: brackets nested deeper than 200 (CPython's own limit); not analysed"
