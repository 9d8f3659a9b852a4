#pragma once
// Include Eigen through this header. GCC 12 with -march=native reports false
// (maybe-)uninitialized warnings inside Eigen's AVX-512 GEMM kernels (inlined intrinsics of
// avx512fintrin.h), which would fail -Werror builds. The warnings are attributed to the
// including file after inlining, so they are switched off for the rest of that file; push/pop
// around the include would not reach them.

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <Eigen/Dense>
