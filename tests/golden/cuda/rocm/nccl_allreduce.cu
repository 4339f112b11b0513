// One process per GPU: sum a buffer across ranks with NCCL.
#include <hip/hip_runtime.h>
#include <rccl/rccl.h>
#include <cstdio>

#define NCCL_CHECK(call)                                                     \
  do {                                                                       \
    ncclResult_t r_ = (call);                                                \
    if (r_ != ncclSuccess) std::printf("NCCL: %s\n", ncclGetErrorString(r_)); \
  } while (0)

int allreduce(float* buffer, size_t count, int rank, int world, const ncclUniqueId& id) {
  hipSetDevice(rank);
  hipStream_t stream;
  hipStreamCreate(&stream);
  ncclComm_t comm;
  NCCL_CHECK(ncclCommInitRank(&comm, world, id, rank));
  NCCL_CHECK(ncclGroupStart());
  NCCL_CHECK(ncclAllReduce(buffer, buffer, count, ncclFloat, ncclSum, comm, stream));
  NCCL_CHECK(ncclBroadcast(buffer, buffer, count, ncclFloat, 0, comm, stream));
  NCCL_CHECK(ncclGroupEnd());
  hipStreamSynchronize(stream);
  int ranks = 0;
  NCCL_CHECK(ncclCommCount(comm, &ranks));
  NCCL_CHECK(ncclCommDestroy(comm));
  hipStreamDestroy(stream);
  return ranks == world ? 0 : 1;
}

ncclUniqueId make_id() {
  ncclUniqueId id;
  ncclGetUniqueId(&id);
  return id;
}
