#include "uapi/affinity.h"

namespace ublk::uapi {

const char* QueueAffinityName(QueueAffinity policy) {
  switch (policy) {
    case QueueAffinity::kAuto: return "auto";
    case QueueAffinity::kQueueCpus: return "queue";
    case QueueAffinity::kNone: return "none";
  }
  return "unknown";
}

bool QueueAffinityFromName(absl::string_view name, QueueAffinity* out) {
  for (uint8_t p = 0; p <= kMaxQueueAffinity; ++p) {
    if (name == QueueAffinityName(static_cast<QueueAffinity>(p))) {
      *out = static_cast<QueueAffinity>(p);
      return true;
    }
  }
  return false;
}

cpu_set_t QueueThreadCpus(QueueAffinity policy, const cpu_set_t& queue_cpus) {
  cpu_set_t none;
  CPU_ZERO(&none);
  switch (policy) {
    case QueueAffinity::kQueueCpus: return queue_cpus;
    case QueueAffinity::kAuto: return CPU_COUNT(&queue_cpus) >= 2 ? queue_cpus : none;
    case QueueAffinity::kNone: break;
  }
  return none;
}

}  // namespace ublk::uapi
