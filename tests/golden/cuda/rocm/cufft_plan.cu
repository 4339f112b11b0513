// A batched 1-D complex FFT with cuFFT.
#include <hip/hip_runtime.h>
#include <hipfft/hipfft.h>
#include <cstdio>

int fft(hipfftComplex* signal, int nx, int batch, hipStream_t stream) {
  hipfftHandle plan;
  if (hipfftPlan1d(&plan, nx, HIPFFT_C2C, batch) != HIPFFT_SUCCESS) {
    std::printf("plan failed\n");
    return 1;
  }
  hipfftSetStream(plan, stream);
  hipfftExecC2C(plan, signal, signal, HIPFFT_FORWARD);
  hipfftExecC2C(plan, signal, signal, HIPFFT_BACKWARD);
  size_t work = 0;
  hipfftGetSize(plan, &work);
  hipfftDestroy(plan);
  return 0;
}
