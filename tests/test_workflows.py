"""The GitHub Actions frontend: workflows and action metadata.

Golden files: ``tests/golden/workflows/input/...`` ported per target into
``tests/golden/workflows/<target>/...``; ``PORTER_REGEN=1 pytest tests/test_workflows.py``
rewrites the expected files (and ``findings.txt``) from the current code: review the diff before
committing it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from golden.runner import GOLDEN, check_file, check_findings, inputs, ported
from hypothesis import given, settings
from hypothesis import strategies as st

from porter.frontends import frontend_for
from porter.frontends.workflows import WorkflowsFrontend
from porter.mappings import data_dir, default_tables, load_tables
from porter.model import FileResult
from porter.scan import scan

FRONTEND = WorkflowsFrontend()
TARGETS = default_tables().target_ids
WORKFLOW = ".github/workflows/ci.yml"


def analyze(text: str, path: str = WORKFLOW) -> FileResult:
    return FRONTEND.analyze(path, text.encode(), default_tables())


def symbols(result: FileResult) -> list[str]:
    return [f.symbol for f in result.findings]


def port(text: str, target: str = "rocm", path: str = WORKFLOW) -> str:
    return ported(analyze(text, path), text.encode(), target).decode()


# --- which files ---------------------------------------------------------------------------------


def test_claims_workflows_and_action_metadata() -> None:
    assert FRONTEND.claims(".github/workflows/ci.yml", b"")
    assert FRONTEND.claims("sub/repo/.github/workflows/release.yaml", b"")
    assert FRONTEND.claims("action.yml", b"")
    assert FRONTEND.claims(".github/actions/setup/action.yaml", b"")
    assert not FRONTEND.claims(".github/workflows/README.md", b"")
    assert not FRONTEND.claims(".github/dependabot.yml", b"")
    assert not FRONTEND.claims("workflows/ci.yml", b"")


@pytest.mark.parametrize(
    ("path", "head", "language"),
    [
        (".github/workflows/ci.yml", b"name: ci\n", "github-actions"),
        (".github/workflows/values.yml", b"name: ci\n", "github-actions"),  # not a Helm values file
        (".github/workflows/environment.yml", b"name: x\n", "github-actions"),  # nor a conda env
        ("k8s/job.yaml", b"apiVersion: batch/v1\nkind: Job\n", "yaml"),
        ("docker-compose.yml", b"services: {}\n", "yaml"),
        ("charts/x/values.yaml", b"image: {}\n", "yaml"),
        ("environment.yml", b"name: x\ndependencies: []\n", "conda"),
    ],
)
def test_frontend_choice(path: str, head: bytes, language: str) -> None:
    """Manifests and compose files stay with the k8s frontend, conda files with conda's."""
    frontend = frontend_for(path, head)
    assert frontend is not None and frontend.language == language


def test_scan_discovers_workflows(tmp_path: Path) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                                      "    steps:\n      - run: nvidia-smi\n")
    result = scan(tmp_path, targets=["rocm"])
    (file,) = [f for f in result.files if f.path == ".github/workflows/ci.yml"]
    assert file.language == "github-actions" and symbols(file) == ["nvidia-smi"]


# --- what is a site, what is not ----------------------------------------------------------------


def test_names_comments_and_hosted_runners_are_not_sites() -> None:
    text = (
        "name: CUDA tests  # nvidia-smi in a comment\n"
        "on: push\n"
        "jobs:\n"
        "  cuda-build:\n"
        "    name: Build for CUDA 12.1\n"
        "    runs-on: ubuntu-latest\n"
        "    if: contains(github.ref, 'cuda')\n"
        "    steps:\n"
        "      # - run: nvidia-smi\n"
        "      - name: Install CUDA and run nvcc\n"
        "        run: echo done  # nvcc --version\n"
    )
    result = analyze(text)
    assert result.status == "scanned" and result.findings == ()


