// ublk_dev_create/close against the fake kernel: every failure path leaves
// no device behind and releases user_data exactly once.
#include <cerrno>
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

}  // namespace
}  // namespace ublk::testing
