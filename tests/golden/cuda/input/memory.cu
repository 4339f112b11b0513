// Device memory, pinned host memory, managed memory and device properties.
#include <cuda_runtime.h>
#include <cstdio>
#include <cstdlib>

#define CUDA_CHECK(call)                                                       \
  do {                                                                         \
    cudaError_t err_ = (call);                                                 \
    if (err_ != cudaSuccess) {                                                 \
      std::fprintf(stderr, "CUDA error %s at %s:%d\n",                         \
                   cudaGetErrorString(err_), __FILE__, __LINE__);              \
      std::exit(1);                                                            \
    }                                                                          \
  } while (0)

__global__ void add_one(float* data, size_t n) {
  size_t i = blockIdx.x * static_cast<size_t>(blockDim.x) + threadIdx.x;
  if (i < n) data[i] += 1.0f;
}

int main() {
  const size_t n = 1 << 20;
  const size_t bytes = n * sizeof(float);

  cudaDeviceProp prop;
  CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
  std::printf("%s: %zu bytes of global memory\n", prop.name, prop.totalGlobalMem);

  size_t free_bytes = 0, total_bytes = 0;
  CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));

  float* host = nullptr;
  CUDA_CHECK(cudaMallocHost(&host, bytes));  // pinned
  for (size_t i = 0; i < n; ++i) host[i] = static_cast<float>(i);

  float* device = nullptr;
  CUDA_CHECK(cudaMalloc(&device, bytes));
  CUDA_CHECK(cudaMemset(device, 0, bytes));
  CUDA_CHECK(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice));
  add_one<<<(n + 255) / 256, 256>>>(device, n);
  CUDA_CHECK(cudaGetLastError());
  CUDA_CHECK(cudaMemcpy(host, device, bytes, cudaMemcpyDeviceToHost));

  float* pitched = nullptr;
  size_t pitch = 0;
  CUDA_CHECK(cudaMallocPitch(reinterpret_cast<void**>(&pitched), &pitch, 64 * sizeof(float), 64));
  CUDA_CHECK(cudaMemcpy2D(pitched, pitch, host, 64 * sizeof(float), 64 * sizeof(float), 64,
                          cudaMemcpyHostToDevice));

  cudaPointerAttributes attributes;
  CUDA_CHECK(cudaPointerGetAttributes(&attributes, device));

  // Unified memory: migrates on demand; prefetch it to the GPU first.
  float* managed = nullptr;
  CUDA_CHECK(cudaMallocManaged(&managed, bytes));
  CUDA_CHECK(cudaMemPrefetchAsync(managed, bytes, 0, 0));
  add_one<<<(n + 255) / 256, 256>>>(managed, n);
  CUDA_CHECK(cudaDeviceSynchronize());

  CUDA_CHECK(cudaFree(managed));
  CUDA_CHECK(cudaFree(pitched));
  CUDA_CHECK(cudaFree(device));
  CUDA_CHECK(cudaFreeHost(host));
  return 0;
}