@pytest.mark.parametrize(
    ("runs_on", "expected"),
    [
        ("ubuntu-latest", []),
        ("[self-hosted, linux, x64]", []),
        ("[self-hosted, gpu, nvidia]", ["nvidia"]),  # one site per label set, the most specific label
        ("[self-hosted, gpu]", ["gpu"]),
        ("linux.g5.4xlarge.nvidia.gpu", ["linux.g5.4xlarge.nvidia.gpu"]),
        ("{group: gpu-runners, labels: [a100]}", ["a100"]),
        ("[self-hosted, gpu, rocm]", []),  # another vendor's machine
        ("linux.rocm.gpu.mi300", []),
        ("[self-hosted, linux.amd64.gpu]", ["linux.amd64.gpu"]),  # amd64 is a CPU, not AMD's GPU
    ],
)
def test_runner_labels(runs_on: str, expected: list[str]) -> None:
    result = analyze(f"on: push\njobs:\n  t:\n    runs-on: {runs_on}\n    steps: []\n")
    assert symbols(result) == expected
    for finding in result.findings:
        assert finding.pit == "cluster-config"
        assert all(p.status == "manual" and not p.edits and p.note for p in finding.targets.values())


def test_runner_label_from_the_matrix() -> None:
    text = (
        "on: push\njobs:\n  t:\n    runs-on: ${{ matrix.cfg.runner }}\n    strategy:\n      matrix:\n"
        "        cfg:\n          - {runner: ubuntu-latest}\n          - {runner: [self-hosted, h100]}\n"
        "        include:\n          - cfg: {runner: linux.4xlarge.nvidia.gpu}\n    steps: []\n"
    )
    assert symbols(analyze(text)) == ["h100", "linux.4xlarge.nvidia.gpu"]


def test_cuda_installing_action_is_manual_with_what_installs_each_stack() -> None:
    text = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: Jimver/cuda-toolkit@v0.2.16\n        with:\n          cuda: '12.1.0'\n"
        "      - uses: actions/setup-python@v5\n        with: {python-version: '3.11'}\n"
    )
    (finding,) = analyze(text).findings  # the cuda: input belongs to the action's site
    assert finding.symbol == "jimver/cuda-toolkit" and finding.pit == "cuda-wheels"
    notes = {t: p.note for t, p in finding.targets.items()}
    assert all(p.status == "manual" for p in finding.targets.values())
    assert "rocm/dev-ubuntu-22.04" in notes["rocm"] and "repo.radeon.com" in notes["rocm"]
    assert "intel/oneapi-basekit" in notes["oneapi"]
    assert "quay.io/ascend/cann" in notes["cann"]


def test_cuda_settings_in_matrix_inputs_and_values() -> None:
    text = (
        "on:\n  workflow_call:\n    inputs:\n      cuda-version: {type: string}\n"
        "jobs:\n  t:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
        "        cuda: ['11.8', '12.1']\n        torch: ['2.3.1']\n        variant: [cpu, cu121]\n"
        "        include:\n          - {torch: '2.4.0', cuda: '12.4', cuda_arch_list: '8.0;9.0'}\n"
        "    steps:\n      - uses: ./.github/actions/build\n        with:\n          gpu-arch-type: cuda\n"
    )
    assert symbols(analyze(text)) == ["cuda-version", "cuda", "cu121", "cuda_arch_list", "cuda"]


# --- containers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "container",
    [
        "container: nvidia/cuda:12.1.0-devel-ubuntu22.04",
        "container:\n      image: 'nvidia/cuda:12.1.0-devel-ubuntu22.04'",
        'container:\n      image: "nvidia/cuda:12.1.0-devel-ubuntu22.04"',
        "services:\n      gpu: {image: nvidia/cuda:12.1.0-devel-ubuntu22.04}",
    ],
)
def test_container_images_take_the_dockerfile_familys_replacement(container: str) -> None:
    text = f"on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    {container}\n    steps: []\n"
    (finding,) = analyze(text).findings
    assert finding.family == "docker-images"
    out = port(text)
    assert "rocm/dev-ubuntu-22.04:latest" in out and "nvidia" not in out
    before, after = yaml.safe_load(text), yaml.safe_load(out)
    assert _same_shape(before, after)


def test_container_options_are_docker_run_options() -> None:
    text = (
        "on: push\njobs:\n  t:\n    runs-on: [self-hosted, gpu]\n    container:\n"
        "      image: ubuntu:22.04\n      options: --gpus all --shm-size=8g\n    steps: []\n"
    )
    assert "docker run --gpus=all" in symbols(analyze(text))
    out = yaml.safe_load(port(text))
    assert out["jobs"]["t"]["container"]["options"] == (
        "--device=/dev/kfd --device=/dev/dri --group-add video --shm-size=8g"
    )


