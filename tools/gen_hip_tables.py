"""Generate the CUDA -> HIP mapping families from the real headers (mappings/cuda-gen-*.yaml).

For every public name the CUDA headers declare (the toolkit's runtime and driver headers, the
library headers of NVIDIA's wheels), propose the HIP name and keep the pair only when the HIP
headers (Debian's HIP 5.2) or AMD's hip-python declarations of a current ROCm declare that name
*as the same kind of thing*: a function taking as many arguments, a type, an enumerator or a
constant. Names without such a twin become ``manual`` rows that say why (no HIP name at all, a
name that only ROCm 6 has, a function whose argument count differs). The hand-written
``cuda-*`` families keep their rows; this script only adds the names they do not have.

How a HIP name is proposed, per family: a short list of prefix pairs (``cuda``->``hip``,
``CUBLAS_``->``HIPBLAS_``, ``cudaDevAttr``->``hipDeviceAttribute`` ...), tried as written and then
compared without case, underscores, a ``_t`` or ``_v2`` suffix (``CU_DEVICE_ATTRIBUTE_WARP_SIZE``
-> ``hipDeviceAttributeWarpSize``, ``cudaDeviceProp`` -> ``hipDeviceProp_t``), plus a handful of
irregular names written out below, each still proven by the headers. Every replacement is looked
up in the reference list the row names (``tools/cuda_reference.py`` builds those lists from the
same packages), so a row this script writes always passes the reference test::

    python tools/cuda_reference.py --cuda-include C --wheels W ...     # the name lists first
    python tools/gen_hip_tables.py --cuda-include /usr/local/cuda-13.0/include \\
        --wheels /tmp/nv/whl --wheels /tmp/whl13 --wheels /tmp/dl/rb --wheels /tmp/dl/hpf
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cuda_decls import Decl, Decls, read_files
from cuda_reference import RUNTIME_HEADERS, Source, dir_source, wheel_label, wheel_source

MAPPINGS = Path(__file__).resolve().parent.parent / "mappings"

#: Names a header declares for its own use: guards, calling-convention and deprecation macros.
_INTERNAL = re.compile(
    r"^_|_H_?$|_HPP_?$|_INCLUDED_?$|API(?:ENTRY)?$|WINAPI$|DECLSPEC|DEPRECATED|_EXPORT$|_ALIGN\w*$"
    r"|^cuda_|^nvtx\w*_v\d+$|^NVTX_\w*(?:IMPL|CALLBACK|VERSIONED|DECLSPEC|API)|_impl\w*$"
    r"|^CUDNN_(?:MAJOR|MINOR|PATCH)|\w__\w"
)
#: Device-side helpers the headers use internally (``__iAtomicAdd``, ``__nv_cvt_*``, ``*_impl``).
_INTERNAL_DEVICE = re.compile(r"^__(?:cuda|nv_|internal|cudart|CUDA)|^__[a-z]+Atomic|\w__\w|_impl")


def is_public(name: str, decl: Decl) -> bool:
    """Whether a declared name is API a program would call, not a header's own machinery."""
    if decl.kind == "macro" and decl.empty:
        return False
    if name.startswith("__"):
        return not _INTERNAL_DEVICE.search(name)
    return not _INTERNAL.search(name)


@dataclass(frozen=True, slots=True)
class Side:
    """Where the HIP names of a family come from, and the reference list that proves them."""

    reference: str
    source: str
    members: str
    keep: str


@dataclass(frozen=True, slots=True)
class GenSpec:
    """One generated family: the CUDA names it covers and how it finds their HIP twins."""

    family: str
    hand: str
    title: str
    source: str
    members: str
    keep: str
    kinds: tuple[str, ...]
    hip: tuple[Side, ...]
    renames: tuple[tuple[str, str], ...]
    irregular: Mapping[str, str] = field(default_factory=dict)
    #: Every found twin is at least this status (hipDNN is not cuDNN).
    floor: str = "auto"
    #: A CUDA name HIP keeps as it is needs no row (device intrinsics HIP shares).
    skip_same: bool = False
    #: Names HIP keeps unchanged (RCCL's nccl*): found twins are ``not-needed``.
    keeps_names: bool = False
    twin_note: str = ""
    missing_note: str = "No HIP twin"


