#include "uapi/request.h"

#include <cerrno>

#include "gtest/gtest.h"

namespace ublk::uapi {
namespace {

RequestLimits Limits() {
  RequestLimits l;
  l.dev_sectors = 2048;  // 1 MiB
  l.buffer_bytes = 128 * 1024;
  l.ops_mask = OpBit(kOpRead) | OpBit(kOpWrite) | OpBit(kOpFlush) | OpBit(kOpDiscard);
  return l;
}

IoDesc Desc(uint32_t op_flags, uint32_t nr, uint64_t start) {
  IoDesc d{};
  d.op_flags = op_flags;
  d.nr_sectors = nr;
  d.start_sector = start;
  return d;
}

int Decode(const IoDesc& d, Request* r = nullptr) {
  Request tmp;
  return DecodeRequest(&d, Limits(), r ? r : &tmp);
}

TEST(Request, ValidReadAtTheEnd) {
  Request r;
  ASSERT_EQ(Decode(Desc(kOpRead | kIoFFua, 8, 2040), &r), 0);
  EXPECT_EQ(r.op, kOpRead);
  EXPECT_EQ(r.offset, 2040u * 512);
  EXPECT_EQ(r.length, 4096u);
  EXPECT_EQ(r.flags, kIoFFua);
}

TEST(Request, PastTheEndIsRefused) {
  EXPECT_EQ(Decode(Desc(kOpWrite, 9, 2040)), -EINVAL);
  EXPECT_EQ(Decode(Desc(kOpWrite, 1, 2048)), -EINVAL);
  EXPECT_EQ(Decode(Desc(kOpWrite, 8, ~0ull - 2)), -EINVAL);  // overflow
}

TEST(Request, LongerThanBufferIsRefused) {
  EXPECT_EQ(Decode(Desc(kOpRead, 257, 0)), -EINVAL);
  EXPECT_EQ(Decode(Desc(kOpRead, 256, 0)), 0);
}

TEST(Request, ZeroLengthDataIsRefused) { EXPECT_EQ(Decode(Desc(kOpRead, 0, 0)), -EINVAL); }

TEST(Request, UnknownOrUnadvertisedOps) {
  EXPECT_EQ(Decode(Desc(kOpWriteZeroes, 8, 0)), -EOPNOTSUPP);  // not in ops_mask
  EXPECT_EQ(Decode(Desc(77, 8, 0)), -EOPNOTSUPP);
  EXPECT_EQ(Decode(Desc(kOpZoneAppend, 8, 0)), -EOPNOTSUPP);
}

TEST(Request, FlushCarriesNoRange) {
  Request r;
  EXPECT_EQ(Decode(Desc(kOpFlush, 0, 123), &r), 0);
  EXPECT_EQ(r.offset, 0u);
  EXPECT_EQ(r.length, 0u);
  EXPECT_EQ(Decode(Desc(kOpFlush, 8, 0)), -EINVAL);
}

TEST(Request, DiscardIsNotLimitedByTheBuffer) { EXPECT_EQ(Decode(Desc(kOpDiscard, 2048, 0)), 0); }

TEST(Request, MisalignedForLogicalBlockSize) {
  RequestLimits l = Limits();
  l.logical_bs_shift = 12;
  Request r;
  IoDesc d = Desc(kOpRead, 8, 1);
  EXPECT_EQ(DecodeRequest(&d, l, &r), -EINVAL);
  d = Desc(kOpRead, 8, 8);
  EXPECT_EQ(DecodeRequest(&d, l, &r), 0);
}

}  // namespace
}  // namespace ublk::uapi