# --- run: scripts --------------------------------------------------------------------------------


def test_run_scripts_are_shell_and_are_rewritten_in_place() -> None:
    text = (
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: |\n          nvidia-smi\n          export PATH=/usr/local/cuda/bin:$PATH\n"
        "          nvcc --version\n"
    )
    out = port(text)
    assert out.endswith("      - run: |\n          rocm-smi\n          export PATH=/opt/rocm/bin:$PATH\n"
                        "          hipcc --version\n")


def test_an_edit_across_a_folded_line_is_dropped_and_the_site_kept() -> None:
    text = "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: >-\n          nvcc\n          --version\n"
    result = analyze(text)
    (finding,) = result.findings
    assert finding.symbol == "nvcc --version" and not finding.targets["rocm"].edits
    assert finding.span.line == 7 and finding.span.end_line == 8
    assert result.status == "partial" and "without a rewrite" in (result.note or "")
    assert port(text) == text


def test_escaped_double_quoted_script_maps_the_bytes_between_escapes() -> None:
    text = 'on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: "echo \\"a\\tb\\"; nvidia-smi"\n'
    out = yaml.safe_load(port(text))
    assert out["jobs"]["t"]["steps"][0]["run"] == 'echo "a\tb"; rocm-smi'


def test_environment_names_are_renamed_everywhere_or_nowhere() -> None:
    everywhere = (
        "on: push\nenv:\n  CUDA_VISIBLE_DEVICES: '0'\njobs:\n  t:\n    runs-on: x\n    steps:\n"
        "      - run: echo $CUDA_VISIBLE_DEVICES\n"
    )
    assert port(everywhere).count("HIP_VISIBLE_DEVICES") == 2
    in_expression = everywhere + "        if: env.CUDA_VISIBLE_DEVICES != ''\n"
    result = analyze(in_expression)
    assert port(in_expression) == in_expression
    assert "CUDA_VISIBLE_DEVICES is not renamed" in (result.note or "")
    github_env = everywhere + '      - run: echo "CUDA_VISIBLE_DEVICES=1" >> "$GITHUB_ENV"\n'
    assert port(github_env) == github_env
    assert symbols(analyze(github_env)).count("CUDA_VISIBLE_DEVICES") == 3


ARCH_ENV = "on: push\nenv:\n  TORCH_CUDA_ARCH_LIST: %s\n  MAX_JOBS: '8.0'\njobs: {}\n"


@pytest.mark.parametrize(
    ("value", "rocm", "oneapi"),
    [
        ('"8.0;9.0"', '"gfx90a;gfx942"', '"pvc,bmg"'),
        ("'7.0 7.5 8.0 8.6 9.0+PTX'", "'gfx90a gfx942'", "'pvc,bmg'"),
        ("8.0", "gfx90a;gfx942", "pvc,bmg"),  # a float before, a string after
        # Not a plain list of sm numbers: the name changes, the value stays.
        ("${{ matrix.arch }}", "${{ matrix.arch }}", "${{ matrix.arch }}"),
        ("$ARCHS", "$ARCHS", "$ARCHS"),
        ('""', '""', '""'),
        ("native", "native", "native"),
        ("|\n    8.0;9.0", "|\n    8.0;9.0", "|\n    8.0;9.0"),  # a block scalar: not written as is
    ],
)
def test_env_map_architecture_list(value: str, rocm: str, oneapi: str) -> None:
    text = ARCH_ENV % value
    assert port(text, "rocm") == (ARCH_ENV % rocm).replace("TORCH_CUDA_ARCH_LIST", "PYTORCH_ROCM_ARCH")
    assert port(text, "oneapi") == (ARCH_ENV % oneapi).replace("TORCH_CUDA_ARCH_LIST", "TORCH_XPU_ARCH_LIST")
    assert port(text, "cann") == text
    for target in ("rocm", "oneapi"):
        once = port(text, target)
        assert port(once, target) == once  # a second port changes nothing
        assert analyze(once).status == "scanned"


