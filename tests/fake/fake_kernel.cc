#include "tests/fake/fake_kernel.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "ctrl/control.h"
#include "util/status.h"

namespace ublk::testing {
namespace {

class FakeTransport final : public ctrl::Transport {
 public:
  explicit FakeTransport(FakeKernel* k) : k_(k) {}
  absl::StatusOr<int> Send(uapi::CtrlOp op, const char* name, const uapi::CtrlCmd& cmd) override {
    return k_->Handle(op, name, cmd);
  }
  absl::StatusOr<UniqueFd> OpenCharDev(const std::string&, absl::Duration) override {
    UniqueFd fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError(errno, "open /dev/null");
    return fd;
  }

 private:
  FakeKernel* k_;
};

bool Pow2(uint64_t v) { return v && !(v & (v - 1)); }

}  // namespace

std::shared_ptr<void> FakeKernel::Install() {
  ctrl::SetTransportFactoryForTesting(
      [this](absl::Duration) -> absl::StatusOr<std::unique_ptr<ctrl::Transport>> {
        return std::unique_ptr<ctrl::Transport>(new FakeTransport(this));
      });
  return std::shared_ptr<void>(nullptr,
                               [](void*) { ctrl::SetTransportFactoryForTesting(nullptr); });
}

size_t FakeKernel::device_count() {
  std::lock_guard<std::mutex> l(mu_);
  return devs_.size();
}

absl::StatusOr<int> FakeKernel::Handle(uapi::CtrlOp op, const char* name,
                                       const uapi::CtrlCmd& cmd) {
  std::lock_guard<std::mutex> l(mu_);
  ++commands_;
  int r;
  if (fail_err_ && fail_op_ == op) {
    r = -fail_err_;
    fail_err_ = 0;
  } else {
    r = Do(op, cmd);
  }
  if (r < 0) return ctrl::CtrlError(op, name, -r);
  return r;
}

int FakeKernel::AddDev(const uapi::CtrlCmd& cmd) {
  if (cmd.len < sizeof(uapi::DevInfo) || cmd.queue_id != uapi::kNoQueue) return -EINVAL;
  auto* info = reinterpret_cast<uapi::DevInfo*>(cmd.addr);
  if (info->dev_id != cmd.dev_id) return -EINVAL;
  if (!info->nr_hw_queues || info->nr_hw_queues > 4096 || !info->queue_depth ||
      info->queue_depth > 4096)
    return -EINVAL;
  uint32_t id = cmd.dev_id;
  if (id == uapi::kAutoDevId) {
    id = 0;
    while (devs_.count(id)) ++id;
  } else if (id >= (1u << 20)) {
    return -EINVAL;
  } else if (devs_.count(id)) {
    return -EEXIST;
  }
  info->dev_id = id;
  info->flags =
      (info->flags & features & ~clear_flags) | uapi::kFCmdIoctlEncode | uapi::kFUringCmdCompInTask;
  info->max_io_buf_bytes &= ~4095u;
  info->state = static_cast<uint16_t>(uapi::DevState::kDead);
  devs_[id].info = *info;
  return 0;
}

int FakeKernel::SetParams(Dev& d, const uapi::CtrlCmd& cmd) {
  if (cmd.len <= 8) return -EINVAL;
  uapi::Params p{};
  std::memcpy(&p, reinterpret_cast<const void*>(cmd.addr), std::min<size_t>(cmd.len, sizeof(p)));
  const auto& b = p.basic;
  if (!(p.types & uapi::kParamBasic)) return -EINVAL;
  if (b.logical_bs_shift < 9 || b.logical_bs_shift > 12) return -EINVAL;
  if (b.logical_bs_shift > b.physical_bs_shift) return -EINVAL;
  if (b.max_sectors > (d.info.max_io_buf_bytes >> 9)) return -EINVAL;
  if (p.types & uapi::kParamDiscard) {
    if (p.discard.max_discard_sectors && p.discard.max_discard_segments != 1) return -EINVAL;
    if (!p.discard.discard_granularity) return -EINVAL;
  }
  if (p.types & uapi::kParamDevt) return -EINVAL;
  if ((p.types & uapi::kParamDmaAlign) &&
      (p.dma.alignment >= 4096 || !Pow2(uint64_t{p.dma.alignment} + 1)))
    return -EINVAL;
  d.params = p;
  d.has_params = true;
  return 0;
}

int FakeKernel::Do(uapi::CtrlOp op, const uapi::CtrlCmd& cmd) {
  using uapi::CtrlOp;
  if (op == CtrlOp::kGetFeatures) {
    if (cmd.len != uapi::kFeaturesLen) return -EINVAL;
    std::memcpy(reinterpret_cast<void*>(cmd.addr), &features, sizeof(features));
    return 0;
  }
  if (op == CtrlOp::kAddDev) return AddDev(cmd);
  auto it = devs_.find(cmd.dev_id);
  if (it == devs_.end()) return -ENODEV;
  Dev& d = it->second;
  switch (op) {
    case CtrlOp::kSetParams: return SetParams(d, cmd);
    case CtrlOp::kGetParams:
      if (!d.has_params) return -EINVAL;
      std::memcpy(reinterpret_cast<void*>(cmd.addr), &d.params, sizeof(d.params));
      return 0;
    case CtrlOp::kDelDev: devs_.erase(it); return 0;
    case CtrlOp::kStopDev: d.info.state = static_cast<uint16_t>(uapi::DevState::kDead); return 0;
    case CtrlOp::kGetDevInfo:
      std::memcpy(reinterpret_cast<void*>(cmd.addr), &d.info, sizeof(d.info));
      return 0;
    case CtrlOp::kStartDev: return -EINVAL;  // the fake has no data plane
    default: return -EOPNOTSUPP;
  }
}

}  // namespace ublk::testing
