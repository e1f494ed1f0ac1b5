#include "uapi/data_mode.h"

#include <cerrno>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "uapi/abi.h"
#include "uapi/enum_names.h"
#include "util/status.h"

namespace ublk::uapi {
namespace {

absl::Status Missing(DataMode mode, const char* feature, const char* since) {
  return ErrnoError(
      EOPNOTSUPP, absl::StrCat("data mode ", DataModeName(mode), " needs kernel feature ", feature,
                               " (Linux ", since, " or newer); the running kernel lacks it"));
}

absl::StatusOr<DataPlan> ZeroCopy(DataMode mode, uint64_t features, bool file_ops_only) {
  if (!(features & kFSupportZeroCopy)) return Missing(mode, "SUPPORT_ZERO_COPY", "6.15");
  DataPlan p{.mode = mode, .flags = kFSupportZeroCopy};
  if (mode == DataMode::kZeroCopy && (features & kFAutoBufReg)) {
    p.flags |= kFAutoBufReg;
    p.auto_buf_reg = true;
  }
  p.zero_copy_file_ops = file_ops_only;
  if (!file_ops_only) {
    // The backend wants the bytes in its buffer: pread/pwrite on the char
    // device, which needs USER_COPY next to zero copy.
    if (!(features & kFUserCopy)) return Missing(mode, "USER_COPY", "6.5");
    p.flags |= kFUserCopy;
    p.server_copies = true;
  }
  return p;
}

}  // namespace

// Indexed by DataMode.
constexpr const char* kDataModeNames[] = {"copy",      "need-get-data", "user-copy",
                                          "zero-copy", "auto",          "zero-copy-manual"};
static_assert(std::size(kDataModeNames) == kMaxDataMode + 1);

const char* DataModeName(DataMode mode) { return EnumName(mode, kDataModeNames); }

bool DataModeFromName(absl::string_view name, DataMode* out) {
  return EnumFromName(name, kDataModeNames, out);
}

DataPlan UserCopy() {
  return DataPlan{.mode = DataMode::kUserCopy, .flags = kFUserCopy, .server_copies = true};
}

absl::StatusOr<DataPlan> ResolveDataMode(DataMode mode, uint64_t features,
                                         BackendDataAccess backend) {
  const bool file_ops_only = backend.file_ops_only;
  switch (mode) {
    case DataMode::kCopy: return DataPlan{};
    case DataMode::kNeedGetData:
      // Every ublk kernel has it; GET_FEATURES (6.5+) must not deny it.
      if (features && !(features & kFNeedGetData)) return Missing(mode, "NEED_GET_DATA", "6.0");
      return DataPlan{.mode = mode, .flags = kFNeedGetData};
    case DataMode::kUserCopy:
      if (!(features & kFUserCopy)) return Missing(mode, "USER_COPY", "6.5");
      return UserCopy();
    case DataMode::kZeroCopy:
    case DataMode::kZeroCopyManual: return ZeroCopy(mode, features, file_ops_only);
    case DataMode::kAuto:
      // Zero copy only pays when it removes the copy: for a backend that
      // reads its buffer it would add a pread/pwrite per request. User copy
      // pays for a backend whose data is in its own memory: the kernel then
      // copies straight between the request and that memory, one copy where
      // copy mode makes two. Otherwise copy mode, which needs no extra
      // syscall per request, is the fastest.
      if (file_ops_only && (features & kFSupportZeroCopy))
        return ZeroCopy(DataMode::kZeroCopy, features, true);
      if (backend.data_in_memory && (features & kFUserCopy)) return UserCopy();
      return DataPlan{};
  }
  return ErrnoError(EINVAL, absl::StrCat("unknown data mode ", static_cast<int>(mode)));
}

}  // namespace ublk::uapi
