// Cooperative groups: block and tile handles, a tile reduction and a grid-wide launch.
#include <hip/hip_runtime.h>
#include <hip/hip_cooperative_groups.h>

namespace cg = cooperative_groups;

__global__ void tile_sum(const int* in, int* out) {
  cg::thread_block block = cg::this_thread_block();
  cg::thread_block_tile<32> tile = cg::tiled_partition<32>(block);
  int value = in[block.thread_rank()];
  for (int offset = tile.size() / 2; offset > 0; offset /= 2) {
    value += tile.shfl_down(value, offset);
  }
  if (tile.thread_rank() == 0) atomicAdd(out, value);
  block.sync();
}

int main() {
  int *in = nullptr, *out = nullptr;
  hipMalloc(&in, 256 * sizeof(int));
  hipMalloc(&out, sizeof(int));
  void* args[] = {&in, &out};
  hipLaunchCooperativeKernel(reinterpret_cast<void*>(tile_sum), dim3(1), dim3(256), args, 0, nullptr);
  hipDeviceSynchronize();
  hipFree(in);
  hipFree(out);
  return 0;
}
