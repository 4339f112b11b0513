// A header of templated device code, included by templated.cu.
#pragma once
#include <hip/hip_runtime.h>
#include <hip/hip_fp16.h>

template <typename T>
struct Accumulator {
  __device__ static float widen(T value) { return static_cast<float>(value); }
};

template <>
struct Accumulator<__half> {
  __device__ static float widen(__half value) { return __half2float(value); }
};
