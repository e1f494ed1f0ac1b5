// Decoding and validating the per-tag descriptors the kernel writes into
// shared memory. Nothing read from there is trusted: a descriptor the kernel
// could not have sent is refused with an errno, never executed. Pure.
#pragma once

#include <cstdint>

#include "uapi/abi.h"

namespace ublk::uapi {

// A request in the library's terms, after validation.
struct Request {
  uint8_t op = 0;       // kOp*
  uint32_t flags = 0;   // kIoF* bits (op_flags >> 8 << 8)
  uint64_t offset = 0;  // bytes
  uint32_t length = 0;  // bytes
};

struct RequestLimits {
  uint64_t dev_sectors = 0;   // device size
  uint32_t buffer_bytes = 0;  // per-tag data buffer (>= max I/O size)
  uint32_t ops_mask = 0;      // bit n set = op n may arrive (OpBit)
  uint32_t logical_bs_shift = 9;
};

constexpr uint32_t OpBit(uint8_t op) { return op < 32 ? 1u << op : 0; }

// Copies `shared` (volatile kernel memory) once and validates the copy.
// Returns 0 and fills `out`, or a negative errno: -EOPNOTSUPP for an op the
// device does not serve, -EINVAL for a malformed range or length.
int DecodeRequest(const IoDesc* shared, const RequestLimits& limits, Request* out);

}  // namespace ublk::uapi
