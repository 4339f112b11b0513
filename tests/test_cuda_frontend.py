"""The CUDA frontend: what it reports (and what it must not), macro bodies, broken files, and the
ROCm edits, which are applied to a small kernel and compiled with HIP when hipcc is installed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import needs_tool
from hypothesis import given
from hypothesis import strategies as st

from porter.frontends import cuda as cuda_module
from porter.frontends.cuda import CudaFrontend
from porter.mappings import default_tables
from porter.model import FileResult, Finding
from porter.rewrite.apply import apply_edits

FRONTEND = CudaFrontend()


def scan(code: str, path: str = "kernel.cu") -> FileResult:
    return FRONTEND.analyze(path, code.encode(), default_tables())


def sites(result: FileResult) -> set[tuple[str, str]]:
    return {(f.rule, f.symbol) for f in result.findings}


def ported(code: str, target: str = "rocm") -> str:
    """The tiny applier of the tests: every edit the findings carry for ``target``."""
    data = code.encode()
    result = FRONTEND.analyze("kernel.cu", data, default_tables())
    applied = apply_edits(data, [e for f in result.findings for e in f.targets[target].edits])
    assert applied.dropped == ()
    return applied.data.decode()


def only(result: FileResult, symbol: str) -> Finding:
    found = [f for f in result.findings if f.symbol == symbol]
    assert len(found) == 1, sites(result)
    return found[0]


# (code, rule, symbol): each must be reported.
POSITIVE = [
    ("#include <cuda_runtime.h>\n", "cuda-include", "cuda_runtime.h"),
    ('#include "cuda.h"\n', "cuda-include", "cuda.h"),
    ("#include <cublas_v2.h>\n", "cuda-include", "cublas_v2.h"),
    ("#include <curand_kernel.h>\n", "cuda-include", "curand_kernel.h"),
    ("#include <cuda_fp16.h>\n", "cuda-include", "cuda_fp16.h"),
    ("#include <cooperative_groups.h>\n", "cuda-include", "cooperative_groups.h"),
    ("#include <mma.h>\n", "cuda-include", "mma.h"),
    ("#include <nccl.h>\n", "cuda-include", "nccl.h"),
    ("#include <cudnn.h>\n", "cuda-include", "cudnn.h"),
    ("#include <cub/cub.cuh>\n", "cuda-include", "cub/cub.cuh"),
    ("#include <thrust/sort.h>\n", "cuda-include", "thrust/sort.h"),
    ("#include <cutlass/gemm/device/gemm.h>\n", "cuda-include", "cutlass/gemm/device/gemm.h"),
    ("#include <nvtx3/nvToolsExt.h>\n", "cuda-include", "nvtx3/nvToolsExt.h"),
    ("#include <ATen/cuda/CUDAContext.h>\n", "cuda-include", "ATen/cuda/CUDAContext.h"),
    ("#include <c10/cuda/CUDAGuard.h>\n", "cuda-include", "c10/cuda/CUDAGuard.h"),
    ("#include <cusparseLt.h>\n", "cuda-unmapped-api", "cusparseLt.h"),
    ("void f(float** p) { cudaMalloc(p, 4); }\n", "cuda-runtime-api", "cudaMalloc"),
    ("void f() { cuInit(0); }\n", "cuda-driver-api", "cuInit"),
    ("void f() { CUresult r = cuCtxSynchronize(); }\n", "cuda-driver-api", "CUresult"),
    ("void f() { cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, 1, 1, 1, a, x, 1, y, 1, b, z, 1); }\n", "cuda-cublas", "cublasSgemm"),
    ("void f() { cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_T, 1, 1, 1, a, x, 1, y, 1, b, z, 1); }\n", "cuda-cublas", "CUBLAS_OP_N"),
    ("void f() { cublasLtMatmul(h, d, a, A, la, B, lb, b, C, lc, D, ld, al, w, n, s); }\n", "cuda-cublas", "cublasLtMatmul"),
    ("void f() { curandCreateGenerator(&g, CURAND_RNG_PSEUDO_DEFAULT); }\n", "cuda-curand", "curandCreateGenerator"),
    ("void f() { cufftExecC2C(p, i, o, CUFFT_FORWARD); }\n", "cuda-cufft", "cufftExecC2C"),
    ("void f() { cusparseSpMM(h, a, b, al, A, B, be, C, t, alg, buf); }\n", "cuda-cusparse", "cusparseSpMM"),
    ("void f() { cusolverDnSgetrf(h, m, n, A, lda, w, piv, info); }\n", "cuda-cusolver", "cusolverDnSgetrf"),
    ("void f() { cudnnConvolutionForward(h, a, x, xd, w, wd, c, algo, ws, n, b, y, yd); }\n", "cuda-cudnn", "cudnnConvolutionForward"),
    ("void f() { ncclAllReduce(s, r, n, ncclFloat, ncclSum, c, st); }\n", "cuda-nccl", "ncclAllReduce"),
    ("void f() { nvtxRangePushA(\"step\"); nvtxRangePop(); }\n", "cuda-nvtx", "nvtxRangePushA"),
    ("void f() { cutensorContract(h, p, a, A, B, b, C, D, w, n, s); }\n", "cuda-cutensor", "cutensorContract"),
    ("__device__ void f() { cub::WarpReduce<float> r(t); }\n", "cuda-cub", "cub::WarpReduce"),
    ("void f() { thrust::sort(v.begin(), v.end()); }\n", "cuda-thrust", "thrust::sort"),
    ("void f() { cutlass::gemm::device::Gemm<float> g; }\n", "cuda-cutlass", "cutlass::gemm::device::Gemm"),
    ("cudaStream_t s;\n", "cuda-runtime-api", "cudaStream_t"),
    ("cudaError_t e = cudaSuccess;\n", "cuda-runtime-api", "cudaError_t"),
    ("void f() { cudaMemcpy(d, h, n, cudaMemcpyHostToDevice); }\n", "cuda-runtime-api", "cudaMemcpyHostToDevice"),
    ("void f() { k<<<1, 2>>>(x); }\n", "cuda-kernel-launch", "<<<>>>"),
    ("void f() { k<float><<<g, b, 0, s>>>(x); }\n", "cuda-kernel-launch", "<<<>>>"),
    ("__global__ void k() {}\n", "cuda-kernel-def", "__global__"),
    ("__device__ int f() { return 1; }\n", "cuda-device-code", "__device__"),
    ("__global__ void k() { __shared__ float t[64]; }\n", "cuda-shared-memory", "__shared__"),
    ("__constant__ float c[4];\n", "cuda-constant-memory", "__constant__"),
    ("__global__ void __launch_bounds__(256) k() {}\n", "cuda-launch-bounds", "__launch_bounds__"),
    ("__device__ float f(float v) { return __shfl_xor_sync(0xffffffff, v, 1); }\n", "cuda-warp-shuffle", "__shfl_xor_sync"),
    ("__device__ unsigned f(int p) { return __ballot_sync(0xffffffff, p); }\n", "cuda-warp-vote", "__ballot_sync"),
    ("__device__ bool f(int p) { return __any_sync(~0u, p); }\n", "cuda-warp-vote", "__any_sync"),
    ("__device__ bool f(int p) { return __all_sync(~0u, p); }\n", "cuda-warp-vote", "__all_sync"),
    ("__device__ unsigned f() { return __activemask(); }\n", "cuda-warp-vote", "__activemask"),
    ("__device__ void f() { __syncwarp(); }\n", "cuda-warp-sync", "__syncwarp"),
    ("__device__ int f() { return warpSize; }\n", "cuda-warp-size", "warpSize"),
    ("__device__ int f() { return threadIdx.x % 32; }\n", "cuda-warp-size-literal", "32"),
    ("__device__ int f(int tid) { return tid & 31; }\n", "cuda-warp-size-literal", "31"),
    ("__device__ int f() { return threadIdx.x / 32; }\n", "cuda-warp-size-literal", "32"),
    ("__device__ int f(int tid) { return tid >> 5; }\n", "cuda-warp-size-literal", "5"),
    ("__device__ int f() { return blockDim.x / 32; }\n", "cuda-warp-size-literal", "32"),
    ("__device__ int f(int warp_id) { return warp_id * 32; }\n", "cuda-warp-size-literal", "32"),
    ("__device__ float f(float v) { return __shfl_down_sync(0xffffffff, v, 1, 32); }\n", "cuda-warp-size-literal", "32"),
    ("#define WARP_SIZE 32\n", "cuda-warp-size-literal", "32"),
    ("constexpr int kWarpSize = 32;\n", "cuda-warp-size-literal", "32"),
    ("__device__ unsigned f(int p) { return __ballot_sync(0xffffffff, p); }\n", "cuda-lane-mask", "0xffffffff"),
    ("#define FULL_MASK 0xffffffffu\n", "cuda-lane-mask", "0xffffffffu"),
    ("constexpr unsigned kFullMask = 0xFFFFFFFF;\n", "cuda-lane-mask", "0xFFFFFFFF"),
    ('__device__ int f() { int x; asm volatile("mov.u32 %0, %%laneid;" : "=r"(x)); return x; }\n', "cuda-inline-ptx", "asm"),
    ('__device__ void f() { asm("trap;"); }\n', "cuda-inline-ptx", "asm"),
    ("__device__ void f() { nvcuda::wmma::fragment<nvcuda::wmma::matrix_a, 16, 16, 16, half> a; }\n", "cuda-wmma", "nvcuda::wmma::fragment"),
    ("using namespace nvcuda;\n", "cuda-wmma", "nvcuda"),
    ("__device__ void f() { wmma::mma_sync(d, a, b, c); }\n", "cuda-wmma", "wmma::mma_sync"),
    ("__global__ void k() { cooperative_groups::this_grid().sync(); }\n", "cuda-cooperative-groups", "cooperative_groups::this_grid"),
    ("__global__ void k() { auto b = cg::this_thread_block(); }\n", "cuda-cooperative-groups", "cg::this_thread_block"),
    ("namespace cg = cooperative_groups;\n", "cuda-cooperative-groups", "cooperative_groups"),
    ("texture<float, 1> tex;\n", "cuda-texture", "texture<>"),
    ("cudaTextureObject_t t;\n", "cuda-texture", "cudaTextureObject_t"),
    ("__global__ void k(cudaTextureObject_t t, float* o) { o[0] = tex1Dfetch<float>(t, 0); }\n", "cuda-texture", "tex1Dfetch"),
    ("__global__ void k(cudaSurfaceObject_t s) { surf2Dwrite(1.f, s, 0, 0); }\n", "cuda-texture", "surf2Dwrite"),
    ("void f() { cudaGraphLaunch(g, s); }\n", "cuda-graph", "cudaGraphLaunch"),
    ("void f() { cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal); }\n", "cuda-graph", "cudaStreamBeginCapture"),
    ("void f(float** p) { cudaMallocManaged(p, 4); }\n", "cuda-managed-memory", "cudaMallocManaged"),
    ("__device__ __managed__ int counter;\n", "cuda-managed-memory", "__managed__"),
    ("#if __CUDA_ARCH__ >= 800\n#endif\n", "cuda-arch-check", "__CUDA_ARCH__"),
    ("#ifdef __CUDA_ARCH__\n#endif\n", "cuda-arch-check", "__CUDA_ARCH__"),
    ("#if defined(__CUDA_ARCH__)\n#endif\n", "cuda-arch-check", "__CUDA_ARCH__"),
    ("void f() { auto s = at::cuda::getCurrentCUDAStream(); }\n", "cuda-aten-api", "at::cuda::getCurrentCUDAStream"),
    ("void f(at::Tensor x) { const c10::cuda::CUDAGuard g(x.device()); }\n", "cuda-aten-api", "c10::cuda::CUDAGuard"),
    ('void f(at::Tensor x) { TORCH_CHECK(x.is_cuda(), "x must be a CUDA tensor"); }\n', "cuda-device-check", ".is_cuda"),
    ("auto o = x.to(torch::kCUDA);\n", "cuda-device-type", "torch::kCUDA"),
    ("TORCH_LIBRARY_IMPL(ops, CUDA, m) { m.impl(\"f\", &f); }\n", "cuda-device-type", "CUDA"),
    ("void f() { C10_CUDA_KERNEL_LAUNCH_CHECK(); }\n", "cuda-aten-api", "C10_CUDA_KERNEL_LAUNCH_CHECK"),
    ("__device__ int f(int p) { unsigned b = __ballot_sync(0xffffffff, p); return b; }\n", "cuda-ballot-width", "ballot-32bit"),
    ("__device__ int f(int p) { return __popc(__ballot_sync(~0u, p)); }\n", "cuda-ballot-width", "ballot-32bit"),
    ("__device__ int f(int p) { auto b = static_cast<uint32_t>((__ballot_sync(~0u, p))); return b; }\n", "cuda-ballot-width", "ballot-32bit"),
    ("__device__ int f() { int m = (int)__activemask(); return m; }\n", "cuda-ballot-width", "ballot-32bit"),
    ("__global__ void k() { __shared__ float s[1024 / WARP_SIZE]; }\n", "cuda-warp-shared-memory", "1024 / WARP_SIZE"),
    ("__global__ void k() { __shared__ float s[kNumWarps][33]; }\n", "cuda-warp-shared-memory", "kNumWarps"),
    ("__global__ void k() { extern __shared__ float d[]; __shared__ int c[256 / 32]; }\n", "cuda-warp-shared-memory", "256 / 32"),
    ("__device__ void f() { auto s = cg::reduce(tile, v, cg::plus<int>()); }\n", "cuda-cooperative-groups", "cg::reduce"),
    ("void f() { cudaFancyNewCall(); }\n", "cuda-unmapped-api", "cudaFancyNewCall"),
    ("void f() { CUDA_KERNEL_ASSERT(x); }\n", "cuda-unmapped-api", "CUDA_KERNEL_ASSERT"),
    ("void f() { cublasFancyNew(h); }\n", "cuda-unmapped-api", "cublasFancyNew"),
]

# (code, rule, symbol): each must NOT be reported.
NEGATIVE = [
    ("#include <vector>\n#include <cmath>\n", "cuda-include", "vector"),
    ("// #include <cuda_runtime.h>\n", "cuda-include", "cuda_runtime.h"),
    ('#include "cuda_utils.cuh"\n', "cuda-unmapped-api", "cuda_utils.cuh"),
    ("int cur = 0, cuts = 1, cube = 2, customer = 3;\n", "cuda-unmapped-api", "cur"),
    ("void f() { cuts(cube, customer); }\n", "cuda-unmapped-api", "cuts"),
    ("int cudaStatusFlag = 0;\n", "cuda-unmapped-api", "cudaStatusFlag"),
    ("#define CUDA_CHECK(x) x\nvoid f() { CUDA_CHECK(g()); }\n", "cuda-unmapped-api", "CUDA_CHECK"),
    ("void f() { int a = b << c; std::cout << a; }\n", "cuda-kernel-launch", "<<<>>>"),
    ("int global = 1; int device = 2;\n", "cuda-device-code", "__device__"),
    ("__global__ void k() { float buf[32]; }\n", "cuda-warp-size-literal", "32"),
    ("void f() { for (int i = 0; i < 32; ++i) g(i); }\n", "cuda-warp-size-literal", "32"),
    ("int f(int n) { return n / 32; }\n", "cuda-warp-size-literal", "32"),
    ("int f(int bytes) { return bytes % 32; }\n", "cuda-warp-size-literal", "32"),
    ("#define BLOCK 32\n", "cuda-warp-size-literal", "32"),
    ("int f(int bits) { return bits >> 5; }\n", "cuda-warp-size-literal", "5"),
    ("unsigned long long f(unsigned long long x) { return x & 0xffffffff; }\n", "cuda-lane-mask", "0xffffffff"),
    ("unsigned f(unsigned h) { return h ^ 0xFFFFFFFF; }\n", "cuda-lane-mask", "0xFFFFFFFF"),
    ('void f() { printf("asm(\\"trap;\\")"); }\n', "cuda-inline-ptx", "asm"),
    ("int texture = 3;\nint f() { return texture; }\n", "cuda-texture", "texture<>"),
    ("#if __HIP_DEVICE_COMPILE__\n#endif\n", "cuda-arch-check", "__CUDA_ARCH__"),
    ("void f(at::Tensor x) { AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), \"f\", [&] {}); }\n", "cuda-aten-api", "AT_DISPATCH_FLOATING_TYPES"),
    ("void f(at::Tensor x) { TORCH_CHECK(x.is_contiguous()); }\n", "cuda-device-check", ".is_contiguous"),
    ("namespace cuda { int helper(); }\n", "cuda-aten-api", "cuda"),
    ("__device__ unsigned long long f(int p) { unsigned long long b = __ballot_sync(~0u, p); return b; }\n",
     "cuda-ballot-width", "ballot-32bit"),
    ("__device__ void f(int p) { uint64_t b = __ballot_sync(~0u, p); g(__popcll(b)); }\n", "cuda-ballot-width", "ballot-32bit"),
    ("__global__ void k() { __shared__ float tile[32][33]; __shared__ float s[BLOCK]; }\n", "cuda-warp-shared-memory", "32"),
    ("void f() { float local[1024 / WARP_SIZE]; }\n", "cuda-warp-shared-memory", "1024 / WARP_SIZE"),
]


@pytest.mark.parametrize(("code", "rule", "symbol"), POSITIVE)
def test_detects(code: str, rule: str, symbol: str) -> None:
    result = scan(code)
    assert (rule, symbol) in sites(result), sites(result)


@pytest.mark.parametrize(("code", "rule", "symbol"), NEGATIVE)
def test_does_not_detect(code: str, rule: str, symbol: str) -> None:
    result = scan(code)
    assert (rule, symbol) not in sites(result)
    assert symbol not in {s for _, s in sites(result)}


def test_comments_and_strings_are_never_findings() -> None:
    code = (
        "// cudaMalloc(&p, n); __shfl_xor_sync(0xffffffff, v, 1); k<<<1, 32>>>();\n"
        "/* cudaFree(p); #include <cuda.h> __global__ */\n"
        'const char* s = "cudaMalloc __global__ <<<1,1>>> 0xffffffff";\n'
        "const char c = 'c';\n"
        'const char* r = R"(cudaStreamCreate)";\n'
        "#define MSG \"cudaDeviceSynchronize\" // cudaGetLastError\n"
    )
    assert scan(code).findings == ()


def test_macro_bodies_are_looked_into() -> None:
    code = (
        "#define LAUNCH(k, x) k<<<1, 32>>>(x); cudaDeviceSynchronize() /* cudaFree */\n"
        "#define CHECK(e) do { cudaError_t r = (e); if (r != cudaSuccess) abort(); } while (0)\n"
        "#define REDUCE(v) __shfl_xor_sync(0xffffffff, v, 16)\n"
        "#define STREAM at::cuda::getCurrentCUDAStream()\n"
        "#define LANE (threadIdx.x % 32)\n"
    )
    result = scan(code)
    found = sites(result)
    for site in [
        ("cuda-kernel-launch", "<<<>>>"),
        ("cuda-runtime-api", "cudaDeviceSynchronize"),
        ("cuda-runtime-api", "cudaError_t"),
        ("cuda-runtime-api", "cudaSuccess"),
        ("cuda-warp-shuffle", "__shfl_xor_sync"),
        ("cuda-lane-mask", "0xffffffff"),
        ("cuda-aten-api", "at::cuda::getCurrentCUDAStream"),
        ("cuda-warp-size-literal", "32"),
    ]:
        assert site in found, found
    assert ("cuda-runtime-api", "cudaFree") not in found
    port = ported(code)
    assert "hipDeviceSynchronize() /* cudaFree */" in port
    assert "hipError_t r = (e); if (r != hipSuccess)" in port
    assert "#define REDUCE(v) __shfl_xor(v, 16)\n" in port
    assert "k<<<1, 32>>>(x)" in port  # HIP compiles triple-chevron launches as they are


def test_positions_are_lines_and_character_columns() -> None:
    result = scan("// é\nvoid f() {\n  cudaFree(p);\n}\n")
    finding = only(result, "cudaFree")
    assert (finding.span.line, finding.span.column) == (3, 3)
    assert (finding.span.end_line, finding.span.end_column) == (3, 11)
    assert finding.snippet == "cudaFree(p);"
    assert finding.language == "cuda" and finding.family == "cuda-runtime"


def test_broken_kernel_is_partial_and_still_reported() -> None:
    code = (
        "#include <cuda_runtime.h>\n"
        "__global__ void k(float* x) {\n"
        "  x[threadIdx.x] = __shfl_xor_sync(0xffffffff, x[0], 1;\n"
        "}\n"
        "void host() { cudaMalloc(&p, 4); k<<<1, 32>>>(p); }\n"
    )
    result = scan(code)
    assert result.status == "partial"
    assert result.note is not None and "line 3" in result.note
    found = sites(result)
    for site in [
        ("cuda-include", "cuda_runtime.h"),
        ("cuda-kernel-def", "__global__"),
        ("cuda-runtime-api", "cudaMalloc"),
        ("cuda-kernel-launch", "<<<>>>"),
    ]:
        assert site in found, found


def test_clean_file_is_scanned() -> None:
    result = scan("__global__ void k(float* x) { x[threadIdx.x] = 0.f; }\n")
    assert result.status == "scanned" and result.note is None and result.lines == 1


def test_plain_cpp_without_cuda_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parser() -> None:
        raise AssertionError("parsed a file without CUDA vocabulary")

    monkeypatch.setattr(cuda_module, "_parser", no_parser)
    result = scan("#include <vector>\nint main() { return 0; }\n", path="src/main.cpp")
    assert result.status == "scanned" and result.findings == () and result.lines == 2


def test_plain_cpp_with_cuda_is_analysed() -> None:
    result = scan("#include <cuda_runtime.h>\nvoid f() { cudaDeviceSynchronize(); }\n", path="src/host.cpp")
    assert ("cuda-runtime-api", "cudaDeviceSynchronize") in sites(result)


@pytest.mark.parametrize(
    ("path", "claimed"),
    [("a.cu", True), ("a.cuh", True), ("a.cpp", True), ("a.cc", True), ("a.h", True),
     ("a.hpp", True), ("a.cxx", True), ("a.inl", True), ("a.C", True), ("a.py", False),
     ("CMakeLists.txt", False), ("a.cu.txt", False)],
)
def test_claims(path: str, claimed: bool) -> None:
    assert FRONTEND.claims(path, b"") is claimed


@given(st.binary(max_size=400))
def test_never_raises_on_any_bytes(data: bytes) -> None:
    result = FRONTEND.analyze("fuzz.cu", data, default_tables())
    assert result.status in ("scanned", "partial")


@given(st.lists(st.sampled_from([
    "cudaMalloc(&p, n);", "__shfl_xor_sync(0xffffffff, v, 1", "k<<<1,", "#define X cudaFree(", "/*",
    "\"cuda", "}", "{", "__global__ void k() {", "asm(\"", "#if __CUDA_ARCH__", "\n", "threadIdx.x % 32",
]), max_size=20))
def test_never_raises_on_cuda_fragments(parts: list[str]) -> None:
    code = " ".join(parts)
    result = FRONTEND.analyze("fuzz.cu", code.encode(), default_tables())
    data = code.encode()
    for finding in result.findings:
        for plan in finding.targets.values():
            for edit in plan.edits:
                assert 0 <= edit.start <= edit.end <= len(data)


def test_shuffle_without_call_falls_back_to_manual() -> None:
    result = scan("__device__ auto p = &__shfl_xor_sync;\n")
    plan = only(result, "__shfl_xor_sync").targets["rocm"]
    assert plan.status == "manual" and plan.edits == ()


def test_include_edit_keeps_delimiters() -> None:
    assert ported('#include "cuda_runtime.h"\n#include <curand.h>\n') == (
        '#include "hip/hip_runtime.h"\n#include <hiprand/hiprand.h>\n'
    )


def test_cann_edits_use_ascendcl_names() -> None:
    code = "void f() { cudaStream_t s; cudaStreamCreate(&s); cudaStreamSynchronize(s); cudaFree(p); }\n"
    assert ported(code, "cann") == (
        "void f() { aclrtStream s; aclrtCreateStream(&s); aclrtSynchronizeStream(s); aclrtFree(p); }\n"
    )
    review = only(scan("void f() { cudaMalloc(&p, n); }\n"), "cudaMalloc").targets["cann"]
    assert review.status == "review" and "policy" in review.note


KERNEL = """\
#include <cuda_runtime.h>
#include <cstdio>

