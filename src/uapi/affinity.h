// Which CPUs a queue thread runs on. Pure: the choice is made from the
// policy and the CPU set the kernel maps to the queue (GET_QUEUE_AFFINITY).
#pragma once

#include <sched.h>

#include <cstdint>

#include "absl/strings/string_view.h"

namespace ublk::uapi {

enum class QueueAffinity : uint8_t {
  // The queue's CPU set when it holds two or more CPUs; no pinning when it
  // holds one. A thread pinned to the single CPU that submits to its queue
  // must take turns with the submitter on that CPU: every request costs two
  // context switches there (measured: half the IOPS, twice the server CPU
  // per I/O; docs/performance.md).
  kAuto = 0,
  kQueueCpus = 1,  // always the queue's CPU set (what ublksrv does)
  kNone = 2,       // never pinned: the scheduler decides
};
inline constexpr uint8_t kMaxQueueAffinity = 2;

const char* QueueAffinityName(QueueAffinity policy);  // "auto", "queue", "none"
bool QueueAffinityFromName(absl::string_view name, QueueAffinity* out);

// The CPUs to pin a queue thread to; an empty set means "do not pin".
// `queue_cpus` is the kernel's set for the queue (empty if unknown).
cpu_set_t QueueThreadCpus(QueueAffinity policy, const cpu_set_t& queue_cpus);

}  // namespace ublk::uapi
