#include "capi/c_backend.h"

#include <cstddef>
#include <cstring>

#include "uapi/abi.h"
#include "util/status.h"

namespace ublk::capi {
namespace {

constexpr uint64_t kKnownFlags = UBLK_BACKEND_F_FLUSH | UBLK_BACKEND_F_DISCARD |
                                 UBLK_BACKEND_F_WRITE_ZEROES | UBLK_BACKEND_F_FUA |
                                 UBLK_BACKEND_F_FILE_OPS_ONLY;
// The end of the member at `offset`: a struct_size below it does not hold
// all of that member.
constexpr uint64_t EndOf(size_t offset) { return offset + sizeof(void*); }
// The first published layout ends after `submit`.
constexpr uint64_t kMinSize = EndOf(offsetof(ublk_backend_ops, submit));

class CBackend final : public Backend {
 public:
  CBackend(const ublk_backend_ops& ops, void* user_data) : ops_(ops), ud_(user_data) {}
  ~CBackend() override {
    if (ops_.free_user_data) ops_.free_user_data(ud_);
  }

  BackendCaps Caps() const override {
    const bool in_memory = ops_.data_at != nullptr;
    if (ops_.submit)
      return {.flush = (ops_.flags & UBLK_BACKEND_F_FLUSH) != 0,
              .fua = (ops_.flags & UBLK_BACKEND_F_FUA) != 0,
              .discard = (ops_.flags & UBLK_BACKEND_F_DISCARD) != 0,
              .write_zeroes = (ops_.flags & UBLK_BACKEND_F_WRITE_ZEROES) != 0,
              .file_ops_only = (ops_.flags & UBLK_BACKEND_F_FILE_OPS_ONLY) != 0,
              .data_in_memory = in_memory};
    return {.flush = ops_.flush != nullptr,
            .fua = (ops_.flags & UBLK_BACKEND_F_FUA) != 0,
            .discard = ops_.discard != nullptr,
            .write_zeroes = ops_.write_zeroes != nullptr,
            .data_in_memory = in_memory};
  }

  void* DataAt(const uapi::Request& r) override {
    if (!ops_.data_at) return nullptr;
    return ops_.data_at(ud_, r.op, ToCOpFlags(r.flags), r.offset, r.length);
  }

  void Submit(Io* io) override {
    if (ops_.submit) {
      const int32_t r = ops_.submit(ud_, ToC(io));
      if (r < 0) CompleteIo(io, r);
      return;
    }
    CompleteIo(io, CallSync(io));
  }

 private:
  int32_t CallSync(Io* io) {
    const uapi::Request& r = io->req;
    ublk_io* c = ToC(io);
    switch (r.op) {
      case uapi::kOpRead: return ops_.read(ud_, c, io->buf, r.length, r.offset);
      case uapi::kOpWrite: return ops_.write(ud_, c, io->buf, r.length, r.offset);
      case uapi::kOpFlush: return ops_.flush(ud_, c);
      case uapi::kOpDiscard: return ops_.discard(ud_, c, r.offset, r.length);
      case uapi::kOpWriteZeroes: return ops_.write_zeroes(ud_, c, r.offset, r.length);
      default: return -EOPNOTSUPP;  // not advertised, so never sent
    }
  }

  ublk_backend_ops ops_;
  void* ud_;
};

absl::Status CheckOps(const ublk_backend_ops& o, uint64_t given_size) {
  if (given_size < kMinSize)
    return ErrnoError(EINVAL,
                      "ops->struct_size is smaller than any published "
                      "layout (use UBLK_BACKEND_OPS_INIT)");
  if (o.flags & ~kKnownFlags) return ErrnoError(EINVAL, "ops->flags has unknown bits");
  const bool sync = o.read || o.write || o.flush || o.discard || o.write_zeroes;
  if (o.submit && sync)
    return ErrnoError(EINVAL,
                      "ops sets both submit and synchronous callbacks; "
                      "choose one form");
  if (!o.submit && !(o.read && o.write))
    return ErrnoError(EINVAL, "ops needs submit, or both read and write");
  if (!o.submit && (o.flags & ~UBLK_BACKEND_F_FUA))
    return ErrnoError(EINVAL,
                      "UBLK_BACKEND_F_FLUSH/DISCARD/WRITE_ZEROES/FILE_OPS_ONLY are for "
                      "the submit form (set the callbacks instead)");
  const bool flush = o.submit ? (o.flags & UBLK_BACKEND_F_FLUSH) : o.flush != nullptr;
  if ((o.flags & UBLK_BACKEND_F_FUA) && !flush)
    return ErrnoError(EINVAL, "UBLK_BACKEND_F_FUA needs flush support");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Backend>> MakeCBackend(const ublk_backend_ops* ops,
                                                      void* user_data) {
  if (!ops) return ErrnoError(EINVAL, "ops is NULL");
  ublk_backend_ops copy;
  std::memset(&copy, 0, sizeof(copy));
  const uint64_t size = ops->struct_size;
  std::memcpy(&copy, ops, size < sizeof(copy) ? size : sizeof(copy));
  // Members the caller's layout does not hold whole are absent (older
  // callers end before data_at); part of a pointer cannot be trusted.
  if (size < EndOf(offsetof(ublk_backend_ops, free_user_data))) copy.free_user_data = nullptr;
  if (size < EndOf(offsetof(ublk_backend_ops, data_at))) copy.data_at = nullptr;
  absl::Status s = CheckOps(copy, size);
  if (!s.ok()) {
    if (copy.free_user_data) copy.free_user_data(user_data);
    return s;
  }
  return std::unique_ptr<Backend>(new CBackend(copy, user_data));
}

}  // namespace ublk::capi
