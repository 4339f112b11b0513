"""Python that shell commands run (``python -c``, here-strings, heredocs): found in scripts, Slurm
jobs, Dockerfiles, workflow ``run:`` scripts and notebook ``!`` lines, and rewritten only where
the shell hands Python exactly the bytes that are edited."""

from __future__ import annotations

import nbformat
import pytest
from golden.runner import ported
from hypothesis import given, settings
from hypothesis import strategies as st

from porter.frontends.base import Frontend
from porter.frontends.dockerfile import DockerfileFrontend
from porter.frontends.notebook import NotebookFrontend
from porter.frontends.shell import ShellFrontend, tokenize
from porter.frontends.workflows import WorkflowsFrontend
from porter.mappings import default_tables
from porter.model import FileResult, Finding

SHELL = ShellFrontend()
TARGETS = default_tables().target_ids


def analyze(text: str, path: str = "run.sh", frontend: Frontend = SHELL) -> FileResult:
    return frontend.analyze(path, text.encode(), default_tables())


def python_findings(result: FileResult) -> list[Finding]:
    return [f for f in result.findings if f.language == "python"]


def port(text: str, target: str, path: str = "run.sh", frontend: Frontend = SHELL) -> str:
    """The ported text, checked to be a fixed point: porting it again changes nothing."""
    out = ported(analyze(text, path, frontend), text.encode(), target).decode()
    again = ported(analyze(out, path, frontend), out.encode(), target).decode()
    assert again == out, f"second {target} port changed {out!r}"
    return out


