// Macros and preprocessor branches: error checks, launch wrappers, arch and version checks.
#include <cuda_runtime.h>
#include <cstdio>

#define CHECK(expr)                                                        \
  do {                                                                     \
    cudaError_t e = (expr);                                                \
    if (e != cudaSuccess) std::printf("%s\n", cudaGetErrorName(e));        \
  } while (0)

#define LAUNCH(kernel, blocks, threads, stream, ...) \
  kernel<<<(blocks), (threads), 0, (stream)>>>(__VA_ARGS__); CHECK(cudaGetLastError())

#if CUDART_VERSION >= 11000
#define HAS_ASYNC_ALLOC 1
#endif

__device__ unsigned lane_id() {
#if defined(__CUDA_ARCH__) && !defined(__HIP_PLATFORM_AMD__)
  unsigned id;
  asm volatile("mov.u32 %0, %%laneid;" : "=r"(id));
  return id;
#else
  return threadIdx.x % warpSize;
#endif
}

__global__ void fill(int* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
#ifdef __CUDA_ARCH__
  if (i < n) out[i] = static_cast<int>(lane_id());
#endif
}

int main() {
  int* out = nullptr;
  cudaStream_t stream;
  CHECK(cudaStreamCreate(&stream));
#ifdef HAS_ASYNC_ALLOC
  CHECK(cudaMallocAsync(reinterpret_cast<void**>(&out), 1024 * sizeof(int), stream));
#else
  CHECK(cudaMalloc(&out, 1024 * sizeof(int)));
#endif
  LAUNCH(fill, 4, 256, stream, out, 1024);
#ifdef __CUDACC__
  std::printf("compiled by a CUDA compiler\n");
#endif
  CHECK(cudaStreamSynchronize(stream));
  CHECK(cudaFreeAsync(out, stream));
  CHECK(cudaStreamDestroy(stream));
  return 0;
}
