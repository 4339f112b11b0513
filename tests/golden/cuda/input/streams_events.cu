// Streams, events, timing, stream priorities, host callbacks and a captured CUDA graph.
#include <cuda_runtime.h>
#include <cstdio>

__global__ void scale(float* x, float s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= s;
}

static void CUDART_CB report(void* user_data) {
  std::printf("stream %d finished\n", *static_cast<int*>(user_data));
}

int main() {
  const int n = 1 << 16;
  float* x = nullptr;
  cudaMalloc(&x, n * sizeof(float));

  int lowest = 0, highest = 0;
  cudaDeviceGetStreamPriorityRange(&lowest, &highest);
  cudaStream_t compute, copy;
  cudaStreamCreateWithPriority(&compute, cudaStreamNonBlocking, highest);
  cudaStreamCreateWithFlags(&copy, cudaStreamNonBlocking);

  cudaEvent_t start, stop, ready;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  cudaEventCreateWithFlags(&ready, cudaEventDisableTiming);

  cudaEventRecord(start, compute);
  scale<<<n / 256, 256, 0, compute>>>(x, 2.0f, n);
  cudaEventRecord(ready, compute);
  cudaStreamWaitEvent(copy, ready, 0);
  cudaMemsetAsync(x, 0, sizeof(float), copy);
  cudaEventRecord(stop, compute);
  cudaEventSynchronize(stop);

  float ms = 0.0f;
  cudaEventElapsedTime(&ms, start, stop);
  std::printf("scale took %.3f ms\n", ms);

  static int id = 1;
  cudaLaunchHostFunc(compute, report, &id);
  if (cudaStreamQuery(copy) == cudaErrorNotReady) cudaStreamSynchronize(copy);

  // Capture two launches into a graph and replay it.
  cudaGraph_t graph;
  cudaGraphExec_t instance;
  cudaStreamBeginCapture(compute, cudaStreamCaptureModeGlobal);
  scale<<<n / 256, 256, 0, compute>>>(x, 0.5f, n);
  scale<<<n / 256, 256, 0, compute>>>(x, 4.0f, n);
  cudaStreamEndCapture(compute, &graph);
  cudaGraphInstantiate(&instance, graph, nullptr, nullptr, 0);
  for (int step = 0; step < 10; ++step) cudaGraphLaunch(instance, compute);
  cudaStreamSynchronize(compute);
  cudaGraphExecDestroy(instance);
  cudaGraphDestroy(graph);

  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  cudaEventDestroy(ready);
  cudaStreamDestroy(compute);
  cudaStreamDestroy(copy);
  cudaFree(x);
  return 0;
}
