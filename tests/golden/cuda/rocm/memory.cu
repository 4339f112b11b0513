// Device memory, pinned host memory, managed memory and device properties.
#include <hip/hip_runtime.h>
#include <cstdio>
#include <cstdlib>

#define CUDA_CHECK(call)                                                       \
  do {                                                                         \
    hipError_t err_ = (call);                                                 \
    if (err_ != hipSuccess) {                                                 \
      std::fprintf(stderr, "CUDA error %s at %s:%d\n",                         \
                   hipGetErrorString(err_), __FILE__, __LINE__);              \
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

  hipDeviceProp_t prop;
  CUDA_CHECK(hipGetDeviceProperties(&prop, 0));
  std::printf("%s: %zu bytes of global memory\n", prop.name, prop.totalGlobalMem);

  size_t free_bytes = 0, total_bytes = 0;
  CUDA_CHECK(hipMemGetInfo(&free_bytes, &total_bytes));

  float* host = nullptr;
  CUDA_CHECK(hipHostMalloc(&host, bytes));  // pinned
  for (size_t i = 0; i < n; ++i) host[i] = static_cast<float>(i);

  float* device = nullptr;
  CUDA_CHECK(hipMalloc(&device, bytes));
  CUDA_CHECK(hipMemset(device, 0, bytes));
  CUDA_CHECK(hipMemcpy(device, host, bytes, hipMemcpyHostToDevice));
  add_one<<<(n + 255) / 256, 256>>>(device, n);
  CUDA_CHECK(hipGetLastError());
  CUDA_CHECK(hipMemcpy(host, device, bytes, hipMemcpyDeviceToHost));

  float* pitched = nullptr;
  size_t pitch = 0;
  CUDA_CHECK(hipMallocPitch(reinterpret_cast<void**>(&pitched), &pitch, 64 * sizeof(float), 64));
  CUDA_CHECK(hipMemcpy2D(pitched, pitch, host, 64 * sizeof(float), 64 * sizeof(float), 64,
                          hipMemcpyHostToDevice));

  hipPointerAttribute_t attributes;
  CUDA_CHECK(hipPointerGetAttributes(&attributes, device));

  // Unified memory: migrates on demand; prefetch it to the GPU first.
  float* managed = nullptr;
  CUDA_CHECK(hipMallocManaged(&managed, bytes));
  CUDA_CHECK(hipMemPrefetchAsync(managed, bytes, 0, 0));
  add_one<<<(n + 255) / 256, 256>>>(managed, n);
  CUDA_CHECK(hipDeviceSynchronize());

  CUDA_CHECK(hipFree(managed));
  CUDA_CHECK(hipFree(pitched));
  CUDA_CHECK(hipFree(device));
  CUDA_CHECK(hipHostFree(host));
  return 0;
}
