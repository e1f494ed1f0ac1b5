// Adapts a C `struct ublk_backend_ops` + user_data to the C++ Backend.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "queue/io.h"
#include "uapi/abi.h"
#include "ublk.h"

namespace ublk::capi {

// Copies the first struct_size bytes of `ops` and checks them. Owns
// user_data from here on: free_user_data runs exactly once, when the result
// is destroyed, or before returning an error.
absl::StatusOr<std::unique_ptr<Backend>> MakeCBackend(const ublk_backend_ops* ops, void* user_data);

// Conversions between the C handle and the internal request.
inline ublk_io* ToC(Io* io) { return reinterpret_cast<ublk_io*>(io); }
inline Io* FromC(ublk_io* io) { return reinterpret_cast<Io*>(io); }
inline const Io* FromC(const ublk_io* io) { return reinterpret_cast<const Io*>(io); }

// A request's kernel flag bits (uapi::kIoF*) as UBLK_OP_FLAG_*.
inline uint32_t ToCOpFlags(uint32_t kernel_flags) {
  return ((kernel_flags & uapi::kIoFFua) ? UBLK_OP_FLAG_FUA : 0u) |
         ((kernel_flags & uapi::kIoFNoUnmap) ? UBLK_OP_FLAG_NOUNMAP : 0u);
}

}  // namespace ublk::capi
