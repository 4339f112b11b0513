// Constructs the demo project does not use, one or two lines each.
#include <cooperative_groups.h>
#include <cuda.h>
#include <cuda_runtime.h>
#include <cublas_v2.h>
#include <cudnn.h>
#include <mma.h>
#include <cub/cub.cuh>
#include <thrust/sort.h>
#include <cutlass/gemm/device/gemm.h>

namespace cg = cooperative_groups;
using namespace nvcuda;

__managed__ float total;

__global__ void tiles(const half* a, const half* b, float* c, cudaTextureObject_t lut) {
  cg::thread_block block = cg::this_thread_block();
  wmma::fragment<wmma::matrix_a, 16, 16, 16, half, wmma::row_major> fa;
  wmma::load_matrix_sync(fa, a, 16);
  float scale = tex1Dfetch<float>(lut, threadIdx.x);
  typedef cub::BlockReduce<float, 128> Reduce;
  block.sync();
  c[threadIdx.x] = scale;
}

void run(float* keys, int n, cudaStream_t stream) {
  float* shared = nullptr;
  cudaMallocManaged(&shared, n * sizeof(float));
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  cudaStreamBeginCapture(stream, cudaStreamCaptureModeGlobal);
  thrust::sort(keys, keys + n);
  cudaStreamEndCapture(stream, &graph);
  cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphLaunch(exec, stream);

  cublasHandle_t handle;
  cublasCreate(&handle);
  cublasSetMathMode(handle, CUBLAS_TF32_TENSOR_OP_MATH);

  cudnnHandle_t dnn;
  cudnnCreate(&dnn);

  CUmodule module;
  CUfunction kernel;
  cuModuleLoad(&module, "kernels.cubin");
  cuModuleGetFunction(&kernel, module, "tiles");

  cutlass::gemm::device::Gemm<float, cutlass::layout::RowMajor, float, cutlass::layout::RowMajor,
                              float, cutlass::layout::RowMajor> gemm;
}
