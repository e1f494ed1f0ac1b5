// Differential check, run in the VM: for a few hundred seeded parameter sets
// (valid and invalid), the library's verdict (uapi::ValidateParams) must
// equal the running kernel's SET_PARAMS verdict. Parameter types the kernel
// does not know are refused by the library with EOPNOTSUPP; for those the
// check proves the kernel would have silently dropped them.
//
// usage: params_diff [COUNT] [SEED]     exit 0 iff no mismatch
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "absl/strings/str_format.h"
#include "ctrl/control.h"
#include "uapi/spec.h"
#include "util/status.h"

namespace ublk {
namespace {

using uapi::Params;

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  uint32_t Pick(std::initializer_list<uint64_t> v) {
    return static_cast<uint32_t>(*(v.begin() + Below(static_cast<uint32_t>(v.size()))));
  }
  uint64_t Pick64(std::initializer_list<uint64_t> v) {
    return *(v.begin() + Below(static_cast<uint32_t>(v.size())));
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }

  // A valid starting point, then 0-3 mutations that may break it.
  Params Make(uint32_t max_io) {
    uapi::DeviceSpec s;
    s.size_bytes = uint64_t{Pick({1, 64, 4096})} << 20;
    s.logical_block_size = Pick({512, 1024, 4096});
    s.physical_block_size = std::max<uint32_t>(s.logical_block_size, Pick({512, 4096, 65536}));
    s.max_io_bytes = max_io;
    s.discard = Below(2);
    s.write_zeroes = Below(2);
    Params p = uapi::BuildParams(s);
    const uint32_t n = Below(4);
    for (uint32_t i = 0; i < n; ++i) Mutate(p, max_io);
    return p;
  }

 private:
  void Mutate(Params& p, uint32_t max_io) {
    auto& b = p.basic;
    switch (Below(14)) {
      case 0: b.logical_bs_shift = static_cast<uint8_t>(Pick({7, 8, 9, 10, 12, 13, 14})); break;
      case 1:
        b.physical_bs_shift = static_cast<uint8_t>(Pick({8, 9, 12, 16, 27, 28, 29, 31}));
        break;
      case 2: b.io_min_shift = static_cast<uint8_t>(Pick({0, 9, 12, 28, 29, 40})); break;
      case 3: b.io_opt_shift = static_cast<uint8_t>(Pick({0, 9, 12, 28, 29, 40})); break;
      case 4:
        b.max_sectors = Pick({0, 1, 7, 8, 9, max_io >> 9, (max_io >> 9) + 1, max_io >> 8});
        break;
      case 5: b.chunk_sectors = Pick({0, 8, 12}); break;
      case 6:
        p.types |= uapi::kParamDiscard;
        p.discard.discard_granularity = Pick({0, 512, 4096});
        p.discard.max_discard_sectors = Pick({0, 8, 0xffffff});
        p.discard.max_discard_segments = static_cast<uint16_t>(Pick({0, 1, 2}));
        break;
      case 7: p.types |= uapi::kParamDevt; break;
      case 8:
        p.types |= uapi::kParamDmaAlign;
        p.dma.alignment = Pick({0, 1, 3, 6, 511, 512, 4095, 4096, 8191});
        break;
      case 9:
        p.types |= uapi::kParamSegment;
        p.seg.seg_boundary_mask = Pick64({0, 4095, 4096, 8191, 65535, 0xffffffffull});
        p.seg.max_segment_size = Pick({0, 4095, 4096, 65536});
        p.seg.max_segments = static_cast<uint16_t>(Pick({0, 1, 128}));
        break;
      case 10: p.types |= uapi::kParamZoned; break;
      case 11: p.types = Pick({0, uapi::kParamBasic | (1u << 9), uapi::kParamDiscard}); break;
      case 12:
        p.types |= uapi::kParamIntegrity;
        p.integrity.metadata_size = static_cast<uint8_t>(Pick({0, 8, 64}));
        p.integrity.interval_exp = static_cast<uint8_t>(Pick({9, 12}));
        break;
      case 13: p.len = Pick({0, sizeof(Params) + 8}); break;
    }
  }

  std::mt19937 rng_;
};

std::string Describe(const Params& p) {
  const auto& b = p.basic;
  return absl::StrFormat(
      "len=%u types=%#x lbs=%u pbs=%u iomin=%u ioopt=%u maxsec=%u chunk=%u | disc gran=%u "
      "max=%u seg=%u | dma=%u | seg mask=%#x size=%u n=%u | integ md=%u",
      p.len, p.types, b.logical_bs_shift, b.physical_bs_shift, b.io_min_shift, b.io_opt_shift,
      b.max_sectors, b.chunk_sectors, p.discard.discard_granularity, p.discard.max_discard_sectors,
      p.discard.max_discard_segments, p.dma.alignment, p.seg.seg_boundary_mask,
      p.seg.max_segment_size, p.seg.max_segments, p.integrity.metadata_size);
}

int Run(int count, uint32_t seed) {
  auto control = ctrl::Control::Open();
  if (!control.ok()) {
    std::printf("cannot open control: %s\n", std::string(control.status().message()).c_str());
    return 2;
  }
  auto& c = **control;
  const uint64_t features = c.GetFeatures().value_or(0);
  uapi::DevInfo info = uapi::BuildDevInfo([] {
    uapi::DeviceSpec s;
    s.size_bytes = 64 << 20;
    return s;
  }());
  if (absl::Status s = c.AddDev(&info); !s.ok()) {
    std::printf("ADD_DEV: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  Gen gen(seed);
  int mismatches = 0, ignored = 0, accepted = 0;
  for (int i = 0; i < count; ++i) {
    Params p = gen.Make(info.max_io_buf_bytes);
    const absl::Status lib = uapi::ValidateParams(p, info.max_io_buf_bytes, info.flags, features);
    const absl::Status ker = c.SetParams(info.dev_id, p);
    if (ker.ok()) ++accepted;
    if (ToErrno(lib) == EOPNOTSUPP) {
      // The library refuses a type this kernel does not know: the kernel must
      // then drop it silently (accept, and not report it back).
      Params back{};
      const bool dropped =
          !ker.ok() || (c.GetParams(info.dev_id, &back).ok() && (back.types & p.types) != p.types);
      ++ignored;
      if (!dropped) {
        ++mismatches;
        std::printf("MISMATCH #%d: library says unsupported, kernel kept it: %s\n", i,
                    Describe(p).c_str());
      }
      continue;
    }
    if (lib.ok() != ker.ok()) {
      ++mismatches;
      std::printf("MISMATCH #%d: library %s, kernel %s: %s\n", i,
                  lib.ok() ? "accepts" : std::string(lib.message()).c_str(),
                  ker.ok() ? "accepts" : std::string(ker.message()).c_str(), Describe(p).c_str());
    }
  }
  (void)c.DelDev(info.dev_id);
  std::printf(
      "PARAMS-DIFF: %d sets (seed %u), kernel accepted %d, %d of unknown types, %d mismatches\n",
      count, seed, accepted, ignored, mismatches);
  return mismatches ? 1 : 0;
}

}  // namespace
}  // namespace ublk

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : 400;
  const uint32_t seed =
      argc > 2 ? static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 0)) : 20261121;
  return ublk::Run(count, seed);
}