#define CUDA_CHECK(expr) do { cudaError_t e = (expr); if (e != cudaSuccess) std::printf("%s\\n", cudaGetErrorString(e)); } while (0)
#define FULL_MASK 0xffffffff

// cudaMalloc in a comment stays as it is.
__device__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2) {
    v += __shfl_xor_sync(FULL_MASK, v, offset);
  }
  return v;
}

__global__ void scale(float* x, int n, float s) {
  __shared__ float tile[256];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  tile[threadIdx.x] = i < n ? x[i] * s : 0.f;
  __syncthreads();
  float v = warp_sum(tile[threadIdx.x]);
  if (i < n) x[i] = __shfl_down_sync(0xffffffff, v, 1);
}

int main() {
  float* d = nullptr;
  const int n = 1024;
  cudaStream_t stream;
  CUDA_CHECK(cudaStreamCreate(&stream));
  CUDA_CHECK(cudaMalloc(&d, n * sizeof(float)));
  CUDA_CHECK(cudaMemsetAsync(d, 0, n * sizeof(float), stream));
  scale<<<n / 256, 256, 0, stream>>>(d, n, 2.0f);
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaStreamSynchronize(stream));
  std::printf("cudaMalloc and cudaFree are just words in this string\\n");
  CUDA_CHECK(cudaFree(d));
  CUDA_CHECK(cudaStreamDestroy(stream));
  return 0;
}
"""

HIP_KERNEL = """\
#include <hip/hip_runtime.h>
#include <cstdio>

