#include <algorithm>
#include <cstring>

#include "backends/builtin.h"
#include "uapi/abi.h"

namespace ublk::backends {
namespace {

class NullBackend final : public Backend {
 public:
  BackendCaps Caps() const override {
    return {.flush = true, .fua = true, .discard = true, .write_zeroes = true};
  }
  // Reads return zeros. A tag buffer starts zeroed and only a WRITE puts
  // data in it (the request's bytes are copied to its start), so
  // backend_state keeps how far it may be dirty and a read clears just that:
  // a read-only load costs no memset.
  void Submit(Io* io) override {
    if (io->req.op == uapi::kOpWrite)
      io->backend_state = std::max(io->backend_state, io->req.length);
    if (io->req.op == uapi::kOpRead && io->backend_state) {
      std::memset(io->buf, 0, io->backend_state);
      io->backend_state = 0;
    }
    const bool has_data = io->req.op == uapi::kOpRead || io->req.op == uapi::kOpWrite;
    CompleteIo(io, has_data ? static_cast<int32_t>(io->req.length) : 0);
  }
};

}  // namespace

std::unique_ptr<Backend> MakeNull() { return std::make_unique<NullBackend>(); }

}  // namespace ublk::backends