def test_architecture_list_notes_and_flow_maps() -> None:
    text = (
        "on: push\njobs:\n  t:\n    runs-on: x\n    strategy: {matrix: {arch: ['8.0', '9.0']}}\n"
        "    steps:\n      - env: {TORCH_CUDA_ARCH_LIST: 8.0}\n        run: make\n"
        "      - env:\n          TORCH_CUDA_ARCH_LIST: ${{ matrix.arch }}\n        run: make\n"
    )
    result = analyze(text)
    flow, matrix = (f.targets["oneapi"] for f in result.findings)
    # A plain value in a flow map cannot take a comma (nor quotes put around it here): kept.
    assert "cannot rewrite exactly" in flow.note and len(flow.edits) == 1
    assert "Its value ('${{ matrix.arch }}') is not a plain list of sm numbers, so it is kept" in matrix.note
    out = yaml.safe_load(port(text, "oneapi"))
    assert out["jobs"]["t"]["steps"][0]["env"] == {"TORCH_XPU_ARCH_LIST": 8.0}
    assert yaml.safe_load(port(text, "rocm"))["jobs"]["t"]["steps"][0]["env"] == {"PYTORCH_ROCM_ARCH": "gfx90a;gfx942"}


def test_architecture_list_in_run_scripts() -> None:
    text = (
        "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n"
        "      - run: |\n          export TORCH_CUDA_ARCH_LIST='8.0 9.0'\n          TORCH_CUDA_ARCH_LIST=9.0 make\n"
        '      - run: "export TORCH_CUDA_ARCH_LIST=8.0"\n'
    )
    assert port(text, "rocm").endswith(
        "      - run: |\n          export PYTORCH_ROCM_ARCH='gfx90a gfx942'\n"
        '          PYTORCH_ROCM_ARCH="gfx90a;gfx942" make\n'
        '      - run: "export PYTORCH_ROCM_ARCH=8.0"\n'  # quotes cannot go inside this scalar as is
    )
    assert port(text, "oneapi").endswith(
        "      - run: |\n          export TORCH_XPU_ARCH_LIST='pvc,bmg'\n          TORCH_XPU_ARCH_LIST=pvc,bmg make\n"
        '      - run: "export TORCH_XPU_ARCH_LIST=pvc,bmg"\n'
    )
    quoted = [f for f in analyze(text).findings if f.span.line == 9]
    assert "cannot rewrite exactly" in quoted[0].targets["rocm"].note


def test_a_rename_that_would_repeat_a_key_is_not_made() -> None:
    text = "on: push\nenv:\n  CUDA_HOME: /usr/local/cuda\n  ROCM_PATH: /opt/rocm\njobs: {}\n"
    assert "CUDA_HOME" in symbols(analyze(text))
    assert port(text) == text


def test_a_rewrite_that_would_change_the_yaml_is_dropped(tmp_path: Path) -> None:
    """Every target's edits are applied and the file composed again before they are offered."""
    shutil.copy(data_dir() / "targets.yaml", tmp_path / "targets.yaml")
    (tmp_path / "bad.yaml").write_text(
        "family: bad\nlanguage: shell\ntitle: t\nrule: bad\n"
        "defaults: {oneapi: {status: manual}, cann: {status: manual}, neutral: {status: manual}}\n"
        "entries:\n  - source: nvidia-smi\n    kind: command\n    note: n\n"
        "    targets: {rocm: {status: review, replacement: 'echo a: b'}}\n"
    )
    tables = load_tables(tmp_path)
    text = "on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: nvidia-smi\n      - run: |\n          nvidia-smi\n"
    result = FRONTEND.analyze(WORKFLOW, text.encode(), tables)
    plain, block = result.findings
    assert not plain.targets["rocm"].edits  # "run: echo a: b" would not be a string any more
    assert block.targets["rocm"].edits  # inside a block scalar it is
    assert "1 rocm edit(s) dropped: the rewritten YAML would not read as meant" in (result.note or "")
    out = ported(result, text.encode(), "rocm")
    assert yaml.safe_load(out)["jobs"]["t"]["steps"][1]["run"] == "echo a: b\n"


def test_shells_that_are_not_posix() -> None:
    text = (
        "on: push\njobs:\n  t:\n    runs-on: windows-latest\n    steps:\n      - run: nvidia-smi\n"
        "      - shell: python\n        run: print('nvidia-smi')\n"
        "      - shell: bash\n        run: nvidia-smi\n"
    )
    result = analyze(text)
    assert [(f.span.line, bool(f.targets["rocm"].edits)) for f in result.findings] == [(6, False), (10, True)]
    assert "pwsh script read for sites, not rewritten" in (result.note or "")
    assert "shell 'python' is not read" in (result.note or "")


