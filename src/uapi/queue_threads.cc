#include "uapi/queue_threads.h"

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "util/status.h"

namespace ublk::uapi {
namespace {

uint32_t ThreadsFor(uint32_t nr_queues, uint32_t threads) {
  return threads == 0 || threads > nr_queues ? nr_queues : threads;
}

uint32_t MostQueuesPerThread(uint32_t nr_queues, uint32_t threads) {
  const uint32_t t = ThreadsFor(nr_queues, threads);
  return t == 0 ? 0 : (nr_queues + t - 1) / t;
}

}  // namespace

absl::Status ValidateQueueThreads(uint32_t nr_queues, uint32_t threads) {
  if (threads > nr_queues)
    return ErrnoError(EINVAL, absl::StrCat(threads, " queue threads for ", nr_queues,
                                           " queues: a thread needs at least one queue"));
  const uint32_t most = MostQueuesPerThread(nr_queues, threads);
  if (most > kMaxQueuesPerThread)
    return ErrnoError(EINVAL, absl::StrCat(threads, " queue threads for ", nr_queues, " queues: ",
                                           most, " per thread, at most ", kMaxQueuesPerThread));
  return absl::OkStatus();
}

absl::Status ValidateZeroCopySlots(uint32_t nr_queues, uint32_t depth, uint32_t threads) {
  const uint64_t slots = uint64_t{MostQueuesPerThread(nr_queues, threads)} * depth;
  if (slots > kMaxRingBufferSlots)
    return ErrnoError(
        EINVAL, absl::StrCat("zero copy: a queue thread serving ",
                             MostQueuesPerThread(nr_queues, threads), " queues of depth ", depth,
                             " needs ", slots, " buffer slots, an io_uring has at most ",
                             kMaxRingBufferSlots, "; use more queue threads"));
  return absl::OkStatus();
}

std::vector<QueueSpan> SplitQueues(uint32_t nr_queues, uint32_t threads) {
  const uint32_t t = ThreadsFor(nr_queues, threads);
  std::vector<QueueSpan> spans;
  spans.reserve(t);
  uint32_t first = 0;
  for (uint32_t i = 0; i < t; ++i) {
    const uint32_t count = nr_queues / t + (i < nr_queues % t ? 1 : 0);
    spans.push_back({static_cast<uint16_t>(first), static_cast<uint16_t>(count)});
    first += count;
  }
  return spans;
}

}  // namespace ublk::uapi
