// Queue thread placement: what each policy pins a queue thread to, and the
// names of the affinity and scheduling policies.
#include "uapi/affinity.h"

#include <initializer_list>

#include "gtest/gtest.h"
#include "uapi/queue_sched.h"

namespace ublk::uapi {
namespace {

cpu_set_t Cpus(std::initializer_list<int> cpus) {
  cpu_set_t s;
  CPU_ZERO(&s);
  for (int c : cpus) CPU_SET(c, &s);
  return s;
}

bool Same(const cpu_set_t& a, const cpu_set_t& b) { return CPU_EQUAL(&a, &b); }

TEST(QueueAffinity, AutoPinsOnlyToSetsOfTwoOrMoreCpus) {
  // 2 queues on 2 CPUs: each queue has one CPU, the thread is left free.
  const cpu_set_t single = QueueThreadCpus(QueueAffinity::kAuto, Cpus({1}));
  EXPECT_EQ(CPU_COUNT(&single), 0);
  // 2 queues on 8 CPUs: four CPUs each, the thread stays among them.
  EXPECT_TRUE(Same(QueueThreadCpus(QueueAffinity::kAuto, Cpus({4, 5, 6, 7})), Cpus({4, 5, 6, 7})));
  EXPECT_TRUE(Same(QueueThreadCpus(QueueAffinity::kAuto, Cpus({})), Cpus({})));
}

TEST(QueueAffinity, QueueCpusAlwaysPinsAndNoneNever) {
  EXPECT_TRUE(Same(QueueThreadCpus(QueueAffinity::kQueueCpus, Cpus({1})), Cpus({1})));
  EXPECT_TRUE(Same(QueueThreadCpus(QueueAffinity::kQueueCpus, Cpus({0, 3})), Cpus({0, 3})));
  EXPECT_TRUE(Same(QueueThreadCpus(QueueAffinity::kNone, Cpus({0, 3})), Cpus({})));
  EXPECT_TRUE(Same(QueueThreadCpus(QueueAffinity::kNone, Cpus({2})), Cpus({})));
}

TEST(QueueAffinity, NamesRoundTrip) {
  for (uint8_t p = 0; p <= kMaxQueueAffinity; ++p) {
    QueueAffinity back;
    ASSERT_TRUE(QueueAffinityFromName(QueueAffinityName(static_cast<QueueAffinity>(p)), &back));
    EXPECT_EQ(static_cast<uint8_t>(back), p);
  }
  QueueAffinity unused;
  EXPECT_FALSE(QueueAffinityFromName("cpu0", &unused));
  EXPECT_FALSE(QueueAffinityFromName("", &unused));
}

TEST(QueueSched, NamesRoundTrip) {
  for (uint8_t p = 0; p <= kMaxQueueSched; ++p) {
    QueueSched back;
    ASSERT_TRUE(QueueSchedFromName(QueueSchedName(static_cast<QueueSched>(p)), &back));
    EXPECT_EQ(static_cast<uint8_t>(back), p);
  }
  EXPECT_STREQ(QueueSchedName(QueueSched::kBatch), "batch");
  QueueSched unused;
  EXPECT_FALSE(QueueSchedFromName("fifo", &unused));
  EXPECT_FALSE(QueueSchedFromName("", &unused));
}

}  // namespace
}  // namespace ublk::uapi
