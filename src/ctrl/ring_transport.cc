// The real control transport: /dev/ublk-control over an SQE128 io_uring.
#include <fcntl.h>
#include <liburing.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "ctrl/control.h"
#include "ctrl/transport.h"
#include "util/status.h"

namespace ublk::ctrl {
namespace {

constexpr int kRingEntries = 4;
constexpr int kCancelGraceMs = 1000;
constexpr absl::Duration kPollStep = absl::Milliseconds(5);

absl::Status OpenError(int err) {
  switch (err) {
    case ENOENT:
    case ENODEV:
      return ErrnoError(err, absl::StrCat(kControlPath,
                                          " not found: the ublk driver is not loaded "
                                          "(modprobe ublk_drv)"));
    case EACCES:
    case EPERM:
      return ErrnoError(
          err, absl::StrCat("cannot open ", kControlPath, ": permission denied (run as root)"));
    default:
      return ErrnoError(err, absl::StrCat("cannot open ", kControlPath, ": ", std::strerror(err)));
  }
}

__kernel_timespec KernelTimespec(absl::Duration d) {
  const int64_t ns = absl::ToInt64Nanoseconds(d);
  return {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
}

class RingTransport final : public Transport {
 public:
  RingTransport(UniqueFd fd, absl::Duration timeout) : fd_(std::move(fd)), timeout_(timeout) {}
  ~RingTransport() override {
    // A retired ring keeps its command; closing would be safe, but the
    // payload must outlive it anyway, so leave both to process exit.
    if (ring_ok_ && !retired_) io_uring_queue_exit(&ring_);
  }

  absl::Status Init() {
    int r = io_uring_queue_init(kRingEntries, &ring_, IORING_SETUP_SQE128);
    if (r < 0)
      return ErrnoError(
          -r, absl::StrCat("cannot create the SQE128 control io_uring: ", std::strerror(-r),
                           " (is io_uring disabled by kernel.io_uring_disabled?)"));
    ring_ok_ = true;
    return absl::OkStatus();
  }

  absl::StatusOr<int> Send(uapi::CtrlOp op, const char* name, const uapi::CtrlCmd& cmd) override;
  absl::StatusOr<UniqueFd> OpenCharDev(const std::string& path, absl::Duration timeout) override {
    UBLK_RETURN_IF_ERROR(WaitForPath(path, timeout));
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd.valid()) return ErrnoError(errno, absl::StrCat("cannot open ", path));
    return fd;
  }
  bool retired() const override { return retired_; }

 private:
  absl::Status Retire(const char* name) {
    retired_ = true;
    return ErrnoError(
        ETIMEDOUT, absl::StrCat(name, " did not complete within ", absl::FormatDuration(timeout_),
                                " and could not be cancelled"));
  }

  UniqueFd fd_;
  absl::Duration timeout_;
  io_uring ring_{};
  bool ring_ok_ = false;
  bool retired_ = false;
  uint64_t next_user_data_ = 1;
};

absl::StatusOr<int> RingTransport::Send(uapi::CtrlOp op, const char* name,
                                        const uapi::CtrlCmd& cmd) {
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
  if (r != 1) return ErrnoError(r < 0 ? -r : EIO, absl::StrCat(name, ": submit failed"));

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
      return ErrnoError(ETIMEDOUT,
                        absl::StrCat(name, " timed out after ", absl::FormatDuration(timeout_)));
    if (res < 0) return CtrlError(op, name, -res);
    return res;
  }
}

}  // namespace

absl::Status WaitForPath(const std::string& path, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  struct stat st;
  while (::stat(path.c_str(), &st) != 0) {
    if (absl::Now() > deadline)
      return ErrnoError(
          ETIMEDOUT, absl::StrCat(path, " did not appear within ", absl::FormatDuration(timeout)));
    absl::SleepFor(kPollStep);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Transport>> OpenRingTransport(absl::Duration timeout) {
  UniqueFd fd(::open(kControlPath, O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return OpenError(errno);
  auto t = std::make_unique<RingTransport>(std::move(fd), timeout);
  UBLK_RETURN_IF_ERROR(t->Init());
  return std::unique_ptr<Transport>(std::move(t));
}

}  // namespace ublk::ctrl
