// How the queue threads share out a device's queues. Pure.
//
// By default every queue has its own thread. With fewer threads, a thread
// serves a contiguous run of queues on one io_uring: one io_uring_enter
// then submits the commits and reaps the requests of all of them, so a
// request burst spread over several queues costs one wakeup instead of one
// per queue. That is the trade when queues outnumber the CPUs the server may
// use, e.g. many blk-mq queues for locality but few server CPUs.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace ublk::uapi {

// The queues one thread serves: [first, first + count).
struct QueueSpan {
  uint16_t first = 0;
  uint16_t count = 0;
};

// The user_data of a shared ring names the queue in 8 bits.
inline constexpr uint32_t kMaxQueuesPerThread = 256;
// io_uring's cap on a ring's registered-buffer table, which zero copy
// shares out between the ring's queues (one slot per tag).
inline constexpr uint32_t kMaxRingBufferSlots = 16384;

// `threads` (0 = one per queue) against `nr_queues`: EINVAL with the rule
// when there are more threads than queues or a thread would serve more
// than kMaxQueuesPerThread queues.
absl::Status ValidateQueueThreads(uint32_t nr_queues, uint32_t threads);

// With zero copy every queue of a thread needs `depth` slots in the ring's
// buffer table: EINVAL when a thread's queues would need more than
// kMaxRingBufferSlots.
absl::Status ValidateZeroCopySlots(uint32_t nr_queues, uint32_t depth, uint32_t threads);

// The spans of a (validated) split, one per thread, in queue order; the
// first nr_queues % threads threads take one queue more.
std::vector<QueueSpan> SplitQueues(uint32_t nr_queues, uint32_t threads);

}  // namespace ublk::uapi