_HIP_AMD = r"^hip/(?!nvidia_detail/|nvcc_detail/)"
_HIP6 = Side("hip-runtime-rocm6", "hip6", r"hip/chip\.pxd$", r"(?:hip|HIP)\w+")

SPECS: tuple[GenSpec, ...] = (
    GenSpec(
        "cuda-gen-runtime", "cuda-runtime", "CUDA runtime API (generated from the headers)",
        "cuda", RUNTIME_HEADERS, r"(?:cuda|CUDA|cudart|CUDART|make_cuda)\w+",
        ("function", "type", "enum", "macro"),
        (Side("hip-runtime", "hip", _HIP_AMD, r"(?:hip|HIP|make_hip)\w+"), _HIP6),
        (("make_cuda", "make_hip"), ("cudaDevAttr", "hipDeviceAttribute"), ("cudaLimit", "hipLimit"), ("cudaHostAlloc", "hipHostMalloc"),
         ("cuda", "hip"),
         ("CUDART_", "HIP_"), ("CUDA_", "HIP_"), ("cuda", "hipDrv")),
        {"cudaMallocHost": "hipHostMalloc", "cudaFreeHost": "hipHostFree",
         "cudaHostAlloc": "hipHostMalloc", "cudaErrorMemoryAllocation": "hipErrorOutOfMemory",
         "cudaDeviceScheduleBlockingSync": "hipDeviceScheduleBlockingSync",
         "cudaDeviceBlockingSync": "hipDeviceScheduleBlockingSync"},
    ),
    GenSpec(
        "cuda-gen-device", "cuda-kernel", "CUDA device intrinsics without a HIP twin (generated)",
        "cuda", RUNTIME_HEADERS, r"__\w+|atomic\w+",
        ("function",),
        (Side("hip-runtime", "hip", _HIP_AMD, r"__\w+|atomic\w+"),),
        (("", ""),),
        skip_same=True,
        missing_note="HIP 5.2 has no such device function; rewrite it with HIP or clang builtins",
    ),
    GenSpec(
        "cuda-gen-driver", "cuda-driver", "CUDA driver API (generated from cuda.h)",
        "cuda", r"^(cuda|cudaProfiler)\.h$", r"(?:cu[A-Z]|CU|CUDA_)\w+",
        ("function", "type", "enum", "macro"),
        (Side("hip-runtime", "hip", _HIP_AMD, r"(?:hip|HIP)\w+"), _HIP6),
        (("CU_DEVICE_ATTRIBUTE_", "hipDeviceAttribute"), ("CUDA_ERROR_", "hipError"),
         ("CU_JIT_", "hipJitOption"), ("cuModule", "hipModule"), ("cu", "hipModule"), ("cu", "hipDrv"),
         ("cu", "hip"), ("cuMemHost", "hipHost"), ("cuMemcpy", "hipMemcpyParam"), ("cuCtx", "hipDevice"),
         ("CU_", "HIP_"), ("CU_", "hip"), ("CUDA_", "HIP_"), ("CU", "hip"), ("CU", "HIP")),
        {"CUresult": "hipError_t", "CUcontext": "hipCtx_t", "cuMemAlloc": "hipMalloc",
         "cuMemAlloc_v2": "hipMalloc", "cuMemFree": "hipFree", "cuMemFree_v2": "hipFree",
         "cuMemAllocHost": "hipHostMalloc", "cuMemFreeHost": "hipHostFree",
         "cuMemAllocManaged": "hipMallocManaged", "cuMemsetD8": "hipMemsetD8",
         "CUdevice_attribute": "hipDeviceAttribute_t", "CUjit_option": "hipJitOption",
         "CUtexObject": "hipTextureObject_t", "CUsurfObject": "hipSurfaceObject_t",
         "CUDA_MEMCPY2D": "hip_Memcpy2D", "CUDA_MEMCPY2D_st": "hip_Memcpy2D", "CUsharedconfig": "hipSharedMemConfig"},
    ),
    GenSpec(
        "cuda-gen-cublas", "cuda-cublas", "cuBLAS and cuBLASLt (generated from the headers)",
        "nvidia", r"/cublas", r"(?:cublas|CUBLAS)\w+",
        ("function", "type", "enum", "macro"),
        (Side("hip-blas", "rocm", r"cyhipblas(lt)?\.pxd$", r"(?:hipblas|HIPBLAS)\w+"),
         Side("hip-runtime", "hip", _HIP_AMD, r"hipDataType")),
        (("cublasLt", "hipblasLt"), ("CUBLASLT_", "HIPBLASLT_"), ("cublas", "hipblas"),
         ("CUBLAS_", "HIPBLAS_")),
        {"cublasDataType_t": "hipDataType"},
        twin_note="hipBLAS is not in Debian: named by AMD's hip-python declarations, not compiled here",
    ),
    GenSpec(
        "cuda-gen-curand", "cuda-curand", "cuRAND (generated from the headers)",
        "nvidia", r"/curand", r"(?:curand|CURAND)\w+",
        ("function", "type", "enum", "macro"),
        (Side("hip-rand", "hip", r"^hiprand/(?!\w*_nvcc\.h$)", r"(?:hiprand|HIPRAND)\w+"),),
        (("curand", "hiprand"), ("CURAND_", "HIPRAND_")),
    ),
    GenSpec(
        "cuda-gen-cufft", "cuda-cufft", "cuFFT (generated from the headers)",
        "nvidia", r"/cufft", r"(?:cufft|CUFFT)\w+",
        ("function", "type", "enum", "macro"),
        (Side("hip-fft", "rocm", r"cyhipfft\.pxd$", r"(?:hipfft|HIPFFT)\w+"),),
        (("cufft", "hipfft"), ("CUFFT_", "HIPFFT_")),
        twin_note="hipFFT is not in Debian: named by AMD's hip-python declarations, not compiled here",
    ),
    GenSpec(
        "cuda-gen-cusparse", "cuda-cusparse", "cuSPARSE (generated from the headers)",
        "nvidia", r"/cusparse\.h$", r"(?:cusparse|CUSPARSE)\w+",
        ("function", "type", "enum", "macro"),
        (Side("hip-sparse", "hip", r"^hipsparse/", r"(?:hipsparse|HIPSPARSE)\w+"),),
        (("cusparse", "hipsparse"), ("CUSPARSE_", "HIPSPARSE_")),
    ),
    GenSpec(
        "cuda-gen-cusolver", "cuda-cusolver", "cuSOLVER (generated from the headers)",
        "nvidia", r"/cusolver", r"(?:cusolver|CUSOLVER)\w+",
        ("function", "type", "enum", "macro"),
        (Side("hip-solver", "rocm", r"cyhipsolver\.pxd$", r"(?:hipsolver|HIPSOLVER)\w+"),),
        (("cusolver", "hipsolver"), ("CUSOLVER_", "HIPSOLVER_")),
        twin_note="hipSOLVER is not in Debian: named by AMD's hip-python declarations, not compiled here",
    ),
    GenSpec(
        "cuda-gen-cudnn", "cuda-cudnn", "cuDNN (generated: hipDNN twins of the backend API)",
        "nvidia", r"/cudnn", r"(?:cudnn|CUDNN)\w+",
        ("function", "type", "enum", "macro"),
        (Side("hip-dnn", "rocm", r"cyhipdnn_backend\.pxd$", r"(?:hipdnn|HIPDNN)\w+"),),
        (("cudnn", "hipdnn"), ("CUDNN_", "HIPDNN_")),
        floor="review",
        twin_note=(
            "hipDNN (ROCm 7) mirrors cuDNN's backend (graph) API under hipdnn* names; it is not "
            "MIOpen and not in Debian: check the descriptor attributes your code sets"
        ),
        missing_note="No hipDNN twin; MIOpen (miopen*) has a different API: rewrite with MIOpen or at:: operators",
    ),
    GenSpec(
        "cuda-gen-nccl", "cuda-nccl", "NCCL (generated: the names RCCL keeps)",
        "nvidia", r"/nccl\.h$", r"(?:nccl|NCCL)\w+",
        ("function", "type", "enum", "macro"),
        (Side("hip-rccl", "rocm", r"cyrccl\.pxd$", r"(?:nccl|NCCL|rccl)\w+"),),
        (("", ""),),
        keeps_names=True,
        twin_note="RCCL keeps NCCL's name",
        missing_note="RCCL does not declare this NCCL name",
    ),
    GenSpec(
        "cuda-gen-nvtx", "cuda-nvtx", "NVTX (generated: roctx twins)",
        "cuda", r"^nvtx3/nvToolsExt\.h$", r"nvtx\w+",
        ("function",),
        (Side("hip-roctx", "rocm", r"cyroctx\.pxd$", r"roctx\w+"),),
        (("nvtx", "roctx"),),
        {"nvtxRangeEnd": "roctxRangeStop"},
        missing_note="roctx has only markers and push/pop/start/stop ranges",
    ),
)

