"""``porter review``: real git repositories in a temp dir, real commits, and what a change adds,
removes, moves, renames and deletes; the gate's exit codes; shallow clones; the output formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from clirun import porter
from conftest import REPO, needs_tool

from porter.render import github

TRAIN = """\
import torch


def step(model, batch):
    out = model(batch.cuda())
    torch.cuda.synchronize()
    return out
"""
CLEAN = "def add(a, b):\n    return a + b\n"
NEW_CALL = "torch.cuda.empty_cache()"


@pytest.fixture
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment where git needs no user config: fixed identities, no global config."""
    needs_tool("git", "porter review reads history through git")
    home = tmp_path / "home"
    home.mkdir()
    values = {
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
        "GIT_AUTHOR_NAME": "Porter Test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Porter Test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return {**os.environ, **values}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(repo: Path, files: dict[str, str | bytes | None], message: str = "change") -> str:
    """Write (or, for None, delete) files and commit them; returns the new commit."""
    for name, content in files.items():
        path = repo / name
        if content is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, git_env: dict[str, str]) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, {"train.py": TRAIN, "util.py": CLEAN}, "base")
    return root


def review_json(repo: Path, *args: str) -> dict:
    out = porter("review", "--format", "json", *args, cwd=repo)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    schema = json.loads(resources.files("porter").joinpath("schemas/scan.schema.json").read_text())
    jsonschema.validate(doc, schema)
    return doc


def symbols(findings: list[dict]) -> list[str]:
    return sorted(f["symbol"] for f in findings)


def with_line(text: str, after: str, line: str) -> str:
    """``text`` with ``line`` inserted after the line holding ``after`` (same indentation)."""
    out = []
    for row in text.splitlines(keepends=True):
        out.append(row)
        if after in row:
            indent = row[: len(row) - len(row.lstrip())]
            out.append(f"{indent}{line}\n")
    return "".join(out)


def test_new_site_is_reported_with_its_effort(repo: Path) -> None:
    commit(repo, {"train.py": with_line(TRAIN, "synchronize", NEW_CALL)})
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD")
    assert [f["symbol"] for f in doc["findings"]] == ["torch.cuda.empty_cache"]
    assert doc["findings"][0]["line"] == 7
    assert doc["removed"] == []
    assert doc["review"]["existing"] == 2
    assert [f["change"] for f in doc["review"]["files"]] == ["modified"]
    for target, delta in doc["effort_delta"].items():
        assert sum(delta["added_sites"].values()) == 1, target
        assert sum(delta["removed_sites"].values()) == 0
        assert delta["net_days"] >= 0
    assert any(d["added_days"]["high"] > 0 for d in doc["effort_delta"].values())


def test_removed_site_is_counted(repo: Path) -> None:
    commit(repo, {"train.py": TRAIN.replace("    torch.cuda.synchronize()\n", "")})
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD")
    assert doc["findings"] == []
    assert [f["symbol"] for f in doc["removed"]] == ["torch.cuda.synchronize"]
    assert doc["removed"][0]["line"] == 6
    assert all(d["net_days"] <= 0 for d in doc["effort_delta"].values())
    assert any(d["removed_days"]["high"] > 0 for d in doc["effort_delta"].values())


def test_moved_lines_are_neither_added_nor_removed(repo: Path) -> None:
    moved = "import os\n\n\n" + TRAIN.replace("import torch\n", "import torch\nimport math\n")
    commit(repo, {"train.py": moved})
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD")
    assert doc["findings"] == [] and doc["removed"] == []
    assert doc["review"]["existing"] == 2


def test_a_second_identical_line_is_the_new_one(repo: Path) -> None:
    text = TRAIN.replace("    return out\n", "    out = model(batch.cuda())\n    return out\n")
    commit(repo, {"train.py": text})
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD")
    assert [f["line"] for f in doc["findings"]] == [7]
    assert doc["review"]["existing"] == 2


def test_renamed_file_keeps_its_sites(repo: Path) -> None:
    git(repo, "mv", "train.py", "training.py")
    commit(repo, {"training.py": with_line(TRAIN, "synchronize", NEW_CALL)})
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD")
    assert symbols(doc["findings"]) == ["torch.cuda.empty_cache"]
    assert doc["findings"][0]["path"] == "training.py"
    assert doc["removed"] == []
    (change,) = doc["review"]["files"]
    assert (change["change"], change["path"], change["old_path"]) == ("renamed", "training.py", "train.py")
    assert change["existing"] == 2


