"""The Dockerfile frontend: instructions, continuations, heredocs, exec form, images, goldens.

Golden files: ``tests/golden/dockerfile/input/...`` ported per target into
``tests/golden/dockerfile/<target>/...``; ``PORTER_REGEN=1 pytest tests/test_dockerfile.py``
rewrites the expected files (and ``findings.txt``) from the current code: review the diff.
"""

from __future__ import annotations

import pytest
from golden.runner import check_file, check_findings, inputs, ported
from hypothesis import given
from hypothesis import strategies as st

from porter.frontends.dockerfile import DockerfileFrontend, tokenize_dockerfile
from porter.mappings import default_tables, reference_names

FRONTEND = DockerfileFrontend()
TARGETS = default_tables().target_ids


def analyze(text: str):
    return FRONTEND.analyze("Dockerfile", text.encode(), default_tables())


def test_continuations_comments_and_heredocs_split_into_instructions() -> None:
    text = (
        "FROM a\nENV A=1 \\\n  # skipped comment\n\n  B=2\nRUN <<EOF bash\nFROM b\nENV C=3\nEOF\n"
        "RUN <<-X cat\n\tENV D=4\n\tX\nCMD [\"x\"]\n"
    )
    tokens = tokenize_dockerfile(text.encode())
    assert tokens.error is None
    assert [i.keyword for i in tokens.instructions] == ["FROM", "ENV", "RUN", "RUN", "CMD"]


def test_heredoc_body_is_script_not_instructions() -> None:
    result = analyze("FROM x\nRUN <<EOF\nENV CUDA_VISIBLE_DEVICES=0\nnvidia-smi\nEOF\n")
    assert [f.symbol for f in result.findings] == ["nvidia-smi"]


def test_unclosed_heredoc_is_reported_not_crashed() -> None:
    result = analyze("FROM nvidia/cuda:12.1.1-base-ubuntu22.04\nRUN <<EOF\nnvidia-smi\n")
    assert result.status == "partial" and "not closed" in (result.note or "")
    assert result.findings[0].symbol == "nvidia/cuda:12.1.1-base-ubuntu22.04"


def test_exec_form_strings_are_words() -> None:
    result = analyze('FROM x\nENTRYPOINT ["nvidia-smi"]\nCMD ["nvcc", "--version"]\n')
    assert [f.symbol for f in result.findings] == ["nvidia-smi", "nvcc --version"]
    (edit,) = result.findings[0].targets["rocm"].edits
    assert edit.text == "rocm-smi"  # inside the quotes: the JSON stays valid
    assert result.findings[1].targets["rocm"].edits == ()  # would merge two JSON strings


def test_backtick_escape_directive_is_honoured() -> None:
    text = "# escape=`\nFROM nvidia/cuda:12.1.1-base-ubuntu22.04\nENV CUDA_HOME=/usr/local/cuda `\n  X=1\n"
    result = analyze(text)
    assert [f.symbol for f in result.findings] == [
        "nvidia/cuda:12.1.1-base-ubuntu22.04", "CUDA_HOME", "/usr/local/cuda",
    ]


def test_stage_names_are_not_images() -> None:
    result = analyze("FROM nvidia/cuda:${TAG} AS base\nFROM base\n")
    assert [f.symbol for f in result.findings] == ["nvidia/cuda:${TAG}"]


def test_claims() -> None:
    for name in ("Dockerfile", "Containerfile", "docker/Dockerfile.rocm", "ci/gpu.dockerfile"):
        assert FRONTEND.claims(name, b"")
    assert not FRONTEND.claims("docs/docker.md", b"")


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rel", inputs("dockerfile"))
def test_golden(rel: str, target: str) -> None:
    check_file("dockerfile", rel, target, FRONTEND)


def test_golden_findings() -> None:
    check_findings("dockerfile", FRONTEND)


def test_image_replacements_are_proven() -> None:
    images = reference_names("containers-images")
    (family,) = [f for f in default_tables().families if f.name == "docker-images"]
    written = {s.replacement for e in family.entries for s in e.targets.values() if s.replacement}
    assert written and written <= images, written - images


