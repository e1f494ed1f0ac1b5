#include "uapi/queue_sched.h"

#include <iterator>

#include "uapi/enum_names.h"

namespace ublk::uapi {

namespace {
constexpr const char* kSchedNames[] = {"inherit", "batch"};  // by QueueSched
static_assert(std::size(kSchedNames) == kMaxQueueSched + 1);
}  // namespace

const char* QueueSchedName(QueueSched policy) { return EnumName(policy, kSchedNames); }

bool QueueSchedFromName(absl::string_view name, QueueSched* out) {
  return EnumFromName(name, kSchedNames, out);
}

}  // namespace ublk::uapi
