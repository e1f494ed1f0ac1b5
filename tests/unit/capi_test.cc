// The C API's argument checking and ownership rules, without a kernel.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "tests/fake/stub_backend.h"
#include "ublk.h"

namespace {

using ublk::testing::g_stub_frees;
int32_t Submit(void*, ublk_io*) { return 0; }
void* DataAt(void*, uint32_t, uint32_t, uint64_t, uint32_t) { return nullptr; }

struct Config {
  ublk_config* cfg = nullptr;
  Config() { EXPECT_EQ(ublk_config_new(&cfg), 0); }
  ~Config() { ublk_config_free(cfg); }
};

TEST(CApi, Version) {
  EXPECT_EQ(ublk_version() >> 16, static_cast<uint32_t>(UBLK_VERSION_MAJOR));
  EXPECT_EQ(ublk_version_at_least(UBLK_VERSION_MAJOR, UBLK_VERSION_MINOR), 1);
  EXPECT_EQ(ublk_version_at_least(UBLK_VERSION_MAJOR + 1, 0), 0);
}

TEST(CApi, SettersRefuseBadValuesWithMessage) {
  Config c;
  EXPECT_EQ(ublk_config_set_size(c.cfg, 0), -EINVAL);
  EXPECT_NE(std::strstr(ublk_last_error(), "ublk_config_set_size"), nullptr);
  EXPECT_EQ(ublk_config_set_depth(c.cfg, 5000), -EINVAL);
  EXPECT_NE(std::strstr(ublk_last_error(), "5000"), nullptr);
  EXPECT_EQ(ublk_config_set_block_size(c.cfg, 3000, 0), -EINVAL);
  EXPECT_EQ(ublk_config_set_block_size(c.cfg, 4096, 512), -EINVAL);
  EXPECT_EQ(ublk_config_set_queues(c.cfg, 0), -EINVAL);
  EXPECT_EQ(ublk_config_set_max_io_size(c.cfg, 1000), -EINVAL);
  EXPECT_EQ(ublk_config_set_dev_id(c.cfg, -2), -EINVAL);
  EXPECT_EQ(ublk_config_set_dev_id(c.cfg, 1 << 20), -EINVAL);
  EXPECT_EQ(ublk_config_set_read_only(c.cfg, 2), -EINVAL);
  EXPECT_EQ(ublk_config_set_ctrl_timeout_ms(c.cfg, 0), -EINVAL);
  EXPECT_EQ(ublk_config_set_size(nullptr, 4096), -EINVAL);
  EXPECT_EQ(ublk_config_set_size(c.cfg, 1 << 20), 0);
  EXPECT_EQ(ublk_config_set_dev_id(c.cfg, UBLK_DEV_ID_AUTO), 0);
  EXPECT_EQ(ublk_config_set_data_mode(c.cfg, 6), -EINVAL);
  EXPECT_NE(std::strstr(ublk_last_error(), "unknown data mode 6"), nullptr);
  for (uint32_t m = UBLK_DATA_MODE_COPY; m <= UBLK_DATA_MODE_ZERO_COPY_MANUAL; ++m)
    EXPECT_EQ(ublk_config_set_data_mode(c.cfg, m), 0) << m;
  EXPECT_EQ(ublk_config_set_io_hints(c.cfg, 4096, 3 << 12), -EINVAL);  // not a power of two
  EXPECT_NE(std::strstr(ublk_last_error(), "optimal I/O size"), nullptr) << ublk_last_error();
  EXPECT_EQ(ublk_config_set_io_hints(c.cfg, 256, 0), -EINVAL);  // below the block size
  EXPECT_EQ(ublk_config_set_io_hints(c.cfg, 4096, 1 << 20), 0);
  EXPECT_EQ(ublk_config_set_queue_affinity(c.cfg, 3), -EINVAL);
  EXPECT_NE(std::strstr(ublk_last_error(), "unknown queue affinity policy 3"), nullptr);
  for (uint32_t p :
       {UBLK_QUEUE_AFFINITY_AUTO, UBLK_QUEUE_AFFINITY_QUEUE_CPUS, UBLK_QUEUE_AFFINITY_NONE})
    EXPECT_EQ(ublk_config_set_queue_affinity(c.cfg, p), 0) << p;
  EXPECT_EQ(ublk_config_set_queue_threads(c.cfg, 4097), -EINVAL);
  EXPECT_NE(std::strstr(ublk_last_error(), "number of queue threads 4097"), nullptr);
  EXPECT_EQ(ublk_config_set_queue_threads(c.cfg, 0), 0);
  EXPECT_EQ(ublk_config_set_queue_sched(c.cfg, 2), -EINVAL);
  EXPECT_NE(std::strstr(ublk_last_error(), "unknown queue scheduling policy 2"), nullptr);
  for (uint32_t p : {UBLK_QUEUE_SCHED_INHERIT, UBLK_QUEUE_SCHED_BATCH})
    EXPECT_EQ(ublk_config_set_queue_sched(c.cfg, p), 0) << p;
  EXPECT_EQ(ublk_config_set_batch_io(c.cfg, 3), -EINVAL);
  EXPECT_NE(std::strstr(ublk_last_error(), "unknown batch I/O policy 3"), nullptr);
  for (uint32_t p : {UBLK_BATCH_IO_AUTO, UBLK_BATCH_IO_OFF, UBLK_BATCH_IO_ON})
    EXPECT_EQ(ublk_config_set_batch_io(c.cfg, p), 0) << p;
}

// Each bad create must call free_user_data exactly once and leave *out alone.
void ExpectRefusedAndFreedOnce(const ublk_config* cfg, const ublk_backend_ops& ops,
                               const char* needle) {
  g_stub_frees = 0;
  ublk_dev* dev = reinterpret_cast<ublk_dev*>(0x1);
  EXPECT_EQ(ublk_dev_create(cfg, &ops, nullptr, &dev), -EINVAL) << needle;
  EXPECT_EQ(g_stub_frees, 1) << needle;
  EXPECT_EQ(dev, reinterpret_cast<ublk_dev*>(0x1));
  EXPECT_NE(std::strstr(ublk_last_error(), needle), nullptr) << ublk_last_error();
}

TEST(CApi, CreateRefusesBadOpsAndFreesUserDataOnce) {
  Config c;
  ASSERT_EQ(ublk_config_set_size(c.cfg, 1 << 20), 0);
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  ops.free_user_data = ublk::testing::StubFree;
  ExpectRefusedAndFreedOnce(c.cfg, ops, "read and write");  // nothing set
  ops.data_at = DataAt;  // no replacement for read/write or submit
  ExpectRefusedAndFreedOnce(c.cfg, ops, "read and write");
  ops.data_at = nullptr;
  ops.read = ublk::testing::StubRead;
  ops.write = ublk::testing::StubWrite;
  ops.submit = Submit;
  ExpectRefusedAndFreedOnce(c.cfg, ops, "both");  // two forms
  ops.submit = nullptr;
  ops.flags = 1ull << 40;
  ExpectRefusedAndFreedOnce(c.cfg, ops, "unknown");
  ops.flags = UBLK_BACKEND_F_FUA;  // FUA without flush
  ExpectRefusedAndFreedOnce(c.cfg, ops, "FUA");
  ops.flags = UBLK_BACKEND_F_FILE_OPS_ONLY;  // the sync form always gets a buffer
  ExpectRefusedAndFreedOnce(c.cfg, ops, "FILE_OPS_ONLY");
  ops.flags = 0;
  ublk_backend_ops small = ops;
  small.struct_size = 24;
  ExpectRefusedAndFreedOnce(c.cfg, small, "struct_size");
  ExpectRefusedAndFreedOnce(nullptr, ops, "cfg");
}

TEST(CApi, CreateRefusesInvalidConfigBeforeTheKernel) {
  Config c;  // no size set: refused without opening /dev/ublk-control
  ublk_backend_ops ops = UBLK_BACKEND_OPS_INIT;
  ops.free_user_data = ublk::testing::StubFree;
  ops.read = ublk::testing::StubRead;
  ops.write = ublk::testing::StubWrite;
  ExpectRefusedAndFreedOnce(c.cfg, ops, "size");
}

// The names are part of the interface: examples print them and tests parse
// their output, so they are spelled out here rather than taken from src/.
TEST(CApi, DataModeNamesRoundTrip) {
  const struct {
    uint32_t mode;
    const char* name;
  } modes[] = {{UBLK_DATA_MODE_COPY, "copy"},
               {UBLK_DATA_MODE_NEED_GET_DATA, "need-get-data"},
               {UBLK_DATA_MODE_USER_COPY, "user-copy"},
               {UBLK_DATA_MODE_ZERO_COPY, "zero-copy"},
               {UBLK_DATA_MODE_AUTO, "auto"},
               {UBLK_DATA_MODE_ZERO_COPY_MANUAL, "zero-copy-manual"}};
  for (const auto& m : modes) {
    EXPECT_STREQ(ublk_data_mode_name(m.mode), m.name);
    uint32_t back = 99;
    EXPECT_EQ(ublk_data_mode_from_name(m.name, &back), 0) << m.name;
    EXPECT_EQ(back, m.mode) << m.name;
  }
}

TEST(CApi, DataModeNamesRefuseUnknown) {
  // 256 would wrap onto "copy" if the number were narrowed before the check.
  for (uint32_t m : {UBLK_DATA_MODE_ZERO_COPY_MANUAL + 1, 256u, UINT32_MAX})
    EXPECT_EQ(ublk_data_mode_name(m), nullptr) << m;

  uint32_t mode = 99;
  for (const char* name : {"", "COPY", "zero-copy-", "zero_copy", "unknown"}) {
    EXPECT_EQ(ublk_data_mode_from_name(name, &mode), -EINVAL) << name;
    EXPECT_STREQ(
        ublk_last_error(),
        (std::string("ublk_data_mode_from_name: unknown data mode '") + name + "'").c_str());
  }
  EXPECT_EQ(mode, 99u);  // untouched by every failure
  EXPECT_EQ(ublk_data_mode_from_name(nullptr, &mode), -EINVAL);
  EXPECT_STREQ(ublk_last_error(), "ublk_data_mode_from_name: name is NULL");
  EXPECT_EQ(ublk_data_mode_from_name("copy", nullptr), -EINVAL);
  EXPECT_STREQ(ublk_last_error(), "ublk_data_mode_from_name: mode is NULL");
}

TEST(CApi, NullHandlesAreSafe) {
  EXPECT_EQ(ublk_dev_close(nullptr), 0);
  EXPECT_EQ(ublk_dev_start(nullptr), -EINVAL);
  EXPECT_EQ(ublk_dev_stop(nullptr), -EINVAL);
  EXPECT_EQ(ublk_dev_wait(nullptr), -EINVAL);
  EXPECT_EQ(ublk_get_features(nullptr), -EINVAL);
  ublk_config_free(nullptr);
  EXPECT_STREQ(ublk_feature_name(0), "ZERO_COPY");
  EXPECT_EQ(ublk_feature_name(63), nullptr);
}

}  // namespace