def at(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of ``needle`` in ``text``."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# --- where the code is found ---------------------------------------------------------------------


def test_python_c_in_a_script_is_a_python_site_at_its_bytes() -> None:
    text = 'set -e\npython -c "import torch; print(torch.cuda.is_available())"\n'
    (finding,) = analyze(text).findings
    assert (finding.rule, finding.symbol, finding.family, finding.language) == (
        "py-torch-cuda", "torch.cuda.is_available", "torch-cuda", "python")
    assert (finding.span.line, finding.span.column) == at(text, "torch.cuda")
    assert finding.span.end_column - finding.span.column == len("torch.cuda.is_available")
    assert finding.snippet == text.splitlines()[1]
    assert finding.targets["rocm"].status == "not-needed"
    assert finding.targets["oneapi"].status == "auto"


def test_demo_launch_script_version_check() -> None:
    text = "python -c \"import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda)\"\n"
    (finding,) = analyze(text).findings
    assert finding.symbol == "torch.version.cuda" and finding.language == "python"
    assert port(text, "rocm") == text.replace("torch.version.cuda", "(torch.version.cuda or torch.version.hip)")
    assert port(text, "oneapi") == text.replace("torch.version.cuda", "torch.version.xpu")
    assert port(text, "cann") == text  # manual: no edit


@pytest.mark.parametrize(
    "command",
    [
        "python3 -c 'import torch; torch.cuda.synchronize()'",
        "python3.11 -u -W ignore -c 'import torch; torch.cuda.synchronize()'",
        "/usr/bin/python3 -Bc 'import torch; torch.cuda.synchronize()'",
        "CUDA_LAUNCH_BLOCKING=1 python -c 'import torch; torch.cuda.synchronize()'",
        "sudo -E python -c 'import torch; torch.cuda.synchronize()'",
        "env -i A=1 python -c 'import torch; torch.cuda.synchronize()'",
        "time python -c 'import torch; torch.cuda.synchronize()'",
        "uv run --with torch python -c 'import torch; torch.cuda.synchronize()'",
        "conda run -n train python -c 'import torch; torch.cuda.synchronize()'",
        "srun -n 2 --gres=gpu:1 python -c 'import torch; torch.cuda.synchronize()'",
        "docker run --rm -i img:1 python -c 'import torch; torch.cuda.synchronize()'",
        "X=$(python -c 'import torch; torch.cuda.synchronize()')",
        "bash -c \"python -c 'import torch; torch.cuda.synchronize()'\"",
        "srun -N 1 bash -lc \"python -c 'import torch; torch.cuda.synchronize()'\"",
        "python <<< 'import torch; torch.cuda.synchronize()'",
        "if python -c 'import torch; torch.cuda.synchronize()'; then echo ok; fi",
    ],
)
def test_commands_that_run_python(command: str) -> None:
    text = command + "\n"
    found = python_findings(analyze(text))
    assert [f.symbol for f in found] == ["torch.cuda.synchronize"], command
    assert (found[0].span.line, found[0].span.column) == at(text, "torch.cuda")
    assert port(text, "oneapi") == text.replace("torch.cuda", "torch.xpu")


@pytest.mark.parametrize(
    "command",
    [
        "python -c \"print('hello')\"",  # no CUDA
        'echo "import torch; torch.cuda.synchronize()"',  # not Python
        "# python -c 'import torch; torch.cuda.synchronize()'",  # a comment
        "python train.py -c 'import torch; torch.cuda.synchronize()'",  # a script's own option
        "python -m pytest -c 'import torch; torch.cuda.synchronize()'",  # a module's
        "grep python -c 'torch.cuda.synchronize()' log.txt",  # not an interpreter
        "python -c 'import torch; torch.cuda.synchronize('",  # a syntax error
        "python -c 'print \"py2\"; torch.cuda.synchronize()'",  # Python 2
        "python -c",  # no program
        "cat <<'EOF'\nimport torch; torch.cuda.synchronize()\nEOF",  # a heredoc, not for Python
    ],
)
def test_not_python_sites(command: str) -> None:
    assert python_findings(analyze(command + "\n")) == []


def test_slurm_job() -> None:
    text = (
        "#!/bin/bash\n#SBATCH --gres=gpu:4\n"
        "srun python -c \"import torch; assert torch.cuda.device_count() == 4\"\n"
    )
    result = analyze(text, "job.slurm")
    assert [f.symbol for f in python_findings(result)] == ["torch.cuda.device_count"]
    assert "sbatch --gres=gpu:4" in [f.symbol for f in result.findings]
    assert port(text, "neutral", "job.slurm").endswith(
        'srun python -c "import torch; assert torch.accelerator.device_count() == 4"\n')


def test_dockerfile_run_lines() -> None:
    text = (
        "FROM ubuntu\n"
        "RUN python3 -c \"import torch; assert torch.cuda.is_available()\" \\\n"
        " && python3 -c 'import torch; \\\n"
        "print(torch.cuda.device_count())'\n"
        "RUN python3 - <<'EOF'\nimport torch\nprint(torch.cuda.get_device_name(0))\nEOF\n"
        'CMD ["python", "-c", "import torch; print(torch.cuda.is_available())"]\n'
    )
    result = analyze(text, "Dockerfile", DockerfileFrontend())
    found = python_findings(result)
    assert [(f.symbol, f.span.line) for f in found] == [
        ("torch.cuda.is_available", 2), ("torch.cuda.device_count", 4),
        ("torch.cuda.get_device_name", 7), ("torch.cuda.is_available", 9),
    ]
    assert all(f.language == "python" for f in found)
    assert port(text, "cann", "Dockerfile", DockerfileFrontend()) == (
        "FROM ubuntu\n"
        "RUN python3 -c \"import torch_npu; import torch; assert torch.npu.is_available()\" \\\n"
        " && python3 -c 'import torch_npu; import torch; \\\n"
        "print(torch.npu.device_count())'\n"
        "RUN python3 - <<'EOF'\nimport torch\nimport torch_npu\nprint(torch.npu.get_device_name(0))\nEOF\n"
        'CMD ["python", "-c", "import torch_npu; import torch; print(torch.npu.is_available())"]\n'
    )


def test_dockerfile_exec_form_with_json_escapes_is_reported_not_rewritten() -> None:
    text = 'FROM x\nCMD ["python", "-c", "import torch; torch.cuda.init(); print(\\"ok\\")"]\n'
    (finding,) = python_findings(analyze(text, "Dockerfile", DockerfileFrontend()))
    assert finding.symbol == "torch.cuda.init"
    assert finding.targets["oneapi"].edits == ()
    assert "shell's quoting" in finding.targets["oneapi"].note


WORKFLOW = """\
on: push
jobs:
  gpu:
    runs-on: ubuntu-latest
    steps:
      - run: python -c "import torch; print(torch.cuda.is_available())"
      - run: |
          python -c 'import torch; x = torch.ones(1).cuda()'
      - run: "python -c \\"import torch; torch.cuda.init()\\""
"""


def test_workflow_run_scripts() -> None:
    frontend = WorkflowsFrontend()
    path = ".github/workflows/ci.yml"
    found = python_findings(analyze(WORKFLOW, path, frontend))
    assert [(f.symbol, f.span.line) for f in found] == [
        ("torch.cuda.is_available", 6), (".cuda()", 8), ("torch.cuda.init", 9)]
    assert (found[0].span.line, found[0].span.column) == at(WORKFLOW, "torch.cuda")
    assert port(WORKFLOW, "oneapi", path, frontend) == (
        WORKFLOW.replace("torch.cuda", "torch.xpu").replace(".cuda()", '.to("xpu")'))
    cann = port(WORKFLOW, "cann", path, frontend)
    assert cann == WORKFLOW.replace("import torch;", "import torch_npu; import torch;").replace(
        "torch.cuda", "torch.npu").replace(".cuda()", ".npu()")


def test_notebook_bang_lines() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        'import os\n!python -c "import torch; print(torch.cuda.is_available())"\n'
        '!python -c "import torch; print({1: torch.cuda.device_count()})"'
    )]
    nb.cells[0]["id"] = "c0"
    text = nbformat.writes(nb)
    frontend = NotebookFrontend()
    found = python_findings(analyze(text, "n.ipynb", frontend))
    assert [(f.symbol, f.cell, f.span.line, f.span.column) for f in found] == [
        ("torch.cuda.is_available", 0, 2, 33), ("torch.cuda.device_count", 0, 3, 37)]
    # IPython expands {...} and $ in a ! line before the shell runs it: that line is left alone.
    assert "IPython" in found[1].targets["oneapi"].note and found[1].targets["oneapi"].edits == ()
    out = port(text, "oneapi", "n.ipynb", frontend)
    source = nbformat.reads(out, as_version=4).cells[0].source
    assert source.splitlines()[1:] == [
        '!python -c "import torch; print(torch.xpu.is_available())"',
        '!python -c "import torch; print({1: torch.cuda.device_count()})"',
    ]


