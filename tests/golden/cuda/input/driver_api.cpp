// The driver API from a plain C++ file: load a module and launch a kernel from it.
#include <cuda.h>
#include <cstdio>

int run(const char* module_path) {
  CUdevice device;
  CUcontext context;
  CUmodule module;
  CUfunction kernel;
  CUdeviceptr buffer;
  if (cuInit(0) != CUDA_SUCCESS) return 1;
  cuDeviceGet(&device, 0);
  int warp = 0;
  cuDeviceGetAttribute(&warp, CU_DEVICE_ATTRIBUTE_WARP_SIZE, device);
  cuCtxCreate(&context, 0, device);
  cuModuleLoad(&module, module_path);
  cuModuleGetFunction(&kernel, module, "scale");
  cuMemAlloc(&buffer, 1024 * sizeof(float));
  float host[1024] = {};
  cuMemcpyHtoD(buffer, host, sizeof(host));
  void* args[] = {&buffer};
  cuLaunchKernel(kernel, 4, 1, 1, 256, 1, 1, 0, nullptr, args, nullptr);
  cuCtxSynchronize();
  cuMemcpyDtoH(host, buffer, sizeof(host));
  cuMemFree(buffer);
  cuModuleUnload(module);
  cuCtxDestroy(context);
  std::printf("warp size %d\n", warp);
  return 0;
}