#define CUDA_CHECK(expr) do { hipError_t e = (expr); if (e != hipSuccess) std::printf("%s\\n", hipGetErrorString(e)); } while (0)
#define FULL_MASK 0xffffffff

// cudaMalloc in a comment stays as it is.
__device__ float warp_sum(float v) {
  for (int offset = 16; offset > 0; offset /= 2) {
    v += __shfl_xor(v, offset);
  }
  return v;
}

__global__ void scale(float* x, int n, float s) {
  __shared__ float tile[256];
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  tile[threadIdx.x] = i < n ? x[i] * s : 0.f;
  __syncthreads();
  float v = warp_sum(tile[threadIdx.x]);
  if (i < n) x[i] = __shfl_down(v, 1);
}

int main() {
  float* d = nullptr;
  const int n = 1024;
  hipStream_t stream;
  CUDA_CHECK(hipStreamCreate(&stream));
  CUDA_CHECK(hipMalloc(&d, n * sizeof(float)));
  CUDA_CHECK(hipMemsetAsync(d, 0, n * sizeof(float), stream));
  scale<<<n / 256, 256, 0, stream>>>(d, n, 2.0f);
  CUDA_CHECK(hipGetLastError());
  CUDA_CHECK(hipStreamSynchronize(stream));
  std::printf("cudaMalloc and cudaFree are just words in this string\\n");
  CUDA_CHECK(hipFree(d));
  CUDA_CHECK(hipStreamDestroy(stream));
  return 0;
}
"""


def test_kernel_ports_to_the_expected_hip_text() -> None:
    assert ported(KERNEL) == HIP_KERNEL
    result = scan(KERNEL)
    warp = {f.symbol: f for f in result.findings if f.pit == "warp-size"}
    assert warp["__shfl_xor_sync"].targets["rocm"].status == "review"
    assert warp["0xffffffff"].targets["rocm"].edits == ()  # the mask macro stays for a person


def _compile_hip(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    hipcc = needs_tool("hipcc", "compiles the HIP output of the CUDA frontend (apt-get install hipcc libamdhip64-dev)")
    path = tmp_path / "kernel.hip"
    path.write_text(source)
    env = {**os.environ, "HIP_PLATFORM": "amd"}
    command = [hipcc, "-x", "hip", "--offload-arch=gfx90a", "-std=c++17", "-fsyntax-only", str(path)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)


def test_expected_hip_text_compiles(tmp_path: Path) -> None:
    compiled = _compile_hip(tmp_path, HIP_KERNEL)
    assert compiled.returncode == 0, compiled.stderr[-2000:]


def test_unported_shuffle_does_not_compile_with_hip_5(tmp_path: Path) -> None:
    """Why the mask is dropped: HIP 5.2 has no *_sync shuffles (the compile check can fail)."""
    compiled = _compile_hip(tmp_path, HIP_KERNEL.replace("__shfl_down(v, 1)", "__shfl_down_sync(0xffffffff, v, 1)"))
    assert compiled.returncode != 0 and "__shfl_down_sync" in compiled.stderr


@pytest.mark.parametrize(
    ("code", "path", "inserted"),
    [
        ("__global__ void k(float* x) { x[threadIdx.x] = 0.f; }\n", "k.cu", True),
        ("// license\n#include <cooperative_groups.h>\n#include <cuda_runtime.h>\n__global__ void k() {}\n", "k.cu", True),
        ("#include <cuda_runtime.h>\n#include <cooperative_groups.h>\n__global__ void k() {}\n", "k.cu", False),
        ("#include <hip/hip_runtime.h>\n__global__ void k() {}\n", "k.cu", False),
        ("#include <cuda_runtime.h>\nvoid f() { cudaDeviceSynchronize(); }\n", "host.cpp", False),
        ("#include <vector>\nvoid f() { cudaDeviceSynchronize(); }\n", "host.cpp", False),
        ("int plain() { return 0; }\n", "k.cu", False),
    ],
)
def test_runtime_include_nvcc_adds_implicitly(code: str, path: str, inserted: bool) -> None:
    data = code.encode()
    result = FRONTEND.analyze(path, data, default_tables())
    sites_ = [f for f in result.findings if f.rule == "cuda-implicit-include"]
    assert bool(sites_) is inserted
    if inserted:
        (edit,) = sites_[0].targets["rocm"].edits
        assert edit.text == "#include <hip/hip_runtime.h>\n" and edit.start == edit.end
        assert data[edit.start:].startswith(b"#include") or data[edit.start:].startswith(b"__global__")
        assert sites_[0].targets["cann"].edits == ()


def test_runtime_include_lands_outside_the_include_guard_block() -> None:
    code = "#ifndef K_CUH\n#define K_CUH\n#include <cuda_fp16.h>\n__device__ __half h();\n#endif\n"
    result = FRONTEND.analyze("k.cuh", code.encode(), default_tables())
    (site,) = [f for f in result.findings if f.rule == "cuda-implicit-include"]
    assert site.targets["rocm"].edits[0].start == 0


def test_grid_constant_qualifier_is_deleted_for_hip() -> None:
    code = "#include <cuda_runtime.h>\n__global__ void k(const __grid_constant__ P p) {}\n"
    assert ported(code) == "#include <hip/hip_runtime.h>\n__global__ void k(const  P p) {}\n"


def test_runtime_include_keeps_crlf_line_endings() -> None:
    data = b"#include <cublas_v2.h>\r\n__global__ void k() {}\r\n"
    result = FRONTEND.analyze("k.cu", data, default_tables())
    (site,) = [f for f in result.findings if f.rule == "cuda-implicit-include"]
    assert site.targets["rocm"].edits[0].text == "#include <hip/hip_runtime.h>\r\n"


def test_headers_that_become_one_are_included_once() -> None:
    """cuda.h and cuda_runtime.h both become hip/hip_runtime.h: the later directive goes, line
    and all; an include under #if is left alone (its branch may be the only one compiled)."""
    code = (
        "#include <cuda_runtime.h>\n#include <cuda.h>\n#include <cuda_fp16.h>\n"
        "#ifdef USE_DRIVER\n#include <cuda.h>\n#endif\n__global__ void k() {}\n"
    )
    assert ported(code) == (
        "#include <hip/hip_runtime.h>\n#include <hip/hip_fp16.h>\n"
        "#ifdef USE_DRIVER\n#include <hip/hip_runtime.h>\n#endif\n__global__ void k() {}\n"
    )
    inserted_above = "#include <cooperative_groups.h>\n#include <cuda_runtime.h>\n__global__ void k() {}\n"
    assert ported(inserted_above) == (
        "#include <hip/hip_runtime.h>\n#include <hip/hip_cooperative_groups.h>\n__global__ void k() {}\n"
    )


def test_runtime_include_is_not_added_where_a_syntax_error_may_hide_one() -> None:
    """Found by hypothesis: after a broken launch (``k<<<``) tree-sitter may swallow the includes
    that follow, so a port that had written hip/hip_runtime.h there added it again on top."""
    kernel = "__global__ void k(float* x) { x[threadIdx.x] = 0; }\n"
    broken = kernel + "k<<<\n" + kernel + '#include "cublas_v2.h"\n#include <cuda_runtime.h>'
    once = ported(broken)
    assert once.count("#include <hip/hip_runtime.h>") == 1
    assert ported(once) == once
