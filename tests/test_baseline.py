"""Baselines: a deterministic file of accepted fingerprints that survives line moves, so
``scan``/``check --baseline`` report only what is new."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from clirun import porter

TRAIN = """\
import torch


def step(model, batch):
    out = model(batch.cuda())
    torch.cuda.synchronize()
    return out
"""




def new_sites(tree: Path, *extra: str) -> list[tuple[str, str, int]]:
    out = porter("scan", ".", "--format", "json", "--baseline", "porter-baseline.json", *extra, cwd=tree)
    assert out.returncode == 0, out.stderr
    return [(f["path"], f["symbol"], f["line"]) for f in json.loads(out.stdout)["findings"]]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "train.py").write_text(TRAIN)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "dist.py").write_text(
        "import torch.distributed as dist\n\ndist.init_process_group('nccl')\n"
    )
    made = porter("baseline", "create", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stderr.startswith("porter: ") and "accepted in porter-baseline.json" in made.stderr
    return tmp_path


def test_baseline_file_is_sorted_readable_and_deterministic(tree: Path) -> None:
    first = (tree / "porter-baseline.json").read_bytes()
    doc = json.loads(first)
    schema = json.loads(resources.files("porter").joinpath("schemas/baseline.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["format"] == "porter-baseline" and doc["version"] == 1
    entries = doc["findings"]
    assert len(entries) >= 3
    assert {e["path"] for e in entries} == {"train.py", "pkg/dist.py"}
    assert entries == sorted(entries, key=lambda e: (e["path"], e["rule"], e["symbol"], e["snippet"], e["id"]))
    assert any("torch.cuda.synchronize" in e["symbol"] for e in entries)
    assert porter("baseline", "create", cwd=tree).returncode == 0
    assert (tree / "porter-baseline.json").read_bytes() == first


def test_accepted_sites_stay_accepted_after_lines_move(tree: Path) -> None:
    assert new_sites(tree) == []
    moved = '"""Training loop."""\n\nimport os\n\n\n' + TRAIN.replace("    out = model", "    # run\n    out = model")
    (tree / "train.py").write_text(moved)
    assert new_sites(tree) == []


def test_new_and_edited_sites_are_reported(tree: Path) -> None:
    text = TRAIN.replace("    return out\n", "    torch.cuda.empty_cache()\n    return out\n")
    text = text.replace("torch.cuda.synchronize()", "torch.cuda.synchronize(device=0)")
    (tree / "train.py").write_text(text)
    sites = new_sites(tree)
    assert [(p, line) for p, _, line in sites] == [("train.py", 6), ("train.py", 7)]
    assert [s for _, s, _ in sites] == ["torch.cuda.synchronize", "torch.cuda.empty_cache"]


def test_a_copy_of_an_accepted_line_is_new(tree: Path) -> None:
    (tree / "train.py").write_text(TRAIN.replace("    return out\n", "    torch.cuda.synchronize()\n    return out\n"))
    assert [(p, s) for p, s, _ in new_sites(tree)] == [("train.py", "torch.cuda.synchronize")]


def test_check_uses_the_baseline_with_paths_from_the_repository_root(tree: Path) -> None:
    args = ("check", "train.py", "pkg/dist.py", "--baseline", "porter-baseline.json")
    assert porter(*args, cwd=tree).returncode == 0
    (tree / "pkg" / "dist.py").write_text("import torch\nx = torch.cuda.device_count()\n")
    out = porter(*args, cwd=tree)
    assert out.returncode == 1
    assert out.stdout.startswith("pkg/dist.py:2:5: ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ('{"format": "porter-baseline", "version": 2, "findings": []}', "is not a porter baseline: version"),
        ('{"format": "porter-baseline", "version": 1, "findings": [{"id": "xyz"}]}', "is not a porter baseline: findings/0"),
    ],
)
def test_bad_baseline_is_a_one_line_usage_error(tree: Path, content: str, message: str) -> None:
    (tree / "bad.json").write_text(content)
    out = porter("scan", ".", "--baseline", "bad.json", cwd=tree)
    assert out.returncode == 2
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("porter: error: baseline bad.json ") and message in line


def test_missing_baseline_is_a_usage_error(tree: Path) -> None:
    out = porter("scan", ".", "--baseline", "nowhere.json", cwd=tree)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "porter: error: cannot read baseline nowhere.json: No such file or directory"
    ]
