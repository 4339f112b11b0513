"""Notebooks: golden ports per target, IPython lines, outputs and metadata kept, bad notebooks."""

from __future__ import annotations

import json

import nbformat
import pytest
from golden.runner import GOLDEN, check_file, check_findings, inputs, ported

from porter.frontends.notebook import NotebookFrontend, split_ipython
from porter.mappings import default_tables

FRONTEND = NotebookFrontend()
TARGETS = default_tables().target_ids


def without_sources(notebook: nbformat.NotebookNode) -> dict:
    """Everything of a notebook but its cell sources: what a port must leave equal."""
    data = json.loads(nbformat.writes(notebook))
    for cell in data["cells"]:
        cell.pop("source")
    return data


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rel", inputs("notebook"))
def test_golden_port(rel: str, target: str) -> None:
    result = check_file("notebook", rel, target, FRONTEND)
    data = (GOLDEN / "notebook" / "input" / rel).read_bytes()
    out = ported(result, data, target)
    before = nbformat.reads(data.decode(), as_version=4)
    after = nbformat.reads(out.decode(), as_version=4)
    nbformat.validate(after)
    assert without_sources(after) == without_sources(before)


def test_golden_findings() -> None:
    check_findings("notebook", FRONTEND)


def notebook(*sources: str, markdown: str | None = None) -> bytes:
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_markdown_cell(markdown)] if markdown else []
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    for number, cell in enumerate(cells):
        cell["id"] = f"c{number}"
    nb.cells = cells
    return nbformat.writes(nb).encode()


def analyze(data: bytes):
    return FRONTEND.analyze("explore.ipynb", data, default_tables())


def test_findings_point_at_cell_and_line() -> None:
    data = notebook("x = 1\n!nvidia-smi", markdown="!nvidia-smi in prose")
    (finding,) = analyze(data).findings
    assert finding.cell == 1 and finding.span.line == 2 and finding.symbol == "nvidia-smi"


def test_port_edits_only_the_json_string_of_the_site() -> None:
    data = notebook("print('é')\n%env CUDA_VISIBLE_DEVICES=1\n")
    result = analyze(data)
    out = ported(result, data, "cann")
    (edit,) = [e for f in result.findings for e in f.targets["cann"].edits]
    assert out[: edit.start] == data[: edit.start]
    assert out.endswith(data[edit.end :])
    cell = nbformat.reads(out.decode(), as_version=4).cells[0]
    assert cell.source == "print('é')\n%env ASCEND_RT_VISIBLE_DEVICES=1\n"


def test_edit_inside_escapes_is_traced() -> None:
    nb = json.loads(notebook('s = "tab\\there"; !nvidia-smi').decode())
    nb["cells"][0]["source"] = ['print("\\t")\n', "!nvidia-smi\n"]
    data = json.dumps(nb, indent=1, ensure_ascii=True).encode()
    out = ported(analyze(data), data, "rocm")
    assert nbformat.reads(out.decode(), as_version=4).cells[0].source == 'print("\\t")\n!rocm-smi\n'


def test_pip_install_in_a_cell_is_a_dependency_list() -> None:
    data = notebook('!pip install "torch==2.3.1+cu121" --index-url https://download.pytorch.org/whl/cu121')
    out = ported(analyze(data), data, "cann")
    source = nbformat.reads(out.decode(), as_version=4).cells[0].source
    assert source.startswith('!pip install "torch==2.3.1" torch-npu==2.3.1.post')
    assert source.endswith("--index-url https://download.pytorch.org/whl/cpu")


def test_ipython_lines_are_blanked_to_the_same_length() -> None:
    source = b"%%time\nfor x in range(2):\n    %timeit f()\n!ls\nfiles = !ls\nnp.ones?\n"
    python, shell, env = split_ipython(source)
    assert len(python) == len(source)
    assert python.splitlines()[1] == b"for x in range(2):"
    assert python.splitlines()[2].strip() == b"pass"
    assert [s.text for s in shell] == ["ls", "ls"] and env == []
    compile(python, "cell", "exec")


def test_shell_cell_is_read_as_shell() -> None:
    python, shell, _ = split_ipython(b"%%bash\nnvcc --version\n")
    assert python.strip() == b"" and [s.text for s in shell] == ["nvcc --version"]


@pytest.mark.parametrize(
    "data",
    [b'{"cells": [ {"cell_type": "code", "source": ["x = 1\\n"', b"not json", b"[]", b"\xff\xfe"],
)
def test_invalid_notebook_is_an_error_result(data: bytes) -> None:
    result = analyze(data)
    assert result.status == "error" and (result.note or "").startswith("invalid notebook")


def test_old_format_is_scanned_but_not_rewritten() -> None:
    v3 = {
        "metadata": {"name": ""}, "nbformat": 3, "nbformat_minor": 0,
        "worksheets": [{"cells": [{"cell_type": "code", "input": "!nvidia-smi", "language": "python",
                                   "outputs": [], "metadata": {}}], "metadata": {}}],
    }
    result = analyze(json.dumps(v3).encode())
    assert result.status == "partial" and "not rewritten" in (result.note or "")
    assert [f.symbol for f in result.findings] == ["nvidia-smi"]
    assert all(not p.edits for f in result.findings for p in f.targets.values())


def test_python_cells_go_through_the_python_frontend() -> None:
    python = pytest.importorskip("porter.frontends.python")
    if not hasattr(python, "PythonFrontend"):
        pytest.skip("the Python frontend is not there yet")
    cells = ("import torch\n", "x = 1\ny = torch.ones(2).cuda()\ntorch.cuda.synchronize()\n")
    alone = python.PythonFrontend().analyze("x.py", "".join(cells).encode(), default_tables())
    expected = [(f.symbol, f.span.line - 1) for f in alone.findings]
    if not expected:
        pytest.skip("the Python frontend flags nothing in this code yet")
    data = notebook(*cells)
    result = analyze(data)
    flagged = [f for f in result.findings if f.language == alone.findings[0].language]
    assert [(f.symbol, f.span.line) for f in flagged] == expected
    assert all(f.cell == 1 for f in flagged)
    for target in TARGETS:
        out = ported(result, data, target)
        after = nbformat.reads(out.decode(), as_version=4)
        nbformat.validate(after)
        assert without_sources(after) == without_sources(nbformat.reads(data.decode(), as_version=4))
        assert analyze(out).status != "error"


def test_inserted_lines_are_source_elements_of_their_own() -> None:
    """``import torch_npu`` and the neutral helper land as one array element per line, the way
    Jupyter writes sources, and the cell's code is the expected program."""
    data = notebook("import torch\n\nx = torch.ones(1).cuda()\n")
    for target, added in (("cann", ["import torch_npu\n"]),
                          ("neutral", ["\n", "\n", "def accelerator_or_cpu() -> torch.device:\n"])):
        out = ported(analyze(data), data, target)
        (source,) = [c["source"] for c in json.loads(out)["cells"]]
        assert source[:1 + len(added)] == ["import torch\n", *added], target
        assert all(line.count("\n") <= 1 for line in source)
        nbformat.validate(nbformat.reads(out.decode(), as_version=4))
