#include "uapi/features.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "uapi/abi.h"

namespace ublk::uapi {
namespace {

constexpr std::array<const char*, kNumKnownFeatureBits> kNames = {
    "ZERO_COPY",
    "URING_CMD_COMP_IN_TASK",
    "NEED_GET_DATA",
    "USER_RECOVERY",
    "USER_RECOVERY_REISSUE",
    "UNPRIVILEGED_DEV",
    "CMD_IOCTL_ENCODE",
    "USER_COPY",
    "ZONED",
    "USER_RECOVERY_FAIL_IO",
    "UPDATE_SIZE",
    "AUTO_BUF_REG",
    "QUIESCE",
    "PER_IO_DAEMON",
    "BUF_REG_OFF_DAEMON",
    "BATCH_IO",
    "INTEGRITY",
    "SAFE_STOP_DEV",
    "NO_AUTO_PART_SCAN",
    "SHMEM_ZC",
    "IO_DESC_SIZE",
};

}  // namespace

const char* FeatureName(int bit) {
  if (bit < 0 || bit >= kNumKnownFeatureBits) return nullptr;
  return kNames[static_cast<size_t>(bit)];
}

std::string DescribeFeatures(uint64_t flags) {
  if (flags == 0) return "none";
  std::string out;
  for (int bit = 0; bit < 64; ++bit) {
    if (!(flags & (uint64_t{1} << bit))) continue;
    if (!out.empty()) out += '|';
    const char* name = FeatureName(bit);
    if (name)
      out += name;
    else
      absl::StrAppend(&out, "unknown-bit-", bit);
  }
  return out;
}

}  // namespace ublk::uapi
