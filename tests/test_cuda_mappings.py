"""The CUDA mapping families are proven: every target name exists in a list taken from the
target's real headers, every CUDA source name exists in NVIDIA's headers, and the catch-all rows
keep unknown vendor names visible without firing on ordinary identifiers."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from porter.mappings import MappingTables, data_dir, default_tables, load_tables, reference_names
from porter.pits import load_catalog

#: Where each family's exact source names must be found (lists built by tools/cuda_reference.py).
SOURCE_LISTS = {
    "cuda-runtime": ("cuda-runtime", "cuda-driver"),  # CUDA_VERSION comes from cuda.h
    "cuda-driver": ("cuda-driver", "cuda-nvrtc"),
    "cuda-cublas": ("cuda-cublas",),
    "cuda-curand": ("cuda-curand",),
    "cuda-cufft": ("cuda-cufft",),
    "cuda-cusparse": ("cuda-cusparse",),
    "cuda-cusolver": ("cuda-cusolver",),
    "cuda-cudnn": ("cuda-cudnn",),
    "cuda-nccl": ("cuda-nccl",),
    "cuda-nvtx": ("cuda-nvtx",),
    "cuda-includes": ("cuda-includes",),
    "cuda-aten": ("cuda-torch-cpp",),
    # the families tools/gen_hip_tables.py writes from the same headers
    "cuda-gen-runtime": ("cuda-runtime",),
    "cuda-gen-device": ("cuda-runtime",),
    "cuda-gen-driver": ("cuda-driver",),
    "cuda-gen-cublas": ("cuda-cublas",),
    "cuda-gen-curand": ("cuda-curand",),
    "cuda-gen-cufft": ("cuda-cufft",),
    "cuda-gen-cusparse": ("cuda-cusparse",),
    "cuda-gen-cusolver": ("cuda-cusolver",),
    "cuda-gen-cudnn": ("cuda-cudnn",),
    "cuda-gen-nccl": ("cuda-nccl",),
    "cuda-gen-nvtx": ("cuda-nvtx",),
}
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def cuda_tables() -> MappingTables:
    return default_tables()


def _names(replacement: str) -> list[str]:
    """What must exist for a replacement: an include path whole, else every identifier of a
    qualified name (``c10::xpu::getCurrentXPUStream`` -> c10, xpu, getCurrentXPUStream)."""
    text = replacement.strip()
    if text[:1] in "<\"" and text[-1:] in ">\"":
        return [text[1:-1]]
    return _IDENTIFIER.findall(text)


def proof_problems(tables: MappingTables, directory: Path) -> list[str]:
    """Every target name of the cuda-* families that its reference list does not hold.

    A plan with a replacement must have every name of it in its list; a plan with a reference
    but no replacement claims the target keeps the CUDA name, so the source must be listed."""
    lists: dict[str, frozenset[str]] = {}
    problems = []
    for entry in tables.entries("cuda"):
        for target, plan in entry.targets.items():
            if plan.reference is None:
                continue
            if plan.reference not in lists:
                lists[plan.reference] = reference_names(plan.reference, directory)
            if plan.replacement is not None:
                wanted = _names(plan.replacement)
            elif entry.match == "exact":
                wanted = _names(entry.source.rstrip("<>"))
            else:
                continue
            missing = [name for name in wanted if name not in lists[plan.reference]]
            if missing:
                problems.append(f"{entry.source} -> {target}: {', '.join(missing)} not in {plan.reference}")
    return problems


def test_every_target_name_is_in_its_reference_list() -> None:
    tables = cuda_tables()
    assert proof_problems(tables, data_dir()) == []


def test_cuda_families_carry_rocm_and_cann_names() -> None:
    """The proof above must have something to prove: hundreds of HIP names, dozens of CANN ones."""
    tables = cuda_tables()
    rocm = [e for e in tables.entries("cuda") if e.targets["rocm"].replacement]
    cann = [e for e in tables.entries("cuda") if e.targets["cann"].replacement]
    assert len(rocm) > 300
    assert len(cann) > 50
    assert all(e.targets["rocm"].reference for e in rocm)
    assert all(e.targets["cann"].reference for e in cann)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("replacement: hipMalloc,", "replacement: hipMallocTurbo,", "hipMallocTurbo not in hip-runtime"),
        ("replacement: aclrtFree,", "replacement: aclrtFreeFast,", "aclrtFreeFast not in cuda-cann-acl"),
        ("replacement: c10::xpu::getCurrentXPUStream,", "replacement: c10::xpu::getXPUQueue,",
         "getXPUQueue not in cuda-torch-cpp"),
        ("replacement: <hip/hip_runtime.h>,", "replacement: <hip/hip_everything.h>,",
         "hip/hip_everything.h not in hip-includes"),
        ("rocm: {status: not-needed, reference: hip-runtime, note: HIP keeps __global__",
         "rocm: {status: not-needed, reference: hip-rccl, note: HIP keeps __global__",
         "__global__ not in hip-rccl"),
    ],
)
def test_proof_fails_on_a_made_up_name(tmp_path: Path, old: str, new: str, message: str) -> None:
    directory = tmp_path / "mappings"
    shutil.copytree(data_dir(), directory)
    changed = 0
    for path in directory.glob("cuda-*.yaml"):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            changed += 1
    assert changed >= 1
    problems = proof_problems(load_tables(directory), directory)
    assert any(message in problem for problem in problems), problems


def test_every_cuda_source_name_exists_in_nvidia_headers() -> None:
    tables = cuda_tables()
    missing = []
    for family in tables.families:
        lists = SOURCE_LISTS.get(family.name)
        if lists is None:
            continue
        known = frozenset().union(*(reference_names(name) for name in lists))
        for entry in family.entries:
            if entry.match != "exact" or entry.kind == "pattern":  # patterns are construct keys
                continue
            names = [entry.source] if entry.kind == "include" else _names(entry.source.lstrip("."))
            missing += [f"{family.name}: {name}" for name in names if name not in known]
    assert missing == []


def test_every_cuda_pit_is_in_the_catalog() -> None:
    catalog = load_catalog()
    pits = {entry.pit for entry in cuda_tables().entries("cuda")}
    assert None not in pits
    assert sorted(p for p in pits if p not in catalog) == []


@pytest.mark.parametrize(
    ("symbol", "family"),
    [
        ("cudaFancyNewThing", "cuda-runtime"),
        ("CUDA_SOMETHING_NEW", "cuda-runtime"),
        ("cuFancyDriverCall", "cuda-driver"),
        ("CU_NEW_ATTRIBUTE", "cuda-driver"),
        ("CUnewHandle", "cuda-driver"),
        ("cublasSgemmFancy", "cuda-cublas"),
        ("cublasLtFancy", "cuda-cublas"),
        ("cudnnFancyForward", "cuda-cudnn"),
        ("ncclFancyAllReduce", "cuda-nccl"),
        ("curandFancy", "cuda-curand"),
        ("curand_uniform8", "cuda-curand"),
        ("cufftFancy", "cuda-cufft"),
        ("cusparseFancy", "cuda-cusparse"),
        ("cusolverDnFancy", "cuda-cusolver"),
        ("nvtxDomainFancy", "cuda-nvtx"),
        ("cutensorContract", "cuda-cub-thrust"),
        ("nvrtcFancy", "cuda-driver"),
    ],
)
def test_catch_alls_keep_unknown_vendor_names(symbol: str, family: str) -> None:
    entry = cuda_tables().lookup("cuda", symbol)
    assert entry is not None and entry.match == "regex" and entry.family == family
    assert entry.targets["rocm"].status != "auto"


@pytest.mark.parametrize(
    "symbol",
    ["cur", "cuts", "cube", "customer", "cubic", "curr_idx", "cudnn_enabled", "nccl_", "curand_state",
     "cuda", "CUDA_", "nvtx", "cublas", "computeCUDA", "Cuda", "culture", "CURL"],
)
def test_catch_alls_do_not_fire_on_ordinary_identifiers(symbol: str) -> None:
    assert cuda_tables().lookup("cuda", symbol) is None


def test_cooperative_group_names_marked_missing_are_missing_from_hip() -> None:
    """An exact cg:: row that is manual for rocm claims CUDA has the name and HIP's headers lack it."""
    cuda, hip = reference_names("cuda-cooperative-groups"), reference_names("hip-cooperative-groups")
    rows = [e for e in cuda_tables().entries("cuda")
            if e.match == "exact" and re.fullmatch(r"(?:cg|cooperative_groups)::\w+", e.source)
            and e.targets["rocm"].status == "manual"]
    assert len(rows) >= 20
    names = {e.source.split("::")[1] for e in rows}
    assert sorted(names - cuda) == [] and sorted(names & hip) == []