#: Sub-areas that report their own rule and pit (as the hand-written rows for them do).
_TOPICS = (
    (re.compile(r"^(?:cuda|cu)(?:Graph(?!ics)|StreamBeginCapture|StreamEndCapture|StreamIsCapturing|StreamGetCaptureInfo|UserObject)|^CU_GRAPH(?!ICS)|^cudaGraph(?!ics)|^CUgraph(?!ics)"), "cuda-graph", "cuda-graphs"),
    (re.compile(r"^(?:cudaMallocManaged|cudaMemPrefetch|cudaMemAdvise|cudaMemRangeGetAttribute|cuMemAllocManaged|cuMemPrefetch|cuMemAdvise|cuMemRangeGetAttribute)"), "cuda-managed-memory", "unified-memory"),
    (re.compile(r"^(?:cuda|cu)(?:Tex|CreateTextureObject|DestroyTextureObject|CreateSurfaceObject|DestroySurfaceObject|GetTextureObject|GetSurfaceObject|Surf)|^cudaTexture|^CUtex|^CUsurf"), "cuda-texture", "textures"),
)


def _normal(name: str) -> str:
    """A name's comparison key: no case, no underscores, no ``_t``/``_v2``/``_st`` suffix."""
    return re.sub(r"_(?:t|v2|st)$", "", name).replace("_", "").lower()


