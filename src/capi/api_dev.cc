// ublk_dev_* and ublk_io_*.
#include <cerrno>

#include "capi/c_backend.h"
#include "capi/guard.h"
#include "capi/handles.h"
#include "uapi/abi.h"

using ublk::ErrnoError;
using ublk::capi::Call;
using ublk::capi::FromC;
using ublk::capi::NullArg;

extern "C" {

int ublk_dev_create(const ublk_config* cfg, const ublk_backend_ops* ops, void* user_data,
                    ublk_dev** out) noexcept {
  std::unique_ptr<ublk::Backend> backend;  // owns user_data once made
  return Call("ublk_dev_create", [&]() -> absl::Status {
    UBLK_ASSIGN_OR_RETURN(backend, ublk::capi::MakeCBackend(ops, user_data));
    if (!cfg) return NullArg("cfg");
    if (!out) return NullArg("out");
    UBLK_ASSIGN_OR_RETURN(auto dev,
                          ublk::Device::Create(cfg->spec, std::move(backend), cfg->ctrl_timeout));
    // Call() catches bad_alloc.
    *out = new ublk_dev{std::move(dev)};  // NOLINT(bugprone-unhandled-exception-at-new)
    return absl::OkStatus();
  });
}

int ublk_dev_start(ublk_dev* dev) noexcept {
  return Call("ublk_dev_start", [&]() -> absl::Status {
    if (!dev) return NullArg("dev");
    return dev->rep->Start();
  });
}

int ublk_dev_stop(ublk_dev* dev) noexcept {
  return Call("ublk_dev_stop", [&]() -> absl::Status {
    if (!dev) return NullArg("dev");
    return dev->rep->Stop();
  });
}

int ublk_dev_wait(ublk_dev* dev) noexcept {
  return Call("ublk_dev_wait", [&]() -> absl::Status {
    if (!dev) return NullArg("dev");
    dev->rep->Wait();
    return absl::OkStatus();
  });
}

int ublk_dev_close(ublk_dev* dev) noexcept {
  if (!dev) return 0;
  const int r = Call("ublk_dev_close", [&]() -> absl::Status { return dev->rep->Close(); });
  delete dev;
  return r;
}

uint32_t ublk_dev_id(const ublk_dev* dev) noexcept { return dev ? dev->rep->id() : 0; }
const char* ublk_dev_path(const ublk_dev* dev) noexcept {
  return dev ? dev->rep->bdev_path().c_str() : "";
}
uint64_t ublk_dev_kernel_flags(const ublk_dev* dev) noexcept { return dev ? dev->rep->flags() : 0; }
uint32_t ublk_dev_nr_queues(const ublk_dev* dev) noexcept {
  return dev ? dev->rep->nr_queues() : 0;
}
uint32_t ublk_dev_depth(const ublk_dev* dev) noexcept { return dev ? dev->rep->queue_depth() : 0; }
uint32_t ublk_dev_data_mode(const ublk_dev* dev) noexcept {
  return dev ? static_cast<uint32_t>(dev->rep->data_plan().mode) : UBLK_DATA_MODE_COPY;
}
int ublk_dev_batch_io(const ublk_dev* dev) noexcept { return dev && dev->rep->batch_io() ? 1 : 0; }

int ublk_dev_counter(const ublk_dev* dev, uint32_t which, uint64_t* out) noexcept {
  return Call("ublk_dev_counter", [&]() -> absl::Status {
    if (!dev) return NullArg("dev");
    if (!out) return NullArg("out");
    const ublk::DeviceStats s = dev->rep->stats();
    switch (which) {
      case UBLK_COUNTER_REQUESTS: *out = s.requests; break;
      case UBLK_COUNTER_BAD_REQUESTS: *out = s.bad_descriptors; break;
      case UBLK_COUNTER_DOUBLE_COMPLETIONS: *out = s.double_completions; break;
      case UBLK_COUNTER_KERNEL_ERRORS: *out = s.kernel_errors; break;
      case UBLK_COUNTER_BYTES_COPIED: *out = s.bytes_copied; break;
      default: return ErrnoError(EINVAL, "unknown counter");
    }
    return absl::OkStatus();
  });
}

// Request accessors: hot path, no guard needed (nothing can fail or throw).
uint32_t ublk_io_op(const ublk_io* io) noexcept { return FromC(io)->req.op; }

uint32_t ublk_io_flags(const ublk_io* io) noexcept {
  return ublk::capi::ToCOpFlags(FromC(io)->req.flags);
}

uint64_t ublk_io_offset(const ublk_io* io) noexcept { return FromC(io)->req.offset; }
uint32_t ublk_io_length(const ublk_io* io) noexcept { return FromC(io)->req.length; }

void* ublk_io_buf(ublk_io* io) noexcept {
  ublk::Io* i = FromC(io);
  const bool data = i->req.op == ublk::uapi::kOpRead || i->req.op == ublk::uapi::kOpWrite;
  return data ? i->buf : nullptr;
}

uint32_t ublk_io_queue(const ublk_io* io) noexcept { return FromC(io)->q_id; }
uint32_t ublk_io_tag(const ublk_io* io) noexcept { return FromC(io)->tag; }

static_assert(static_cast<uint32_t>(ublk::FileOp::kRead) == UBLK_FILE_OP_READ);
static_assert(static_cast<uint32_t>(ublk::FileOp::kWrite) == UBLK_FILE_OP_WRITE);
static_assert(static_cast<uint32_t>(ublk::FileOp::kFdatasync) == UBLK_FILE_OP_FDATASYNC);
static_assert(static_cast<uint32_t>(ublk::FileOp::kPunchHole) == UBLK_FILE_OP_PUNCH_HOLE);
static_assert(static_cast<uint32_t>(ublk::FileOp::kZeroRange) == UBLK_FILE_OP_ZERO_RANGE);

int ublk_io_file_op(ublk_io* io, int32_t fd, uint32_t op, uint64_t offset,
                    uint32_t flags) noexcept {
  if (!io || fd < 0 || op > UBLK_FILE_OP_ZERO_RANGE || (flags & ~UBLK_FILE_F_DSYNC)) {
    ublk::capi::SetLastError("ublk_io_file_op", "bad argument");
    return -EINVAL;
  }
  const int r = ublk::SubmitFileOp(FromC(io), fd, static_cast<ublk::FileOp>(op), offset,
                                   (flags & UBLK_FILE_F_DSYNC) != 0);
  if (r) ublk::capi::SetLastError("ublk_io_file_op", "not on the request's queue thread");
  return r;
}

void ublk_io_complete(ublk_io* io, int32_t result) noexcept {
  if (io) ublk::CompleteIo(FromC(io), result);
}

}  // extern "C"
