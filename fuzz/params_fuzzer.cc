// SET_PARAMS payloads: uapi::BuildParams and uapi::ValidateParams.
//
// Input: selector u8, then
//   0: a DeviceSpec (see SpecFromInput) | features; if ValidateSpec accepts
//      the spec, BuildParams must produce parameters that ValidateParams (and
//      the model below) accept for any kernel features and any non-zoned
//      flags, and that describe the spec;
//   1: raw Params (152 bytes) | max_io_buf_bytes u32 | flags u64 | features;
//      the verdict (OK / EINVAL / EOPNOTSUPP) of ValidateParams must equal
//      the model's;
//   2: as 0, then the built parameters are XOR-ed with the next 152 bytes
//      (near-valid parameters) | max_io_buf_bytes XOR u32 | flags u64 |
//      features, and judged as in 1.
// features = selector u8 | u64: all features, none (pre-6.5 kernel), raw,
// raw | UPDATE_SIZE. Missing input reads as zero: all features.
//
// The model is an independent restatement of the rules -- the kernel's
// documented SET_PARAMS rules plus those the differential VM check against
// real kernels added (tests/unit/spec_test.cc, SpecKernelRules) and the
// library's own policy (uapi/spec.h) -- kept separate from src/uapi/spec.cc
// (no shared code or helpers).
// A disagreement aborts: that is a finding.
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_common.h"
#include "uapi/abi.h"
#include "uapi/spec.h"
#include "util/status.h"

