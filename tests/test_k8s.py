"""The YAML frontend: Kubernetes manifests, Helm values/templates and docker-compose files.

Golden files: ``tests/golden/k8s/input/...`` ported per target into ``tests/golden/k8s/<target>/...``;
``PORTER_REGEN=1 pytest tests/test_k8s.py`` rewrites the expected files (and ``findings.txt``)
from the current code: review the diff before committing.
"""

from __future__ import annotations

import pytest
import yaml
from golden.runner import GOLDEN, check_file, check_findings, inputs, ported
from hypothesis import given
from hypothesis import strategies as st

from porter.frontends.k8s import K8sFrontend
from porter.mappings import default_tables, reference_names

FRONTEND = K8sFrontend()
TARGETS = default_tables().target_ids


def analyze(text: str, path: str = "pod.yaml"):
    return FRONTEND.analyze(path, text.encode(), default_tables())


def test_anchor_is_one_site_and_aliases_follow_it() -> None:
    text = "a: &r {nvidia.com/gpu: 1}\nb: *r\nc: *r\n"
    result = analyze(text)
    assert [f.symbol for f in result.findings] == ["nvidia.com/gpu"]
    out = ported(result, text.encode(), "rocm")
    assert yaml.safe_load(out) == {k: {"amd.com/gpu": 1} for k in "abc"}


def test_every_document_is_read() -> None:
    text = "kind: A\nx: {nvidia.com/gpu: 1}\n---\n---\nkind: B\nruntimeClassName: nvidia\n"
    assert [f.symbol for f in analyze(text).findings] == ["nvidia.com/gpu", "runtimeClassName: nvidia"]


def test_quoted_scalars_keep_their_quotes_and_non_ascii_keeps_offsets() -> None:
    text = 'note: "Größe ünd Ärger"\nlimits: {"nvidia.com/gpu": 1, \'nvidia.com/gpu\': 2}\n'
    result = analyze(text)
    out = ported(result, text.encode(), "rocm").decode()
    assert out == 'note: "Größe ünd Ärger"\nlimits: {"amd.com/gpu": 1, \'amd.com/gpu\': 2}\n'


def test_compose_gpu_reservation_without_a_driver_is_nvidias() -> None:
    """detectron2's compose file reserves ``capabilities: [gpu]`` with no driver: Docker serves
    that with NVIDIA's toolkit. A reservation naming its driver is judged by ``driver:`` alone."""
    devices = "services:\n  s:\n    deploy: {resources: {reservations: {devices: [%s]}}}\n"
    bare = analyze(devices % "{capabilities: [gpu]}", "docker-compose.yml")
    assert [(f.symbol, f.targets["rocm"].status) for f in bare.findings] == [("capabilities: gpu", "manual")]
    named = analyze(devices % "{driver: nvidia, capabilities: [gpu]}", "docker-compose.yml")
    assert [f.symbol for f in named.findings] == ["driver: nvidia"]
    assert analyze(devices % "{driver: cdi, capabilities: [gpu]}", "docker-compose.yml").findings == ()


def test_invalid_yaml_is_reported_without_rewrites() -> None:
    result = analyze("limits:\n  nvidia.com/gpu: 1\n bad: [\n")
    assert result.status == "partial" and "invalid YAML" in (result.note or "")
    assert [f.symbol for f in result.findings] == ["nvidia.com/gpu"]
    assert all(not p.edits for f in result.findings for p in f.targets.values())


def test_helm_template_is_read_line_by_line() -> None:
    text = "kind: Job\nimage: {{ .Values.image }}\nlimits:\n  nvidia.com/gpu: {{ .Values.n }}\n"
    result = analyze(text, "chart/templates/job.yaml")
    assert result.status == "partial" and "Helm template" in (result.note or "")
    assert [f.symbol for f in result.findings] == ["nvidia.com/gpu"]


def test_helm_repository_gets_the_image_name_without_a_tag() -> None:
    text = "image:\n  repository: nvcr.io/nvidia/pytorch\n  tag: 24.05-py3\n"
    out = ported(analyze(text, "values.yaml"), text.encode(), "rocm").decode()
    assert "repository: rocm/pytorch\n" in out


