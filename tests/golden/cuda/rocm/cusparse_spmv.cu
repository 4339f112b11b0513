// y = A x with cuSPARSE's generic API on a CSR matrix.
#include <hip/hip_runtime.h>
#include <hipsparse/hipsparse.h>

int spmv(int rows, int cols, int nnz, int* row_offsets, int* columns, float* values, float* x, float* y) {
  hipsparseHandle_t handle = nullptr;
  hipsparseSpMatDescr_t matrix;
  hipsparseDnVecDescr_t vec_x, vec_y;
  const float alpha = 1.0f, beta = 0.0f;
  size_t buffer_size = 0;
  void* buffer = nullptr;

  if (hipsparseCreate(&handle) != HIPSPARSE_STATUS_SUCCESS) return 1;
  hipsparseCreateCsr(&matrix, rows, cols, nnz, row_offsets, columns, values, HIPSPARSE_INDEX_32I,
                    HIPSPARSE_INDEX_32I, HIPSPARSE_INDEX_BASE_ZERO, HIP_R_32F);
  hipsparseCreateDnVec(&vec_x, cols, x, HIP_R_32F);
  hipsparseCreateDnVec(&vec_y, rows, y, HIP_R_32F);
  hipsparseSpMV_bufferSize(handle, HIPSPARSE_OPERATION_NON_TRANSPOSE, &alpha, matrix, vec_x, &beta, vec_y,
                          HIP_R_32F, HIPSPARSE_MV_ALG_DEFAULT, &buffer_size);
  hipMalloc(&buffer, buffer_size);
  hipsparseSpMV(handle, HIPSPARSE_OPERATION_NON_TRANSPOSE, &alpha, matrix, vec_x, &beta, vec_y, HIP_R_32F,
               HIPSPARSE_MV_ALG_DEFAULT, buffer);
  hipsparseDestroySpMat(matrix);
  hipsparseDestroyDnVec(vec_x);
  hipsparseDestroyDnVec(vec_y);
  hipsparseDestroy(handle);
  hipFree(buffer);
  return 0;
}
