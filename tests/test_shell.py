"""The shell/Slurm frontend: tokenizer (quotes, comments, substitutions, heredocs), sites, goldens.

Golden files: ``tests/golden/shell/input/...`` ported per target into
``tests/golden/shell/<target>/...``; ``PORTER_REGEN=1 pytest tests/test_shell.py`` rewrites the
expected files (and ``findings.txt``) from the current code: review the diff before committing.
"""

from __future__ import annotations

import re

import pytest
from golden.runner import check_file, check_findings, inputs, ported
from hypothesis import given
from hypothesis import strategies as st

from porter.frontends.archvalue import target_value
from porter.frontends.shell import ShellFrontend, tokenize
from porter.mappings import ValueList, default_tables, reference_names

FRONTEND = ShellFrontend()
TARGETS = default_tables().target_ids


def symbols(text: str) -> list[str]:
    result = FRONTEND.analyze("run.sh", text.encode(), default_tables())
    return [f.symbol for f in result.findings]


def test_tokenizer_words_quotes_and_nesting() -> None:
    data = b"""a "b c" 'd $e' f\\ g $(h "$(i)") ${j:-$(k)} `l` # m\nn <<-X\n\to\n\tX\np\n"""
    tokens = tokenize(data)
    assert tokens.error is None
    commands = sorted((c.words[0].start, [w.value for w in c.words]) for c in tokens.commands)
    assert [words for _, words in commands] == [
        ["a", "b c", "d $e", "f g", '$(h $(i))', "${j:-$(k)}", "`l`"],
        ["h", "$(i)"], ["i"], ["k"], ["l"], ["n"], ["o"], ["p"],
    ]


def test_comments_and_single_quotes_are_not_sites() -> None:
    assert symbols("# nvidia-smi\necho 'run nvidia-smi with $CUDA_HOME'\n") == []


def test_substitutions_heredocs_and_assignments_are_sites() -> None:
    text = 'N=$(nvidia-smi -L | wc -l)\ncat <<EOF >x.sh\nexport CUDA_HOME=/usr/local/cuda\nEOF\n'
    assert symbols(text) == ["nvidia-smi *", "CUDA_HOME", "/usr/local/cuda"]


def test_sbatch_directives_only_at_line_start() -> None:
    text = "#!/bin/bash\n#SBATCH --gres=gpu:2\n  #SBATCH --gres=gpu:4\n## SBATCH --gres=gpu:8\n"
    assert symbols(text) == ["sbatch --gres=gpu:2"]


def test_tool_by_path_leaves_the_rewrite_to_the_path() -> None:
    result = FRONTEND.analyze("b.sh", b"/usr/local/cuda/bin/nvcc --version\n", default_tables())
    by_symbol = {f.symbol: f for f in result.findings}
    assert by_symbol["nvcc --version"].targets["rocm"].edits == ()
    (edit,) = by_symbol["/usr/local/cuda/bin/nvcc"].targets["rocm"].edits
    assert edit.text == "/opt/rocm/bin/hipcc"


def test_pip_through_python_or_uv_and_every_index_option() -> None:
    """detectron2's Dockerfile installs torch with ``-f .../cu111/torch_stable.html``; ``-i``,
    ``--find-links`` and ``python -m pip`` were not read as pip's index options."""
    text = (
        "python3 -m pip install torch --index-url https://download.pytorch.org/whl/cu121\n"
        "pip install torch==1.10 -f https://download.pytorch.org/whl/cu111/torch_stable.html\n"
        "uv pip install -i https://download.pytorch.org/whl/cu118 torch\n"
        "pip install --find-links=https://download.pytorch.org/whl/cpu/torch_stable.html numpy\n"
    )
    assert symbols(text) == [
        "torch",
        "pip install --index-url=https://download.pytorch.org/whl/cu121",
        "torch",
        "pip install -f=https://download.pytorch.org/whl/cu111/torch_stable.html",
        "pip install -i=https://download.pytorch.org/whl/cu118",
        "torch",
    ]