# --- bad input -----------------------------------------------------------------------------------


def test_invalid_yaml_is_a_note_with_sites_and_no_rewrite() -> None:
    result = analyze("on: push\njobs:\n  t:\n    runs-on: [self-hosted, nvidia\n    steps:\n      - run: nvidia-smi\n")
    assert result.status == "partial" and (result.note or "").startswith("invalid YAML at line")
    assert symbols(result) == ["nvidia", "nvidia-smi"]
    assert all(not p.edits for f in result.findings for p in f.targets.values())


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe bad", b"", b"---\n", b"- just\n- a list\n", b"jobs: 5\n", b"jobs:\n  t: [1, 2]\n",
     b"on: push\njobs:\n  t:\n    steps: {run: nvidia-smi}\n", b"[" * 5000, b"a: &x [*x]\n"],
)
def test_odd_input_never_raises(data: bytes) -> None:
    result = FRONTEND.analyze(WORKFLOW, data, default_tables())
    assert result.status in ("scanned", "partial", "error")


def test_alias_bomb_is_read_once() -> None:
    laughs = "a0: &a0 {run: nvidia-smi}\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
    )
    text = laughs + "on: push\njobs:\n  t:\n    runs-on: x\n    steps: [*a0, *a8]\n"
    result = analyze(text)
    assert symbols(result) == ["nvidia-smi"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab:-&*{}[]\"' \n#|>\\tnvidia-smi$CUDA_HOME", max_size=300))
def test_fuzz_never_raises_and_edits_keep_the_yaml(text: str) -> None:
    data = ("on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: " + text).encode()
    result = FRONTEND.analyze(WORKFLOW, data, default_tables())
    for target in TARGETS:
        edits = [e for f in result.findings for e in f.targets[target].edits]
        assert all(0 <= e.start <= e.end <= len(data) for e in edits)
        if edits:
            out = ported(result, data, target)
            assert _same_shape(yaml.safe_load(data), yaml.safe_load(out))


# --- golden files --------------------------------------------------------------------------------


def _same_shape(before: Any, after: Any) -> bool:
    """Same structure; only string scalars (keys and values) may differ."""
    if isinstance(before, dict):
        return (
            isinstance(after, dict)
            and len(before) == len(after)
            and all(
                _same_shape(k1, k2) and _same_shape(v1, v2)
                for (k1, v1), (k2, v2) in zip(before.items(), after.items(), strict=True)
            )
        )
    if isinstance(before, list):
        return isinstance(after, list) and len(before) == len(after) and all(
            _same_shape(a, b) for a, b in zip(before, after, strict=True)
        )
    if isinstance(before, str):
        return isinstance(after, str)
    return before == after


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rel", inputs("workflows"))
def test_golden(rel: str, target: str) -> None:
    result = check_file("workflows", rel, target, FRONTEND)
    source = (GOLDEN / "workflows" / "input" / rel).read_bytes()
    out = (GOLDEN / "workflows" / target / rel).read_bytes()
    if result.note and "invalid YAML" in result.note:
        assert out == source
        return
    before, after = list(yaml.safe_load_all(source)), list(yaml.safe_load_all(out))
    assert _same_shape(before, after), f"{target}/{rel}: the port changed the YAML's structure"
    again = FRONTEND.analyze(rel, out, default_tables())
    assert ported(again, out, target) == out, f"{target}/{rel}: a second port changes the file"


def test_golden_findings() -> None:
    check_findings("workflows", FRONTEND)


def test_golden_inputs_rewrite_images_and_scripts_only() -> None:
    """rocm: the images, container options, shell sites and environment names change, the rest is
    reported (runner labels, actions, CUDA settings have no edit)."""
    families = set()
    for rel in inputs("workflows"):
        data = (GOLDEN / "workflows" / "input" / rel).read_bytes()
        for finding in FRONTEND.analyze(rel, data, default_tables()).findings:
            if finding.targets["rocm"].edits:
                families.add(finding.family)
            if finding.family.startswith("ci-"):
                assert not any(p.edits for p in finding.targets.values())
    assert families == {"docker-images", "docker-cli", "shell-commands", "shell-env", "shell-paths"}