def test_deleted_file_removes_all_its_sites(repo: Path) -> None:
    commit(repo, {"train.py": None})
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD")
    assert doc["findings"] == []
    assert len(doc["removed"]) == 2 and {f["path"] for f in doc["removed"]} == {"train.py"}
    assert [(f["path"], f["change"]) for f in doc["review"]["files"]] == [("train.py", "deleted")]


def test_binary_files_are_skipped_with_a_note(repo: Path) -> None:
    commit(repo, {"weights.py": b"torch.cuda.synchronize()\0\x01\x02", "logo.png": b"\x89PNG\r\n\0\0"})
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD")
    assert doc["findings"] == []
    notes = {f["path"]: f["note"] for f in doc["review"]["files"]}
    assert notes == {"weights.py": "binary file"}


def test_copied_file_counts_as_new_sites(repo: Path) -> None:
    commit(repo, {"train_copy.py": TRAIN})
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD")
    assert {f["path"] for f in doc["findings"]} == {"train_copy.py"}
    assert len(doc["findings"]) == 2


def test_merge_base_is_the_reference_not_the_tip_of_base(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"feature.py": f"import torch\n{NEW_CALL}\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, {"train.py": None}, "main moves on")
    doc = review_json(repo, "--base", "main", "--head", "feature")
    assert symbols(doc["findings"]) == ["torch.cuda.empty_cache"]
    assert doc["removed"] == []


def test_work_tree_is_the_default_head(repo: Path) -> None:
    (repo / "train.py").write_text(with_line(TRAIN, "synchronize", NEW_CALL))
    (repo / "new_module.py").write_text("import torch\nx = torch.cuda.device_count()\n")
    doc = review_json(repo, "--base", "HEAD")
    assert doc["review"]["head"] == "work tree" and doc["review"]["head_commit"] is None
    assert symbols(doc["findings"]) == ["torch.cuda.device_count", "torch.cuda.empty_cache"]


def test_path_limits_the_review(repo: Path) -> None:
    commit(repo, {"a/one.py": f"import torch\n{NEW_CALL}\n", "b/two.py": f"import torch\n{NEW_CALL}\n"})
    doc = review_json(repo, "a", "--base", "HEAD~1", "--head", "HEAD")
    assert [f["path"] for f in doc["findings"]] == ["a/one.py"]


def test_excluded_and_tool_directories_are_not_reviewed(repo: Path) -> None:
    site = f"import torch\n{NEW_CALL}\n"
    commit(repo, {"build/gen.py": site, "vendor/lib.py": site, "x.egg-info/y.py": site, "src/a.py": site})
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD", "--exclude", "vendor/")
    assert [f["path"] for f in doc["findings"]] == ["src/a.py"]


def test_odd_file_names_survive_the_diff(repo: Path) -> None:
    names = ["with space.py", "caf\u00e9.py", "tab\tname.py", 'quote".py']
    commit(repo, {name: f"import torch\n{NEW_CALL}\n" for name in names})
    for name in names:
        commit(repo, {name: f"import torch\n\n{NEW_CALL}\nx = torch.cuda.is_available()\n"})
    doc = review_json(repo, "--base", f"HEAD~{len(names)}", "--head", "HEAD")
    assert sorted((f["path"], f["line"]) for f in doc["findings"]) == sorted((n, 4) for n in names)
    assert doc["removed"] == [] and doc["review"]["existing"] == len(names)


# --- suppressions and baselines -----------------------------------------------------------------


def test_suppressed_site_is_not_new_and_a_stale_suppression_is(repo: Path) -> None:
    commit(repo, {"extra.py": f"import torch\n{NEW_CALL}\n"})
    rule = review_json(repo, "--base", "HEAD~1", "--head", "HEAD")["findings"][0]["rule"]
    commit(repo, {"extra.py": f"import torch\n{NEW_CALL}  # porter: ignore[{rule}]\n"
                              f"x = 1  # porter: ignore[{rule}]\n"})
    doc = review_json(repo, "--base", "HEAD~2", "--head", "HEAD")
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("porter-unused-suppression", 3)]
    assert doc["review"]["suppressed"] == 1


