#include "uapi/affinity.h"

#include "uapi/enum_names.h"

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
  return EnumFromName(name, kMaxQueueAffinity, &QueueAffinityName, out);
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
