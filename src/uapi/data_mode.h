// How request data travels between the kernel and the backend, and which
// kernel features each way needs. Pure: the choice is made from the
// GET_FEATURES mask and what the backend says it touches.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ublk::uapi {

enum class DataMode : uint8_t {
  kCopy = 0,            // the kernel copies into/out of the per-tag buffer
  kNeedGetData = 1,     // copy, but a WRITE's data is fetched in a second step
  kUserCopy = 2,        // the server copies with pread/pwrite on /dev/ublkcN
  kZeroCopy = 3,        // request pages registered as io_uring fixed buffers
  kAuto = 4,            // the fastest of the above the kernel and backend allow
  kZeroCopyManual = 5,  // zero copy, REGISTER/UNREGISTER_IO_BUF per request
};
inline constexpr uint8_t kMaxDataMode = 5;

// The resolved plan for one device.
struct DataPlan {
  DataMode mode = DataMode::kCopy;  // never kAuto
  uint64_t flags = 0;               // kF* bits to request at ADD_DEV
  bool auto_buf_reg = false;        // zero copy: the kernel registers buffers
  // The backend reads/writes the per-tag buffer, so in user-copy and zero
  // copy modes the library copies the data there with pread/pwrite.
  bool server_copies = false;
  // Zero copy with a backend that moves data only through ring file ops:
  // those use the registered request pages, and no byte is copied.
  bool zero_copy_file_ops = false;
  // BATCH_IO commands (uapi/batch.h); kFBatchIo is then in `flags`. Set after
  // ResolveDataMode, by ResolveBatchIo's verdict.
  bool batch_io = false;

  bool zero_copy() const {
    return mode == DataMode::kZeroCopy || mode == DataMode::kZeroCopyManual;
  }
  // The kernel copies the data into/out of the per-tag buffer (copy modes).
  bool kernel_copies() const { return !server_copies && !zero_copy(); }
};

// What the backend says about how it reaches the data.
struct BackendDataAccess {
  bool file_ops_only = false;   // never touches the per-tag buffer
  bool data_in_memory = false;  // its data is in its own memory (DataAt)
};

// `features`: the GET_FEATURES mask, or 0 when the kernel has no GET_FEATURES
// (before 6.5: then only copy and NEED_GET_DATA exist). EOPNOTSUPP names the
// missing feature and the kernel that has it.
absl::StatusOr<DataPlan> ResolveDataMode(DataMode mode, uint64_t features,
                                         BackendDataAccess backend);

const char* DataModeName(DataMode mode);
// The inverse of DataModeName; false for an unknown name.
bool DataModeFromName(absl::string_view name, DataMode* out);

}  // namespace ublk::uapi