def test_baseline_hides_accepted_sites_after_they_move(repo: Path) -> None:
    made = porter("baseline", "create", ".", "-o", "porter-baseline.json", cwd=repo)
    assert made.returncode == 0, made.stderr
    moved = "import os\n\n" + with_line(TRAIN, "synchronize", NEW_CALL)
    git(repo, "mv", "util.py", "utils.py")
    commit(repo, {"train.py": moved, "extra.py": "import torch\ny = torch.cuda.synchronize()\n"})
    scanned = porter("scan", ".", "--format", "json", "--baseline", "porter-baseline.json", cwd=repo)
    assert scanned.returncode == 0, scanned.stderr
    new = json.loads(scanned.stdout)["findings"]
    assert [(f["path"], f["symbol"]) for f in new] == [
        ("extra.py", "torch.cuda.synchronize"), ("train.py", "torch.cuda.empty_cache")
    ]
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD", "--baseline", "porter-baseline.json")
    assert symbols(doc["findings"]) == ["torch.cuda.empty_cache", "torch.cuda.synchronize"]
    assert doc["review"]["baselined"] == 0


def test_review_baseline_accepts_sites_made_on_the_branch(repo: Path) -> None:
    commit(repo, {"extra.py": f"import torch\n{NEW_CALL}\n"})
    assert porter("baseline", "create", "-o", "accepted.json", cwd=repo).returncode == 0
    doc = review_json(repo, "--base", "HEAD~1", "--head", "HEAD", "--baseline", "accepted.json")
    assert doc["findings"] == [] and doc["review"]["baselined"] == 1


# --- the gate -----------------------------------------------------------------------------------


@pytest.fixture
def changed(repo: Path) -> Path:
    commit(repo, {"train.py": with_line(TRAIN, "synchronize", NEW_CALL)})
    return repo


def introduced(repo: Path) -> list[dict]:
    return review_json(repo, "--base", "HEAD~1", "--head", "HEAD")["findings"]


def test_gate_never_and_any(changed: Path) -> None:
    assert porter("review", "--base", "HEAD~1", "--head", "HEAD", cwd=changed).returncode == 0
    assert porter("review", "--base", "HEAD~1", "--head", "HEAD", "--fail-on", "never",
                  cwd=changed).returncode == 0
    tripped = porter("review", "--base", "HEAD~1", "--head", "HEAD", "--fail-on", "any", cwd=changed)
    assert tripped.returncode == 1
    assert "porter: --fail-on any: 1 new site(s)" in tripped.stderr
    quiet = porter("review", "--base", "HEAD", "--head", "HEAD", "--fail-on", "any", cwd=changed)
    assert quiet.returncode == 0


def test_gate_status_and_severity_thresholds_follow_the_new_sites(changed: Path) -> None:
    (site,) = introduced(changed)
    statuses = {plan["status"] for plan in site["targets"].values()}
    order = ["info", "low", "medium", "high"]
    for level in ("review", "manual"):
        expected = int(bool(statuses & ({"review", "manual"} if level == "review" else {"manual"})))
        out = porter("review", "--base", "HEAD~1", "--head", "HEAD", "--fail-on", level, cwd=changed)
        assert out.returncode == expected, (level, statuses)
    for level in order:
        expected = int(order.index(site["severity"]) >= order.index(level))
        out = porter("review", "--base", "HEAD~1", "--head", "HEAD", "--fail-on", f"severity:{level}",
                     cwd=changed)
        assert out.returncode == expected, (level, site["severity"])
    assert site["severity"] != "info", "the gate must be exercised both ways"


def test_gate_effort_threshold(changed: Path) -> None:
    doc = review_json(changed, "--base", "HEAD~1", "--head", "HEAD")
    most = max(d["net_days"] for d in doc["effort_delta"].values())
    assert most > 0
    args = ("review", "--base", "HEAD~1", "--head", "HEAD", "--fail-on")
    assert porter(*args, "effort:0", cwd=changed).returncode == 1
    assert porter(*args, f"effort:{most + 1}", cwd=changed).returncode == 0
    both = porter(*args, f"effort:{most + 1}", "--fail-on", "any", cwd=changed)
    assert both.returncode == 1 and "--fail-on any" in both.stderr


@pytest.mark.parametrize("value", ["sometimes", "severity:extreme", "effort:lots", "effort:-1", "any:1"])
def test_gate_rejects_bad_values_as_usage_errors(changed: Path, value: str) -> None:
    out = porter("review", "--base", "HEAD~1", "--fail-on", value, cwd=changed)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        f"porter: error: bad --fail-on value {value!r}: use never, any, review, manual, "
        "severity:info|low|medium|high or effort:DAYS"
    ]


