// BATCH_IO (UBLK_F_BATCH_IO, kernel 7.0+): one command prepares, commits or
// fetches many tags. The wire structures and the pure helpers that build
// element arrays and read the kernel's answers. Pure and fuzzable.
//
//   PREP_IO_CMDS   before START_DEV: hands every tag (and its buffer) to the
//                  kernel; all or nothing.
//   FETCH_IO_CMDS  multishot: each CQE carries res bytes of u16 tags, written
//                  into a buffer taken from a provided-buffer ring.
//   COMMIT_IO_CMDS completes requests; the tag is then the kernel's again
//                  (no separate re-fetch). The CQE says how many element
//                  bytes were handled: the element after them failed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "uapi/abi.h"
#include "uapi/data_mode.h"

namespace ublk::uapi {

// Bytes per PREP/COMMIT element with `flags`, or 0 if the flags are not
// valid together (unknown bits, fallback with a buffer address).
uint8_t BatchElemBytes(uint16_t flags);

// Writes element `index` of an array with `flags` layout at `base`.
void PutBatchElem(uint8_t* base, uint16_t flags, size_t index, uint16_t tag, uint16_t buf_index,
                  int32_t result, uint64_t buf_addr);

// What a COMMIT_IO_CMDS CQE for `nr_elem` elements of `elem_bytes` says.
struct CommitOutcome {
  uint32_t committed = 0;  // elements 0..committed-1 went through
  // Element `committed` was refused (with `error`); the ones after it were
  // not looked at and must be sent again.
  bool refused = false;
  int32_t error = 0;
  bool malformed = false;  // res is no whole number of elements, or too many
};
CommitOutcome ParseCommitResult(int32_t res, uint32_t nr_elem, uint8_t elem_bytes);

// Reads the tags of a FETCH CQE (`res` bytes at `buf`, from a buffer of
// `buf_len` bytes) into `out` (room for buf_len / 2 tags). Tags >= depth
// are dropped and counted in *bad. Returns the number of tags stored; a
// negative, odd or oversized `res` yields 0 with *bad = 1.
size_t ParseFetchedTags(const uint8_t* buf, size_t buf_len, int32_t res, uint32_t depth,
                        uint16_t* out, uint32_t* bad);

// Whether a device uses BATCH_IO: kAuto when the kernel reports it and the
// data mode allows it, kOn always (or the device is refused), kOff never.
enum class BatchIoPolicy : uint8_t { kAuto = 0, kOff = 1, kOn = 2 };
inline constexpr uint8_t kMaxBatchIoPolicy = 2;
const char* BatchIoPolicyName(BatchIoPolicy policy);
bool BatchIoPolicyFromName(absl::string_view name, BatchIoPolicy* out);

// The decision for `policy` on a kernel with GET_FEATURES mask `features`
// (0: none) and the resolved data mode. EOPNOTSUPP for kOn when the kernel
// lacks it (7.0+) or the mode is NEED_GET_DATA, which batch commands cannot do.
absl::StatusOr<bool> ResolveBatchIo(BatchIoPolicy policy, uint64_t features, DataMode mode);

// The element flags PREP/COMMIT use for `plan`: a buffer address when the
// kernel copies into the per-tag buffer, the fallback flag with automatic
// buffer registration, none otherwise.
uint16_t BatchElemFlags(const DataPlan& plan);

}  // namespace ublk::uapi
