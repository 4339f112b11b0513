# FindCUDA era: macros and variables that predate the CUDA language.
find_package(CUDA 11.0 REQUIRED)
list(APPEND CUDA_NVCC_FLAGS -gencode arch=compute_80,code=sm_80 -Xptxas=-v)
cuda_add_library(legacy_ops STATIC legacy.cu)
cuda_add_cublas_to_target(legacy_ops)
if(CUDA_VERSION VERSION_LESS 11.0)
  message(FATAL_ERROR "CUDA too old")
endif()
include_directories($ENV{CUDA_HOME}/include)
