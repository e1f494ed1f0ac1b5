// Built-in backends.
#pragma once

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "queue/io.h"

namespace ublk::backends {

// Reads return zeros, writes are accepted and dropped. Flush, discard and
// write-zeroes succeed.
std::unique_ptr<Backend> MakeNull();

// A RAM disk of `size_bytes`. Memory is reserved lazily (anonymous
// MAP_NORESERVE mapping), so only written pages cost RAM; discard and
// write-zeroes give whole pages back.
absl::StatusOr<std::unique_ptr<Backend>> MakeMem(uint64_t size_bytes);

}  // namespace ublk::backends