def _counts(arities: Iterable[tuple[int, int]]) -> set[int]:
    found: set[int] = set()
    for low, high in arities:
        found.update(range(low, (high if high >= 0 else low + 16) + 1))
    return found


#: The kind of a HIP name its reference list holds but no declaration the reader could parse.
LISTED = "listed"


def _kinds_agree(cuda: Decl, hip: Decl) -> bool:
    if hip.kind == LISTED:
        return True
    constants = {"enum", "macro"}
    if cuda.kind in constants and hip.kind in constants:
        return True
    if cuda.kind == hip.kind:
        return True
    # a macro may stand for a function or a type whose definition the reader cannot see
    return "macro" in (cuda.kind, hip.kind) and "enum" not in (cuda.kind, hip.kind)


@dataclass(frozen=True, slots=True)
class Row:
    source: str
    kind: str
    status: str
    replacement: str | None
    reference: str | None
    note: str
    rocm_note: str
    rule: str | None = None
    pit: str | None = None


class HipIndex:
    """The HIP names of a family by comparison key, with their declarations and lists."""

    def __init__(self, sides: list[tuple[Side, Decls, frozenset[str]]]) -> None:
        self.sides = sides

    def find(self, name: str) -> tuple[Side, Decl] | None:
        for side, decls, listed in self.sides:
            if name in decls and name in listed:
                return side, decls[name]
        for side, _, listed in self.sides:
            if name in listed:  # declared through a macro (DEFINE_HIPRAND_STATE(name, ...))
                return side, Decl(LISTED)
        return None

    def by_key(self, prefix: str, key: str) -> Iterator[str]:
        for _, decls, listed in self.sides:
            for candidate in decls:
                if candidate.startswith(prefix) and candidate in listed and _normal(candidate[len(prefix):]) == key:
                    yield candidate


