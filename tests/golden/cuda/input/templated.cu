// A templated kernel instantiated for float and half, with launch bounds.
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include "templated.cuh"

template <typename T, int BLOCK>
__global__ void __launch_bounds__(BLOCK) row_sum(const T* in, float* out, int cols) {
  __shared__ float tile[BLOCK];
  const T* row = in + static_cast<size_t>(blockIdx.x) * cols;
  float acc = 0.0f;
  for (int c = threadIdx.x; c < cols; c += BLOCK) acc += Accumulator<T>::widen(row[c]);
  tile[threadIdx.x] = acc;
  __syncthreads();
  for (int stride = BLOCK / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) tile[threadIdx.x] += tile[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[blockIdx.x] = tile[0];
}

template <typename T>
void launch(const T* in, float* out, int rows, int cols, cudaStream_t stream) {
  row_sum<T, 256><<<rows, 256, 0, stream>>>(in, out, cols);
}

template void launch<float>(const float*, float*, int, int, cudaStream_t);
template void launch<__half>(const __half*, float*, int, int, cudaStream_t);

__global__ void to_half(const float* in, __half* out, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = __float2half(in[i]);
}
