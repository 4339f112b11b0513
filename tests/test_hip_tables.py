"""The generated CUDA -> HIP tables: the declaration reader, the pairing rules of
tools/gen_hip_tables.py, and the committed cuda-gen-* families (coverage, no duplicates)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from porter.mappings import default_tables

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import cuda_decls
import gen_hip_tables

HEADER = b"""
#ifndef CUDA_THING_H_
#define CUDA_THING_H_
#define CUDAAPI
#define cudaFlagOne 0x1
#define cudaAlias cudaRealName_v2
/* cudaInComment(int a); */
#if defined(__cplusplus)
extern "C" {
#endif
typedef struct CUctx_st *CUcontext;
typedef enum cudaKind_enum { cudaKindA = 0, cudaKindB CUDA_DEPRECATED_ENUM = 2 } cudaKind;
struct __device_builtin__ cudaProps { int x; int f(int y); };
typedef void (*cudaCallback)(int status, void* data);
extern cudaError_t CUDAAPI cudaRealName_v2(void** p, size_t n);
extern cudaError_t CUDAAPI cudaVar(const char* fmt, ...);
extern cudaError_t CUDAAPI cudaNone(void);
static __inline__ cudaError_t cudaOpt(int a, unsigned flags = 0) { return g(a, flags); }
__device__ float __fancy(float x) { return x; }
static __inline__ __host__ struct cudaProps make_cudaProps(int x) { struct cudaProps p; return p; }
struct __device_builtin__ __builtin_align__(16) cudaVec4 { float x, y, z, w; };
#if defined(__cplusplus)
}
#endif
#endif
"""


def read(data: bytes, keep: str = r"\w+") -> cuda_decls.Decls:
    return cuda_decls.read_files([("cuda/include/thing.h", data)], keep)


def test_reader_names_kinds_and_arities() -> None:
    decls = read(HEADER)
    assert decls["cudaRealName_v2"].kind == "function" and decls["cudaRealName_v2"].arities == {(2, 2)}
    assert decls["cudaVar"].arities == {(1, -1)}
    assert decls["cudaNone"].arities == {(0, 0)}
    assert decls["cudaOpt"].arities == {(1, 2)}
    assert decls["__fancy"].kind == "function"
    assert decls["make_cudaProps"].kind == "function" and decls["make_cudaProps"].arities == {(1, 1)}
    assert decls["cudaVec4"].kind == "type"
    assert decls["cudaAlias"].kind == "function" and decls["cudaAlias"].arities == {(2, 2)}
    assert decls["CUcontext"].kind == "type" and decls["cudaKind"].kind == "type"
    assert decls["cudaProps"].kind == "type" and decls["cudaCallback"].kind == "type"
    assert decls["cudaKindA"].kind == "enum" and decls["cudaKindB"].kind == "enum"
    assert decls["cudaFlagOne"].kind == "macro" and not decls["cudaFlagOne"].empty
    assert decls["CUDAAPI"].empty and decls["CUDA_THING_H_"].empty
    assert "cudaInComment" not in decls
    assert "f" not in decls and "x" not in decls  # struct members are not API names
    assert decls["cudaRealName_v2"].header == "cuda/include/thing.h"


def test_reader_reads_hip_python_declarations() -> None:
    pxd = (
        'cdef extern from "hipfft/hipfft.h":\n'
        "    cdef int HIPFFT_FORWARD\n"
        "    cdef enum hipfftResult_t:\n"
        "        HIPFFT_SUCCESS\n"
        "        HIPFFT_INVALID_PLAN = 1\n"
        "    ctypedef hipfftResult_t hipfftResult\n"
        "    cdef struct hipfftHandle_t:\n"
        "        pass\n"
        "cdef hipfftResult hipfftPlan1d(hipfftHandle * plan,int nx,hipfftType type,int batch) nogil\n"
        "cdef hipfftResult hipfftGetVersion(int * version) nogil\n"
    )
    decls = cuda_decls.read_files([("rocm/bindings/cyhipfft.pxd", pxd.encode())], r"(?:hipfft|HIPFFT)\w+")
    assert decls["hipfftPlan1d"].arities == {(4, 4)}
    assert decls["HIPFFT_SUCCESS"].kind == "enum" and decls["HIPFFT_INVALID_PLAN"].kind == "enum"
    assert decls["hipfftResult"].kind == "type" and decls["hipfftHandle_t"].kind == "type"
    assert decls["HIPFFT_FORWARD"].kind == "macro"


SPEC = gen_hip_tables.GenSpec(
    "cuda-gen-test", "cuda-runtime", "test", "cuda", "", "", ("function", "type", "enum", "macro"),
    (gen_hip_tables.Side("hip-runtime", "hip", "", ""),),
    (("cudaDevAttr", "hipDeviceAttribute"), ("cuda", "hip"), ("CUDA_", "HIP_")),
    {"cudaOdd": "hipEven"},
)


def decl(kind: str, *arities: tuple[int, int]) -> cuda_decls.Decl:
    return cuda_decls.Decl(kind, set(arities), header="x/include/cuda_runtime_api.h")


def index(**names: cuda_decls.Decl) -> gen_hip_tables.HipIndex:
    return gen_hip_tables.HipIndex([(SPEC.hip[0], dict(names), frozenset(names))])


@pytest.mark.parametrize(
    ("name", "cuda", "hip", "status", "replacement", "note"),
    [
        ("cudaMalloc", decl("function", (2, 2)), {"hipMalloc": decl("function", (2, 2))}, "auto", "hipMalloc", ""),
        ("cudaMalloc_v2", decl("function", (2, 2)), {"hipMalloc": decl("function", (2, 2))}, "auto", "hipMalloc", ""),
        ("cudaMemcpy", decl("function", (3, 3)), {"hipMemcpy": decl("function", (4, 4))}, "manual", None,
         "hipMemcpy takes 4 argument(s), CUDA's 3"),
        ("cudaEventCreate", decl("function", (1, 1), (2, 2)), {"hipEventCreate": decl("function", (1, 1))},
         "review", "hipEventCreate", "check the overload"),
        ("cudaDevAttrWarpSize", decl("enum"), {"hipDeviceAttributeWarpSize": decl("enum")}, "auto",
         "hipDeviceAttributeWarpSize", ""),
        ("cudaDeviceProp", decl("type"), {"hipDeviceProp_t": decl("type")}, "auto", "hipDeviceProp_t", ""),
        ("CUDA_R_32F", decl("enum"), {"HIP_R_32F": decl("macro")}, "auto", "HIP_R_32F", ""),
        ("cudaStream_t", decl("type"), {"hipStream_t": decl("function", (1, 1))}, "manual", None, "not a type"),
        ("cudaOdd", decl("function", (1, 1)), {"hipEven": decl("function", (1, 1))}, "review", "hipEven",
         "HIP spells it hipEven"),
        ("cudaNothing", decl("function", (1, 1)), {}, "manual", None, ""),
    ],
)
def test_pairing_rules(name: str, cuda: cuda_decls.Decl, hip: dict[str, cuda_decls.Decl], status: str,
                       replacement: str | None, note: str) -> None:
    row = gen_hip_tables.plan_name(SPEC, name, cuda, index(**hip), None)
    assert row is not None
    assert (row.status, row.replacement) == (status, replacement)
    assert note in row.rocm_note
    if replacement:
        assert row.reference == "hip-runtime"


def test_only_rocm6_names_are_review_with_their_own_list() -> None:
    rocm6 = gen_hip_tables.HipIndex([(gen_hip_tables._HIP6, {"hipGraphUpload": decl("function", (2, 2))},
                                      frozenset({"hipGraphUpload"}))])
    row = gen_hip_tables.plan_name(SPEC, "cudaGraphUpload", decl("function", (2, 2)), index(), rocm6)
    assert row is not None and row.status == "review" and row.reference == "hip-runtime-rocm6"
    assert "HIP 5.2 lacks it" in row.rocm_note and row.rule == "cuda-graph"


@pytest.mark.parametrize(
    ("name", "kind", "empty", "public"),
    [("cudaMalloc", "function", False, True), ("CUDART_CB", "macro", True, False),
     ("CUSPARSE_DEPRECATED", "macro", False, False), ("CUDA_RUNTIME_API_H_", "macro", False, False),
     ("__shfl_xor_sync", "function", False, True), ("__iAtomicAdd", "function", False, False),
     ("__nv_cvt_float_to_fp8", "function", False, False), ("curand__discrete4", "function", False, False)],
)
def test_public_names(name: str, kind: str, empty: bool, public: bool) -> None:
    assert gen_hip_tables.is_public(name, cuda_decls.Decl(kind, empty=empty)) is public


GENERATED = [spec.family for spec in gen_hip_tables.SPECS]


def test_generated_families_are_committed_and_large() -> None:
    tables = default_tables()
    sizes = {f.name: len(f.entries) for f in tables.families if f.name in GENERATED}
    assert sorted(sizes) == sorted(GENERATED)
    assert sum(sizes.values()) > 5000
    cuda = [e for e in tables.entries("cuda") if e.targets["rocm"].replacement]
    assert len(cuda) > 3000  # HIP names, each proven by tests/test_cuda_mappings.py


def test_generated_rows_never_shadow_hand_written_ones() -> None:
    seen: dict[str, str] = {}
    clashes = []
    for entry in default_tables().entries("cuda"):
        if entry.match != "exact":
            continue
        if entry.source in seen:
            clashes.append(f"{entry.source}: {seen[entry.source]} and {entry.family}")
        seen[entry.source] = entry.family
    assert clashes == []


@pytest.mark.parametrize(
    ("symbol", "replacement"),
    [("cudaMemcpy3DAsync", "hipMemcpy3DAsync"), ("cuModuleGetFunction", "hipModuleGetFunction"),
     ("CU_DEVICE_ATTRIBUTE_WARP_SIZE", "hipDeviceAttributeWarpSize"), ("cusparseSpMV", "hipsparseSpMV"),
     ("cublasSgemmStridedBatched", "hipblasSgemmStridedBatched"), ("cusolverDnDgetrf", "hipsolverDnDgetrf"),
     ("cudaDevAttrWarpSize", "hipDeviceAttributeWarpSize")],
)
def test_generated_twins_answer_lookups(symbol: str, replacement: str) -> None:
    entry = default_tables().lookup("cuda", symbol)
    assert entry is not None and entry.targets["rocm"].replacement == replacement
    assert entry.targets["rocm"].status in ("auto", "review")


def test_names_without_a_twin_are_manual_with_a_reason() -> None:
    entry = default_tables().lookup("cuda", "__fns")
    assert entry is not None and entry.family == "cuda-gen-device"
    plan = entry.targets["rocm"]
    assert plan.status == "manual" and plan.replacement is None and plan.note


def test_a_name_only_the_reference_list_holds_is_a_review_twin() -> None:
    """HIP declares some names through macros (DEFINE_HIPRAND_STATE(hiprandStateSobol32, ...)):
    the list proves the name, the reader cannot say what it is, so the row asks for review."""
    listed = gen_hip_tables.HipIndex([(SPEC.hip[0], {}, frozenset({"hipStateSobol"}))])
    row = gen_hip_tables.plan_name(SPEC, "cudaStateSobol", decl("type"), listed, None)
    assert row is not None and (row.status, row.replacement) == ("review", "hipStateSobol")
    assert "only through a macro" in row.rocm_note
