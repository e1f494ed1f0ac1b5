// The control plane: one method per /dev/ublk-control command, over a
// Transport (the real kernel's SQE128 io_uring, or a fake in tests).
//
// One Control per user (a device, or one CLI command). Not thread-safe: the
// caller serialises calls. Every command has a deadline (see transport.h);
// nothing waits forever.
#pragma once

#include <sched.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ctrl/transport.h"
#include "uapi/abi.h"
#include "util/unique_fd.h"

namespace ublk::ctrl {

class Control {
 public:
  // Opens the control device (or the test transport). Errors say whether the
  // driver is missing (ENOENT), access is denied (EACCES/EPERM) or io_uring
  // is unavailable.
  static absl::StatusOr<std::unique_ptr<Control>> Open(absl::Duration timeout = kDefaultTimeout);
  ~Control();
  Control(const Control&) = delete;
  Control& operator=(const Control&) = delete;

  // GET_FEATURES; on kernels without it (before 6.5) returns 0 and sets
  // *supported = false.
  absl::StatusOr<uint64_t> GetFeatures(bool* supported = nullptr);
  // ADD_DEV: `info` in, the kernel's negotiated copy out.
  absl::Status AddDev(uapi::DevInfo* info);
  absl::Status SetParams(uint32_t dev_id, const uapi::Params& params);
  absl::Status GetParams(uint32_t dev_id, uapi::Params* params);
  absl::Status StartDev(uint32_t dev_id, int32_t daemon_pid);
  absl::Status StopDev(uint32_t dev_id);
  absl::Status DelDev(uint32_t dev_id);
  // GET_DEV_INFO2 (with the /dev/ublkcN path), falling back to GET_DEV_INFO.
  absl::Status GetDevInfo(uint32_t dev_id, uapi::DevInfo* info);
  absl::Status GetQueueAffinity(uint32_t dev_id, uint16_t q_id, cpu_set_t* set);
  // Opens /dev/ublkcN of `dev_id`, waiting up to the timeout for it.
  absl::StatusOr<UniqueFd> OpenCharDev(uint32_t dev_id);

  absl::Duration timeout() const { return timeout_; }

 private:
  struct Scratch;  // command payloads; leaked if the transport is retired
  Control(std::unique_ptr<Transport> transport, absl::Duration timeout);
  absl::StatusOr<int> Run(uapi::CtrlOp op, const char* name, const void* addr, uint16_t len,
                          uint32_t dev_id, uint64_t data = 0);

  std::unique_ptr<Transport> transport_;
  absl::Duration timeout_;
  std::unique_ptr<Scratch> scratch_;
};

// The error for a failed command: "<NAME> failed: <strerror> (<hint>)".
absl::Status CtrlError(uapi::CtrlOp op, const char* name, int err);

}  // namespace ublk::ctrl