namespace {

using namespace ublk::uapi;
using ublk::fuzz::IsPow2;
using ublk::fuzz::Reader;

constexpr uint32_t kTBasic = 1u << 0, kTDiscard = 1u << 1, kTDevt = 1u << 2, kTZoned = 1u << 3,
                   kTDmaAlign = 1u << 4, kTSegment = 1u << 5, kTIntegrity = 1u << 6;
constexpr uint64_t kFlagZoned = uint64_t{1} << 8, kFlagUpdateSize = uint64_t{1} << 10,
                   kFlagIntegrity = uint64_t{1} << 16;

// 0, EINVAL or EOPNOTSUPP.
int Model(const Params& p, uint32_t max_io_buf_bytes, uint64_t flags, uint64_t features) {
  // [library] The length must cover at least the header and at most the
  // struct we know (the kernel would clamp a longer one).
  if (p.len == 0 || p.len > 152) return EINVAL;
  // [library] A type the running kernel does not know would be silently
  // dropped by it, so it is refused up front. Without GET_FEATURES bits the
  // kernel knows BASIC, DISCARD and DEVT; ZONED comes with the ZONED
  // feature, INTEGRITY with INTEGRITY, DMA_ALIGN and SEGMENT (6.14/6.15)
  // with UPDATE_SIZE (6.15), the first feature that implies both.
  uint32_t known = kTBasic | kTDiscard | kTDevt;
  if (features & kFlagZoned) known |= kTZoned;
  if (features & kFlagUpdateSize) known |= kTDmaAlign | kTSegment;
  if (features & kFlagIntegrity) known |= kTIntegrity;
  if (p.types & ~known) return EOPNOTSUPP;

  // [kernel] ublk_validate_params and the block layer's limit checks.
  if (!(p.types & kTBasic)) return EINVAL;  // BASIC is mandatory
  const ParamBasic& b = p.basic;
  if (b.logical_bs_shift < 9 || b.logical_bs_shift > 12) return EINVAL;  // 12 = PAGE_SHIFT
  if (b.logical_bs_shift > b.physical_bs_shift) return EINVAL;
  // Newer kernels (proxy: UPDATE_SIZE) cap pbs, io_min, io_opt at 2^28.
  if ((features & kFlagUpdateSize) &&
      (b.physical_bs_shift > 28 || b.io_min_shift > 28 || b.io_opt_shift > 28))
    return EINVAL;
  if (b.max_sectors > (max_io_buf_bytes >> 9)) return EINVAL;
  if (b.max_sectors < 4096 / 512) return EINVAL;  // at least one page
  if ((flags & kFlagZoned) && b.chunk_sectors == 0) return EINVAL;
  if (p.types & kTDiscard) {
    if (p.discard.max_discard_sectors != 0 && p.discard.max_discard_segments != 1) return EINVAL;
    if (p.discard.discard_granularity == 0) return EINVAL;
  }
  if (p.types & kTDevt) return EINVAL;  // read-only, filled in by the kernel
  if ((p.types & kTZoned) && !(flags & kFlagZoned)) return EINVAL;
  if ((p.types & kTIntegrity) && !(flags & kFlagIntegrity)) return EINVAL;
  if (p.types & kTDmaAlign) {
    const uint32_t a = p.dma.alignment;
    if (!(a < 4096 && IsPow2(uint64_t{a} + 1))) return EINVAL;
  }
  if (p.types & kTSegment) {
    // The kernel adds 1 in 64 bits (__u64), so a mask of ~0 wraps to 0 and
    // is refused. max_segments 0 means "block layer default": accepted.
    const uint64_t boundary = p.seg.seg_boundary_mask + 1;
    if (!IsPow2(boundary) || boundary < 4096) return EINVAL;
    if (p.seg.max_segment_size < 4096) return EINVAL;
  }
  return 0;
}

uint64_t FeaturesFromInput(Reader& r) {
  const uint8_t sel = r.U8();
  const uint64_t raw = r.U64();
  switch (sel % 4) {
    case 0: return kAllFeatures;
    case 1: return 0;
    case 2: return raw;
    default: return raw | kFlagUpdateSize;
  }
}

const char* ErrName(int e) {
  return e == 0 ? "OK" : e == EINVAL ? "EINVAL" : e == EOPNOTSUPP ? "EOPNOTSUPP" : "other";
}

void Judge(const Params& p, uint32_t max_io_buf_bytes, uint64_t flags, uint64_t features) {
  const absl::Status st = ValidateParams(p, max_io_buf_bytes, flags, features);
  const int got = ublk::ToErrno(st);
  const int want = Model(p, max_io_buf_bytes, flags, features);
  if (got != want) {
    const ParamBasic& b = p.basic;
    std::fprintf(stderr,
                 "ValidateParams: %s (%s), model: %s\n  len=%u types=%#x lbs=%u pbs=%u "
                 "io_min=%u io_opt=%u max_sectors=%u chunk=%u max_io_buf=%u flags=%#llx "
                 "features=%#llx\n  discard{gran=%u max=%u segs=%u} dma=%#x "
                 "seg{mask=%#llx size=%u n=%u}\n",
                 ErrName(got), std::string(st.message()).c_str(), ErrName(want), p.len, p.types,
                 b.logical_bs_shift, b.physical_bs_shift, b.io_min_shift, b.io_opt_shift,
                 b.max_sectors, b.chunk_sectors, max_io_buf_bytes,
                 static_cast<unsigned long long>(flags), static_cast<unsigned long long>(features),
                 p.discard.discard_granularity, p.discard.max_discard_sectors,
                 p.discard.max_discard_segments, p.dma.alignment,
                 static_cast<unsigned long long>(p.seg.seg_boundary_mask), p.seg.max_segment_size,
                 p.seg.max_segments);
  }
  FUZZ_CHECK(got == want);
  if (!st.ok()) FUZZ_CHECK(!st.message().empty());
}

// Builds parameters from a spec; false if the spec is refused.
bool Built(Reader& r, DeviceSpec* spec, Params* p) {
  *spec = ublk::fuzz::SpecFromInput(r);
  if (!ValidateSpec(*spec).ok()) return false;
  *p = BuildParams(*spec);
  return true;
}

void MustAccept(const Params& p, uint32_t max_io, uint64_t flags, uint64_t features) {
  const absl::Status st = ValidateParams(p, max_io, flags, features);
  if (!st.ok())
    std::fprintf(stderr, "built params refused (flags %#llx, features %#llx): %s\n",
                 static_cast<unsigned long long>(flags), static_cast<unsigned long long>(features),
                 std::string(st.message()).c_str());
  FUZZ_CHECK(st.ok());
  FUZZ_CHECK(Model(p, max_io, flags, features) == 0);
}

void BuildAndAccept(Reader& r) {
  DeviceSpec s;
  Params p;
  if (!Built(r, &s, &p)) return;
  const uint64_t features = FeaturesFromInput(r);
  const uint64_t flags = r.U64() & ~kFlagZoned;  // BuildParams sets no chunk_sectors
  // What we build we must accept, against the buffer size we asked for, on
  // any kernel.
  {
    const absl::Status st = ValidateParams(p, s.max_io_bytes, 0);
    if (!st.ok())
      std::fprintf(stderr, "built params refused: %s\n", std::string(st.message()).c_str());
    FUZZ_CHECK(st.ok());
  }
  MustAccept(p, s.max_io_bytes, 0, features);
  MustAccept(p, s.max_io_bytes, flags, features);
  // ... and they describe the spec.
  const ParamBasic& b = p.basic;
  const uint32_t pbs = s.physical_block_size ? s.physical_block_size : s.logical_block_size;
  FUZZ_CHECK(p.len == sizeof(Params));
  FUZZ_CHECK(uint32_t{1} << b.logical_bs_shift == s.logical_block_size);
  FUZZ_CHECK(uint32_t{1} << b.physical_bs_shift == pbs);
  FUZZ_CHECK(uint64_t{b.dev_sectors} * 512 == s.size_bytes);
  FUZZ_CHECK(uint64_t{b.max_sectors} * 512 == s.max_io_bytes);
  FUZZ_CHECK(((b.attrs & kAttrReadOnly) != 0) == s.read_only);
  FUZZ_CHECK(((b.attrs & kAttrRotational) != 0) == s.rotational);
  FUZZ_CHECK(((b.attrs & kAttrVolatileCache) != 0) == s.volatile_cache);
  FUZZ_CHECK(((b.attrs & kAttrFua) != 0) == s.fua);
  FUZZ_CHECK(((p.types & kParamDiscard) != 0) == (s.discard || s.write_zeroes));
  if (p.types & kParamDiscard) {
    FUZZ_CHECK((p.discard.max_discard_sectors != 0) == s.discard);
    FUZZ_CHECK((p.discard.max_write_zeroes_sectors != 0) == s.write_zeroes);
    // A request the kernel builds from these limits must fit Request::length.
    FUZZ_CHECK(uint64_t{p.discard.max_discard_sectors} * 512 <= UINT32_MAX);
    FUZZ_CHECK(uint64_t{p.discard.max_write_zeroes_sectors} * 512 <= UINT32_MAX);
  }
}

void Raw(Reader& r) {
  Params p;
  r.Bytes(&p, sizeof(p));
  const uint32_t max_io_buf_bytes = r.U32();
  const uint64_t flags = r.U64();
  Judge(p, max_io_buf_bytes, flags, FeaturesFromInput(r));
}

void Perturbed(Reader& r) {
  DeviceSpec s;
  Params p;
  if (!Built(r, &s, &p)) return;
  uint8_t bytes[sizeof(Params)];
  std::memcpy(bytes, &p, sizeof(p));
  uint8_t x[sizeof(Params)];
  r.Bytes(x, sizeof(x));
  for (size_t i = 0; i < sizeof(bytes); ++i) bytes[i] ^= x[i];
  std::memcpy(&p, bytes, sizeof(p));
  const uint32_t max_io_buf_bytes = s.max_io_bytes ^ r.U32();
  const uint64_t flags = r.U64();
  Judge(p, max_io_buf_bytes, flags, FeaturesFromInput(r));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader r(data, size);
  switch (r.U8() % 3) {
    case 0: BuildAndAccept(r); break;
    case 1: Raw(r); break;
    default: Perturbed(r); break;
  }
  return 0;
}