def test_cmake_cuda_definitions_on_the_command_line() -> None:
    """detectron2's deploy.Dockerfile configures torchvision with ``-DWITH_CUDA=on
    -DTORCH_CUDA_ARCH_LIST=...``; a switch turned off is no site."""
    text = (
        "cmake .. -DWITH_CUDA=on -DTORCH_CUDA_ARCH_LIST=8.0\n"
        "cmake -D CMAKE_CUDA_ARCHITECTURES=80 -DUSE_CUDA=OFF -DGGML_CUDA:BOOL=ON -DCMAKE_BUILD_TYPE=Release ..\n"
    )
    assert symbols(text) == [
        "cmake -DWITH_CUDA=on",
        "cmake -DTORCH_CUDA_ARCH_LIST=8.0",
        "cmake -D=CMAKE_CUDA_ARCHITECTURES=80",
        "cmake -DGGML_CUDA:BOOL=ON",
    ]


def test_force_cuda_build_switch() -> None:
    """detectron2 (like torchvision, mmcv) sets FORCE_CUDA=1 to build its CUDA extension in
    docker build; ROCm's hipify build reads the same switch, the others cannot honour it."""
    result = FRONTEND.analyze("b.sh", b"export FORCE_CUDA=1\n", default_tables())
    (finding,) = result.findings
    assert finding.symbol == "FORCE_CUDA"
    assert {t: p.status for t, p in finding.targets.items()} == {
        "rocm": "not-needed", "oneapi": "manual", "cann": "manual", "neutral": "manual"
    }


def test_package_installs_behind_sudo_options_and_variables() -> None:
    """``sudo``, ``--yes`` before the subcommand and a version in a variable hid CUDA packages
    (seen in detectron2's and flash-attention's CI scripts)."""
    text = (
        "sudo apt-get install -y libcudnn8\n"
        "apt-get --yes install cuda-nvcc-12-1\n"
        "sudo -u root nice -n 5 apt-get -y install --no-install-recommends cuda-toolkit-${CUDA_VER}\n"
        "sudo apt-get install -y git cmake\n"
    )
    assert [s for s in symbols(text) if s.startswith("apt-get")] == [
        "apt-get install libcudnn8",
        "apt-get install cuda-nvcc-12-1",
        "apt-get install cuda-toolkit-${CUDA_VER}",
    ]


def test_the_command_env_runs_is_read() -> None:
    text = "env CUDA_VISIBLE_DEVICES=0 nvidia-smi -L\nenv -i HOME=/tmp nvcc --version\nenv\n"
    assert symbols(text) == ["CUDA_VISIBLE_DEVICES", "nvidia-smi *", "nvcc --version"]


def test_scripts_a_launcher_or_bundled_option_runs_are_read() -> None:
    text = (
        'srun --ntasks=8 bash -c "export CUDA_VISIBLE_DEVICES=0; nvidia-smi"\n'
        'bash -lc "nvcc --version"\n'
        'docker run img sh -ec "nvidia-smi -L"\n'
        'srun bash -c "echo nvidia-smi"\n'
    )
    assert symbols(text) == ["CUDA_VISIBLE_DEVICES", "nvidia-smi", "nvcc --version", "nvidia-smi *"]


def test_unterminated_quote_is_partial_and_keeps_earlier_sites() -> None:
    result = FRONTEND.analyze("b.sh", b"nvidia-smi\necho 'oops\nnvcc\n", default_tables())
    assert result.status == "partial" and "line 2" in (result.note or "")
    assert [f.symbol for f in result.findings] == ["nvidia-smi"]


def test_claims() -> None:
    assert FRONTEND.claims("scripts/train.slurm", b"")
    assert FRONTEND.claims("bin/launch", b"#!/usr/bin/env bash\n")
    assert FRONTEND.claims("bin/launch", b"#!/bin/sh\n")
    assert not FRONTEND.claims("bin/launch", b"#!/usr/bin/env python3\n")
    assert not FRONTEND.claims("notes.txt", b"#!/bin/bash\n")


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rel", inputs("shell"))
def test_golden(rel: str, target: str) -> None:
    check_file("shell", rel, target, FRONTEND)


def test_golden_findings() -> None:
    check_findings("shell", FRONTEND)


