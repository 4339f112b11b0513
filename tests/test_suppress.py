"""Inline suppression comments: only real comments count, they must name a rule, they cover
their own line (or, alone on a line, the next one), and unused or malformed ones are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import porter
from conftest import REPO
from hypothesis import given
from hypothesis import strategies as st

from porter.mappings import default_tables
from porter.model import FileResult, Finding, Span
from porter.scan import scan
from porter.suppress import apply_suppressions, find_suppressions


def rules_by_line(text: str, language: str) -> list[tuple[int, bool, tuple[str, ...], str | None]]:
    return [(s.line, s.own_line, s.rules, s.problem) for s in find_suppressions(text.encode(), language)]


# --- which comments count -------------------------------------------------------------------


def test_python_trailing_and_own_line_comments() -> None:
    text = "x = 1  # porter: ignore[torch-cuda]\n# porter: ignore[a, b-c]\ny = 2\n"
    assert rules_by_line(text, "python") == [
        (1, False, ("torch-cuda",), None),
        (2, True, ("a", "b-c"), None),
    ]


def test_python_strings_and_docstrings_are_not_comments() -> None:
    text = (
        's = "# porter: ignore[a]"\n'
        "def f():\n"
        '    """Docs.\n'
        "    # porter: ignore[b]\n"
        '    """\n'
        "t = '''x  # porter: ignore[c]'''  # porter: ignore[d]\n"
    )
    assert rules_by_line(text, "python") == [(6, False, ("d",), None)]


def test_python_that_does_not_tokenize_still_gets_its_comments() -> None:
    text = 'x = f(1)  # porter: ignore[a]\ns = """never closed\n'
    assert rules_by_line(text, "python") == [(1, False, ("a",), None)]


def test_python_byte_offsets_point_at_the_marker_after_wide_characters() -> None:
    data = "é = 'ü'  # porter: ignore[a]\n".encode()
    (item,) = find_suppressions(data, "python")
    assert data[item.start : item.end] == b"porter: ignore[a]"


def test_cpp_line_comments_outside_strings() -> None:
    text = (
        'cudaMalloc(&p, n);  // porter: ignore[cuda-runtime]\n'
        'const char* s = "// porter: ignore[x]";\n'
        "int n = 1'000'000;  // porter: ignore[y]\n"
        "/* porter: ignore[z] */ int m;\n"
        "char q = '\"'; // porter: ignore[w]\n"
    )
    assert rules_by_line(text, "cuda") == [
        (1, False, ("cuda-runtime",), None),
        (3, False, ("y",), None),
        (5, False, ("w",), None),
    ]


def test_hash_comments_start_a_word_in_shell_yaml_cmake_and_dockerfiles() -> None:
    text = (
        "nvidia-smi  # porter: ignore[nvidia-tools]\n"
        "echo a#porter: ignore[x]\n"
        'image: "nvidia/cuda:12  # porter: ignore[y]"\n'
        "# porter: ignore[container-image]\n"
        "FROM nvidia/cuda:12.4.1-devel\n"
    )
    for language in ("shell", "yaml", "cmake", "dockerfile"):
        assert rules_by_line(text, language) == [
            (1, False, ("nvidia-tools",), None),
            (4, True, ("container-image",), None),
        ]


# --- what a marker must say -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "rules", "problem"),
    [
        ("# porter: ignore", (), "names no rule"),
        ("# porter: ignore[]", (), "names no rule"),
        ("# porter: ignore[ , ]", (), "names no rule"),
        ("# porter: ignore[a", (), "unclosed"),
        ("# porter: ignore[Bad_Rule, ok-rule]", ("ok-rule",), "not a rule id: 'Bad_Rule'"),
        ("# porter:ignore[a,b,]", ("a", "b"), None),
        ("# why: porter: ignore[a] -- vendor test", ("a",), None),
    ],
)
def test_marker_syntax(comment: str, rules: tuple[str, ...], problem: str | None) -> None:
    (item,) = find_suppressions(f"x = 1  {comment}\n".encode(), "python")
    assert item.rules == rules
    if problem is None:
        assert item.problem is None
    else:
        assert item.problem is not None and problem in item.problem


def test_words_that_only_start_like_the_marker_are_not_markers() -> None:
    assert find_suppressions(b"x = 1  # porter: ignored this\n", "python") == []
    assert find_suppressions(b"x = 1  # see porter docs\n", "python") == []


@given(st.text(alphabet=st.sampled_from(list("porter: ignore[]a-,#/'\"\\\n x*é")), max_size=200),
       st.sampled_from(["python", "cuda", "shell"]))
def test_any_text_is_read_without_error_and_ranges_hold_markers(text: str, language: str) -> None:
    data = text.encode()
    for item in find_suppressions(data, language):
        assert 0 <= item.start < item.end <= len(data)
        assert data[item.start : item.end].startswith(b"porter:")
        assert item.rules or item.problem


# --- applying them to findings ------------------------------------------------------------------


def finding(rule: str, line: int, end_line: int | None = None) -> Finding:
    return Finding(
        rule=rule, symbol=f"{rule}-symbol", family="test", language="python", path="a.py",
        span=Span(line, 1, end_line or line, 9), snippet="call()", severity="medium", targets={},
    )


