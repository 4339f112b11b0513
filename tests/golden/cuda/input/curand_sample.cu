// cuRAND host generator and per-thread device states.
#include <cuda_runtime.h>
#include <curand.h>
#include <curand_kernel.h>

__global__ void setup(curandState* states, unsigned long long seed) {
  int id = blockIdx.x * blockDim.x + threadIdx.x;
  curand_init(seed, id, 0, &states[id]);
}

__global__ void sample(curandState* states, float* out) {
  int id = blockIdx.x * blockDim.x + threadIdx.x;
  curandState local = states[id];
  out[id] = curand_uniform(&local) + curand_normal(&local);
  states[id] = local;
}

int main() {
  const int n = 4096;
  float* values = nullptr;
  cudaMalloc(&values, n * sizeof(float));

  curandGenerator_t generator;
  curandCreateGenerator(&generator, CURAND_RNG_PSEUDO_DEFAULT);
  curandSetPseudoRandomGeneratorSeed(generator, 1234ULL);
  curandGenerateUniform(generator, values, n);
  curandGenerateNormal(generator, values, n, 0.0f, 1.0f);
  curandDestroyGenerator(generator);

  curandState* states = nullptr;
  cudaMalloc(&states, n * sizeof(curandState));
  setup<<<n / 128, 128>>>(states, 42ULL);
  sample<<<n / 128, 128>>>(states, values);
  cudaDeviceSynchronize();
  cudaFree(states);
  cudaFree(values);
  return 0;
}