# --- git problems are one-line usage errors -----------------------------------------------------


def test_unknown_base_is_a_clear_error(repo: Path) -> None:
    out = porter("review", "--base", "origin/main", cwd=repo)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "porter: error: base revision 'origin/main' not found; fetch it first "
        "(for example `git fetch origin main`)"
    ]


def test_not_a_repository_is_a_clear_error(tmp_path: Path, git_env: dict[str, str]) -> None:
    out = porter("review", "--base", "HEAD", cwd=tmp_path)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1
    assert "is not inside a git work tree" in out.stderr


def test_shallow_clone_without_the_merge_base_says_how_to_fetch(repo: Path, tmp_path: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {"feature.py": f"import torch\n{NEW_CALL}\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, {"util.py": CLEAN + "\n"}, "main moves on")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", repo.as_uri(), str(clone))
    git(clone, "checkout", "-q", "feature")
    out = porter("review", "--base", "origin/main", "--head", "HEAD", cwd=clone)
    assert out.returncode == 2
    (line,) = out.stderr.strip().splitlines()
    assert "merge base" in line and "shallow" in line
    assert "git fetch --deepen" in line and "fetch-depth: 0" in line
    missing = porter("review", "--base", "HEAD~1", cwd=clone)
    (line,) = missing.stderr.strip().splitlines()
    assert missing.returncode == 2 and "HEAD~1" in line and "fetch-depth: 0" in line
    git(clone, "fetch", "-q", "--unshallow")
    doc = review_json(clone, "--base", "origin/main", "--head", "HEAD")
    assert symbols(doc["findings"]) == ["torch.cuda.empty_cache"]


def test_review_of_porters_own_last_python_commit() -> None:
    """Review the newest commit of porter's own history that changed its Python code.

    HEAD itself may touch only documentation, which review rightly skips, so the commit under
    review is looked up rather than assumed.
    """
    needs_tool("git", "porter review reads history through git")
    inside = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=REPO, capture_output=True,
                            text=True, check=False)
    if inside.returncode != 0 or Path(inside.stdout.strip()).resolve() != REPO.resolve():
        pytest.skip("the tests do not run from a git checkout of porter")

    def git_out(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()

    commit = git_out("log", "-1", "--format=%H", "--diff-filter=AM", "--", "porter/*.py")
    if not commit or not git_out("rev-list", "--parents", "-1", commit).count(" "):
        pytest.skip("porter's history has no commit changing its Python code on top of a parent")
    changed = set(git_out("diff", "--name-only", "--diff-filter=AM", f"{commit}~1", commit,
                          "--", "porter/*.py").splitlines())
    command = [sys.executable, "-m", "porter", "review", "--base", f"{commit}~1", "--head", commit]
    out = subprocess.run([*command, "--format", "json"], cwd=REPO, capture_output=True, text=True,
                         timeout=600, check=False)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["review"]["head_commit"] == commit
    assert changed and changed <= {f["path"] for f in doc["review"]["files"]}
    table = porter("review", "--base", "HEAD~1", "--head", "HEAD", cwd=REPO)
    assert table.returncode == 0 and table.stdout.startswith("porter review HEAD~1 ("), table.stderr


# --- formats ------------------------------------------------------------------------------------


def test_markdown_is_a_short_pr_comment(changed: Path) -> None:
    out = porter("review", "--base", "HEAD~1", "--head", "HEAD", "--format", "markdown", cwd=changed)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.startswith("### porter: 1 new vendor-specific site(s), 0 removed\n")
    assert "| target | new sites (auto / review / manual) | removed | added effort | net days |" in text
    assert "<code>train.py:7</code>" in text and "<code>torch.cuda.empty&#95;cache</code>" in text
    assert "2 existing site(s) in the changed files not shown" in text
    assert len(text.splitlines()) < 20


def test_github_annotations_point_at_the_new_site(changed: Path) -> None:
    out = porter("review", "--base", "HEAD~1", "--head", "HEAD", "--format", "github", cwd=changed)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("::warning file=train.py,line=7,endLine=7,col=5,title=porter ")
    assert "::torch.cuda.empty_cache (" in lines[0]
    assert lines[-1].startswith("::notice title=porter::porter review: 1 new vendor-specific site(s)")
    assert len(lines) == 2


def test_table_lists_new_and_removed_sites(changed: Path) -> None:
    commit(changed, {"train.py": TRAIN.replace("    torch.cuda.synchronize()\n", "")})
    out = porter("review", "--base", "HEAD~2", "--head", "HEAD", cwd=changed)
    assert out.returncode == 0, out.stderr
    assert "0 new vendor-specific site(s), 1 removed" in " ".join(out.stdout.split())
    assert "Removed sites" in out.stdout and "torch.cuda.synchronize" in out.stdout


def test_sarif_output_validates(changed: Path) -> None:
    schema_path = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    if not schema_path.is_file():
        pytest.skip("the SARIF 2.1.0 schema is not in ../shared/schemas")
    out = porter("review", "--base", "HEAD~1", "--head", "HEAD", "--format", "sarif", cwd=changed)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, json.loads(schema_path.read_text()))
    (result,) = doc["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 7


# --- GitHub workflow-command escaping --------------------------------------------------------------


def test_github_escaping_follows_the_runner_rules() -> None:
    assert github.escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert github.escape_property("50% a\r\nb: c, d") == "50%25 a%0D%0Ab%3A c%2C d"
    line = github.command("warning", "x\n::error::y", file="a,b:c.py", line=3, title="t%")
    assert line == "::warning file=a%2Cb%3Ac.py,line=3,title=t%25::x%0A::error::y"
    assert "\n" not in line


def test_hostile_names_cannot_start_a_command(repo: Path) -> None:
    name = "evil\n::add-mask::x,y:z.py"
    if sys.platform == "win32":
        pytest.skip("newline in a file name")
    commit(repo, {name: f"import torch\n{NEW_CALL}\n"})
    out = porter("review", "--base", "HEAD~1", "--head", "HEAD", "--format", "github", cwd=repo)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert all(line.startswith(("::warning ", "::notice ")) for line in lines)
    assert "file=evil%0A%3A%3Aadd-mask%3A%3Ax%2Cy%3Az.py," in lines[0]


# --- the composite GitHub Action ------------------------------------------------------------------


def action_step(step_id: str) -> dict:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    return next(step for step in action["runs"]["steps"] if step.get("id") == step_id)


def run_action_review(repo: Path, tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the action's review step as the runner would: its env (inputs filled in), bash, and
    a ``porter`` on PATH that is this checkout."""
    action = yaml.safe_load((REPO / "action.yml").read_text())
    defaults = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    step = action_step("review")
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "porter").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m porter "$@"\n')
    (shim / "porter").chmod(0o755)
    runner = tmp_path / "runner"
    runner.mkdir(exist_ok=True)
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
           "GITHUB_STEP_SUMMARY": str(runner / "summary.md"), "GITHUB_OUTPUT": str(runner / "output")}
    for key, value in step["env"].items():
        name = value.removeprefix("${{ inputs.").removesuffix(" }}")
        env[key] = inputs.get(name.replace("-", "_"), defaults[name])
    done = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    return done, runner


def test_action_review_step_annotates_summarises_and_gates(changed: Path, tmp_path: Path) -> None:
    needs_tool("bash", "the action's steps run in bash")
    done, runner = run_action_review(changed, tmp_path, base="HEAD~1", sarif_file="porter.sarif")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("::warning file=train.py,line=7,")
    assert "porter: --fail-on any: 1 new site(s)" in done.stderr
    assert (runner / "summary.md").read_text().startswith("### porter: 1 new vendor-specific site(s)")
    assert len(json.loads((changed / "porter.sarif").read_text())["runs"][0]["results"]) == 1
    assert (runner / "output").read_text() == "sarif-file=porter.sarif\n"
    passed, _ = run_action_review(changed, tmp_path, base="HEAD~1", fail_on="never", summary="false",
                                  targets="rocm,cann")
    assert passed.returncode == 0, passed.stderr
    (annotation, _) = passed.stdout.splitlines()
    assert "%0Arocm" in annotation and "cann: " in annotation
    assert "oneapi" not in annotation and "neutral" not in annotation


def test_action_without_a_base_explains_itself(changed: Path, tmp_path: Path) -> None:
    needs_tool("bash", "the action's steps run in bash")
    done, _ = run_action_review(changed, tmp_path, base="")
    assert done.returncode == 2
    assert done.stdout.startswith("::error title=porter::no base revision")


def test_action_inputs_reach_scripts_only_through_the_environment() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step.get("name")
    used = {v.removeprefix("${{ inputs.").removesuffix(" }}") for v in action_step("review")["env"].values()}
    assert used == set(action["inputs"]) - {"python-version"}
