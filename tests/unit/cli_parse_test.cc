#include "cli/parse.h"

#include "gtest/gtest.h"

namespace ublk::cli {
namespace {

TEST(ParseSize, Units) {
  EXPECT_EQ(*ParseSize("4096"), 4096u);
  EXPECT_EQ(*ParseSize("512K"), 512u << 10);
  EXPECT_EQ(*ParseSize("64M"), 64u << 20);
  EXPECT_EQ(*ParseSize("1G"), 1ull << 30);
  EXPECT_EQ(*ParseSize("1GiB"), 1ull << 30);
  EXPECT_EQ(*ParseSize("2t"), 2ull << 40);
  EXPECT_EQ(*ParseSize("16MB"), 16u << 20);
}

TEST(ParseSize, Garbage) {
  for (const char* s :
       {"", "G", "-1", "1.5G", "1X", "1GG", "0bb", "1BiB", "99999999999999999999", "17179869184G"})
    EXPECT_FALSE(ParseSize(s).ok()) << s;
}

TEST(ParseAdd, Full) {
  auto a = ParseAddArgs({"--type", "mem", "--size", "1G", "--queues", "2", "--depth", "32", "--id",
                         "5", "--foreground"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->type, "mem");
  EXPECT_EQ(a->queues, 2u);
  EXPECT_EQ(a->depth, 32u);
  EXPECT_EQ(a->id, 5);
  EXPECT_TRUE(a->foreground);
}

TEST(ParseAdd, Errors) {
  EXPECT_FALSE(ParseAddArgs({"--size", "1G"}).ok());                    // no type
  EXPECT_FALSE(ParseAddArgs({"--type", "disk", "--size", "1G"}).ok());  // bad type
  EXPECT_FALSE(ParseAddArgs({"--type", "mem"}).ok());                   // no size
  EXPECT_FALSE(ParseAddArgs({"--type", "mem", "--size"}).ok());         // no value
  EXPECT_FALSE(ParseAddArgs({"--type", "mem", "--size", "1G", "--depth", "5000"}).ok());
  EXPECT_FALSE(ParseAddArgs({"--type", "mem", "--size", "1G", "--bogus", "1"}).ok());
  auto r = ParseAddArgs({"--type", "mem", "--size", "1G", "--depth", "5000"});
  EXPECT_NE(r.status().message().find("--depth"), std::string::npos);
}

TEST(ParseDel, Forms) {
  EXPECT_TRUE(ParseDelArgs({"--all"}).ok());
  EXPECT_EQ(ParseDelArgs({"--id", "3"})->id, 3);
  EXPECT_FALSE(ParseDelArgs({}).ok());
  EXPECT_FALSE(ParseDelArgs({"--all", "--id", "1"}).ok());
  EXPECT_FALSE(ParseDelArgs({"--id", "x"}).ok());
}

TEST(ParseAdd, Affinity) {
  auto a = ParseAddArgs({"--type", "mem", "--size", "1G"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->affinity, uapi::QueueAffinity::kAuto);
  a = ParseAddArgs({"--type", "mem", "--size", "1G", "--affinity", "queue"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->affinity, uapi::QueueAffinity::kQueueCpus);
  auto bad = ParseAddArgs({"--type", "mem", "--size", "1G", "--affinity", "0-1"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown affinity '0-1'"), std::string::npos);
  EXPECT_FALSE(ParseAddArgs({"--type", "mem", "--size", "1G", "--affinity"}).ok());
}

TEST(ParseAdd, QueueSched) {
  auto a = ParseAddArgs({"--type", "mem", "--size", "1G"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->queue_sched, uapi::QueueSched::kInherit);
  a = ParseAddArgs({"--type", "mem", "--size", "1G", "--queue-sched", "batch"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->queue_sched, uapi::QueueSched::kBatch);
  auto bad = ParseAddArgs({"--type", "mem", "--size", "1G", "--queue-sched", "fifo"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown queue scheduling policy 'fifo'"),
            std::string::npos);
}

TEST(ParseAdd, QueueThreads) {
  auto a = ParseAddArgs({"--type", "mem", "--size", "1G", "--queues", "2"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->queue_threads, 0u);
  a = ParseAddArgs({"--type", "mem", "--size", "1G", "--queues", "2", "--queue-threads", "1"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->queue_threads, 1u);
  EXPECT_FALSE(ParseAddArgs({"--type", "mem", "--size", "1G", "--queue-threads", "x"}).ok());
  EXPECT_FALSE(ParseAddArgs({"--type", "mem", "--size", "1G", "--queue-threads", "4097"}).ok());
}

TEST(ParseAdd, BatchIo) {
  auto a = ParseAddArgs({"--type", "mem", "--size", "1G"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_FALSE(a->batch_io.has_value());  // the library's default
  a = ParseAddArgs({"--type", "mem", "--size", "1G", "--batch-io", "on"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->batch_io, uapi::BatchIoPolicy::kOn);
  auto bad = ParseAddArgs({"--type", "mem", "--size", "1G", "--batch-io", "yes"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown batch I/O policy 'yes' (auto, on, off)"),
            std::string::npos);
}

}  // namespace
}  // namespace ublk::cli

namespace ublk::cli {
namespace {

TEST(ParseAdd, FileType) {
  auto a = ParseAddArgs({"--type", "file", "--file", "/tmp/img", "--buffered"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->file, "/tmp/img");
  EXPECT_TRUE(a->buffered);
  EXPECT_TRUE(a->size.empty());                         // defaults to the file's size
  EXPECT_FALSE(ParseAddArgs({"--type", "file"}).ok());  // no file
  EXPECT_FALSE(ParseAddArgs({"--type", "mem", "--size", "1G", "--file", "x"}).ok());  // not file
  EXPECT_FALSE(ParseAddArgs({"--type", "mem", "--size", "1G", "--buffered"}).ok());
}

TEST(ParseAdd, DataModes) {
  auto a = ParseAddArgs({"--type", "mem", "--user-copy", "--size", "1G"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->data_mode, uapi::DataMode::kUserCopy);
  a = ParseAddArgs({"--type", "file", "--file", "x", "--zero-copy"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->data_mode, uapi::DataMode::kZeroCopy);
  a = ParseAddArgs({"--type", "file", "--file", "x", "--data-mode", "zero-copy-manual"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->data_mode, uapi::DataMode::kZeroCopyManual);
  EXPECT_TRUE(
      ParseAddArgs({"--type", "null", "--size", "1G", "--data-mode", "user-copy", "--user-copy"})
          .ok());  // the same mode twice
  auto bad = ParseAddArgs({"--type", "null", "--size", "1G", "--data-mode", "fast"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown data mode 'fast'"), std::string::npos);
  EXPECT_FALSE(ParseAddArgs({"--type", "null", "--size", "1G", "--user-copy", "--zero-copy"}).ok());
}

}  // namespace
}  // namespace ublk::cli
