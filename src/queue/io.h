// One request slot per (queue, tag), and the interface backends implement.
// `Io` is what the C API hands out as `ublk_io *`.
#pragma once

#include <atomic>
#include <cstdint>

#include "absl/status/status.h"
#include "uapi/request.h"

namespace ublk {

class Queue;

struct Io {
  Queue* queue = nullptr;
  uint16_t q_id = 0;
  uint16_t tag = 0;
  uapi::Request req;                    // valid while the backend owns the slot
  void* buf = nullptr;                  // per-tag data buffer (copy mode)
  int32_t result = 0;                   // set by a completion from another thread
  Io* next_completed = nullptr;         // intrusive cross-thread completion list
  std::atomic<bool> completing{false};  // guards against double completion
  // Zero copy, queue thread only: the request's pages must be registered by
  // hand (manual mode, or auto registration failed) / are registered now.
  bool needs_reg = false;
  bool registered = false;
  // Queue thread: the data is where it belongs already (Backend::DataAt).
  bool data_moved = false;
  // Free for the backend (queue thread): 0 when the device starts.
  uint32_t backend_state = 0;
};

// Finishes `io` with `result` (bytes done, or -errno). Callable from any
// thread, exactly once per dispatched request.
void CompleteIo(Io* io, int32_t result) noexcept;

// Ring I/O for backends: an operation on a file descriptor, issued on the
// queue's own io_uring for `io`; when it completes, `io` is completed with
// its result (bytes, or -errno). Data operations use the request's buffer and
// length. Only on the queue thread that owns `io` (inside Submit).
enum class FileOp : uint8_t {
  kRead,       // pread(fd, buf, length, offset)
  kWrite,      // pwrite(fd, buf, length, offset), RWF_DSYNC if dsync
  kFdatasync,  // fdatasync(fd)
  kPunchHole,  // fallocate(PUNCH_HOLE | KEEP_SIZE, offset, length)
  kZeroRange,  // fallocate(ZERO_RANGE | KEEP_SIZE, offset, length)
};
// Returns 0 once queued (the request then completes by itself), or -EINVAL
// when called off the queue thread or with a bad op.
int SubmitFileOp(Io* io, int fd, FileOp op, uint64_t offset, bool dsync) noexcept;

struct BackendCaps {
  bool flush = false;
  bool fua = false;
  bool discard = false;
  bool write_zeroes = false;
  // Data moves only through SubmitFileOp; Io::buf is never touched, so zero
  // copy needs no copy at all.
  bool file_ops_only = false;
  // Backend::DataAt answers for READ and WRITE (the data is in the backend's
  // memory): the `auto` data mode then picks user copy, one copy per request.
  bool data_in_memory = false;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual BackendCaps Caps() const = 0;
  // Called on the queue thread that owns `io`. Must not block for long in the
  // asynchronous form. The request ends with CompleteIo(io, ...), now or
  // later, from any thread.
  virtual void Submit(Io* io) = 0;
  // Optional, for a backend whose data lives in its own memory (a RAM disk):
  // where the device's bytes of `req` (offset, length) are, or nullptr to
  // take the request through Submit. Asked for READ and WRITE only where the
  // library copies the data itself (user copy, and zero copy for a backend
  // that reads its buffer): it then moves the bytes with one pread/pwrite on
  // the char device straight between the request's pages and this memory,
  // and the request completes without Submit. A copy the kernel cannot make
  // there (EFAULT) goes through Submit instead. Queue thread; must not block.
  // The memory is used only in that copy, before the request completes, and
  // must stay the backend's until then (the C API's data_at says the same).
  virtual void* DataAt(const uapi::Request& req) {
    (void)req;
    return nullptr;
  }
};

}  // namespace ublk