def _candidates(spec: GenSpec, name: str, index: HipIndex) -> list[tuple[str, bool]]:
    """Proposed HIP names, best first: (name, spelled by a plain prefix swap)."""
    found: list[tuple[str, bool]] = []
    if name in spec.irregular:
        found.append((spec.irregular[name], False))
    # cublas_v2.h and cuda.h spell the current API ``name_v2``: the unsuffixed HIP name is the twin.
    spellings = [name, name[:-3]] if name.endswith("_v2") else [name]
    spellings += [name.replace("_v2_", "_")] if "_v2_" in name else []
    for spelling in spellings:
        for cuda_prefix, hip_prefix in spec.renames:
            if spelling.startswith(cuda_prefix):
                found.append((hip_prefix + spelling[len(cuda_prefix):], True))
    for cuda_prefix, hip_prefix in spec.renames:
        if name.startswith(cuda_prefix) and hip_prefix:
            key = _normal(name[len(cuda_prefix):])
            found.extend((c, False) for c in sorted(index.by_key(hip_prefix, key)))
    seen: set[str] = set()
    unique = []
    for candidate, plain in found:
        if candidate not in seen:
            seen.add(candidate)
            unique.append((candidate, plain))
    return unique


def _kind_word(decl: Decl) -> str:
    return {"function": "function", "type": "type", "enum": "enum", "macro": "macro"}[decl.kind]


def plan_name(spec: GenSpec, name: str, decl: Decl, index: HipIndex, hip6: HipIndex | None) -> Row | None:
    """The row for one CUDA name, or None when the name needs no row."""
    header = decl.header.rsplit("/include/", 1)[-1]
    what = {"function": "function", "type": "type", "enum": "enumerator", "macro": "macro"}[decl.kind]
    note = f"CUDA {what} ({header})."
    rule = pit = None
    for pattern, topic_rule, topic_pit in _TOPICS:
        if pattern.search(name):
            rule, pit = topic_rule, topic_pit
            break
    base = dict(source=name, kind=_kind_word(decl), note=note, rule=rule, pit=pit)
    if spec.skip_same and index.find(name) is not None:
        return None
    mismatch: list[str] = []
    for candidate, plain in _candidates(spec, name, index):
        hit = index.find(candidate)
        if hit is None or (spec.skip_same and candidate == name):
            continue
        side, hip_decl = hit
        if not _kinds_agree(decl, hip_decl):
            mismatch.append(f"{candidate} is a {hip_decl.kind}, not a {decl.kind}")
            continue
        status, extra = _status(spec, decl, hip_decl, candidate, plain)
        if status is None:
            mismatch.append(extra)
            continue
        if spec.keeps_names:
            return Row(**base, status="not-needed", replacement=None, reference=side.reference,
                       rocm_note=_join(spec.twin_note, extra))
        return Row(**base, status=status, replacement=candidate, reference=side.reference,
                   rocm_note=_join(spec.twin_note if side.source != "hip" else "", extra))
    if hip6 is not None:
        for candidate, _ in _candidates(spec, name, hip6):
            hit = hip6.find(candidate)
            if hit is not None and _kinds_agree(decl, hit[1]) and _status(spec, decl, hit[1], candidate, True)[0]:
                return Row(**base, status="review", replacement=candidate, reference=hit[0].reference,
                           rocm_note=f"{candidate} exists from ROCm 6 (hip-python 6.3 declares it); HIP 5.2 lacks it.")
    reason = "; ".join(dict.fromkeys(mismatch)) if mismatch else f"{spec.missing_note}."
    if mismatch:
        reason = f"{spec.missing_note}: {reason}."
    return Row(**base, status="manual", replacement=None, reference=None, rocm_note=reason)


def _join(*parts: str) -> str:
    return " ".join(p.rstrip(".") + "." for p in parts if p)


