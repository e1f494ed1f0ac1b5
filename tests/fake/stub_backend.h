// Minimal C backend callbacks for tests and fuzzers that never serve real
// I/O: they only need valid ops and a count of free_user_data calls.
#pragma once

#include <cstdint>

#include "ublk.h"

namespace ublk::testing {

// free_user_data calls since the last reset (one process-wide counter).
inline int g_stub_frees = 0;
inline void StubFree(void*) { ++g_stub_frees; }
inline int32_t StubRead(void*, ublk_io*, void*, uint32_t n, uint64_t) {
  return static_cast<int32_t>(n);
}
inline int32_t StubWrite(void*, ublk_io*, const void*, uint32_t n, uint64_t) {
  return static_cast<int32_t>(n);
}
inline int32_t StubFlush(void*, ublk_io*) { return 0; }

// Synchronous read/write ops whose free_user_data counts into g_stub_frees.
inline ublk_backend_ops StubOps() {
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  ops.read = StubRead;
  ops.write = StubWrite;
  ops.free_user_data = StubFree;
  return ops;
}

}  // namespace ublk::testing
