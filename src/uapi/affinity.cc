#include "uapi/affinity.h"

#include <iterator>

#include "uapi/enum_names.h"

namespace ublk::uapi {

namespace {
constexpr const char* kAffinityNames[] = {"auto", "queue", "none"};  // by QueueAffinity
static_assert(std::size(kAffinityNames) == kMaxQueueAffinity + 1);
}  // namespace

const char* QueueAffinityName(QueueAffinity policy) { return EnumName(policy, kAffinityNames); }

bool QueueAffinityFromName(absl::string_view name, QueueAffinity* out) {
  return EnumFromName(name, kAffinityNames, out);
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
