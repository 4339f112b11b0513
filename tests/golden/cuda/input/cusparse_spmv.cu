// y = A x with cuSPARSE's generic API on a CSR matrix.
#include <cuda_runtime.h>
#include <cusparse.h>

int spmv(int rows, int cols, int nnz, int* row_offsets, int* columns, float* values, float* x, float* y) {
  cusparseHandle_t handle = nullptr;
  cusparseSpMatDescr_t matrix;
  cusparseDnVecDescr_t vec_x, vec_y;
  const float alpha = 1.0f, beta = 0.0f;
  size_t buffer_size = 0;
  void* buffer = nullptr;

  if (cusparseCreate(&handle) != CUSPARSE_STATUS_SUCCESS) return 1;
  cusparseCreateCsr(&matrix, rows, cols, nnz, row_offsets, columns, values, CUSPARSE_INDEX_32I,
                    CUSPARSE_INDEX_32I, CUSPARSE_INDEX_BASE_ZERO, CUDA_R_32F);
  cusparseCreateDnVec(&vec_x, cols, x, CUDA_R_32F);
  cusparseCreateDnVec(&vec_y, rows, y, CUDA_R_32F);
  cusparseSpMV_bufferSize(handle, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, matrix, vec_x, &beta, vec_y,
                          CUDA_R_32F, CUSPARSE_SPMV_ALG_DEFAULT, &buffer_size);
  cudaMalloc(&buffer, buffer_size);
  cusparseSpMV(handle, CUSPARSE_OPERATION_NON_TRANSPOSE, &alpha, matrix, vec_x, &beta, vec_y, CUDA_R_32F,
               CUSPARSE_SPMV_ALG_DEFAULT, buffer);
  cusparseDestroySpMat(matrix);
  cusparseDestroyDnVec(vec_x);
  cusparseDestroyDnVec(vec_y);
  cusparseDestroy(handle);
  cudaFree(buffer);
  return 0;
}