def test_claims() -> None:
    assert FRONTEND.claims("docker-compose.yml", b"")
    assert FRONTEND.claims("deploy/compose.prod.yaml", b"")
    assert FRONTEND.claims("charts/x/values-gpu.yaml", b"")
    assert FRONTEND.claims("charts/x/templates/job.yaml", b"")
    assert FRONTEND.claims("k8s/job.yaml", b"apiVersion: batch/v1\nkind: Job\n")
    assert not FRONTEND.claims("mappings/shell-env.yaml", b"family: shell-env\nlanguage: env\n")
    assert not FRONTEND.claims(".github/workflows/ci.yml", b"name: ci\non: push\njobs: {}\n")
    assert not FRONTEND.claims("environment.yml", b"name: x\ndependencies: []\n")


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("rel", inputs("k8s"))
def test_golden(rel: str, target: str) -> None:
    check_file("k8s", rel, target, FRONTEND)
    if "templates" not in rel:  # the ported YAML still parses, with the same documents
        before = list(yaml.safe_load_all((GOLDEN / "k8s" / "input" / rel).read_bytes()))
        after = list(yaml.safe_load_all((GOLDEN / "k8s" / target / rel).read_bytes()))
        assert len(before) == len(after)


def test_golden_findings() -> None:
    check_findings("k8s", FRONTEND)


def test_resource_replacements_are_proven() -> None:
    resources = reference_names("k8s-resources")
    (family,) = [f for f in default_tables().families if f.name == "k8s-resources"]
    written = {s.replacement for e in family.entries for s in e.targets.values() if s.replacement}
    assert written and written <= resources, written - resources


@given(st.text(alphabet="ab:-&*{}[]\"' \n#|>nvidia.com/gpu", max_size=200))
def test_never_raises_and_edits_stay_in_bounds(text: str) -> None:
    data = text.encode()
    result = FRONTEND.analyze("values.yaml", data, default_tables())
    for finding in result.findings:
        for plan in finding.targets.values():
            assert all(0 <= e.start <= e.end <= len(data) for e in plan.edits)


DEMO = GOLDEN.parent.parent / "fixtures" / "demo"


@pytest.mark.parametrize(
    ("rel", "frontend_name"),
    [
        ("CMakeLists.txt", "CMakeFrontend"),
        ("Dockerfile", "DockerfileFrontend"),
        ("docker-compose.yml", "K8sFrontend"),
        ("k8s/train-job.yaml", "K8sFrontend"),
        ("scripts/train.slurm", "ShellFrontend"),
        ("scripts/launch.sh", "ShellFrontend"),
    ],
)
def test_demo_project_build_and_cluster_files_are_handled(rel: str, frontend_name: str) -> None:
    """Every build/container/cluster file of the demo is claimed, read whole, and has sites."""
    from porter.frontends import cmake, dockerfile, k8s, shell

    path = DEMO / rel
    if not path.is_file():
        pytest.skip(f"fixtures/demo/{rel} not present")
    frontends = {
        "CMakeFrontend": cmake.CMakeFrontend(),
        "DockerfileFrontend": dockerfile.DockerfileFrontend(),
        "K8sFrontend": k8s.K8sFrontend(),
        "ShellFrontend": shell.ShellFrontend(),
    }
    data = path.read_bytes()
    claimed = [name for name, f in frontends.items() if f.claims(rel, data[:512])]
    assert claimed == [frontend_name]
    result = frontends[frontend_name].analyze(rel, data, default_tables())
    assert result.status == "scanned", result.note
    assert result.findings
    for target in TARGETS:  # the port applies cleanly and reads back
        out = ported(result, data, target)
        assert frontends[frontend_name].analyze(rel, out, default_tables()).status == "scanned"


# --- architecture lists: a renamed list variable gets the target's names ------------------------


def port(text: str, target: str, path: str = "pod.yaml") -> str:
    return ported(analyze(text, path), text.encode(), target).decode()


ENV_ITEMS = "env:\n  - name: TORCH_CUDA_ARCH_LIST\n    value: %s\n"


