// A fake ublk control plane for tests and fuzzers: enough of the kernel's
// behaviour (device table, id allocation, flag negotiation, parameter
// checks, injected failures) to drive create/close paths without a driver.
// Written from the documented kernel rules, independently of src/uapi, so
// it can disagree with the library.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "ctrl/transport.h"
#include "uapi/abi.h"

namespace ublk::testing {

class FakeKernel {
 public:
  struct Dev {
    uapi::DevInfo info{};
    uapi::Params params{};
    bool has_params = false;
  };

  uint64_t features = 0x1fe;  // what 6.12 reports
  uint64_t clear_flags = 0;   // dropped from ADD_DEV replies (a clearing rule)
  // Fails the next command `op` with -errno `err` (0: none).
  void FailNext(uapi::CtrlOp op, int err) {
    fail_op_ = op;
    fail_err_ = err;
  }

  // Installs this fake as the transport of every later Control::Open;
  // uninstalled when the returned guard dies.
  std::shared_ptr<void> Install();

  size_t device_count();
  uint64_t commands() const { return commands_; }
  absl::StatusOr<int> Handle(uapi::CtrlOp op, const char* name, const uapi::CtrlCmd& cmd);

 private:
  int Do(uapi::CtrlOp op, const uapi::CtrlCmd& cmd);
  int AddDev(const uapi::CtrlCmd& cmd);
  int SetParams(Dev& d, const uapi::CtrlCmd& cmd);

  std::mutex mu_;
  std::map<uint32_t, Dev> devs_;
  uapi::CtrlOp fail_op_{};
  int fail_err_ = 0;
  uint64_t commands_ = 0;
};

}  // namespace ublk::testing