@given(st.text(alphabet="FROMRUNENV<>EOF\\`#[]\"'=$ \n-abcnvidia/cuda:1", max_size=200))
def test_never_raises_and_edits_stay_in_bounds(text: str) -> None:
    data = text.encode()
    result = FRONTEND.analyze("Dockerfile", data, default_tables())
    for finding in result.findings:
        for plan in finding.targets.values():
            assert all(0 <= e.start <= e.end <= len(data) for e in plan.edits)


# --- architecture lists: a renamed list variable gets the target's names ------------------------


def port(text: str, target: str) -> str:
    return ported(analyze(text), text.encode(), target).decode()


@pytest.mark.parametrize(
    ("line", "rocm", "oneapi"),
    [
        ('ENV TORCH_CUDA_ARCH_LIST="8.0;9.0"', 'ENV PYTORCH_ROCM_ARCH="gfx90a;gfx942"', 'ENV TORCH_XPU_ARCH_LIST="pvc,bmg"'),
        ("ARG TORCH_CUDA_ARCH_LIST='8.0 9.0+PTX'", "ARG PYTORCH_ROCM_ARCH='gfx90a gfx942'",
         "ARG TORCH_XPU_ARCH_LIST='pvc,bmg'"),
        # An ENV value does not end at ';' (BuildKit splits on blanks only).
        ("ENV TORCH_CUDA_ARCH_LIST=8.0;9.0 MAX_JOBS=8.0", 'ENV PYTORCH_ROCM_ARCH="gfx90a;gfx942" MAX_JOBS=8.0',
         "ENV TORCH_XPU_ARCH_LIST=pvc,bmg MAX_JOBS=8.0"),
        # The legacy form: the rest of the line is the value.
        ("ENV TORCH_CUDA_ARCH_LIST 7.5 8.0", "ENV PYTORCH_ROCM_ARCH gfx90a gfx942", "ENV TORCH_XPU_ARCH_LIST pvc,bmg"),
        ("RUN TORCH_CUDA_ARCH_LIST=8.6 pip install .", 'RUN PYTORCH_ROCM_ARCH="gfx90a;gfx942" pip install .',
         "RUN TORCH_XPU_ARCH_LIST=pvc,bmg pip install ."),
        # Not a plain list of sm numbers, or no value: the name changes, the value stays.
        ("ENV TORCH_CUDA_ARCH_LIST=${ARCHS}", "ENV PYTORCH_ROCM_ARCH=${ARCHS}", "ENV TORCH_XPU_ARCH_LIST=${ARCHS}"),
        ('ENV TORCH_CUDA_ARCH_LIST=""', 'ENV PYTORCH_ROCM_ARCH=""', 'ENV TORCH_XPU_ARCH_LIST=""'),
        ("ARG TORCH_CUDA_ARCH_LIST", "ARG PYTORCH_ROCM_ARCH", "ARG TORCH_XPU_ARCH_LIST"),
        ('ENV MAX_JOBS="8.0"', 'ENV MAX_JOBS="8.0"', 'ENV MAX_JOBS="8.0"'),
    ],
)
def test_architecture_list_values(line: str, rocm: str, oneapi: str) -> None:
    text = f"FROM ubuntu:22.04\n{line}\n"
    assert port(text, "rocm") == f"FROM ubuntu:22.04\n{rocm}\n"
    assert port(text, "oneapi") == f"FROM ubuntu:22.04\n{oneapi}\n"
    assert port(text, "cann") == text
    again = f"FROM ubuntu:22.04\n{rocm}\n"
    assert port(again, "rocm") == again  # a second port changes nothing


def test_architecture_list_notes() -> None:
    result = analyze("FROM a\nENV TORCH_CUDA_ARCH_LIST=8.0 B=1\nARG TORCH_CUDA_ARCH_LIST=$ARCHS\n")
    rewritten, kept = (f.targets["oneapi"] for f in result.findings)
    assert rewritten.status == kept.status == "review"
    assert "Pick your fleet's targets" in rewritten.note and "kept" not in rewritten.note
    assert "Its value ('$ARCHS') is not a plain list of sm numbers, so it is kept" in kept.note
