// The control plane: commands on /dev/ublk-control over an SQE128 io_uring.
//
// One Control per user (a device, or one CLI command). Not thread-safe: the
// caller serialises calls. Every command has a deadline; when it passes the
// command is cancelled, and if the kernel still holds it the ring is retired
// (leaked, never reused) so nothing waits forever and no memory the kernel may
// still write is freed.
#pragma once

#include <sched.h>
#include <liburing.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "uapi/abi.h"
#include "util/unique_fd.h"

namespace ublk::ctrl {

inline constexpr char kControlPath[] = "/dev/ublk-control";
inline constexpr absl::Duration kDefaultTimeout = absl::Seconds(30);

class Control {
 public:
  // Opens /dev/ublk-control and the control ring. Errors say whether the
  // driver is missing (ENOENT), access is denied (EACCES/EPERM) or io_uring is
  // unavailable.
  static absl::StatusOr<std::unique_ptr<Control>> Open(
      absl::Duration timeout = kDefaultTimeout);
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

  absl::Duration timeout() const { return timeout_; }

 private:
  struct Scratch;  // command payloads; leaked with the ring if it is retired
  Control(UniqueFd fd, absl::Duration timeout);
  // Sends one command and waits for its result (>= 0) or error.
  absl::StatusOr<int> Run(uapi::CtrlOp op, const char* name, uapi::CtrlCmd cmd);
  absl::Status Retire(const char* name);

  UniqueFd fd_;
  absl::Duration timeout_;
  io_uring ring_{};
  bool ring_ok_ = false;
  bool retired_ = false;
  std::unique_ptr<Scratch> scratch_;
  uint64_t next_user_data_ = 1;
};

// Human hint for a control-command errno ("is the device id taken?"), or "".
std::string CtrlErrorHint(uapi::CtrlOp op, int err);

}  // namespace ublk::ctrl
