// The public C API driven by the input: a sequence of config setter calls
// with fuzzed values, then ublk_dev_create (and sometimes start) and close on
// the fake kernel (tests/fake), with an injected kernel failure.
// Invariants:
//  - every refusal returns a negative errno and leaves a message naming the
//    refusing function;
//  - free_user_data runs exactly once per create attempt (after close, or
//    before a failing create returns);
//  - no device is left in the fake kernel after close or a failed create;
//  - create succeeds only for a configuration the spec rules accept.
#include <cerrno>
#include <cstring>

#include "fuzz_common.h"
#include "tests/fake/fake_kernel.h"
#include "tests/fake/stub_backend.h"
#include "ublk.h"

namespace {

using ublk::testing::g_stub_frees;
int32_t Submit(void*, ublk_io*) { return -EIO; }

void CheckRefusal(int r, const char* api) {
  if (r == 0) return;
  FUZZ_CHECK(r < 0 && r >= -4095);
  FUZZ_CHECK(std::strstr(ublk_last_error(), api) == ublk_last_error());
}

// Applies one fuzzed setter call; returns false when the input is used up.
void ApplySetter(ublk_config* cfg, ublk::fuzz::Reader& in) {
  const uint8_t which = in.U8() % 9;
  const uint64_t v = in.U64();
  // Bias values towards the interesting ranges.
  const uint32_t small = static_cast<uint32_t>(v % 8192);
  switch (which) {
    case 0:
      CheckRefusal(ublk_config_set_size(cfg, v & 1 ? v : (v % 4096) << 12), "ublk_config_set_size");
      break;
    case 1:
      CheckRefusal(ublk_config_set_block_size(cfg, 1u << (small % 14), 1u << ((v >> 16) % 31)),
                   "ublk_config_set_block_size");
      break;
    case 2: CheckRefusal(ublk_config_set_queues(cfg, small % 6), "ublk_config_set_queues"); break;
    case 3: CheckRefusal(ublk_config_set_depth(cfg, small % 5000), "ublk_config_set_depth"); break;
    case 4:
      CheckRefusal(ublk_config_set_max_io_size(cfg, static_cast<uint32_t>(v)),
                   "ublk_config_set_max_io_size");
      break;
    case 5:
      CheckRefusal(ublk_config_set_dev_id(cfg, static_cast<int32_t>(v % 5) - 2),
                   "ublk_config_set_dev_id");
      break;
    case 6:
      CheckRefusal(ublk_config_set_read_only(cfg, static_cast<int>(v % 3)),
                   "ublk_config_set_read_only");
      break;
    case 7:
      CheckRefusal(ublk_config_set_rotational(cfg, static_cast<int>(v % 3)),
                   "ublk_config_set_rotational");
      break;
    case 8:
      CheckRefusal(ublk_config_set_ctrl_timeout_ms(cfg, static_cast<uint32_t>(v % 2000)),
                   "ublk_config_set_ctrl_timeout_ms");
      break;
  }
}

ublk_backend_ops MakeOps(ublk::fuzz::Reader& in) {
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  const uint8_t shape = in.U8();
  ops.free_user_data = ublk::testing::StubFree;
  if (shape & 1) ops.read = ublk::testing::StubRead;
  if (shape & 2) ops.write = ublk::testing::StubWrite;
  if (shape & 4) ops.flush = ublk::testing::StubFlush;
  if (shape & 8) ops.submit = Submit;
  if (shape & 16) ops.flags = in.U8() & 0x1f;  // one unknown bit included
  if (shape & 32) ops.struct_size = in.U8();   // maybe too small
  return ops;
}

const ublk::uapi::CtrlOp kFailOps[] = {ublk::uapi::CtrlOp::kGetFeatures,
                                       ublk::uapi::CtrlOp::kAddDev, ublk::uapi::CtrlOp::kSetParams,
                                       ublk::uapi::CtrlOp::kDelDev, ublk::uapi::CtrlOp::kStopDev};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ublk::fuzz::Reader in(data, size);
  ublk::testing::FakeKernel kernel;
  kernel.features = in.Bool() ? 0x1fffff : 0x1fe;
  const uint8_t fail = in.U8();
  if (fail < 5 * 8) kernel.FailNext(kFailOps[fail % 5], (fail / 5) % 2 ? EINVAL : EPERM);
  auto guard = kernel.Install();

  ublk_config* cfg = nullptr;
  FUZZ_CHECK(ublk_config_new(&cfg) == 0);
  const uint8_t n = in.U8() % 12;
  for (uint8_t i = 0; i < n; ++i) ApplySetter(cfg, in);
  ublk_backend_ops ops = MakeOps(in);
  const bool start = in.Bool();

  g_stub_frees = 0;
  ublk_dev* dev = nullptr;
  const int r = ublk_dev_create(cfg, &ops, nullptr, &dev);
  ublk_config_free(cfg);
  const bool covers_free = ops.struct_size >= offsetof(ublk_backend_ops, free_user_data) + 8;
  if (r != 0) {
    CheckRefusal(r, "ublk_dev_create");
    FUZZ_CHECK(dev == nullptr);
    FUZZ_CHECK(g_stub_frees == (covers_free ? 1 : 0));
    FUZZ_CHECK(kernel.device_count() == 0);
    return 0;
  }
  FUZZ_CHECK(dev != nullptr && g_stub_frees == 0);
  FUZZ_CHECK(kernel.device_count() == 1);
  if (start && ublk_dev_nr_queues(dev) <= 2) {
    // The fake has no data plane: start must fail cleanly, never hang.
    FUZZ_CHECK(ublk_dev_start(dev) < 0);
    FUZZ_CHECK(ublk_last_error()[0] != '\0');
  }
  const int c = ublk_dev_close(dev);
  CheckRefusal(c, "ublk_dev_close");
  FUZZ_CHECK(g_stub_frees == 1);
  // A failed DEL_DEV (injected) may leave the device; anything else may not.
  FUZZ_CHECK(kernel.device_count() == 0 || c != 0);
  return 0;
}
