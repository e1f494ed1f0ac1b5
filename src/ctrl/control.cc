#include "ctrl/control.h"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "util/status.h"

namespace ublk::ctrl {

struct Control::Scratch {
  alignas(8) unsigned char buf[4096];
};

namespace {

constexpr int kRingEntries = 4;
constexpr int kCancelGraceMs = 1000;

absl::Status OpenError(int err) {
  switch (err) {
    case ENOENT:
    case ENODEV:
      return ErrnoError(err, absl::StrCat(kControlPath,
                                          " not found: the ublk driver is not loaded "
                                          "(modprobe ublk_drv)"));
    case EACCES:
    case EPERM:
      return ErrnoError(err, absl::StrCat("cannot open ", kControlPath,
                                          ": permission denied (run as root)"));
    default:
      return ErrnoError(err, absl::StrCat("cannot open ", kControlPath, ": ",
                                          std::strerror(err)));
  }
}

__kernel_timespec KernelTimespec(absl::Duration d) {
  const int64_t ns = absl::ToInt64Nanoseconds(d);
  return {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
}

}  // namespace

std::string CtrlErrorHint(uapi::CtrlOp op, int err) {
  using uapi::CtrlOp;
  if (op == CtrlOp::kAddDev && err == EEXIST) return "the device id is already in use";
  if (op == CtrlOp::kAddDev && err == EINVAL) return "the kernel refused the device description";
  if (err == EPERM || err == EACCES) return "permission denied (needs CAP_SYS_ADMIN)";
  if (err == ENODEV) return "no such ublk device";
  if (op == CtrlOp::kSetParams && err == EINVAL) return "the kernel refused the parameters";
  if (err == EOPNOTSUPP) return "the running kernel does not support this command";
  return "";
}

Control::Control(UniqueFd fd, absl::Duration timeout)
    : fd_(std::move(fd)), timeout_(timeout), scratch_(std::make_unique<Scratch>()) {}

Control::~Control() {
  if (ring_ok_ && !retired_) io_uring_queue_exit(&ring_);
  if (retired_) (void)scratch_.release();  // the kernel may still write it
}

absl::StatusOr<std::unique_ptr<Control>> Control::Open(absl::Duration timeout) {
  UniqueFd fd(::open(kControlPath, O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return OpenError(errno);
  std::unique_ptr<Control> c(new Control(std::move(fd), timeout));
  int r = io_uring_queue_init(kRingEntries, &c->ring_, IORING_SETUP_SQE128);
  if (r < 0)
    return ErrnoError(-r, absl::StrCat("cannot create the SQE128 control io_uring: ",
                                       std::strerror(-r),
                                       " (is io_uring disabled by kernel.io_uring_disabled?)"));
  c->ring_ok_ = true;
  return c;
}

absl::Status Control::Retire(const char* name) {
  retired_ = true;  // leak ring and scratch: a stuck command still owns them
  return ErrnoError(ETIMEDOUT, absl::StrCat(name, " did not complete within ",
                                            absl::FormatDuration(timeout_),
                                            " and could not be cancelled"));
}

absl::StatusOr<int> Control::Run(uapi::CtrlOp op, const char* name, uapi::CtrlCmd cmd) {
  if (retired_)
    return ErrnoError(EIO, absl::StrCat(name, ": control ring unusable after a timeout"));
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (!sqe) return ErrnoError(EBUSY, absl::StrCat(name, ": control ring full"));
  std::memset(sqe, 0, 2 * sizeof(*sqe));  // SQE128
  sqe->opcode = IORING_OP_URING_CMD;
  sqe->fd = fd_.get();
  sqe->cmd_op = static_cast<uint32_t>(op);
  const uint64_t ud = next_user_data_++;
  sqe->user_data = ud;
  std::memcpy(sqe->cmd, &cmd, sizeof(cmd));
  int r = io_uring_submit(&ring_);
  if (r != 1)
    return ErrnoError(r < 0 ? -r : EIO, absl::StrCat(name, ": submit failed"));

  __kernel_timespec ts = KernelTimespec(timeout_);
  bool cancelled = false;
  for (;;) {
    io_uring_cqe* cqe = nullptr;
    r = io_uring_wait_cqe_timeout(&ring_, &cqe, &ts);
    if (r == -EINTR) continue;
    if (r == -ETIME) {
      if (cancelled) return Retire(name);
      cancelled = true;  // ask io_uring to cancel, give it a short grace
      io_uring_sqe* c = io_uring_get_sqe(&ring_);
      if (!c) return Retire(name);
      io_uring_prep_cancel64(c, ud, 0);
      c->user_data = 0;
      io_uring_submit(&ring_);
      ts = KernelTimespec(absl::Milliseconds(kCancelGraceMs));
      continue;
    }
    if (r < 0) return ErrnoError(-r, absl::StrCat(name, ": waiting for completion failed"));
    const uint64_t got = cqe->user_data;
    const int res = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    if (got != ud) continue;  // the cancel request's own completion
    if (cancelled)
      return ErrnoError(ETIMEDOUT, absl::StrCat(name, " timed out after ",
                                                absl::FormatDuration(timeout_)));
    if (res < 0) {
      std::string hint = CtrlErrorHint(op, -res);
      return ErrnoError(-res, absl::StrCat(name, " failed: ", std::strerror(-res),
                                           hint.empty() ? "" : " (", hint,
                                           hint.empty() ? "" : ")"));
    }
    return res;
  }
}

namespace {
uapi::CtrlCmd Cmd(uint32_t dev_id, const void* addr = nullptr, uint16_t len = 0) {
  uapi::CtrlCmd c{};
  c.dev_id = dev_id;
  c.queue_id = uapi::kNoQueue;
  c.addr = reinterpret_cast<uintptr_t>(addr);
  c.len = len;
  return c;
}
}  // namespace

absl::StatusOr<uint64_t> Control::GetFeatures(bool* supported) {
  auto* out = reinterpret_cast<uint64_t*>(scratch_->buf);
  *out = 0;
  auto r = Run(uapi::CtrlOp::kGetFeatures, "GET_FEATURES",
               Cmd(uapi::kAutoDevId, out, uapi::kFeaturesLen));
  if (!r.ok()) {
    const int err = ToErrno(r.status());
    if (err == EOPNOTSUPP || err == EINVAL) {  // kernel before 6.5
      if (supported) *supported = false;
      return uint64_t{0};
    }
    return r.status();
  }
  if (supported) *supported = true;
  return *out;
}

absl::Status Control::AddDev(uapi::DevInfo* info) {
  std::memcpy(scratch_->buf, info, sizeof(*info));
  auto r = Run(uapi::CtrlOp::kAddDev, "ADD_DEV",
               Cmd(info->dev_id, scratch_->buf, sizeof(*info)));
  if (!r.ok()) return r.status();
  std::memcpy(info, scratch_->buf, sizeof(*info));
  return absl::OkStatus();
}

absl::Status Control::SetParams(uint32_t dev_id, const uapi::Params& params) {
  std::memcpy(scratch_->buf, &params, sizeof(params));
  return Run(uapi::CtrlOp::kSetParams, "SET_PARAMS",
             Cmd(dev_id, scratch_->buf, sizeof(params)))
      .status();
}

absl::Status Control::GetParams(uint32_t dev_id, uapi::Params* params) {
  uapi::Params p{};
  p.len = sizeof(p);
  std::memcpy(scratch_->buf, &p, sizeof(p));
  auto r = Run(uapi::CtrlOp::kGetParams, "GET_PARAMS", Cmd(dev_id, scratch_->buf, sizeof(p)));
  if (!r.ok()) return r.status();
  std::memcpy(params, scratch_->buf, sizeof(*params));
  return absl::OkStatus();
}

absl::Status Control::StartDev(uint32_t dev_id, int32_t daemon_pid) {
  uapi::CtrlCmd c = Cmd(dev_id);
  c.data[0] = static_cast<uint64_t>(daemon_pid);
  return Run(uapi::CtrlOp::kStartDev, "START_DEV", c).status();
}

absl::Status Control::StopDev(uint32_t dev_id) {
  return Run(uapi::CtrlOp::kStopDev, "STOP_DEV", Cmd(dev_id)).status();
}

absl::Status Control::DelDev(uint32_t dev_id) {
  return Run(uapi::CtrlOp::kDelDev, "DEL_DEV", Cmd(dev_id)).status();
}

absl::Status Control::GetDevInfo(uint32_t dev_id, uapi::DevInfo* info) {
  // GET_DEV_INFO2 wants the char device path in front of the payload.
  const std::string path = absl::StrCat("/dev/ublkc", dev_id);
  const size_t plen = path.size() + 1;
  std::memset(scratch_->buf, 0, plen + sizeof(*info));
  std::memcpy(scratch_->buf, path.c_str(), plen);
  uapi::CtrlCmd c = Cmd(dev_id, scratch_->buf, static_cast<uint16_t>(plen + sizeof(*info)));
  c.dev_path_len = static_cast<uint16_t>(plen);
  auto r = Run(uapi::CtrlOp::kGetDevInfo2, "GET_DEV_INFO2", c);
  if (r.ok()) {
    std::memcpy(info, scratch_->buf + plen, sizeof(*info));
    return absl::OkStatus();
  }
  if (ToErrno(r.status()) == ENODEV) return r.status();
  std::memset(scratch_->buf, 0, sizeof(*info));
  r = Run(uapi::CtrlOp::kGetDevInfo, "GET_DEV_INFO", Cmd(dev_id, scratch_->buf, sizeof(*info)));
  if (!r.ok()) return r.status();
  std::memcpy(info, scratch_->buf, sizeof(*info));
  return absl::OkStatus();
}

absl::Status Control::GetQueueAffinity(uint32_t dev_id, uint16_t q_id, cpu_set_t* set) {
  std::memset(scratch_->buf, 0, sizeof(cpu_set_t));
  uapi::CtrlCmd c = Cmd(dev_id, scratch_->buf, sizeof(cpu_set_t));
  c.data[0] = q_id;
  auto r = Run(uapi::CtrlOp::kGetQueueAffinity, "GET_QUEUE_AFFINITY", c);
  if (!r.ok()) return r.status();
  std::memcpy(set, scratch_->buf, sizeof(*set));
  return absl::OkStatus();
}

}  // namespace ublk::ctrl
