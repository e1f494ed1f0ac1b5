#include "uapi/batch.h"

#include <cerrno>
#include <cstring>
#include <iterator>

#include "uapi/enum_names.h"
#include "util/status.h"

namespace ublk::uapi {

uint8_t BatchElemBytes(uint16_t flags) {
  if (flags & ~kBatchFAll) return 0;
  // The fallback flag means "buf_index is a sparse-table slot": no address.
  if ((flags & kBatchFAutoBufRegFallback) && (flags & kBatchFHasBufAddr)) return 0;
  return static_cast<uint8_t>(sizeof(BatchElemHeader) + ((flags & kBatchFHasBufAddr) ? 8 : 0) +
                              ((flags & kBatchFHasZoneLba) ? 8 : 0));
}

void PutBatchElem(uint8_t* base, uint16_t flags, size_t index, uint16_t tag, uint16_t buf_index,
                  int32_t result, uint64_t buf_addr) {
  uint8_t* p = base + index * BatchElemBytes(flags);
  const BatchElemHeader h{.tag = tag, .buf_index = buf_index, .result = result};
  std::memcpy(p, &h, sizeof(h));
  if (flags & kBatchFHasBufAddr) std::memcpy(p + sizeof(h), &buf_addr, sizeof(buf_addr));
}

CommitOutcome ParseCommitResult(int32_t res, uint32_t nr_elem, uint8_t elem_bytes) {
  CommitOutcome out;
  if (res < 0) {  // nothing was handled: the first element (or the header) was refused
    out.refused = nr_elem > 0;
    out.error = res;
    return out;
  }
  if (elem_bytes == 0 || static_cast<uint32_t>(res) % elem_bytes != 0 ||
      static_cast<uint32_t>(res) / elem_bytes > nr_elem) {
    out.malformed = true;
    return out;
  }
  out.committed = static_cast<uint32_t>(res) / elem_bytes;
  // A short count means the next element failed; the kernel keeps the error.
  out.refused = out.committed < nr_elem;
  out.error = out.refused ? -22 /* EINVAL: the kernel does not say which */ : 0;
  return out;
}

size_t ParseFetchedTags(const uint8_t* buf, size_t buf_len, int32_t res, uint32_t depth,
                        uint16_t* out, uint32_t* bad) {
  *bad = 0;
  if (res < 0 || (res & 1) || static_cast<size_t>(res) > buf_len) {
    *bad = 1;
    return 0;
  }
  size_t n = 0;
  for (size_t off = 0; off < static_cast<size_t>(res); off += 2) {
    uint16_t tag;
    std::memcpy(&tag, buf + off, sizeof(tag));
    if (tag >= depth) {
      ++*bad;
      continue;
    }
    out[n++] = tag;
  }
  return n;
}

namespace {
constexpr const char* kBatchIoNames[] = {"auto", "off", "on"};  // by BatchIoPolicy
static_assert(std::size(kBatchIoNames) == kMaxBatchIoPolicy + 1);
}  // namespace

const char* BatchIoPolicyName(BatchIoPolicy policy) { return EnumName(policy, kBatchIoNames); }

bool BatchIoPolicyFromName(absl::string_view name, BatchIoPolicy* out) {
  return EnumFromName(name, kBatchIoNames, out);
}

absl::StatusOr<bool> ResolveBatchIo(BatchIoPolicy policy, uint64_t features, DataMode mode) {
  if (policy == BatchIoPolicy::kOff) return false;
  if (!(features & kFBatchIo)) {
    if (policy == BatchIoPolicy::kAuto) return false;
    return ErrnoError(EOPNOTSUPP,
                      "batch I/O needs UBLK_F_BATCH_IO (kernel 7.0+); the running kernel does "
                      "not report it");
  }
  if (mode == DataMode::kNeedGetData) {
    if (policy == BatchIoPolicy::kAuto) return false;
    return ErrnoError(EOPNOTSUPP, "batch I/O cannot be combined with data mode need-get-data");
  }
  return true;
}

uint16_t BatchElemFlags(const DataPlan& plan) {
  if (plan.kernel_copies()) return kBatchFHasBufAddr;
  if (plan.auto_buf_reg) return kBatchFAutoBufRegFallback;
  return 0;
}

}  // namespace ublk::uapi
