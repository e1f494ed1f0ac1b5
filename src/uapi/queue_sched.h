// The scheduling policy of the queue threads, and its names.
#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ublk::uapi {

enum class QueueSched : uint8_t {
  // The policy of the thread that starts the device (usually SCHED_OTHER).
  kInherit = 0,
  // SCHED_BATCH: a woken queue thread does not preempt the task running on
  // its CPU (often the submitter, which goes on queueing requests); it runs
  // at the next tick or when that task sleeps, and then finds a longer
  // batch. Costs wakeup latency when a CPU-bound task shares its CPU.
  kBatch = 1,
};
inline constexpr uint8_t kMaxQueueSched = 1;

const char* QueueSchedName(QueueSched policy);  // "inherit", "batch"
bool QueueSchedFromName(absl::string_view name, QueueSched* out);

}  // namespace ublk::uapi
