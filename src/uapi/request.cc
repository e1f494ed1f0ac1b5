#include "uapi/request.h"

#include <cerrno>
#include <cstring>

namespace ublk::uapi {
namespace {

bool RangeInside(uint64_t start, uint64_t count, uint64_t total) {
  return start <= total && count <= total - start;
}

}  // namespace

int DecodeRequest(const IoDesc* shared, const RequestLimits& lim, Request* out) {
  IoDesc d;
  std::memcpy(&d, shared, sizeof(d));  // one read of shared memory
  const uint8_t op = static_cast<uint8_t>(d.op_flags & 0xff);
  if (!(lim.ops_mask & OpBit(op))) return -EOPNOTSUPP;
  const uint64_t bytes = uint64_t{d.nr_sectors} << kSectorShift;
  const uint64_t lbs_mask = (uint64_t{1} << (lim.logical_bs_shift - kSectorShift)) - 1;
  switch (op) {
    case kOpRead:
    case kOpWrite:
      if (bytes > lim.buffer_bytes) return -EINVAL;
      [[fallthrough]];
    case kOpDiscard:
    case kOpWriteZeroes:
      if (d.nr_sectors == 0 || bytes > 0xffffffffu) return -EINVAL;
      if (!RangeInside(d.start_sector, d.nr_sectors, lim.dev_sectors)) return -EINVAL;
      if ((d.start_sector | d.nr_sectors) & lbs_mask) return -EINVAL;
      break;
    case kOpFlush:
      if (d.nr_sectors != 0) return -EINVAL;
      break;
    default: return -EOPNOTSUPP;
  }
  out->op = op;
  out->flags = d.op_flags & ~0xffu;
  out->offset = op == kOpFlush ? 0 : d.start_sector << kSectorShift;
  out->length = static_cast<uint32_t>(bytes);
  return 0;
}

}  // namespace ublk::uapi
