// How control commands reach the kernel. The real transport is an SQE128
// io_uring on /dev/ublk-control (RingTransport); tests and fuzzers install a
// fake kernel with SetTransportFactoryForTesting.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "uapi/abi.h"
#include "util/unique_fd.h"

namespace ublk::ctrl {

inline constexpr char kControlPath[] = "/dev/ublk-control";
inline constexpr absl::Duration kDefaultTimeout = absl::Seconds(30);

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one command whose payload buffer (cmd.addr, cmd.len) stays valid
  // until the command completes; returns the kernel's result (>= 0) or an
  // errno status naming `name`.
  virtual absl::StatusOr<int> Send(uapi::CtrlOp op, const char* name, const uapi::CtrlCmd& cmd) = 0;
  // Opens a device's /dev/ublkcN, waiting (bounded) for it to appear.
  virtual absl::StatusOr<UniqueFd> OpenCharDev(const std::string& path, absl::Duration timeout) = 0;
  // True once a command could not be cancelled: payload memory the kernel
  // may still write must then never be freed.
  virtual bool retired() const { return false; }
};

// The real kernel: /dev/ublk-control and an SQE128 ring, every command with
// a deadline of `timeout`.
absl::StatusOr<std::unique_ptr<Transport>> OpenRingTransport(absl::Duration timeout);

using TransportFactory =
    std::function<absl::StatusOr<std::unique_ptr<Transport>>(absl::Duration timeout)>;
// Replaces the real kernel for every later Control::Open in this process
// (tests and fuzzers only; not thread-safe, nullptr restores the default).
void SetTransportFactoryForTesting(TransportFactory factory);

// Polls for `path` to appear (no udev in minimal systems), up to `timeout`.
absl::Status WaitForPath(const std::string& path, absl::Duration timeout);

}  // namespace ublk::ctrl
