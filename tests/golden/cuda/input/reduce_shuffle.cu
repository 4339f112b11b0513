// A block reduction with shared memory and warp shuffles: the warp-size pits in one place.
#include <cuda_runtime.h>

#define WARP_SIZE 32
#define FULL_MASK 0xffffffff

__inline__ __device__ float warp_reduce_sum(float value) {
  for (int offset = WARP_SIZE / 2; offset > 0; offset /= 2) {
    value += __shfl_down_sync(FULL_MASK, value, offset);
  }
  return value;
}

__global__ void block_sum(const float* __restrict__ in, float* out, int n) {
  __shared__ float partial[1024 / WARP_SIZE];  // one slot per warp
  extern __shared__ float scratch[];            // dynamic shared memory
  const int tid = threadIdx.x;
  const int lane = tid % 32;
  const int warp = tid / 32;

  float value = 0.0f;
  for (int i = blockIdx.x * blockDim.x + tid; i < n; i += blockDim.x * gridDim.x) {
    value += __ldg(&in[i]);
  }
  scratch[tid] = value;
  value = warp_reduce_sum(value);
  if (lane == 0) partial[warp] = value;
  __syncthreads();

  // Which lanes of the first warp hold a partial sum?
  unsigned active = __ballot_sync(0xffffffff, tid < blockDim.x / 32);
  if (warp == 0) {
    value = (lane < blockDim.x / WARP_SIZE) ? partial[lane] : 0.0f;
    value = warp_reduce_sum(value);
    if (lane == 0 && active != 0u) atomicAdd(out, value);
  }
  float neighbour = __shfl_xor_sync(FULL_MASK, scratch[tid], 1);
  if (__any_sync(FULL_MASK, neighbour < 0.0f)) out[1] = neighbour;
}

int main() {
  const int n = 1 << 20;
  float *in = nullptr, *out = nullptr;
  cudaMalloc(&in, n * sizeof(float));
  cudaMalloc(&out, 2 * sizeof(float));
  cudaMemset(out, 0, 2 * sizeof(float));
  block_sum<<<256, 1024, 1024 * sizeof(float)>>>(in, out, n);
  cudaDeviceSynchronize();
  cudaFree(in);
  cudaFree(out);
  return 0;
}
