// cuRAND host generator and per-thread device states.
#include <hip/hip_runtime.h>
#include <hiprand/hiprand.h>
#include <hiprand/hiprand_kernel.h>

__global__ void setup(hiprandState* states, unsigned long long seed) {
  int id = blockIdx.x * blockDim.x + threadIdx.x;
  hiprand_init(seed, id, 0, &states[id]);
}

__global__ void sample(hiprandState* states, float* out) {
  int id = blockIdx.x * blockDim.x + threadIdx.x;
  hiprandState local = states[id];
  out[id] = hiprand_uniform(&local) + hiprand_normal(&local);
  states[id] = local;
}

int main() {
  const int n = 4096;
  float* values = nullptr;
  hipMalloc(&values, n * sizeof(float));

  hiprandGenerator_t generator;
  hiprandCreateGenerator(&generator, HIPRAND_RNG_PSEUDO_DEFAULT);
  hiprandSetPseudoRandomGeneratorSeed(generator, 1234ULL);
  hiprandGenerateUniform(generator, values, n);
  hiprandGenerateNormal(generator, values, n, 0.0f, 1.0f);
  hiprandDestroyGenerator(generator);

  hiprandState* states = nullptr;
  hipMalloc(&states, n * sizeof(hiprandState));
  setup<<<n / 128, 128>>>(states, 42ULL);
  sample<<<n / 128, 128>>>(states, values);
  hipDeviceSynchronize();
  hipFree(states);
  hipFree(values);
  return 0;
}