@pytest.mark.parametrize(
    ("value", "rocm", "oneapi"),
    [
        ('"8.0;9.0"', '"gfx90a;gfx942"', '"pvc,bmg"'),
        ("'7.5 8.0+PTX'", "'gfx90a gfx942'", "'pvc,bmg'"),
        # A plain scalar stays plain unless the list could end it (a comma in a flow collection).
        ("9.0", "gfx90a;gfx942", '"pvc,bmg"'),
        ("8.0 9.0", "gfx90a gfx942", '"pvc,bmg"'),
        # Not a plain list of sm numbers: kept.
        ("$(ARCHS)", "$(ARCHS)", "$(ARCHS)"),
        ('""', '""', '""'),
        ('"8.0\\x3b9.0"', '"8.0\\x3b9.0"', '"8.0\\x3b9.0"'),
        ("|\n      8.0;9.0", "|\n      8.0;9.0", "|\n      8.0;9.0"),
    ],
)
def test_kubernetes_env_value(value: str, rocm: str, oneapi: str) -> None:
    text = ENV_ITEMS % value
    assert port(text, "rocm") == (ENV_ITEMS % rocm).replace("TORCH_CUDA_ARCH_LIST", "PYTORCH_ROCM_ARCH")
    assert port(text, "oneapi") == (ENV_ITEMS % oneapi).replace("TORCH_CUDA_ARCH_LIST", "TORCH_XPU_ARCH_LIST")
    assert port(text, "cann") == text
    for target in ("rocm", "oneapi"):
        once = port(text, target)
        assert port(once, target) == once  # a second port changes nothing
        names = {"rocm": "PYTORCH_ROCM_ARCH", "oneapi": "TORCH_XPU_ARCH_LIST"}
        (item,) = yaml.safe_load(once)["env"]
        assert item["name"] == names[target]


def test_kubernetes_env_value_notes_and_other_variables() -> None:
    text = (
        "env:\n  - {name: TORCH_CUDA_ARCH_LIST, value: '8.0'}\n  - {name: TORCH_CUDA_ARCH_LIST, value: $(A)}\n"
        "  - {name: MAX_JOBS, value: '8.0'}\n  - name: TORCH_CUDA_ARCH_LIST\n    valueFrom: {configMapKeyRef: {key: a}}\n"
    )
    result = analyze(text)
    rewritten, kept, unset = (f.targets["rocm"] for f in result.findings)
    assert "Pick your fleet's gfx targets" in rewritten.note and "kept" not in rewritten.note
    assert "Its value ('$(A)') is not a plain list of sm numbers, so it is kept" in kept.note
    assert "kept" not in unset.note and len(unset.edits) == 1
    assert yaml.safe_load(port(text, "rocm"))["env"][:3] == [
        {"name": "PYTORCH_ROCM_ARCH", "value": "gfx90a;gfx942"},
        {"name": "PYTORCH_ROCM_ARCH", "value": "$(A)"},
        {"name": "MAX_JOBS", "value": "8.0"},
    ]


@pytest.mark.parametrize(
    ("environment", "rocm", "oneapi"),
    [
        ('\n      TORCH_CUDA_ARCH_LIST: "8.0;9.0"\n      MAX_JOBS: "8.0"', "gfx90a;gfx942", "pvc,bmg"),
        ("\n      TORCH_CUDA_ARCH_LIST: 8.0", "gfx90a;gfx942", "pvc,bmg"),
        ("\n      - TORCH_CUDA_ARCH_LIST=8.0 9.0\n      - MAX_JOBS=8.0", "gfx90a gfx942", "pvc,bmg"),
        ('\n      - "TORCH_CUDA_ARCH_LIST=8.0;9.0"', "gfx90a;gfx942", "pvc,bmg"),
        (" {TORCH_CUDA_ARCH_LIST: 8.0, MAX_JOBS: 2}", "gfx90a;gfx942", "pvc,bmg"),
        # Part of a plain item in a flow list: no room for the quotes a comma needs.
        (" [TORCH_CUDA_ARCH_LIST=9.0, MAX_JOBS=2]", "gfx90a;gfx942", "9.0"),
        ("\n      - TORCH_CUDA_ARCH_LIST=${ARCHS}", "${ARCHS}", "${ARCHS}"),
    ],
)
def test_compose_environment_value(environment: str, rocm: str, oneapi: str) -> None:
    text = f"services:\n  build:\n    image: b\n    environment:{environment}\n"
    for target, name, value in (("rocm", "PYTORCH_ROCM_ARCH", rocm), ("oneapi", "TORCH_XPU_ARCH_LIST", oneapi)):
        once = port(text, target, "compose.yml")
        env = yaml.safe_load(once)["services"]["build"]["environment"]
        pairs = dict(i.split("=", 1) for i in env) if isinstance(env, list) else env
        assert str(pairs[name]) == value
        assert str(pairs.get("MAX_JOBS", "2")) in ("8.0", "2")  # another variable keeps its value
        assert port(once, target, "compose.yml") == once