def test_replacements_are_proven_by_reference_lists() -> None:
    """Variable names, tools, device nodes and paths written for a target were read from the
    vendors' packages or docs (see the headers of the reference lists)."""
    env = reference_names("containers-env")
    devices = reference_names("containers-devices")
    tables = default_tables()
    checked = 0
    for family in ("shell-env", "shell-paths", "shell-commands", "docker-cli"):
        (fam,) = [f for f in tables.families if f.name == family]
        for entry in fam.entries:
            for spec in entry.targets.values():
                if not spec.replacement:
                    continue
                for word in re.split(r"[\s=:]+", spec.replacement):
                    if word and word not in ("-v", "--device", "--group-add", "--version", "info", "discovery"):
                        assert word in env or word in devices, (family, entry.source, word)
                        checked += 1
    assert checked > 20


@given(st.text(alphabet="\"'`$(){}<>|&;#\\ \n=-abcEOFnvidia-smiCUDA_HOME/", max_size=200))
def test_never_raises_and_edits_stay_in_bounds(text: str) -> None:
    data = text.encode()
    result = FRONTEND.analyze("x.sh", data, default_tables())
    for finding in result.findings:
        for plan in finding.targets.values():
            assert all(0 <= e.start <= e.end <= len(data) for e in plan.edits)


# --- architecture lists: a renamed list variable gets the target's names ------------------------


def port(text: str, target: str) -> str:
    data = text.encode()
    return ported(FRONTEND.analyze("build.sh", data, default_tables()), data, target).decode()


@pytest.mark.parametrize(
    ("line", "rocm", "oneapi"),
    [
        ('export TORCH_CUDA_ARCH_LIST="8.0;9.0"', 'export PYTORCH_ROCM_ARCH="gfx90a;gfx942"',
         'export TORCH_XPU_ARCH_LIST="pvc,bmg"'),
        ("export TORCH_CUDA_ARCH_LIST='7.5 8.0+PTX'", "export PYTORCH_ROCM_ARCH='gfx90a gfx942'",
         "export TORCH_XPU_ARCH_LIST='pvc,bmg'"),
        # Unquoted: a list the shell would split gets quotes; a comma list needs none.
        ("export TORCH_CUDA_ARCH_LIST=9.0", 'export PYTORCH_ROCM_ARCH="gfx90a;gfx942"',
         "export TORCH_XPU_ARCH_LIST=pvc,bmg"),
        ("TORCH_CUDA_ARCH_LIST=8.6 MAX_JOBS=8 make", 'PYTORCH_ROCM_ARCH="gfx90a;gfx942" MAX_JOBS=8 make',
         "TORCH_XPU_ARCH_LIST=pvc,bmg MAX_JOBS=8 make"),
        ('env TORCH_CUDA_ARCH_LIST="8.0 9.0" pip install .', 'env PYTORCH_ROCM_ARCH="gfx90a gfx942" pip install .',
         'env TORCH_XPU_ARCH_LIST="pvc,bmg" pip install .'),
        ("declare -x TORCH_CUDA_ARCH_LIST=8.0", 'declare -x PYTORCH_ROCM_ARCH="gfx90a;gfx942"',
         "declare -x TORCH_XPU_ARCH_LIST=pvc,bmg"),
        # Not a plain list of sm numbers: the name changes, the value stays.
        ('export TORCH_CUDA_ARCH_LIST="$ARCHS"', 'export PYTORCH_ROCM_ARCH="$ARCHS"',
         'export TORCH_XPU_ARCH_LIST="$ARCHS"'),
        ("export TORCH_CUDA_ARCH_LIST=${ARCHS:-8.0}", "export PYTORCH_ROCM_ARCH=${ARCHS:-8.0}",
         "export TORCH_XPU_ARCH_LIST=${ARCHS:-8.0}"),
        ("export TORCH_CUDA_ARCH_LIST=", "export PYTORCH_ROCM_ARCH=", "export TORCH_XPU_ARCH_LIST="),
        ("export TORCH_CUDA_ARCH_LIST=native", "export PYTORCH_ROCM_ARCH=native", "export TORCH_XPU_ARCH_LIST=native"),
        ("export TORCH_CUDA_ARCH_LIST=8.0\\;9.0", "export PYTORCH_ROCM_ARCH=8.0\\;9.0",
         "export TORCH_XPU_ARCH_LIST=8.0\\;9.0"),
        # A read has no value; another variable keeps its value.
        ('echo "$TORCH_CUDA_ARCH_LIST"', 'echo "$PYTORCH_ROCM_ARCH"', 'echo "$TORCH_XPU_ARCH_LIST"'),
        ('export MAX_JOBS="8.0"', 'export MAX_JOBS="8.0"', 'export MAX_JOBS="8.0"'),
    ],
)
def test_architecture_list_values(line: str, rocm: str, oneapi: str) -> None:
    assert port(line + "\n", "rocm") == rocm + "\n"
    assert port(line + "\n", "oneapi") == oneapi + "\n"
    assert port(line + "\n", "cann") == line + "\n"
    again = port(rocm + "\n", "rocm")
    assert again == rocm + "\n"  # a second port changes nothing