def _status(spec: GenSpec, cuda: Decl, hip: Decl, candidate: str, plain: bool) -> tuple[str | None, str]:
    """auto/review for a twin (with a note), or None and why the pair was rejected."""
    status = spec.floor
    note = ""
    if hip.kind == LISTED:
        return "review", (f"HIP's headers name {candidate} only through a macro: porter could not "
                          "check what it is; review the use")
    if cuda.kind == "function" and hip.kind == "function" and cuda.arities and hip.arities:
        cuda_counts, hip_counts = _counts(cuda.arities), _counts(hip.arities)
        if not cuda_counts & hip_counts:
            return None, (f"{candidate} takes {_describe(hip_counts)} argument(s), CUDA's "
                          f"{_describe(cuda_counts)}")
        if not cuda_counts <= hip_counts:
            status = "review"
            note = (f"{candidate} takes {_describe(hip_counts)} argument(s), CUDA's "
                    f"{_describe(cuda_counts)}: check the overload used")
    elif cuda.kind == "function" or hip.kind == "function":
        status = "review"
        note = f"{candidate} is declared as a {hip.kind} in HIP: check the call"
    if not plain and cuda.kind == "function" and status == "auto":
        status = "review"
        note = _join(note, f"HIP spells it {candidate}: same argument count, check the types")
    return status, note


def _describe(counts: set[int]) -> str:
    ordered = sorted(counts)
    if len(ordered) > 8:
        return f"{ordered[0]} or more"
    return " or ".join(str(c) for c in ordered)


def covered_names() -> set[str]:
    """Exact source names of the hand-written cuda-* families (they keep their rows)."""
    names: set[str] = set()
    for path in sorted(MAPPINGS.glob("cuda-*.yaml")):
        if path.name.startswith("cuda-gen-"):
            continue
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for entry in document["entries"]:
            if entry.get("match", "exact") == "exact":
                names.add(entry["source"])
    return names


def reference_list(name: str) -> frozenset[str]:
    path = MAPPINGS / "reference" / f"{name}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _files(sources: list[Source], members: str) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The matching members of the sources, and the labels of the sources that had any."""
    pattern = re.compile(members)
    files: list[tuple[str, bytes]] = []
    labels: list[str] = []
    for source in sources:
        found = [(member, data) for member, data in source.read() if pattern.search(member)]
        if found:
            files.extend(found)
            labels.append(source.label)
    return files, labels


def _quote(text: str) -> str:
    """A YAML flow scalar: plain when safe, else double-quoted."""
    if re.fullmatch(r"[A-Za-z_][\w./ ()'-]*[\w.)]", text) and ": " not in text and " #" not in text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(spec: GenSpec, rows: list[Row], label: str, hand: Mapping[str, object]) -> str:
    """The family's YAML: the hand family's defaults for the other targets, one line per row."""
    auto = sum(r.status == "auto" for r in rows)
    review = sum(r.status == "review" for r in rows)
    kept = sum(r.status == "not-needed" for r in rows)
    manual = sum(r.status == "manual" for r in rows)
    defaults = dict(hand.get("defaults", {}))
    defaults["rocm"] = {"status": "manual", "note": f"{spec.missing_note}."}
    origin = textwrap.wrap(f"Generated by tools/gen_hip_tables.py from {label}; do not edit by hand.", 96)
    out = [
        f"# {spec.title}.",
        *(f"# {line}" for line in origin),
        f"# rocm: {auto} auto, {review} review, {kept} kept, {manual} manual. Hand-written rows of {spec.hand}",
        "# win: names they map are left out here. Other targets share its defaults.",
        f"family: {spec.family}",
        "language: cuda",
        f"title: {_quote(spec.title)}",
        f"rule: {hand['rule']}",
        f"pit: {hand['pit']}",
        "generated_by: tools/gen_hip_tables.py",
        "defaults:",
    ]
    for target, plan in defaults.items():
        fields = ", ".join(f"{key}: {_quote(str(value))}" for key, value in plan.items())
        out.append(f"  {target}: {{{fields}}}")
    out.append("entries:")
    for row in rows:
        plan = [f"status: {row.status}"]
        if row.replacement:
            plan.append(f"replacement: {row.replacement}")
        if row.reference:
            plan.append(f"reference: {row.reference}")
        if row.rocm_note and (row.status != "manual" or row.rocm_note != f"{spec.missing_note}."):
            plan.append(f"note: {_quote(row.rocm_note)}")
        extra = "".join(f", {key}: {value}" for key, value in (("rule", row.rule), ("pit", row.pit)) if value)
        rocm = "" if row.status == "manual" and len(plan) == 1 else f"rocm: {{{', '.join(plan)}}}"
        out.append(
            f"  - {{source: {row.source}, kind: {row.kind}{extra}, note: {_quote(row.note)}, targets: {{{rocm}}}}}"
        )
    return "\n".join(out) + "\n"


