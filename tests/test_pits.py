"""The pits catalog: valid against its schema, complete for the pit ids the mapping data uses,
usable advice per target, and each pit triggered by a fixture (see TRIGGERED)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import FIXTURES, REPO
from reportkit import make_finding, same

from porter.mappings import MappingError, family_paths
from porter.pits import CATEGORIES, default_catalog, load_catalog

MAPPINGS = REPO / "mappings"
CATALOG = default_catalog()

#: The pit ids the issue asks the catalog to cover.
REQUIRED = {
    "custom-kernels", "warp-size", "inline-ptx", "tensor-core-intrinsics", "vendor-libraries", "cudnn",
    "cutlass", "tensorrt", "third-party-cuda-libs", "collectives", "cuda-graphs", "unified-memory",
    "textures", "cooperative-groups", "arch-specific-code", "numerics-tf32", "unsupported-ops",
    "monitoring-tools", "env-config", "container-images", "cluster-config", "build-flags",
    "cuda-wheels", "amp-api", "device-api", "cpp-extensions",
}


def test_catalog_validates_against_its_schema():
    schema = json.loads((REPO / "porter/schemas/pits.schema.json").read_text(encoding="utf-8"))
    document = yaml.safe_load((MAPPINGS / "pits.yaml").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)


def test_catalog_covers_the_required_pits():
    assert {pit.id for pit in CATALOG} >= REQUIRED
    assert {pit.category for pit in CATALOG} <= set(CATEGORIES)


def _pit_ids_in_mappings() -> dict[str, set[str]]:
    """Pit id -> the mapping files naming it, read raw so a family being written still counts."""
    used: dict[str, set[str]] = {}
    for path in family_paths(MAPPINGS):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for pit in [document.get("pit")] + [e.get("pit") for e in document.get("entries", ())]:
            if pit:
                used.setdefault(pit, set()).add(path.name)
    return used


def test_every_pit_id_used_in_the_mappings_is_in_the_catalog():
    missing = {pit: sorted(files) for pit, files in _pit_ids_in_mappings().items() if pit not in CATALOG}
    assert not missing, f"pit ids missing from mappings/pits.yaml: {missing}"


def test_every_target_has_advice_and_a_vendor_link():
    for pit in CATALOG:
        for target, plan in pit.targets.items():
            assert plan.advice, (pit.id, target)
            assert plan.links, f"{pit.id}/{target} has no documentation link"
            for link in plan.links:
                assert link.url.startswith("https://") and " " not in link.url


def copy_catalog(tmp_path: Path, edit) -> Path:
    shutil.copy(MAPPINGS / "targets.yaml", tmp_path / "targets.yaml")
    document = yaml.safe_load((MAPPINGS / "pits.yaml").read_text(encoding="utf-8"))
    edit(document)
    (tmp_path / "pits.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["pits"][0]["targets"]["cann"].update(base=[5, 1]), "inverted"),
        (lambda d: d["pits"][0]["targets"].pop("cann"), "missing: cann"),
        (lambda d: d["pits"][0]["targets"].update(cuda=d["pits"][0]["targets"]["rocm"]), "unknown: cuda"),
        (lambda d: d["pits"].append(d["pits"][0]), "pit defined twice"),
        (lambda d: d["pits"][0].update(category="vibes"), "category"),
        (lambda d: d["pits"][0]["targets"]["rocm"]["links"].append({"title": "x", "url": "http://insecure"}), "url"),
    ],
)
def test_bad_catalogs_are_rejected(tmp_path, edit, message):
    with pytest.raises(MappingError, match=message):
        load_catalog(copy_catalog(tmp_path, edit))


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("__shfl_xor_sync", "warp-size"),
        ("cudaMallocManaged", "unified-memory"),
        ("cublasSgemm", "vendor-libraries"),
        ("cudnnConvolutionForward", "cudnn"),
        ("__global__", "custom-kernels"),
        ("cudaGraphLaunch", "cuda-graphs"),
        ("ncclAllReduce", "collectives"),
        ("cudaMemcpy", "runtime-api"),
        ("torch.cuda.amp.autocast", "amp-api"),
        ("nvidia/cuda:12.1.0-devel-ubuntu22.04", "container-images"),
        ("plain_function", None),
    ],
)
def test_detect_patterns_classify_findings_without_a_pit(symbol, expected):
    pit = CATALOG.pit_for(make_finding(symbol, "a.cu", 1, same("manual"), rule="x", family="x"))
    assert (pit.id if pit else None) == expected


def test_a_findings_own_pit_wins_over_detect_patterns():
    finding = make_finding("cudaMallocManaged", "a.cu", 1, same("manual"), pit="custom-kernels")
    assert CATALOG.pit_for(finding).id == "custom-kernels"
    unknown = make_finding("cudaMallocManaged", "a.cu", 1, same("manual"), pit="not-in-catalog")
    assert CATALOG.pit_for(unknown) is None


#: Inputs that trigger the pits the demo project does not (data only, never built or run).
PIT_FIXTURES = REPO / "tests" / "data" / "report" / "pits"

#: Pits that fixtures/ or PIT_FIXTURES trigger through the real scanner and frontends: today every
#: pit in the catalog. A pit leaves this set only when its detector is removed on purpose; a pit
#: added to the catalog joins it with a fixture that triggers it.
TRIGGERED: set[str] = {
    "amp-api", "arch-specific-code", "build-flags", "cluster-config", "collectives", "container-images",
    "cooperative-groups", "cpp-extensions", "cub-thrust", "cuda-graphs", "cuda-python-libs", "cuda-wheels",
    "cudnn", "custom-kernels", "cutlass", "device-api", "driver-api-jit", "env-config", "inline-ptx",
    "monitoring-tools", "numerics-tf32", "profiling-tools", "runtime-api", "tensor-core-intrinsics",
    "tensorrt", "textures", "third-party-cuda-libs", "unified-memory", "unsupported-ops",
    "vendor-libraries", "warp-size",
}
#: Catalog pits without a detector or fixture yet (none today); each is listed here on purpose.
PENDING: set[str] = set()


def test_every_pit_is_either_triggered_or_pending():
    assert {pit.id for pit in CATALOG} == TRIGGERED | PENDING
    assert not TRIGGERED & PENDING


def test_each_triggered_pit_is_reported_for_the_fixtures():
    from porter.render.report_json import report_document
    from porter.report import build_report
    from porter.scan import scan

    reported: dict[str, list[str]] = {}
    for root in (FIXTURES, PIT_FIXTURES):
        document = report_document(build_report(scan(root), root_label=root.name))
        for pit in document["pits"]:
            assert pit["findings"], pit["id"]
            reported.setdefault(pit["id"], []).extend(pit["files"])
    assert set(reported) <= {pit.id for pit in CATALOG}
    missing = TRIGGERED - set(reported)
    assert not missing, f"pits no longer triggered by the fixtures: {sorted(missing)}"
