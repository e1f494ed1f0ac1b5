// ublk.h must compile as C++ (and its functions are noexcept there).
#include "ublk.h"

static_assert(noexcept(ublk_version()), "C API is noexcept in C++");
int headertest_cxx() {
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  return static_cast<int>(ops.struct_size);
}