def test_architecture_list_reads_as_the_targets_list_and_notes_what_is_kept() -> None:
    """The shell reads the rewritten word as the target's list; a kept value says why."""
    out = port("TORCH_CUDA_ARCH_LIST=8.6 make\n", "rocm").encode()
    assert tokenize(out).commands[0].words[0].value == "PYTORCH_ROCM_ARCH=gfx90a;gfx942"
    result = FRONTEND.analyze("b.sh", b'export TORCH_CUDA_ARCH_LIST=8.0\nexport TORCH_CUDA_ARCH_LIST="$A"\n',
                              default_tables())
    rewritten, kept = (f.targets["rocm"] for f in result.findings)
    assert rewritten.status == kept.status == "review"
    assert "Pick your fleet's gfx targets" in rewritten.note and "kept" not in rewritten.note
    assert "Its value ('$A') is not a plain list of sm numbers, so it is kept" in kept.note
    assert len(kept.edits) == 1  # the name only


def test_target_value_keeps_a_separator_the_reader_takes() -> None:
    specs = default_tables().lookup("env", "TORCH_CUDA_ARCH_LIST").targets
    rocm, xpu = specs["rocm"].value, specs["oneapi"].value
    assert rocm is not None and xpu is not None and specs["cann"].value is None
    assert target_value(rocm, "8.0;9.0") == "gfx90a;gfx942"
    assert target_value(rocm, "7.0 7.5 9.0+PTX") == "gfx90a gfx942"
    assert target_value(rocm, "9.0a") == "gfx90a;gfx942"
    assert target_value(rocm, "Kepler+Tesla;Maxwell+Tegra;Ampere+PTX") == "gfx90a;gfx942"
    assert target_value(rocm, "8.0; 9.0") == "gfx90a;gfx942"  # mixed: the reader's own separator
    assert target_value(xpu, "8.0 9.0") == "pvc,bmg"
    other = ValueList(rocm.replaces, ("a", "b"), ";,", "x")
    assert target_value(other, "8.0,9.0") == "a,b"  # a separator both readers take is kept
    for text in ("", ";8.0", "8.0;", "native", "all", "sm_80", "$ARCHS", "${{ matrix.arch }}", "8", "8.0 gfx90a"):
        assert target_value(rocm, text) is None, text


@given(st.text(alphabet="\"'$;,. 0123456789+PTXab\\{}-", max_size=30))
def test_architecture_list_ports_stay_in_the_shells_grammar(value: str) -> None:
    """Whatever the value, the rewritten line tokenizes like the original and the variable is
    set to the target's list or to what it was."""
    data = f"export TORCH_CUDA_ARCH_LIST={value}\n".encode()
    before = tokenize(data)
    result = FRONTEND.analyze("b.sh", data, default_tables())
    out = ported(result, data, "rocm")
    after = tokenize(out)
    if before.error is None:
        assert after.error is None
        assert len(after.commands) == len(before.commands)
        old, new = before.commands[0].words[1].value, after.commands[0].words[1].value
        assert new in (old.replace("TORCH_CUDA_ARCH_LIST", "PYTORCH_ROCM_ARCH"), "PYTORCH_ROCM_ARCH=gfx90a;gfx942",
                       "PYTORCH_ROCM_ARCH=gfx90a gfx942")
