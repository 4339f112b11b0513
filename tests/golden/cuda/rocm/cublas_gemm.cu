// Single-precision GEMM and a strided batched GEMM through cuBLAS.
#include <hip/hip_runtime.h>
#include <hipblas/hipblas.h>
#include <cstdio>

#define CUBLAS_CHECK(call)                                              \
  do {                                                                  \
    hipblasStatus_t status_ = (call);                                    \
    if (status_ != HIPBLAS_STATUS_SUCCESS) {                             \
      std::printf("cuBLAS error %d at line %d\n", status_, __LINE__);   \
    }                                                                   \
  } while (0)

int gemm(const float* a, const float* b, float* c, int m, int n, int k, hipStream_t stream) {
  hipblasHandle_t handle;
  CUBLAS_CHECK(hipblasCreate(&handle));
  CUBLAS_CHECK(hipblasSetStream(handle, stream));
  CUBLAS_CHECK(hipblasSetPointerMode(handle, HIPBLAS_POINTER_MODE_HOST));
  const float alpha = 1.0f, beta = 0.0f;
  // Column-major C = A * B.
  CUBLAS_CHECK(hipblasSgemm(handle, HIPBLAS_OP_N, HIPBLAS_OP_N, m, n, k, &alpha, a, m, b, k, &beta, c, m));
  CUBLAS_CHECK(hipblasSgemmStridedBatched(handle, HIPBLAS_OP_T, HIPBLAS_OP_N, m, n, k, &alpha, a, k,
                                         static_cast<long long>(m) * k, b, k,
                                         static_cast<long long>(k) * n, &beta, c, m,
                                         static_cast<long long>(m) * n, 4));
  float norm = 0.0f;
  CUBLAS_CHECK(hipblasSnrm2(handle, m * n, c, 1, &norm));
  CUBLAS_CHECK(hipblasDestroy(handle));
  return norm > 0.0f ? 0 : 1;
}
