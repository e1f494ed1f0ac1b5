#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "backends/builtin.h"
#include "uapi/abi.h"
#include "util/status.h"

namespace ublk::backends {
namespace {

class MemBackend final : public Backend {
 public:
  MemBackend(char* base, uint64_t size) : base_(base), size_(size) {}
  ~MemBackend() override { munmap(base_, size_); }

  BackendCaps Caps() const override {
    // RAM has no volatile cache to flush; discard frees memory.
    return {.flush = false,
            .fua = false,
            .discard = true,
            .write_zeroes = true,
            .data_in_memory = true};
  }

  // In user copy the kernel copies straight between the request and the RAM.
  void* DataAt(const uapi::Request& req) override { return base_ + req.offset; }

  void Submit(Io* io) override {
    const uapi::Request& r = io->req;
    switch (r.op) {
      case uapi::kOpRead:
        std::memcpy(io->buf, base_ + r.offset, r.length);
        return CompleteIo(io, static_cast<int32_t>(r.length));
      case uapi::kOpWrite:
        std::memcpy(base_ + r.offset, io->buf, r.length);
        return CompleteIo(io, static_cast<int32_t>(r.length));
      case uapi::kOpDiscard:
      case uapi::kOpWriteZeroes: Zero(r.offset, r.length); return CompleteIo(io, 0);
      default: return CompleteIo(io, -EOPNOTSUPP);
    }
  }

 private:
  // Zeroes [off, off+len): whole pages are returned to the kernel, the
  // partial edges are cleared by hand.
  void Zero(uint64_t off, uint64_t len) {
    const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    const uint64_t first = (off + page - 1) / page * page;
    const uint64_t last = (off + len) / page * page;
    if (first >= last) {
      std::memset(base_ + off, 0, len);
      return;
    }
    std::memset(base_ + off, 0, first - off);
    if (madvise(base_ + first, last - first, MADV_DONTNEED) != 0)
      std::memset(base_ + first, 0, last - first);
    std::memset(base_ + last, 0, off + len - last);
  }

  char* base_;
  uint64_t size_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Backend>> MakeMem(uint64_t size_bytes) {
  if (size_bytes == 0) return ErrnoError(EINVAL, "mem backend: size must be > 0");
  void* p = mmap(nullptr, size_bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return ErrnoError(ENOMEM, absl::StrCat("mem backend: cannot reserve ", size_bytes,
                                           " bytes of address space"));
  return std::unique_ptr<Backend>(new MemBackend(static_cast<char*>(p), size_bytes));
}

}  // namespace ublk::backends
