// Data-mode negotiation: which kernel flags each mode asks for, what it
// needs from GET_FEATURES, and the refusal messages users see.
#include "uapi/data_mode.h"

#include <cerrno>
#include <string>

#include "gtest/gtest.h"
#include "uapi/abi.h"
#include "util/status.h"

namespace ublk::uapi {
namespace {

// GET_FEATURES masks reported by the two kernels the VM suite boots.
constexpr uint64_t kNew = 0x1fffff;  // 7.3: zero copy + auto buffer registration
constexpr uint64_t kLts = 0x1fe;     // 6.12: no zero copy
constexpr uint64_t kNone = 0;        // before 6.5: no GET_FEATURES

TEST(DataMode, CopyNeedsNothing) {
  for (uint64_t f : {kNew, kLts, kNone}) {
    auto p = ResolveDataMode(DataMode::kCopy, f, {.file_ops_only = false});
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->flags, 0u);
    EXPECT_TRUE(p->kernel_copies());
  }
}

TEST(DataMode, NeedGetDataWorksWithoutGetFeatures) {
  for (uint64_t f : {kNew, kLts, kNone}) {
    auto p = ResolveDataMode(DataMode::kNeedGetData, f, {.file_ops_only = false});
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->flags, kFNeedGetData);
    EXPECT_TRUE(p->kernel_copies());
  }
}

TEST(DataMode, UserCopyNeedsTheFeature) {
  auto p = ResolveDataMode(DataMode::kUserCopy, kLts, {.file_ops_only = false});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->flags, kFUserCopy);
  EXPECT_TRUE(p->server_copies);
  auto no = ResolveDataMode(DataMode::kUserCopy, kNone, {.file_ops_only = false});
  ASSERT_FALSE(no.ok());
  EXPECT_EQ(ToErrno(no.status()), EOPNOTSUPP);
  EXPECT_NE(std::string(no.status().message()).find("USER_COPY (Linux 6.5"), std::string::npos);
}

TEST(DataMode, ZeroCopyPrefersAutomaticRegistration) {
  auto p = ResolveDataMode(DataMode::kZeroCopy, kNew, {.file_ops_only = true});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->flags, kFSupportZeroCopy | kFAutoBufReg);
  EXPECT_TRUE(p->auto_buf_reg);
  EXPECT_TRUE(p->zero_copy_file_ops);
  EXPECT_FALSE(p->server_copies);
  // Without AUTO_BUF_REG (6.15): registration by hand.
  auto m = ResolveDataMode(DataMode::kZeroCopy, kNew & ~kFAutoBufReg, {.file_ops_only = true});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->flags, kFSupportZeroCopy);
  EXPECT_FALSE(m->auto_buf_reg);
  // Forced manual mode never asks for AUTO_BUF_REG.
  auto f = ResolveDataMode(DataMode::kZeroCopyManual, kNew, {.file_ops_only = true});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->flags, kFSupportZeroCopy);
}

TEST(DataMode, ZeroCopyForABufferBackendAddsUserCopy) {
  auto p = ResolveDataMode(DataMode::kZeroCopy, kNew, {.file_ops_only = false});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->flags, kFSupportZeroCopy | kFAutoBufReg | kFUserCopy);
  EXPECT_TRUE(p->server_copies);
  EXPECT_FALSE(p->zero_copy_file_ops);
}

TEST(DataMode, ZeroCopyOnOldKernelsSaysWhatIsMissing) {
  for (DataMode m : {DataMode::kZeroCopy, DataMode::kZeroCopyManual}) {
    auto p = ResolveDataMode(m, kLts, {.file_ops_only = true});
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(ToErrno(p.status()), EOPNOTSUPP);
    EXPECT_NE(std::string(p.status().message())
                  .find("needs kernel feature SUPPORT_ZERO_COPY (Linux 6.15 or newer)"),
              std::string::npos)
        << p.status();
  }
}

TEST(DataMode, AutoPicksZeroCopyOnlyWhereItRemovesTheCopy) {
  auto file_new = ResolveDataMode(DataMode::kAuto, kNew, {.file_ops_only = true});
  ASSERT_TRUE(file_new.ok());
  EXPECT_EQ(file_new->mode, DataMode::kZeroCopy);
  EXPECT_TRUE(file_new->zero_copy_file_ops);
  for (auto [f, file_ops] : {std::pair{kNew, false}, {kLts, true}, {kLts, false}, {kNone, true}}) {
    auto p = ResolveDataMode(DataMode::kAuto, f, {.file_ops_only = file_ops});
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->mode, DataMode::kCopy) << f << " " << file_ops;
    EXPECT_EQ(p->flags, 0u);
  }
}

// A backend with its data in memory: user copy (one copy, the kernel's,
// straight into that memory) where the kernel has USER_COPY, else copy.
TEST(DataMode, AutoPicksUserCopyForDataInMemory) {
  auto p = ResolveDataMode(DataMode::kAuto, kLts, {.data_in_memory = true});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->mode, DataMode::kUserCopy);
  EXPECT_EQ(p->flags, kFUserCopy);
  EXPECT_TRUE(p->server_copies);
  auto old = ResolveDataMode(DataMode::kAuto, kNone, {.data_in_memory = true});
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->mode, DataMode::kCopy);
  // Zero copy of a file-ops-only backend still wins where it exists.
  auto zc = ResolveDataMode(DataMode::kAuto, kNew, {.file_ops_only = true, .data_in_memory = true});
  ASSERT_TRUE(zc.ok());
  EXPECT_EQ(zc->mode, DataMode::kZeroCopy);
}

TEST(DataMode, NamesRoundTrip) {
  for (uint8_t m = 0; m <= kMaxDataMode; ++m) {
    DataMode out;
    ASSERT_TRUE(DataModeFromName(DataModeName(static_cast<DataMode>(m)), &out));
    EXPECT_EQ(static_cast<uint8_t>(out), m);
  }
  DataMode out;
  EXPECT_FALSE(DataModeFromName("fastest", &out));
  EXPECT_FALSE(
      ResolveDataMode(static_cast<DataMode>(kMaxDataMode + 1), kNew, {.file_ops_only = true}).ok());
}

}  // namespace
}  // namespace ublk::uapi
