// ublk_dev_create/close against the fake kernel: every failure path leaves
// no device behind and releases user_data exactly once.
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "gtest/gtest.h"
#include "tests/fake/fake_kernel.h"
#include "tests/fake/stub_backend.h"
#include "ublk.h"

namespace ublk::testing {
namespace {

class CreateFake : public ::testing::Test {
 protected:
  void SetUp() override {
    guard_ = kernel_.Install();
    ASSERT_EQ(ublk_config_new(&cfg_), 0);
    ASSERT_EQ(ublk_config_set_size(cfg_, 64 << 20), 0);
    g_stub_frees = 0;
  }
  void TearDown() override { ublk_config_free(cfg_); }
  int Create(ublk_dev** dev) { return ublk_dev_create(cfg_, &ops_, nullptr, dev); }

  FakeKernel kernel_;
  std::shared_ptr<void> guard_;
  ublk_config* cfg_ = nullptr;
  ublk_backend_ops ops_ = StubOps();
};

TEST_F(CreateFake, CreateThenCloseDeletes) {
  ublk_dev* dev = nullptr;
  ASSERT_EQ(Create(&dev), 0) << ublk_last_error();
  EXPECT_EQ(kernel_.device_count(), 1u);
  EXPECT_STREQ(ublk_dev_path(dev), "/dev/ublkb0");
  EXPECT_EQ(ublk_dev_close(dev), 0) << ublk_last_error();
  EXPECT_EQ(kernel_.device_count(), 0u);
  EXPECT_EQ(g_stub_frees, 1);
}

TEST_F(CreateFake, SetParamsFailureLeavesNothing) {
  kernel_.FailNext(uapi::CtrlOp::kSetParams, EINVAL);
  ublk_dev* dev = nullptr;
  EXPECT_EQ(Create(&dev), -EINVAL);
  EXPECT_NE(std::strstr(ublk_last_error(), "SET_PARAMS"), nullptr) << ublk_last_error();
  EXPECT_EQ(kernel_.device_count(), 0u);
  EXPECT_EQ(g_stub_frees, 1);
}

TEST_F(CreateFake, AddFailureKeepsErrno) {
  kernel_.FailNext(uapi::CtrlOp::kAddDev, EPERM);
  ublk_dev* dev = nullptr;
  EXPECT_EQ(Create(&dev), -EPERM);
  EXPECT_NE(std::strstr(ublk_last_error(), "CAP_SYS_ADMIN"), nullptr) << ublk_last_error();
  EXPECT_EQ(kernel_.device_count(), 0u);
  EXPECT_EQ(g_stub_frees, 1);
}

TEST_F(CreateFake, TakenIdIsEexist) {
  ublk_dev* a = nullptr;
  ublk_dev* b = nullptr;
  ASSERT_EQ(ublk_config_set_dev_id(cfg_, 7), 0);
  ASSERT_EQ(Create(&a), 0);
  EXPECT_EQ(Create(&b), -EEXIST);
  EXPECT_NE(std::strstr(ublk_last_error(), "in use"), nullptr);
  EXPECT_EQ(kernel_.device_count(), 1u);
  ublk_dev_close(a);
  EXPECT_EQ(kernel_.device_count(), 0u);
  EXPECT_EQ(g_stub_frees, 2);
}

TEST_F(CreateFake, StartFailureThenCloseCleansUp) {
  ublk_dev* dev = nullptr;
  ASSERT_EQ(ublk_config_set_queues(cfg_, 1), 0);
  ASSERT_EQ(Create(&dev), 0);
  // /dev/null cannot be mmap'd as a descriptor array: start must fail cleanly.
  EXPECT_LT(ublk_dev_start(dev), 0);
  EXPECT_GT(std::strlen(ublk_last_error()), 0u);
  EXPECT_EQ(ublk_dev_close(dev), 0) << ublk_last_error();
  EXPECT_EQ(kernel_.device_count(), 0u);
}

TEST_F(CreateFake, OldKernelWithoutGetFeaturesStillWorks) {
  kernel_.FailNext(uapi::CtrlOp::kGetFeatures, EOPNOTSUPP);
  ublk_dev* dev = nullptr;
  ASSERT_EQ(Create(&dev), 0) << ublk_last_error();
  ublk_dev_close(dev);
}

TEST_F(CreateFake, GetFeaturesThroughTheCApi) {
  kernel_.features = 0x1fffff;
  uint64_t f = 0;
  ASSERT_EQ(ublk_get_features(&f), 0);
  EXPECT_EQ(f, 0x1fffffu);
}

// Data modes are resolved against GET_FEATURES before ADD_DEV: on a 6.12
// feature set zero copy is refused with the feature's name and no device.
TEST_F(CreateFake, ZeroCopyOnAnOldKernelIsRefusedBeforeAdd) {
  kernel_.features = 0x1fe;
  ASSERT_EQ(ublk_config_set_data_mode(cfg_, UBLK_DATA_MODE_ZERO_COPY), 0);
  ublk_dev* dev = nullptr;
  EXPECT_EQ(Create(&dev), -EOPNOTSUPP);
  EXPECT_NE(std::strstr(ublk_last_error(), "SUPPORT_ZERO_COPY (Linux 6.15 or newer)"), nullptr)
      << ublk_last_error();
  EXPECT_EQ(kernel_.device_count(), 0u);
  EXPECT_EQ(g_stub_frees, 1);
  // AUTO falls back to copy mode there, and says so.
  ASSERT_EQ(ublk_config_set_data_mode(cfg_, UBLK_DATA_MODE_AUTO), 0);
  ASSERT_EQ(Create(&dev), 0) << ublk_last_error();
  EXPECT_EQ(ublk_dev_data_mode(dev), UBLK_DATA_MODE_COPY);
  uint64_t copied = 1;
  EXPECT_EQ(ublk_dev_counter(dev, UBLK_COUNTER_BYTES_COPIED, &copied), 0);
  EXPECT_EQ(copied, 0u);  // nothing served yet
  ublk_dev_close(dev);
}

void* NoDataAt(void*, uint32_t, uint32_t, uint64_t, uint32_t) { return nullptr; }

// A C backend with data_at has its data in memory: AUTO picks user copy
// where the kernel has USER_COPY (6.12's feature set), else copy; so does a
// caller whose struct_size ends before the member.
TEST_F(CreateFake, AutoPicksUserCopyForABackendWithDataAt) {
  ASSERT_EQ(ublk_config_set_data_mode(cfg_, UBLK_DATA_MODE_AUTO), 0);
  ops_.data_at = NoDataAt;
  const struct {
    uint64_t features;
    uint64_t struct_size;
    uint32_t mode;
  } cases[] = {
      {0x1fe, sizeof(ublk_backend_ops), UBLK_DATA_MODE_USER_COPY},
      {0x1fe & ~(1ull << 7), sizeof(ublk_backend_ops), UBLK_DATA_MODE_COPY},
      {0x1fe, offsetof(ublk_backend_ops, data_at), UBLK_DATA_MODE_COPY},
  };
  for (const auto& c : cases) {
    kernel_.features = c.features;
    ops_.struct_size = c.struct_size;
    ublk_dev* dev = nullptr;
    ASSERT_EQ(Create(&dev), 0) << ublk_last_error();
    EXPECT_EQ(ublk_dev_data_mode(dev), c.mode) << c.features << " " << c.struct_size;
    EXPECT_EQ(ublk_dev_close(dev), 0);
  }
}

// A kernel that accepts ADD_DEV but drops a data-mode flag (a clearing rule)
// must not leave the device half-configured.
TEST_F(CreateFake, DataModeFlagDroppedByTheKernelIsRefused) {
  kernel_.features = 0x1fe;
  kernel_.clear_flags = 1ull << 7;  // USER_COPY granted by GET_FEATURES, dropped at ADD
  ASSERT_EQ(ublk_config_set_data_mode(cfg_, UBLK_DATA_MODE_USER_COPY), 0);
  ublk_dev* dev = nullptr;
  EXPECT_EQ(Create(&dev), -EOPNOTSUPP);
  EXPECT_NE(std::strstr(ublk_last_error(), "did not grant"), nullptr) << ublk_last_error();
  EXPECT_EQ(kernel_.device_count(), 0u);
}

}  // namespace
}  // namespace ublk::testing
