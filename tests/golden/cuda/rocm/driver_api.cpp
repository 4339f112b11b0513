// The driver API from a plain C++ file: load a module and launch a kernel from it.
#include <hip/hip_runtime.h>
#include <cstdio>

int run(const char* module_path) {
  hipDevice_t device;
  hipCtx_t context;
  hipModule_t module;
  hipFunction_t kernel;
  hipDeviceptr_t buffer;
  if (hipInit(0) != hipSuccess) return 1;
  hipDeviceGet(&device, 0);
  int warp = 0;
  hipDeviceGetAttribute(&warp, hipDeviceAttributeWarpSize, device);
  hipCtxCreate(&context, 0, device);
  hipModuleLoad(&module, module_path);
  hipModuleGetFunction(&kernel, module, "scale");
  hipMalloc(&buffer, 1024 * sizeof(float));
  float host[1024] = {};
  hipMemcpyHtoD(buffer, host, sizeof(host));
  void* args[] = {&buffer};
  hipModuleLaunchKernel(kernel, 4, 1, 1, 256, 1, 1, 0, nullptr, args, nullptr);
  hipCtxSynchronize();
  hipMemcpyDtoH(host, buffer, sizeof(host));
  hipFree(buffer);
  hipModuleUnload(module);
  hipCtxDestroy(context);
  std::printf("warp size %d\n", warp);
  return 0;
}
