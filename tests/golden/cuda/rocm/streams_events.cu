// Streams, events, timing, stream priorities, host callbacks and a captured CUDA graph.
#include <hip/hip_runtime.h>
#include <cstdio>

__global__ void scale(float* x, float s, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] *= s;
}

static void  report(void* user_data) {
  std::printf("stream %d finished\n", *static_cast<int*>(user_data));
}

int main() {
  const int n = 1 << 16;
  float* x = nullptr;
  hipMalloc(&x, n * sizeof(float));

  int lowest = 0, highest = 0;
  hipDeviceGetStreamPriorityRange(&lowest, &highest);
  hipStream_t compute, copy;
  hipStreamCreateWithPriority(&compute, hipStreamNonBlocking, highest);
  hipStreamCreateWithFlags(&copy, hipStreamNonBlocking);

  hipEvent_t start, stop, ready;
  hipEventCreate(&start);
  hipEventCreate(&stop);
  hipEventCreateWithFlags(&ready, hipEventDisableTiming);

  hipEventRecord(start, compute);
  scale<<<n / 256, 256, 0, compute>>>(x, 2.0f, n);
  hipEventRecord(ready, compute);
  hipStreamWaitEvent(copy, ready, 0);
  hipMemsetAsync(x, 0, sizeof(float), copy);
  hipEventRecord(stop, compute);
  hipEventSynchronize(stop);

  float ms = 0.0f;
  hipEventElapsedTime(&ms, start, stop);
  std::printf("scale took %.3f ms\n", ms);

  static int id = 1;
  hipLaunchHostFunc(compute, report, &id);
  if (hipStreamQuery(copy) == hipErrorNotReady) hipStreamSynchronize(copy);

  // Capture two launches into a graph and replay it.
  hipGraph_t graph;
  hipGraphExec_t instance;
  hipStreamBeginCapture(compute, hipStreamCaptureModeGlobal);
  scale<<<n / 256, 256, 0, compute>>>(x, 0.5f, n);
  scale<<<n / 256, 256, 0, compute>>>(x, 4.0f, n);
  hipStreamEndCapture(compute, &graph);
  hipGraphInstantiate(&instance, graph, nullptr, nullptr, 0);
  for (int step = 0; step < 10; ++step) hipGraphLaunch(instance, compute);
  hipStreamSynchronize(compute);
  hipGraphExecDestroy(instance);
  hipGraphDestroy(graph);

  hipEventDestroy(start);
  hipEventDestroy(stop);
  hipEventDestroy(ready);
  hipStreamDestroy(compute);
  hipStreamDestroy(copy);
  hipFree(x);
  return 0;
}
