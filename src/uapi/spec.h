// What a device should look like, in the library's own terms, and the rules
// that decide whether the kernel could accept it. Pure: no syscalls.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "uapi/abi.h"
#include "uapi/affinity.h"
#include "uapi/batch.h"
#include "uapi/data_mode.h"
#include "uapi/queue_sched.h"
#include "uapi/queue_threads.h"

namespace ublk::uapi {

// Library defaults, chosen like the reference servers'.
inline constexpr uint16_t kDefaultQueues = 1;
inline constexpr uint16_t kDefaultDepth = 64;
inline constexpr uint32_t kDefaultMaxIoBytes = 512 * 1024;
inline constexpr uint32_t kMaxIoBytes = 1u << kIoBufBits;  // 32 MiB
// The kernel checks block sizes against PAGE_SIZE; x86-64 and arm64 4k.
inline constexpr uint32_t kPageSize = 4096;

struct DeviceSpec {
  uint64_t size_bytes = 0;
  uint32_t logical_block_size = 512;
  uint32_t physical_block_size = 0;     // 0 = same as logical
  uint32_t io_opt_bytes = 0;            // 0 = physical block size
  uint32_t io_min_bytes = 0;            // 0 = logical block size
  uint32_t nr_queues = kDefaultQueues;  // wide: out-of-range input stays visible
  uint32_t queue_depth = kDefaultDepth;
  uint32_t max_io_bytes = kDefaultMaxIoBytes;
  uint32_t dev_id = kAutoDevId;
  bool read_only = false;
  bool rotational = false;
  // What the backend can do; decides the advertised attributes.
  bool volatile_cache = false;  // has flush
  bool fua = false;             // honours FUA (only with volatile_cache)
  bool discard = false;
  bool write_zeroes = false;
  DataMode data_mode = DataMode::kCopy;  // its kF* bits are added at create
  QueueAffinity queue_affinity = QueueAffinity::kAuto;
  QueueSched queue_sched = QueueSched::kInherit;
  uint32_t queue_threads = 0;  // 0 = one per queue (see uapi/queue_threads.h)
  BatchIoPolicy batch_io = BatchIoPolicy::kAuto;
  uint64_t kernel_flags = 0;  // other kF* bits to request at ADD_DEV
};

// The rules each field obeys on its own (size 0 = not set yet). The config
// builder applies them at every setter, so a bad value is refused where it
// is given.
absl::Status ValidateFields(const DeviceSpec& spec);

// ValidateFields, plus what a complete spec needs: a size, a multiple of the
// logical block size, FUA only with a volatile cache. The message names the
// offending value and the rule.
absl::Status ValidateSpec(const DeviceSpec& spec);

// The ADD_DEV payload for a (validated) spec.
DevInfo BuildDevInfo(const DeviceSpec& spec);

// The SET_PARAMS payload for a (validated) spec.
Params BuildParams(const DeviceSpec& spec);

// Features mask meaning "a kernel that knows every parameter type".
inline constexpr uint64_t kAllFeatures = ~uint64_t{0};

// The parameter types a kernel with GET_FEATURES mask `features` understands
// (0 = no GET_FEATURES: before 6.5). Kernels silently drop types they do
// not know, so the library refuses to send those.
uint32_t KnownParamTypes(uint64_t features);

// The kernel's own SET_PARAMS rules (drivers/block/ublk_drv.c,
// ublk_validate_params), applied before anything is sent. `max_io_buf_bytes`
// is what the kernel reported after ADD_DEV, `flags` the negotiated flags,
// `features` the GET_FEATURES mask. EINVAL where the kernel would say
// EINVAL; EOPNOTSUPP for a type the running kernel would silently ignore.
absl::Status ValidateParams(const Params& params, uint32_t max_io_buf_bytes, uint64_t flags,
                            uint64_t features = kAllFeatures);

// Decodes a dev_info returned by the kernel, refusing values a sane kernel
// cannot produce (queues/depth out of range, ...).
absl::Status ValidateKernelDevInfo(const DevInfo& info);

}  // namespace ublk::uapi
