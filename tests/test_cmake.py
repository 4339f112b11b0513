"""The CMake tokenizer and frontend: spans, generator expressions, comments, imports, goldens.

Golden files: ``tests/golden/cmake/input/...`` ported per target into
``tests/golden/cmake/<target>/...``; ``PORTER_REGEN=1 pytest tests/test_cmake.py`` rewrites the
expected files (and ``findings.txt``) from the current code: review the diff before committing.
"""

from __future__ import annotations

import re

import pytest
from golden.runner import check_file, check_findings, inputs
from hypothesis import given
from hypothesis import strategies as st

from porter.frontends.cmake import CMakeFrontend
from porter.frontends.cmake_lexer import tokenize
from porter.mappings import default_tables, reference_names
from porter.rewrite.apply import apply_edits

FRONTEND = CMakeFrontend()
TARGETS = default_tables().target_ids


def analyze(text: str):
    return FRONTEND.analyze("CMakeLists.txt", text.encode(), default_tables())


def test_tokenizer_keeps_generator_expressions_and_brackets_whole() -> None:
    data = (
        b'#[==[ comment with ) and "quotes" ]==]\n'
        b"target_compile_options(t PRIVATE $<$<AND:$<CONFIG:Debug>,$<COMPILE_LANGUAGE:CUDA>>:-G;-O0>"
        b' "a \\" b" [=[x]y]=] ${V${N}} (nested (parens)) # trailing\n)\n'
    )
    tokens = tokenize(data)
    assert tokens.error is None
    (command,) = tokens.commands
    values = [a.value for a in command.arguments]
    assert values == [
        "t", "PRIVATE", "$<$<AND:$<CONFIG:Debug>,$<COMPILE_LANGUAGE:CUDA>>:-G;-O0>",
        'a \\" b', "x]y", "${V${N}}", "(", "nested", "(", "parens", ")", ")",
    ]
    for arg in command.arguments:  # every span is the argument's own bytes
        assert data[arg.value_start : arg.value_end].decode() == arg.value


def test_syntax_error_keeps_commands_before_it() -> None:
    result = analyze("enable_language(CUDA)\nset(X [[never closed\n")
    assert result.status == "partial" and "line 2" in (result.note or "")
    assert [f.symbol for f in result.findings] == ["CUDA"]


def test_comments_and_messages_are_not_sites() -> None:
    text = '# CUDA::cublas\nmessage(STATUS "needs CUDA::cublas")\n#[[ enable_language(CUDA) ]]\n'
    assert analyze(text).findings == ()


def test_genex_site_is_rewritten_inside_the_expression() -> None:
    text = "target_link_libraries(t PRIVATE $<$<BOOL:${X}>:CUDA::curand>)\n"
    result = analyze(text)
    (finding,) = result.findings
    out = apply_edits(text.encode(), finding.targets["rocm"].edits).data.decode()
    assert out == "target_link_libraries(t PRIVATE $<$<BOOL:${X}>:hip::hiprand>)\n"


def test_needed_packages_inserted_once_after_first_find_package() -> None:
    text = "project(p LANGUAGES CXX)\nfind_package(CUDAToolkit REQUIRED)\nfind_package(hipblas)\n" \
        "target_link_libraries(a CUDA::cublas CUDA::curand)\ntarget_link_libraries(b CUDA::curand)\n"
    result = analyze(text)
    (edit,) = result.file_edits["rocm"]
    assert edit.text == "\nfind_package(hiprand REQUIRED)"  # hip comes from the rename, hipblas exists
    assert text.encode()[: edit.start].endswith(b"find_package(CUDAToolkit REQUIRED)")
    assert "oneapi" not in result.file_edits  # no edits there, so nothing to import


def test_cu_sources_get_a_language_line_with_the_command_indent() -> None:
    text = "if(A)\n  add_executable(k k.cu main.cpp)\nendif()\n"
    result = analyze(text)
    out = apply_edits(text.encode(), [e for f in result.findings for e in f.targets["rocm"].edits])
    assert out.data.decode() == (
        "if(A)\n  add_executable(k k.cu main.cpp)\n"
        "  set_source_files_properties(k.cu PROPERTIES LANGUAGE HIP)\nendif()\n"
    )


def test_claims() -> None:
    assert FRONTEND.claims("CMakeLists.txt", b"")
    assert FRONTEND.claims("cmake/FindFoo.cmake", b"")
    assert not FRONTEND.claims("CMakeLists.txt.in", b"")
    assert not FRONTEND.claims("docs/cmake.md", b"")


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rel", inputs("cmake"))
def test_golden(rel: str, target: str) -> None:
    check_file("cmake", rel, target, FRONTEND)


def test_golden_findings() -> None:
    check_findings("cmake", FRONTEND)


_VENDOR_WORD = re.compile(r"(?<![\w-])-*[A-Za-z_][\w:+-]*")


def test_replacements_are_proven_by_reference_lists() -> None:
    """Every ROCm name a CMake replacement writes is in cmake-hip.txt (read from real packages);
    every CUDA:: target porter names exactly is a FindCUDAToolkit target."""
    hip = reference_names("cmake-hip")
    toolkit = reference_names("cmake-cuda-toolkit")
    checked = 0
    for entry in default_tables().entries("cmake"):
        if entry.source.startswith("CUDA::") and entry.match == "exact":
            assert entry.source in toolkit, entry.source
        for spec in entry.targets.values():
            texts = [spec.replacement or "", *spec.imports]
            for text in texts:
                for word in _VENDOR_WORD.findall(re.sub(r"[()=]", " ", text)):
                    if re.search(r"hip|HIP|roc|rccl|gfx|offload|fast-math|gline|fgpu|ROCM", word):
                        assert word in hip, (entry.source, word)
                        checked += 1
    assert checked > 30


@given(st.text(alphabet='()#[]=" \n\\$<>{};:abcCUDA_-.', max_size=200))
def test_never_raises_and_edits_stay_in_bounds(text: str) -> None:
    data = text.encode()
    result = FRONTEND.analyze("CMakeLists.txt", data, default_tables())
    for finding in result.findings:
        for plan in finding.targets.values():
            assert all(0 <= e.start <= e.end <= len(data) for e in plan.edits)