def test_shell_sites_of_the_same_line_are_kept() -> None:
    text = "CUDA_VISIBLE_DEVICES=0 python -c 'import torch; torch.cuda.init()'\n"
    assert [(f.symbol, f.language) for f in analyze(text).findings] == [
        ("CUDA_VISIBLE_DEVICES", "shell"), ("torch.cuda.init", "python")]


# --- byte-exact ports per quoting form -----------------------------------------------------------

SINGLE = "python -c 'import torch; x = torch.zeros(1).cuda(); torch.cuda.synchronize()'\n"
DOUBLE = 'python -c "import torch; x = torch.zeros(1).cuda(); torch.cuda.synchronize()"\n'
QUOTED_HEREDOC = """\
python - <<'EOF'
import torch
x = torch.zeros(1).cuda()
print(torch.cuda.is_available(), "$HOME")
EOF
echo done
"""
HEREDOC = """\
python3 <<EOF
import torch
torch.cuda.set_device($LOCAL_RANK)
print(torch.cuda.is_available())
EOF
"""

EXPECTED = {
    (SINGLE, "rocm"): SINGLE,
    (SINGLE, "oneapi"): "python -c 'import torch; x = torch.zeros(1).to(\"xpu\"); torch.xpu.synchronize()'\n",
    (SINGLE, "cann"): "python -c 'import torch_npu; import torch; x = torch.zeros(1).npu(); torch.npu.synchronize()'\n",
    (SINGLE, "neutral"): (
        "python -c 'import torch; x = torch.zeros(1).to(torch.accelerator.current_accelerator("
        "check_available=True) or torch.device(\"cpu\")); torch.accelerator.synchronize()'\n"
    ),
    (DOUBLE, "rocm"): DOUBLE,
    # "xpu" would close the shell's string: Python's other quote says the same.
    (DOUBLE, "oneapi"): "python -c \"import torch; x = torch.zeros(1).to('xpu'); torch.xpu.synchronize()\"\n",
    (DOUBLE, "cann"): 'python -c "import torch_npu; import torch; x = torch.zeros(1).npu(); torch.npu.synchronize()"\n',
    (DOUBLE, "neutral"): (
        "python -c \"import torch; x = torch.zeros(1).to(torch.accelerator.current_accelerator("
        "check_available=True) or torch.device('cpu')); torch.accelerator.synchronize()\"\n"
    ),
    (QUOTED_HEREDOC, "rocm"): QUOTED_HEREDOC,
    (QUOTED_HEREDOC, "oneapi"): QUOTED_HEREDOC.replace(".cuda()", '.to("xpu")').replace("torch.cuda", "torch.xpu"),
    (QUOTED_HEREDOC, "cann"): QUOTED_HEREDOC.replace("import torch\n", "import torch\nimport torch_npu\n")
    .replace(".cuda()", ".npu()").replace("torch.cuda", "torch.npu"),
    (QUOTED_HEREDOC, "neutral"): QUOTED_HEREDOC.replace(
        "import torch\n",
        "import torch\n\n\ndef accelerator_or_cpu() -> torch.device:\n"
        '    """The device this code computes on (the current accelerator, else the CPU); added by porter."""\n'
        '    return torch.accelerator.current_accelerator(check_available=True) or torch.device("cpu")\n\n\n',
    ).replace(".cuda()", ".to(accelerator_or_cpu())").replace("torch.cuda", "torch.accelerator"),
    (HEREDOC, "rocm"): HEREDOC,
    (HEREDOC, "oneapi"): HEREDOC.replace("torch.cuda", "torch.xpu"),
    (HEREDOC, "cann"): HEREDOC.replace("import torch\n", "import torch\nimport torch_npu\n").replace("torch.cuda", "torch.npu"),
    (HEREDOC, "neutral"): HEREDOC.replace("set_device", "set_device_index").replace("torch.cuda", "torch.accelerator"),
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("form", [SINGLE, DOUBLE, QUOTED_HEREDOC, HEREDOC], ids=["single", "double", "quoted-heredoc", "heredoc"])
def test_port_is_byte_exact_and_idempotent(form: str, target: str) -> None:
    assert port(form, target) == EXPECTED[(form, target)]


def test_edits_after_escapes_and_expansions_still_land() -> None:
    text = 'python -c "import torch; assert torch.cuda.is_available(), \\"no $GPU\\""\n'
    assert port(text, "oneapi") == text.replace("torch.cuda", "torch.xpu")


# --- what blocks an edit -------------------------------------------------------------------------


def unported(text: str, target: str) -> Finding:
    """The one Python finding of ``text``, which ``target`` must leave as written."""
    (finding,) = python_findings(analyze(text))
    assert finding.targets[target].edits == ()
    assert port(text, target) == text
    return finding


@pytest.mark.parametrize(
    ("text", "target"),
    [
        # the edited bytes are written with escapes: the file does not spell what Python reads
        ('python -c "import torch; x = torch.ones(1).to(\\"cuda\\")"\n', "neutral"),
        ("python -c import\\ torch\\;torch.zeros\\(1\\).cuda\\(\\)\n", "oneapi"),
        # a line the shell joins (an unquoted heredoc): the bytes are not where Python reads them
        ("python - <<EOF\nimport torch\ntorch.cu\\\nda.init()\nEOF\n", "oneapi"),
        # sh -c '...' around "...": to("xpu") can take neither quote
        ("bash -c 'python -c \"import torch; torch.zeros(1).cuda()\"'\n", "oneapi"),
    ],
)
def test_edits_that_cannot_be_written_are_left_with_a_note(text: str, target: str) -> None:
    (finding,) = python_findings(analyze(text))
    assert finding.targets[target].edits == ()
    assert "Python run by a shell command" in finding.targets[target].note
    assert port(text, target) == text


def test_what_each_quoting_lets_an_edit_write() -> None:
    from porter.frontends.inline_python import _writable

    assert _writable("to(\"xpu\")", "S", "") and not _writable("f('x')", "S", "")
    assert not _writable('to("xpu")', "D", "") and not _writable("$X", "D", "")
    assert not _writable("a\\b", "D", "") and not _writable("`id`", "D", "")
    assert not _writable("x\ny", "S", "") and _writable("x\ny", "Q", "")
    assert _writable("torch.xpu", "U", "") and not _writable("a b", "U", "")
    assert not _writable("$X", "H", "") and _writable("'\"", "H", "")
    assert not _writable("x'", "DS", "") and not _writable("{x}", "S", "{}$")


def test_cann_import_that_does_not_fit_drops_every_cann_edit_of_the_code() -> None:
    # import torch_npu; if ...: would not compile, so neither site is rewritten for cann
    text = "python -c 'if True: import torch; torch.cuda.init(); torch.cuda.synchronize()'\n"
    found = python_findings(analyze(text))
    assert len(found) == 2
    assert all(f.targets["cann"].edits == () and "would not compile" in f.targets["cann"].note for f in found)
    assert port(text, "cann") == text
    assert port(text, "oneapi") == text.replace("torch.cuda", "torch.xpu")


def test_cann_edits_go_together_or_not_at_all() -> None:
    # the second site is written with an escape (\d); the first could be rewritten, but the
    # import both need is added for all the sites of one code or for none
    text = 'python -c "import torch; torch.cuda.init(); "torch.cu\\da.synchronize\\(\\)\n'
    found = python_findings(analyze(text))
    assert [f.symbol for f in found] == ["torch.cuda.init", "torch.cuda.synchronize"]
    assert [f.targets["cann"].edits for f in found] == [(), ()]
    assert "once for all of them" in found[0].targets["cann"].note
    assert port(text, "cann") == text
    assert port(text, "oneapi") == text.replace("torch.cuda.init", "torch.xpu.init")


def test_nested_sh_c_is_read_through_both_quotings() -> None:
    # the outer string's expansion and escapes are the shell's: Python sees set_device(<n>) and
    # print("x"), and the bytes both quotings keep as written are rewritten
    text = "srun bash -c \"python -c 'import torch; torch.cuda.set_device($SLURM_LOCALID); print(\\\"x\\\")'\"\n"
    (finding,) = python_findings(analyze(text, "job.slurm"))
    assert finding.symbol == "torch.cuda.set_device"
    assert port(text, "cann", "job.slurm") == text.replace("'import torch;", "'import torch_npu; import torch;").replace(
        "torch.cuda", "torch.npu")


# --- bad input -----------------------------------------------------------------------------------


def test_huge_program_is_fine() -> None:
    body = "; ".join(f"x{i} = {i}" for i in range(20000))
    text = f"python -c 'import torch; {body}; torch.cuda.init()'\n"
    (finding,) = python_findings(analyze(text))
    assert port(text, "oneapi") == text.replace("torch.cuda", "torch.xpu")
    assert finding.span.line == 1


@pytest.mark.parametrize(
    "text",
    [
        "python -c 'import torch; torch.cuda.init()",  # unterminated quote
        "python - <<EOF\nimport torch; torch.cuda.init()\n",  # unterminated heredoc
        "python - <<'EOF' <<X\nimport torch\nEOF\nX\n",
        "python <<<",
        "python - <<\n",
        "python -c $'import torch\\ntorch.cuda.init()\\x'\n",
        "python -c \"$(\" \n",
        "python -c 'import torch; torch.cuda.init(' 'x'\n",
        "python -c '\x00\xff'\n",
    ],
)
def test_bad_input_never_raises(text: str) -> None:
    result = analyze(text)
    for target in TARGETS:
        ported(result, text.encode(), target)


_PIECES = st.sampled_from([
    "import torch", "torch.cuda.init()", 'x.to("cuda")', "x.cuda()", "print('a')",
    "torch.version.cuda", '"nccl"', "$HOME", "\\\"", "\\$", "`id`", "\\\n", "'", '"', " ", ";",
    "\n", "{}", "torch.cuda.is_available()", "import torch_npu",
])
_FORMS = st.sampled_from([
    "python -c '{}'\n", 'python -c "{}"\n', "python - <<'EOF'\n{}\nEOF\n", "python - <<EOF\n{}\nEOF\n",
    "bash -c \"python -c '{}'\"\n", "bash -c 'python -c \"{}\"'\n", "python <<< \"{}\"\n",
])


@settings(max_examples=300, deadline=None)
@given(_FORMS, st.lists(_PIECES, max_size=8))
def test_ports_keep_the_shell_structure_and_are_idempotent(form: str, pieces: list[str]) -> None:
    text = form.replace("{}", "".join(pieces), 1)
    data = text.encode()
    before = tokenize(data)
    result = analyze(text)
    for target in TARGETS:
        out = ported(result, data, target)
        if out == data:
            continue
        after = tokenize(out)
        assert (after.error is None) == (before.error is None)
        if "<<" not in form or "<<<" in form:  # a heredoc body is tokenized as a script too
            assert [len(c.words) for c in after.commands] == [len(c.words) for c in before.commands]
        again = analyze(out.decode())
        assert ported(again, out, target) == out
