#include "uapi/spec.h"

#include <cerrno>

#include "gtest/gtest.h"
#include "util/status.h"

namespace ublk::uapi {
namespace {

DeviceSpec Good() {
  DeviceSpec s;
  s.size_bytes = 64 << 20;
  return s;
}

int Verdict(const DeviceSpec& s) { return ToErrno(ValidateSpec(s)); }

TEST(Spec, DefaultsWithSizeAreValid) { EXPECT_EQ(Verdict(Good()), 0); }

TEST(Spec, RefusesWhatTheCliTestsSend) {
  DeviceSpec s = Good();
  s.size_bytes = 0;
  EXPECT_EQ(Verdict(s), EINVAL);
  s = Good();
  s.queue_depth = 0;
  EXPECT_EQ(Verdict(s), EINVAL);
  s = Good();
  s.logical_block_size = 3000;
  EXPECT_EQ(Verdict(s), EINVAL);
  EXPECT_NE(ValidateSpec(s).message().find("3000"), std::string::npos);
}

TEST(Spec, SizeMustBeBlockMultiple) {
  DeviceSpec s = Good();
  s.logical_block_size = 4096;
  s.size_bytes = 4096 * 10 + 512;
  EXPECT_EQ(Verdict(s), EINVAL);
}

TEST(Spec, MaxIoBounds) {
  DeviceSpec s = Good();
  s.max_io_bytes = 4095;
  EXPECT_EQ(Verdict(s), EINVAL);
  s.max_io_bytes = (32u << 20) + 4096;
  EXPECT_EQ(Verdict(s), EINVAL);
  s.max_io_bytes = 32u << 20;
  EXPECT_EQ(Verdict(s), 0);
}

TEST(Spec, PhysicalAtLeastLogical) {
  DeviceSpec s = Good();
  s.logical_block_size = 4096;
  s.physical_block_size = 512;
  EXPECT_EQ(Verdict(s), EINVAL);
}

TEST(Spec, DevIdRange) {
  DeviceSpec s = Good();
  s.dev_id = 1u << 20;
  EXPECT_EQ(Verdict(s), EINVAL);
  s.dev_id = kAutoDevId;
  EXPECT_EQ(Verdict(s), 0);
}

TEST(Spec, ParamsFollowCapabilities) {
  DeviceSpec s = Good();
  Params p = BuildParams(s);
  EXPECT_EQ(p.types, kParamBasic);
  EXPECT_EQ(p.basic.attrs, 0u);
  EXPECT_EQ(p.basic.dev_sectors, (64u << 20) >> 9);
  EXPECT_EQ(p.basic.max_sectors, kDefaultMaxIoBytes >> 9);
  s.volatile_cache = s.fua = s.discard = true;
  s.read_only = true;
  p = BuildParams(s);
  EXPECT_EQ(p.types, kParamBasic | kParamDiscard);
  EXPECT_EQ(p.basic.attrs, kAttrVolatileCache | kAttrFua | kAttrReadOnly);
  EXPECT_EQ(p.discard.max_discard_segments, 1);
  EXPECT_GT(p.discard.max_discard_sectors, 0u);
  EXPECT_EQ(p.discard.max_write_zeroes_sectors, 0u);
  EXPECT_TRUE(ValidateParams(p, kDefaultMaxIoBytes, 0).ok());
}

TEST(Spec, KernelRulesForParams) {
  Params p = BuildParams(Good());
  EXPECT_TRUE(ValidateParams(p, kDefaultMaxIoBytes, 0).ok());
  EXPECT_FALSE(ValidateParams(p, kDefaultMaxIoBytes / 2, 0).ok());  // max_sectors too big
  Params q = p;
  q.types = 0;
  EXPECT_FALSE(ValidateParams(q, kDefaultMaxIoBytes, 0).ok());
  q = p;
  q.types |= kParamDevt;
  EXPECT_FALSE(ValidateParams(q, kDefaultMaxIoBytes, 0).ok());
  q = p;
  q.basic.logical_bs_shift = 13;
  q.basic.physical_bs_shift = 13;
  EXPECT_FALSE(ValidateParams(q, kDefaultMaxIoBytes, 0).ok());
  q = p;
  q.types |= kParamDiscard;
  q.discard.max_discard_sectors = 8;
  q.discard.max_discard_segments = 2;
  q.discard.discard_granularity = 512;
  EXPECT_FALSE(ValidateParams(q, kDefaultMaxIoBytes, 0).ok());
  q = p;
  q.types |= kParamDmaAlign;
  q.dma.alignment = 511;
  EXPECT_TRUE(ValidateParams(q, kDefaultMaxIoBytes, 0).ok());
  q.dma.alignment = 512;
  EXPECT_FALSE(ValidateParams(q, kDefaultMaxIoBytes, 0).ok());
}

TEST(Spec, KernelDevInfoSanity) {
  DevInfo info = BuildDevInfo(Good());
  info.dev_id = 3;
  EXPECT_TRUE(ValidateKernelDevInfo(info).ok());
  info.queue_depth = 0;
  EXPECT_EQ(ToErrno(ValidateKernelDevInfo(info)), EPROTO);
}

}  // namespace
}  // namespace ublk::uapi

namespace ublk::uapi {
namespace {

// Rules found by the differential check against 6.12 and 7.3 (params_diff).
TEST(SpecKernelRules, MaxSectorsBelowAPageIsRefused) {
  Params p = BuildParams(Good());
  p.basic.max_sectors = 7;
  EXPECT_EQ(ToErrno(ValidateParams(p, kDefaultMaxIoBytes, 0)), EINVAL);
  p.basic.max_sectors = 8;
  EXPECT_TRUE(ValidateParams(p, kDefaultMaxIoBytes, 0).ok());
}

TEST(SpecKernelRules, HugeBlockAttributesDependOnKernel) {
  Params p = BuildParams(Good());
  p.basic.io_opt_shift = 29;
  EXPECT_EQ(ToErrno(ValidateParams(p, kDefaultMaxIoBytes, 0, 0x1fffff)), EINVAL);  // 7.3
  EXPECT_TRUE(ValidateParams(p, kDefaultMaxIoBytes, 0, 0x1fe).ok());               // 6.12
}

TEST(SpecKernelRules, TypesTheKernelWouldDropAreRefused) {
  Params p = BuildParams(Good());
  p.types |= kParamDmaAlign;
  p.dma.alignment = 511;
  EXPECT_EQ(ToErrno(ValidateParams(p, kDefaultMaxIoBytes, 0, 0x1fe)), EOPNOTSUPP);
  EXPECT_TRUE(ValidateParams(p, kDefaultMaxIoBytes, 0, 0x1fffff).ok());
  p.types |= 1u << 12;  // a type no kernel defines
  EXPECT_EQ(ToErrno(ValidateParams(p, kDefaultMaxIoBytes, 0, 0x1fffff)), EOPNOTSUPP);
}

TEST(SpecKernelRules, LengthAndSpecCaps) {
  Params p = BuildParams(Good());
  p.len = 0;
  EXPECT_EQ(ToErrno(ValidateParams(p, kDefaultMaxIoBytes, 0)), EINVAL);
  DeviceSpec s = Good();
  s.physical_block_size = 512u << 20;
  EXPECT_EQ(ToErrno(ValidateSpec(s)), EINVAL);
}

}  // namespace
}  // namespace ublk::uapi
