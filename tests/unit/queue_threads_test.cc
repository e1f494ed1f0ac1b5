// How queue threads share out the queues (uapi/queue_threads.h).
#include "uapi/queue_threads.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "uapi/spec.h"
#include "util/status.h"

namespace ublk::uapi {
namespace {

std::vector<std::pair<int, int>> Spans(uint32_t queues, uint32_t threads) {
  std::vector<std::pair<int, int>> out;
  for (const QueueSpan& s : SplitQueues(queues, threads)) out.emplace_back(s.first, s.count);
  return out;
}

TEST(QueueThreads, ZeroMeansOneThreadPerQueue) {
  EXPECT_EQ(Spans(3, 0), (std::vector<std::pair<int, int>>{{0, 1}, {1, 1}, {2, 1}}));
  EXPECT_EQ(Spans(3, 3), Spans(3, 0));
}

TEST(QueueThreads, ContiguousRunsAndTheFirstThreadsTakeTheRest) {
  EXPECT_EQ(Spans(2, 1), (std::vector<std::pair<int, int>>{{0, 2}}));
  EXPECT_EQ(Spans(5, 2), (std::vector<std::pair<int, int>>{{0, 3}, {3, 2}}));
  EXPECT_EQ(Spans(7, 3), (std::vector<std::pair<int, int>>{{0, 3}, {3, 2}, {5, 2}}));
  // Every queue exactly once, whatever the split.
  for (uint32_t q = 1; q <= 40; ++q)
    for (uint32_t t = 0; t <= q; ++t) {
      uint32_t next = 0;
      for (const QueueSpan& s : SplitQueues(q, t)) {
        ASSERT_EQ(s.first, next) << q << "/" << t;
        ASSERT_GT(s.count, 0) << q << "/" << t;
        next += s.count;
      }
      ASSERT_EQ(next, q) << q << "/" << t;
    }
}

TEST(QueueThreads, RefusesMoreThreadsThanQueuesAndOverfullThreads) {
  EXPECT_TRUE(ValidateQueueThreads(4, 0).ok());
  EXPECT_TRUE(ValidateQueueThreads(4, 4).ok());
  absl::Status s = ValidateQueueThreads(2, 3);
  EXPECT_EQ(ToErrno(s), EINVAL);
  EXPECT_NE(std::string(s.message()).find("3 queue threads for 2 queues"), std::string::npos);
  EXPECT_TRUE(ValidateQueueThreads(256, 1).ok());
  EXPECT_EQ(ToErrno(ValidateQueueThreads(257, 1)), EINVAL);
  EXPECT_TRUE(ValidateQueueThreads(257, 2).ok());
}

TEST(QueueThreads, ZeroCopyNeedsASlotPerTagOfAThreadsQueues) {
  EXPECT_TRUE(ValidateZeroCopySlots(4, 4096, 4).ok());
  EXPECT_TRUE(ValidateZeroCopySlots(4, 4096, 0).ok());
  EXPECT_TRUE(ValidateZeroCopySlots(4, 4096, 1).ok());  // exactly 16384
  absl::Status s = ValidateZeroCopySlots(5, 4096, 1);
  EXPECT_EQ(ToErrno(s), EINVAL);
  EXPECT_NE(std::string(s.message()).find("use more queue threads"), std::string::npos);
}

TEST(QueueThreads, TheSpecChecksThreadsAgainstQueues) {
  DeviceSpec spec;
  spec.size_bytes = 1 << 20;
  spec.nr_queues = 2;
  spec.queue_threads = 1;
  EXPECT_TRUE(ValidateSpec(spec).ok());
  spec.queue_threads = 3;
  EXPECT_EQ(ToErrno(ValidateSpec(spec)), EINVAL);
  spec.queue_threads = 5000;
  EXPECT_EQ(ToErrno(ValidateFields(spec)), EINVAL);
}

}  // namespace
}  // namespace ublk::uapi