def sources(args: argparse.Namespace) -> dict[str, list[Source]]:
    """Header sources by kind; each wheel is its own source so the notes name the real ones."""
    found: dict[str, list[Source]] = {}
    cuda = Path(args.cuda_include)
    if (cuda / "cuda_runtime_api.h").is_file():
        version = re.search(rb"#define CUDA_VERSION (\d+)", (cuda / "cuda.h").read_bytes())
        found["cuda"] = [dir_source(cuda, f"CUDA toolkit headers (CUDA_VERSION {version.group(1).decode() if version else '?'})")]
    hip = Path(args.hip_include)
    if (hip / "hip" / "hip_runtime.h").is_file():
        found["hip"] = [dir_source(hip, "Debian's HIP 5.2 headers")]
    wheels = sorted({w for folder in args.wheels or () for w in Path(folder).glob("*.whl")})
    prefixes = {"nvidia": "nvidia_", "rocm": "rocm_bindings_", "hip6": "hip_python_fork-"}
    for key, prefix in prefixes.items():
        group = [wheel_source([w], wheel_label([w])) for w in wheels if w.name.startswith(prefix)]
        if group:
            found[key] = group
    return found


def generate(args: argparse.Namespace) -> list[tuple[Path, int, dict[str, int]]]:
    available = sources(args)
    covered = covered_names()
    claimed: set[str] = set()
    written = []
    for spec in SPECS:
        if args.only and spec.family not in args.only:
            continue
        needed = {spec.source} | {side.source for side in spec.hip if side.source != "hip6"}
        if not needed <= set(available):
            print(f"skip {spec.family}: sources {sorted(needed - set(available))} not given", file=sys.stderr)
            continue
        files, labels = _files(available[spec.source], spec.members)
        cuda = read_files(files, spec.keep)
        sides = []
        hip6 = None
        for side in spec.hip:
            if side.source not in available:
                continue
            files, found = _files(available[side.source], side.members)
            labels += found
            entry = (side, read_files(files, side.keep), reference_list(side.reference))
            if side.source == "hip6":
                hip6 = HipIndex([entry])
            else:
                sides.append(entry)
        index = HipIndex(sides)
        rows = []
        for name, decl in sorted(cuda.items()):
            if decl.kind not in spec.kinds or name in covered or name in claimed:
                continue
            if not is_public(name, decl):
                continue
            row = plan_name(spec, name, decl, index, hip6)
            if row is not None:
                rows.append(row)
                claimed.add(name)
        hand = yaml.load((MAPPINGS / f"{spec.hand}.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        text = render(spec, rows, ", ".join(dict.fromkeys(labels)), hand)
        path = Path(args.out) / f"{spec.family}.yaml"
        path.write_text(text, encoding="utf-8")
        counts = {s: sum(r.status == s for r in rows) for s in ("auto", "review", "not-needed", "manual")}
        written.append((path, len(rows), counts))
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cuda-include", default="/usr/local/cuda/include", help="the CUDA toolkit's include folder")
    parser.add_argument("--hip-include", default="/usr/include", help="folder holding hip/, hiprand/, hipsparse/")
    parser.add_argument("--wheels", action="append", help="folder of wheels (nvidia-*, rocm-bindings-*, hip-python-fork); repeatable")
    parser.add_argument("--out", default=str(MAPPINGS), help="where the families go (default: mappings/)")
    parser.add_argument("--only", nargs="*", help="generate only these families")
    args = parser.parse_args(argv)
    for path, count, counts in generate(args):
        summary = ", ".join(f"{v} {k}" for k, v in counts.items())
        print(f"{path.name}: {count} rows ({summary})")


if __name__ == "__main__":
    main()
