#include "uapi/spec.h"

#include <bit>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "util/status.h"

namespace ublk::uapi {
namespace {

bool IsPow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }
uint8_t Log2(uint64_t v) { return static_cast<uint8_t>(std::countr_zero(v)); }

absl::Status Invalid(absl::string_view what) { return ErrnoError(EINVAL, what); }

// Largest physical block size / io_min / io_opt any kernel accepts.
constexpr uint32_t kMaxBlockAttr = 256u << 20;

uint32_t Physical(const DeviceSpec& s) {
  return s.physical_block_size ? s.physical_block_size : s.logical_block_size;
}

absl::Status ValidateBlockSizes(const DeviceSpec& s) {
  const uint32_t lbs = s.logical_block_size;
  if (!IsPow2(lbs) || lbs < 512 || lbs > kPageSize)
    return Invalid(absl::StrCat("logical block size ", lbs, " must be a power of two in [512, ",
                                kPageSize, "]"));
  const uint32_t pbs = Physical(s);
  if (!IsPow2(pbs) || pbs < lbs || pbs > kMaxBlockAttr)
    return Invalid(absl::StrCat("physical block size ", pbs,
                                " must be a power of two >= the logical block size ", lbs,
                                " and at most 256 MiB"));
  if (s.io_opt_bytes &&
      (!IsPow2(s.io_opt_bytes) || s.io_opt_bytes < lbs || s.io_opt_bytes > kMaxBlockAttr))
    return Invalid(
        absl::StrCat("optimal I/O size ", s.io_opt_bytes, " must be a power of two >= ", lbs));
  if (s.io_min_bytes &&
      (!IsPow2(s.io_min_bytes) || s.io_min_bytes < lbs || s.io_min_bytes > kMaxBlockAttr))
    return Invalid(
        absl::StrCat("minimum I/O size ", s.io_min_bytes, " must be a power of two >= ", lbs));
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateFields(const DeviceSpec& s) {
  UBLK_RETURN_IF_ERROR(ValidateBlockSizes(s));
  if (s.size_bytes % 512 || s.size_bytes >> 62)
    return Invalid(
        absl::StrCat("device size ", s.size_bytes, " must be a multiple of 512 below 2^62"));
  if (s.nr_queues == 0 || s.nr_queues > kMaxNrQueues)
    return Invalid(
        absl::StrCat("number of queues ", s.nr_queues, " must be in [1, ", kMaxNrQueues, "]"));
  if (s.queue_depth == 0 || s.queue_depth > kMaxQueueDepth)
    return Invalid(
        absl::StrCat("queue depth ", s.queue_depth, " must be in [1, ", kMaxQueueDepth, "]"));
  if (s.max_io_bytes < kPageSize || s.max_io_bytes > kMaxIoBytes || s.max_io_bytes % kPageSize)
    return Invalid(absl::StrCat("max I/O size ", s.max_io_bytes, " must be a multiple of ",
                                kPageSize, " in [", kPageSize, ", ", kMaxIoBytes, "]"));
  if (s.dev_id != kAutoDevId && s.dev_id >= kMaxDevices)
    return Invalid(
        absl::StrCat("device id ", s.dev_id, " must be below ", kMaxDevices, " (or auto)"));
  if (s.queue_threads > kMaxNrQueues)
    return Invalid(absl::StrCat("number of queue threads ", s.queue_threads, " must be at most ",
                                kMaxNrQueues, " (0 = one per queue)"));
  if (static_cast<uint8_t>(s.data_mode) > kMaxDataMode)
    return Invalid(absl::StrCat("unknown data mode ", static_cast<int>(s.data_mode)));
  return absl::OkStatus();
}

absl::Status ValidateSpec(const DeviceSpec& s) {
  if (s.size_bytes == 0) return Invalid("device size must be greater than 0");
  UBLK_RETURN_IF_ERROR(ValidateFields(s));
  if (s.size_bytes % s.logical_block_size)
    return Invalid(absl::StrCat("device size ", s.size_bytes,
                                " is not a multiple of the logical block size ",
                                s.logical_block_size));
  if (s.fua && !s.volatile_cache)
    return Invalid("FUA needs a volatile cache (a backend with flush)");
  UBLK_RETURN_IF_ERROR(ValidateQueueThreads(s.nr_queues, s.queue_threads));
  return absl::OkStatus();
}

DevInfo BuildDevInfo(const DeviceSpec& s) {
  DevInfo info{};
  info.nr_hw_queues = static_cast<uint16_t>(s.nr_queues);  // validated: <= 4096
  info.queue_depth = static_cast<uint16_t>(s.queue_depth);
  info.max_io_buf_bytes = s.max_io_bytes;
  info.dev_id = s.dev_id;
  info.ublksrv_pid = -1;
  info.flags = s.kernel_flags | kFCmdIoctlEncode;
  return info;
}

Params BuildParams(const DeviceSpec& s) {
  Params p{};
  p.len = sizeof(Params);
  p.types = kParamBasic;
  const uint32_t pbs = Physical(s);
  ParamBasic& b = p.basic;
  if (s.read_only) b.attrs |= kAttrReadOnly;
  if (s.rotational) b.attrs |= kAttrRotational;
  if (s.volatile_cache) b.attrs |= kAttrVolatileCache;
  if (s.fua) b.attrs |= kAttrFua;
  b.logical_bs_shift = Log2(s.logical_block_size);
  b.physical_bs_shift = Log2(pbs);
  b.io_opt_shift = Log2(s.io_opt_bytes ? s.io_opt_bytes : pbs);
  b.io_min_shift = Log2(s.io_min_bytes ? s.io_min_bytes : s.logical_block_size);
  b.max_sectors = s.max_io_bytes >> kSectorShift;
  b.dev_sectors = s.size_bytes >> kSectorShift;
  if (s.discard || s.write_zeroes) {
    p.types |= kParamDiscard;
    ParamDiscard& d = p.discard;
    d.discard_granularity = pbs;
    // Bytes must fit the 32-bit length the request API reports.
    constexpr uint32_t kMaxSectors = 0xffffffffu >> kSectorShift;
    d.max_discard_sectors = s.discard ? kMaxSectors : 0;
    d.max_write_zeroes_sectors = s.write_zeroes ? kMaxSectors : 0;
    d.max_discard_segments = 1;
  }
  return p;
}

uint32_t KnownParamTypes(uint64_t features) {
  uint32_t t = kParamBasic | kParamDiscard | kParamDevt;
  if (features & kFZoned) t |= kParamZoned;
  // DMA alignment (6.14) and segment limits (6.15) have no feature bit of
  // their own; UPDATE_SIZE (6.15) is the first flag that implies both.
  if (features & kFUpdateSize) t |= kParamDmaAlign | kParamSegment;
  if (features & kFIntegrity) t |= kParamIntegrity;
  return t;
}

absl::Status ValidateParams(const Params& p, uint32_t max_io_buf_bytes, uint64_t flags,
                            uint64_t features) {
  if (p.len == 0 || p.len > sizeof(Params))
    return Invalid(absl::StrCat("parameter length ", p.len, " outside [1, ", sizeof(Params), "]"));
  if (const uint32_t unknown = p.types & ~KnownParamTypes(features))
    return ErrnoError(EOPNOTSUPP, absl::StrCat("parameter types 0x", absl::Hex(unknown),
                                               " are not supported by the running kernel"));
  if (!(p.types & kParamBasic)) return Invalid("parameters lack the basic block");
  const ParamBasic& b = p.basic;
  if (b.logical_bs_shift < 9 || b.logical_bs_shift > 12)
    return Invalid(absl::StrCat("logical_bs_shift ", b.logical_bs_shift, " outside [9, 12]"));
  if (b.logical_bs_shift > b.physical_bs_shift)
    return Invalid("logical block size larger than the physical block size");
  // Newer kernels cap physical block size, io_min and io_opt at 256 MiB
  // (seen in 7.3, absent in 6.12; UPDATE_SIZE is the proxy we use, so on
  // kernels in between the library may refuse a value the kernel takes).
  constexpr uint8_t kMaxShift = 28;
  if ((features & kFUpdateSize) &&
      (b.physical_bs_shift > kMaxShift || b.io_min_shift > kMaxShift || b.io_opt_shift > kMaxShift))
    return Invalid("physical block size, io_min and io_opt must be at most 256 MiB");
  if (b.max_sectors > (max_io_buf_bytes >> kSectorShift))
    return Invalid(absl::StrCat("max_sectors ", b.max_sectors, " exceeds the I/O buffer size ",
                                max_io_buf_bytes));
  if (b.max_sectors < kPageSize >> kSectorShift)
    return Invalid(absl::StrCat("max_sectors ", b.max_sectors, " is below one page"));
  if ((flags & kFZoned) && b.chunk_sectors == 0)
    return Invalid("a zoned device needs chunk_sectors");
  if (p.types & kParamDiscard) {
    const ParamDiscard& d = p.discard;
    if (d.max_discard_sectors && d.max_discard_segments != 1)
      return Invalid("discard supports exactly one segment");
    if (d.discard_granularity == 0) return Invalid("discard granularity is 0");
  }
  if (p.types & kParamDevt) return Invalid("the devt parameters are read-only");
  if ((p.types & kParamZoned) && !(flags & kFZoned))
    return Invalid("zoned parameters on a device that is not zoned");
  if ((p.types & kParamIntegrity) && !(flags & kFIntegrity))
    return Invalid("integrity parameters on a device without UBLK_F_INTEGRITY");
  if (p.types & kParamDmaAlign) {
    const uint32_t a = p.dma.alignment;
    if (a >= kPageSize || !IsPow2(uint64_t{a} + 1))
      return Invalid(absl::StrCat("DMA alignment mask ", a, " must be 2^n-1 below the page size"));
  }
  if (p.types & kParamSegment) {
    const ParamSegment& g = p.seg;
    if (!IsPow2(g.seg_boundary_mask + 1) || g.seg_boundary_mask + 1 < kPageSize)
      return Invalid("segment boundary mask must be 2^n-1 and >= page size - 1");
    if (g.max_segment_size < kPageSize) return Invalid("max segment size below the page size");
  }
  return absl::OkStatus();
}

absl::Status ValidateKernelDevInfo(const DevInfo& info) {
  if (info.nr_hw_queues == 0 || info.nr_hw_queues > kMaxNrQueues || info.queue_depth == 0 ||
      info.queue_depth > kMaxQueueDepth)
    return ErrnoError(EPROTO, absl::StrCat("kernel reported ", info.nr_hw_queues,
                                           " queues of depth ", info.queue_depth));
  if (info.max_io_buf_bytes < kPageSize || info.max_io_buf_bytes > kMaxIoBytes)
    return ErrnoError(
        EPROTO, absl::StrCat("kernel reported an I/O buffer of ", info.max_io_buf_bytes, " bytes"));
  if (info.dev_id >= kMaxDevices)
    return ErrnoError(EPROTO, absl::StrCat("kernel reported device id ", info.dev_id));
  return absl::OkStatus();
}

}  // namespace ublk::uapi