def result_for(text: str, *findings: Finding, status: str = "scanned") -> tuple[FileResult, bytes]:
    data = text.encode()
    result = FileResult(path="a.py", language="python", status=status,  # type: ignore[arg-type]
                        lines=text.count("\n"), findings=findings)
    return result, data


def test_trailing_comment_covers_its_line_only() -> None:
    text = "a()  # porter: ignore[r1]\nb()\n"
    result, data = result_for(text, finding("r1", 1), finding("r1", 2))
    out = apply_suppressions(result, data, default_tables())
    assert [(f.rule, f.span.line) for f in out.findings] == [("r1", 2)]
    assert [(f.rule, f.span.line) for f in out.suppressed] == [("r1", 1)]


def test_own_line_comment_covers_the_next_line() -> None:
    text = "# porter: ignore[r1, r2]\na()\nb()\n"
    result, data = result_for(text, finding("r1", 2), finding("r2", 2), finding("r1", 3))
    out = apply_suppressions(result, data, default_tables())
    assert [(f.rule, f.span.line) for f in out.findings] == [("r1", 3)]
    assert len(out.suppressed) == 2


def test_comment_on_any_line_of_a_multiline_site_covers_it() -> None:
    text = "a(\n  1,\n)  # porter: ignore[r1]\n"
    result, data = result_for(text, finding("r1", 1, end_line=3))
    assert apply_suppressions(result, data, default_tables()).findings == ()


def test_only_the_named_rule_is_suppressed_and_unused_names_are_reported() -> None:
    text = "a()  # porter: ignore[r1, no-such-rule]\n"
    result, data = result_for(text, finding("r1", 1), finding("r2", 1))
    out = apply_suppressions(result, data, default_tables())
    assert [(f.rule, f.symbol) for f in out.findings] == [
        ("r2", "r2-symbol"), ("porter-unused-suppression", "ignore[no-such-rule]")
    ]
    unused = next(f for f in out.findings if f.rule == "porter-unused-suppression")
    assert unused.family == "porter"
    assert unused.span.line == 1 and unused.span.column == text.index("porter") + 1
    assert unused.severity == "low"
    assert {plan.status for plan in unused.targets.values()} == {"not-needed"}
    assert set(unused.targets) == set(default_tables().target_ids)


def test_bare_marker_is_invalid_and_suppresses_nothing() -> None:
    text = "a()  # porter: ignore\n"
    result, data = result_for(text, finding("r1", 1))
    out = apply_suppressions(result, data, default_tables())
    assert sorted(f.rule for f in out.findings) == ["porter-invalid-suppression", "r1"]
    assert out.suppressed == ()


def test_partly_read_files_report_invalid_but_not_unused_markers() -> None:
    text = "a()  # porter: ignore[r1]\nb()  # porter: ignore\n"
    result, data = result_for(text, status="partial")
    out = apply_suppressions(result, data, default_tables())
    assert [f.rule for f in out.findings] == ["porter-invalid-suppression"]


def test_files_that_were_not_read_are_left_alone() -> None:
    text = "a()  # porter: ignore\n"
    result, data = result_for(text, status="skipped")
    assert apply_suppressions(result, data, default_tables()) is result


def test_files_without_markers_are_returned_unchanged() -> None:
    result, data = result_for("a()  # just a comment\n", finding("r1", 1))
    assert apply_suppressions(result, data, default_tables()) is result


# --- end to end, through a real frontend ------------------------------------------------------




CMAKE = "cmake_minimum_required(VERSION 3.18)\nproject(demo LANGUAGES CXX CUDA)\n"


def cmake_rule(tmp_path: Path) -> str:
    (tmp_path / "CMakeLists.txt").write_text(CMAKE)
    out = porter("check", "CMakeLists.txt", "--format", "json", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    rules = {f["rule"] for f in json.loads(out.stdout)["findings"] if f["line"] == 2}
    assert len(rules) == 1, rules
    return rules.pop()


def test_check_honours_suppressions_and_reports_unused_ones(tmp_path: Path) -> None:
    rule = cmake_rule(tmp_path)
    (tmp_path / "CMakeLists.txt").write_text(CMAKE.replace("CUDA)", f"CUDA)  # porter: ignore[{rule}]"))
    quiet = porter("check", "CMakeLists.txt", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert "1 suppressed" in quiet.stdout
    (tmp_path / "CMakeLists.txt").write_text(CMAKE + "# porter: ignore[" + rule + "]\n")
    stale = porter("check", "CMakeLists.txt", cwd=tmp_path)
    assert stale.returncode == 1
    assert "CMakeLists.txt:3:3: low porter-unused-suppression" in stale.stdout


def test_notebooks_are_left_alone() -> None:
    data = b'{"cells": [{"source": ["x = 1  # porter: ignore[r1]\\n"]}]}'
    result = FileResult(path="nb.ipynb", language="python", status="scanned", lines=1)
    assert apply_suppressions(result, data, default_tables()) is result


def test_porters_own_sources_hold_no_stray_suppression_markers() -> None:
    meta = [(f.path, f.span.line) for f in scan(REPO / "porter", jobs=1).findings if f.family == "porter"]
    assert meta == []
