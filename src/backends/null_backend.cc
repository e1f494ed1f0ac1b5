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
  void Submit(Io* io) override {
    if (io->req.op == uapi::kOpRead) std::memset(io->buf, 0, io->req.length);
    const bool has_data = io->req.op == uapi::kOpRead || io->req.op == uapi::kOpWrite;
    CompleteIo(io, has_data ? static_cast<int32_t>(io->req.length) : 0);
  }
};

}  // namespace

std::unique_ptr<Backend> MakeNull() { return std::make_unique<NullBackend>(); }

}  // namespace ublk::backends
