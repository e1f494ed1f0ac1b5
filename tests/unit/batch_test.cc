// BATCH_IO element arrays, the kernel's answers, and the policy (uapi/batch.h).
#include "uapi/batch.h"

#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "util/status.h"

namespace ublk::uapi {
namespace {

TEST(Batch, ElemBytesFollowTheFlags) {
  EXPECT_EQ(BatchElemBytes(0), 8);
  EXPECT_EQ(BatchElemBytes(kBatchFHasBufAddr), 16);
  EXPECT_EQ(BatchElemBytes(kBatchFHasZoneLba), 16);
  EXPECT_EQ(BatchElemBytes(kBatchFHasBufAddr | kBatchFHasZoneLba), 24);
  EXPECT_EQ(BatchElemBytes(kBatchFAutoBufRegFallback), 8);
  EXPECT_EQ(BatchElemBytes(kBatchFAutoBufRegFallback | kBatchFHasBufAddr),
            0);                           // the kernel's EINVAL
  EXPECT_EQ(BatchElemBytes(1u << 3), 0);  // unknown bit
}

TEST(Batch, PutElemLaysOutHeaderThenAddress) {
  std::vector<uint8_t> buf(3 * 16, 0xee);
  PutBatchElem(buf.data(), kBatchFHasBufAddr, 2, 7, 7, -5, 0x1122334455667788ull);
  BatchElemHeader h;
  std::memcpy(&h, buf.data() + 32, sizeof(h));
  EXPECT_EQ(h.tag, 7);
  EXPECT_EQ(h.buf_index, 7);
  EXPECT_EQ(h.result, -5);
  uint64_t addr;
  std::memcpy(&addr, buf.data() + 40, sizeof(addr));
  EXPECT_EQ(addr, 0x1122334455667788ull);
  EXPECT_EQ(buf[0], 0xee);  // other elements untouched
}

TEST(Batch, CommitResultWhole) {
  const CommitOutcome o = ParseCommitResult(4 * 16, 4, 16);
  EXPECT_EQ(o.committed, 4u);
  EXPECT_FALSE(o.refused);
  EXPECT_FALSE(o.malformed);
}

TEST(Batch, CommitResultPartialNamesTheRefusedElement) {
  const CommitOutcome o = ParseCommitResult(2 * 8, 5, 8);
  EXPECT_EQ(o.committed, 2u);  // element 2 was refused, 3 and 4 not looked at
  EXPECT_TRUE(o.refused);
  EXPECT_LT(o.error, 0);
}

TEST(Batch, CommitResultErrorRefusesTheFirst) {
  const CommitOutcome o = ParseCommitResult(-16, 3, 8);
  EXPECT_EQ(o.committed, 0u);
  EXPECT_TRUE(o.refused);
  EXPECT_EQ(o.error, -16);
}

TEST(Batch, CommitResultMalformed) {
  EXPECT_TRUE(ParseCommitResult(12, 3, 8).malformed);     // not whole elements
  EXPECT_TRUE(ParseCommitResult(4 * 8, 3, 8).malformed);  // more than sent
  EXPECT_TRUE(ParseCommitResult(8, 3, 0).malformed);      // no element size
  EXPECT_FALSE(ParseCommitResult(0, 0, 8).malformed);     // an empty commit
}

TEST(Batch, FetchedTagsAreCheckedAgainstDepth) {
  const uint16_t raw[] = {3, 0, 64, 2};
  uint8_t buf[8];
  std::memcpy(buf, raw, sizeof(raw));
  uint16_t out[4];
  uint32_t bad = 0;
  const size_t n = ParseFetchedTags(buf, sizeof(buf), 8, 64, out, &bad);
  ASSERT_EQ(n, 3u);
  EXPECT_EQ(out[0], 3);
  EXPECT_EQ(out[1], 0);
  EXPECT_EQ(out[2], 2);
  EXPECT_EQ(bad, 1u);  // tag 64 on a depth-64 queue
}

TEST(Batch, FetchedTagsRefuseBadLengths) {
  uint8_t buf[8] = {};
  uint16_t out[4];
  uint32_t bad = 0;
  EXPECT_EQ(ParseFetchedTags(buf, sizeof(buf), 3, 64, out, &bad), 0u);  // odd
  EXPECT_EQ(bad, 1u);
  EXPECT_EQ(ParseFetchedTags(buf, sizeof(buf), 10, 64, out, &bad), 0u);  // past the buffer
  EXPECT_EQ(bad, 1u);
  EXPECT_EQ(ParseFetchedTags(buf, sizeof(buf), -5, 64, out, &bad), 0u);
  EXPECT_EQ(bad, 1u);
  EXPECT_EQ(ParseFetchedTags(buf, sizeof(buf), 0, 64, out, &bad), 0u);  // nothing, fine
  EXPECT_EQ(bad, 0u);
}

TEST(Batch, PolicyFollowsFeaturesAndMode) {
  EXPECT_FALSE(*ResolveBatchIo(BatchIoPolicy::kOff, kFBatchIo, DataMode::kCopy));
  EXPECT_TRUE(*ResolveBatchIo(BatchIoPolicy::kAuto, kFBatchIo, DataMode::kCopy));
  EXPECT_FALSE(*ResolveBatchIo(BatchIoPolicy::kAuto, 0, DataMode::kCopy));
  EXPECT_FALSE(*ResolveBatchIo(BatchIoPolicy::kAuto, kFBatchIo, DataMode::kNeedGetData));
  EXPECT_TRUE(*ResolveBatchIo(BatchIoPolicy::kOn, kFBatchIo, DataMode::kZeroCopy));
  auto no_kernel = ResolveBatchIo(BatchIoPolicy::kOn, kFUserCopy, DataMode::kCopy);
  ASSERT_FALSE(no_kernel.ok());
  EXPECT_EQ(ToErrno(no_kernel.status()), EOPNOTSUPP);
  EXPECT_NE(no_kernel.status().message().find("UBLK_F_BATCH_IO (kernel 7.0+)"),
            absl::string_view::npos);
  auto no_mode = ResolveBatchIo(BatchIoPolicy::kOn, kFBatchIo, DataMode::kNeedGetData);
  ASSERT_FALSE(no_mode.ok());
  EXPECT_EQ(ToErrno(no_mode.status()), EOPNOTSUPP);
}

TEST(Batch, ElemFlagsPerPlan) {
  DataPlan copy;
  EXPECT_EQ(BatchElemFlags(copy), kBatchFHasBufAddr);
  DataPlan user_copy{.mode = DataMode::kUserCopy, .server_copies = true};
  EXPECT_EQ(BatchElemFlags(user_copy), 0);
  DataPlan auto_reg{.mode = DataMode::kZeroCopy, .auto_buf_reg = true};
  EXPECT_EQ(BatchElemFlags(auto_reg), kBatchFAutoBufRegFallback);
  DataPlan manual{.mode = DataMode::kZeroCopyManual};
  EXPECT_EQ(BatchElemFlags(manual), 0);
}

TEST(Batch, PolicyNamesRoundTrip) {
  for (uint8_t v = 0; v <= kMaxBatchIoPolicy; ++v) {
    BatchIoPolicy p;
    ASSERT_TRUE(BatchIoPolicyFromName(BatchIoPolicyName(static_cast<BatchIoPolicy>(v)), &p));
    EXPECT_EQ(static_cast<uint8_t>(p), v);
  }
  BatchIoPolicy p;
  EXPECT_FALSE(BatchIoPolicyFromName("yes", &p));
}

}  // namespace
}  // namespace ublk::uapi
